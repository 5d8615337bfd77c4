// The history of recorded runs in a run folder: a fast listing of record summaries, grouping, baselines, labels, deletion.
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import * as v from 'valibot';
import { emptyRunHistory, MAX_RUN_LABEL_LENGTH, parseRunHistory, RUN_HISTORY_FILE, type RunHistory } from '../protocol/runHistory';
import { parseRecordedOptions, parseRunMeta, RunMetaSchema, type RunHeadline, type RunMeta } from '../protocol/runRecord';
import { headlineOf, writeAtomic } from './runRecord';
import { loadRunForComparison } from './compareRuns';
import type { RunBaseline } from './liveBaseline';

/** The numbers a list shows of a run: meta.json's headline, or for older records the same read from final.json. */
export type RunNumbers = Omit<RunHeadline, 'peakUsers'> & {
  /** Unknown for a record without a headline (the peak needs the ticks, which a listing does not read). */
  peakUsers: number | undefined;
  source: 'headline' | 'final';
};

/** What a list of recorded runs shows of each, read without its ticks (a long run's ticks.jsonl is large). */
export interface RecordSummary {
  dir: string;
  /** The record folder's name: how history.json names the record. */
  name: string;
  meta: RunMeta;
  locustfile: string | undefined;
  /** For an attached run: the web UI it followed. */
  attachedTo: string | undefined;
  host: string | undefined;
  /** The User classes the run was asked to run (empty: all of them). */
  userClasses: string[];
  /** The users asked for (the last target accepted during the run, else the options'). */
  targetUsers: number | undefined;
  /** Absent when the run has no final statistics (it did not end, or crashed before Locust reported them). */
  numbers: RunNumbers | undefined;
}

/** A folder of the run folder that is not listed as a run, and why. */
export interface SkippedFolder {
  dir: string;
  reason: string;
}

export type SummaryResult = { ok: true; summary: RecordSummary } | { ok: false; dir: string; reason: string };


/** A file's text and its JSON value; `missing` when there is no such file, `error` when it is not JSON. */
async function readJsonFile(file: string): Promise<{ value: unknown } | { missing: true } | { error: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { missing: true };
    return { error: `${path.basename(file)} cannot be read (${code ?? (error as Error).message})` };
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { error: `${path.basename(file)} is not valid JSON (half-written?)` };
  }
}

/**
 * The summary of a record folder: meta.json and options.json, plus final.json only when meta.json has no headline (an
 * older record, or one that did not end). Never throws: a folder that is not a readable record says why.
 */
export async function readRecordSummary(dir: string): Promise<SummaryResult> {
  const [metaRead, optionsRead] = await Promise.all([readJsonFile(path.join(dir, 'meta.json')), readJsonFile(path.join(dir, 'options.json'))]);
  if ('missing' in metaRead) {
    // The recorder writes options.json first and meta.json right after: between the two, or after a crash there.
    const reason = 'missing' in optionsRead ? 'not a run record (no meta.json)' : 'a half-written record (options.json but no meta.json)';
    return { ok: false, dir, reason };
  }
  if ('error' in metaRead) return { ok: false, dir, reason: metaRead.error };
  const meta = parseRunMeta(metaRead.value);
  if (!meta.ok) return { ok: false, dir, reason: meta.error };
  // A record without readable options still lists: the options only label it.
  const parsedOptions = 'value' in optionsRead ? parseRecordedOptions(optionsRead.value) : undefined;
  const options = parsedOptions?.ok ? parsedOptions.value : {};
  const numbers = meta.value.headline ? { ...meta.value.headline, source: 'headline' as const } : await numbersFromFinal(dir, meta.value);
  return {
    ok: true,
    summary: {
      dir,
      name: path.basename(dir),
      meta: meta.value,
      locustfile: options.locustfile,
      attachedTo: options.attach,
      host: options.host || meta.value.host || undefined,
      userClasses: options.userClasses ?? [],
      targetUsers: meta.value.target?.users ?? options.users,
      numbers,
    },
  };
}

/**
 * What headlineOf reads of final.json, checked: the whole message (thousands of endpoints, each validated) would cost a
 * listing of older records several times over.
 */
const FinalTotalSchema = v.looseObject({
  type: v.literal('final'),
  t: v.number(),
  startTime: v.optional(v.number()),
  lastRequestTime: v.optional(v.number()),
  total: v.looseObject({ requests: v.number(), failures: v.number(), percentiles: v.array(v.nullable(v.number())) }),
});

/**
 * The headline numbers of a record that has none (an older one), by the recorder's own rule (headlineOf) from final.json;
 * the peak of users is left unknown (it needs the ticks).
 */
async function numbersFromFinal(dir: string, meta: RunMeta): Promise<RunNumbers | undefined> {
  const read = await readJsonFile(path.join(dir, 'final.json'));
  if (!('value' in read) || !v.is(FinalTotalSchema, read.value)) return undefined;
  // headlineOf reads only the fields checked above.
  const final = read.value as unknown as Parameters<typeof headlineOf>[0];
  return { ...headlineOf(final, 0, meta), peakUsers: undefined, source: 'final' };
}

/** Record folders read at once while listing: enough to hide the latency of each read, few enough for any fd limit. */
const LIST_CONCURRENCY = 32;

/** The runs recorded under a run folder (newest first) and the folders that are not readable records (with why). */
export interface RunListing {
  runs: RecordSummary[];
  skipped: SkippedFolder[];
}

/**
 * Lists the records under `runFolder` (a missing folder lists nothing). Each sub-folder costs one small read of meta.json
 * and options.json (final.json for older records). Files beside the records (history.json) are not records and are not
 * mentioned; a folder that cannot be read is skipped with a reason. Nothing is ever changed on disk.
 */
export async function listRuns(runFolder: string): Promise<RunListing> {
  const entries = await readdir(runFolder, { withFileTypes: true }).catch(() => []);
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => path.join(runFolder, e.name));
  const results = new Array<SummaryResult>(dirs.length);
  let next = 0;
  const worker = async () => {
    while (next < dirs.length) {
      const i = next++;
      results[i] = await readRecordSummary(dirs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, dirs.length) }, worker));
  const runs: RecordSummary[] = [];
  const skipped: SkippedFolder[] = [];
  for (const result of results) {
    if (result.ok) runs.push(result.summary);
    else skipped.push({ dir: result.dir, reason: result.reason });
  }
  runs.sort((a, b) => b.meta.startedAt - a.meta.startedAt || (a.name < b.name ? 1 : -1));
  skipped.sort((a, b) => (a.dir < b.dir ? -1 : 1));
  return { runs, skipped };
}

// ---- grouping ----

/** What a run ran: a locustfile, or (attached) the web UI it followed, or neither when its options were unreadable. */
export interface RunSubject {
  kind: 'locustfile' | 'attached' | 'unknown';
  /** The locustfile's path, the web UI's URL, or ''. */
  key: string;
}

export function subjectOf(summary: Pick<RecordSummary, 'locustfile' | 'attachedTo'>): RunSubject {
  if (summary.locustfile) return { kind: 'locustfile', key: path.normalize(summary.locustfile) };
  if (summary.attachedTo) return { kind: 'attached', key: summary.attachedTo };
  return { kind: 'unknown', key: '' };
}

export interface RunGroup {
  subject: RunSubject;
  /** Newest first. */
  runs: RecordSummary[];
}

/** Groups runs by what they ran; groups ordered by their newest run, runs newest first (as listed). */
export function groupRuns(runs: readonly RecordSummary[]): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  for (const run of [...runs].sort((a, b) => b.meta.startedAt - a.meta.startedAt)) {
    const subject = subjectOf(run);
    const id = `${subject.kind}\0${subject.key}`;
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { subject, runs: [] }));
    group.runs.push(run);
  }
  return [...groups.values()];
}

// ---- baselines and labels ----

/**
 * The one rule of which runs share a baseline: the same locustfile (or attached web UI) and the same User class
 * selection, in any order (an empty selection: all classes). The run controller asks `baselineFor` with the same parts.
 */
export function baselineKey(locustfile: string, userClasses: readonly string[]): string {
  return JSON.stringify([locustfile && !/^[a-z][a-z0-9+.-]*:\/\//i.test(locustfile) ? path.normalize(locustfile) : locustfile, [...new Set(userClasses)].sort()]);
}

/** The baseline key of a recorded run. */
export function baselineKeyOf(summary: Pick<RecordSummary, 'locustfile' | 'attachedTo' | 'userClasses'>): string {
  return baselineKey(subjectOf(summary).key, summary.userClasses);
}

export interface HistoryRead {
  history: RunHistory;
  /** Why history.json was not used (unreadable, or a newer format): pins and labels are then shown as none. */
  problem?: string;
}

/** The history of a run folder; a missing history.json is an empty one. Never throws. */
export async function readHistory(runFolder: string): Promise<HistoryRead> {
  const read = await readJsonFile(path.join(runFolder, RUN_HISTORY_FILE));
  if ('missing' in read) return { history: emptyRunHistory() };
  if ('error' in read) return { history: emptyRunHistory(), problem: read.error };
  const parsed = parseRunHistory(read.value);
  return parsed.ok ? { history: parsed.value } : { history: emptyRunHistory(), problem: parsed.error };
}

/** One change of history.json at a time per run folder (each reads, changes and writes the whole file). */
const pending = new Map<string, Promise<unknown>>();

/**
 * Reads history.json, applies `change` and writes it back atomically. A history.json of a newer format is never
 * overwritten (throws); an unreadable one is kept beside as history.json.unreadable-<time> before a fresh one is written.
 */
export function updateHistory(runFolder: string, change: (history: RunHistory) => void): Promise<RunHistory> {
  const key = path.resolve(runFolder);
  const run = async () => {
    const file = path.join(runFolder, RUN_HISTORY_FILE);
    const read = await readJsonFile(file);
    let history = emptyRunHistory();
    if ('value' in read || 'error' in read) {
      const parsed = 'value' in read ? parseRunHistory(read.value) : undefined;
      if (parsed?.ok) history = parsed.value;
      else if (parsed && parsed.newer) throw new Error(`${parsed.error}: pins and labels cannot be changed here (the file is left as it is).`);
      else await rename(file, `${file}.unreadable-${Date.now()}`);
    }
    change(history);
    writeAtomic(file, `${JSON.stringify(history, null, 2)}\n`);
    return history;
  };
  const result = (pending.get(key) ?? Promise.resolve()).then(run, run);
  const settled = result.catch(() => undefined);
  pending.set(key, settled);
  void settled.then(() => pending.get(key) === settled && pending.delete(key));
  return result;
}

/** The record folder `dir` as history.json names it; throws unless it lies directly in `runFolder`. */
function recordName(runFolder: string, dir: string): string {
  if (path.dirname(path.resolve(dir)) !== path.resolve(runFolder)) throw new Error(`${dir} is not a record of the run folder ${runFolder}.`);
  return path.basename(dir);
}

async function summaryOrThrow(dir: string): Promise<RecordSummary> {
  const result = await readRecordSummary(dir);
  if (!result.ok) throw new Error(`${dir}: ${result.reason}.`);
  return result.summary;
}

/** Pins a recorded run as the baseline of its locustfile and User class selection (replacing the one pinned before). */
export async function pinBaseline(runFolder: string, dir: string): Promise<string> {
  const name = recordName(runFolder, dir);
  const key = baselineKeyOf(await summaryOrThrow(dir));
  await updateHistory(runFolder, (history) => {
    history.baselines[key] = name;
  });
  return key;
}

/** Unpins a recorded run wherever it is a baseline. */
export async function unpinBaseline(runFolder: string, dir: string): Promise<void> {
  const name = recordName(runFolder, dir);
  await updateHistory(runFolder, (history) => dropBaselinesOf(history, name));
}

function dropBaselinesOf(history: RunHistory, name: string): void {
  for (const [key, pinned] of Object.entries(history.baselines)) if (pinned === name) delete history.baselines[key];
}

/** True when `summary` is the pinned baseline of its locustfile and User class selection. */
export function isBaseline(history: RunHistory, summary: Pick<RecordSummary, 'name' | 'locustfile' | 'attachedTo' | 'userClasses'>): boolean {
  return history.baselines[baselineKeyOf(summary)] === summary.name;
}

/**
 * The record folder pinned as the baseline of `locustfile` (or an attached web UI's URL) and `userClasses`, when it still
 * exists as a readable record.
 */
export async function baselineFor(runFolder: string, locustfile: string, userClasses: readonly string[]): Promise<string | undefined> {
  const { history } = await readHistory(runFolder);
  const name = history.baselines[baselineKey(locustfile, userClasses)];
  if (name === undefined || name !== path.basename(name) || name === '..' || name === '.') return undefined;
  const dir = path.join(runFolder, name);
  return (await readRecordSummary(dir)).ok ? dir : undefined;
}

/**
 * The pinned baseline of a locustfile and User class selection, read for comparing a new run with it; undefined when none
 * is pinned. Throws a one-line reason when the pinned record cannot be compared (the caller says so and runs without it).
 */
export async function loadBaseline(runFolder: string, locustfile: string, userClasses: readonly string[]): Promise<RunBaseline | undefined> {
  const dir = await baselineFor(runFolder, locustfile, userClasses);
  if (dir === undefined) return undefined;
  const [run, { history }] = await Promise.all([loadRunForComparison(dir), readHistory(runFolder)]);
  return { run, label: labelOf(history, { name: path.basename(dir) }) ?? '' };
}

/** Names a recorded run (trimmed, cut to MAX_RUN_LABEL_LENGTH); an empty label removes the name. Returns the label kept. */
export async function setLabel(runFolder: string, dir: string, label: string): Promise<string | undefined> {
  const name = recordName(runFolder, dir);
  const kept = label.replace(/\s+/g, ' ').trim().slice(0, MAX_RUN_LABEL_LENGTH);
  await updateHistory(runFolder, (history) => {
    if (kept) history.labels[name] = kept;
    else delete history.labels[name];
  });
  return kept || undefined;
}

/** A run's label, if the user named it. */
export function labelOf(history: RunHistory, summary: Pick<RecordSummary, 'name'>): string | undefined {
  return Object.hasOwn(history.labels, summary.name) ? history.labels[summary.name] : undefined;
}

/**
 * Deletes a record folder of `runFolder`, and its pins and label. Refuses (throws, deleting nothing) a folder outside the
 * run folder, a live run's folder (`live`: the record folders being written now) and a folder that is not a run record.
 */
export async function deleteRecord(runFolder: string, dir: string, live: readonly string[]): Promise<void> {
  const name = recordName(runFolder, dir);
  if (live.some((l) => path.resolve(l) === path.resolve(dir))) throw new Error(`The run recorded in ${name} is still going on: stop it before deleting its record.`);
  // A record of any format (a newer one included) is deletable; anything else is not ours to delete.
  const meta = await readJsonFile(path.join(dir, 'meta.json'));
  if (!('value' in meta) || !v.is(v.looseObject({ id: RunMetaSchema.entries.id, startedAt: RunMetaSchema.entries.startedAt }), meta.value)) {
    throw new Error(`${name} is not a run record (no readable meta.json): not deleted.`);
  }
  await rm(dir, { recursive: true, force: true });
  // A history.json this version may not write (a newer format) keeps the entries: readers ignore pins of a missing record.
  await updateHistory(runFolder, (history) => {
    dropBaselinesOf(history, name);
    delete history.labels[name];
  }).catch(() => undefined);
}
