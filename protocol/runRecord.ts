// The run record on disk (meta.json, options.json): a typed, versioned format with its validators and the rule of a run's outcome.
import * as v from 'valibot';
import { RunnerKindSchema } from './runner';
import { VerdictSchema } from './thresholds';
import { LoadGeneratorHealthSchema } from './loadGenerator';

/**
 * The record format this version writes. 1: records before the format was numbered (no `format` key), which read the same
 * way; 2: `format` written, thresholds and their verdict in meta.json. A reader accepts every format up to this one.
 */
export const RUN_RECORD_FORMAT = 2;

/**
 * How a run ended, as its record tells it. `cutShort`: Locust ended normally with its final statistics, but the run did
 * not do what it was asked to (see RunShortfallSchema).
 */
export const RunOutcomeSchema = v.picklist(['finished', 'cutShort', 'killed', 'crashed', 'failedToStart', 'incomplete']);
export type RunOutcome = v.InferOutput<typeof RunOutcomeSchema>;

/** How each outcome reads in a list or a report heading. */
export const OUTCOME_LABEL: Record<RunOutcome, string> = {
  finished: 'Finished',
  cutShort: 'Cut short',
  killed: 'Killed',
  crashed: 'Crashed',
  failedToStart: 'Failed to start',
  incomplete: 'Incomplete',
};

export const RunExitSchema = v.object({
  code: v.nullable(v.number()),
  signal: v.nullable(v.string()),
  /** Set when the interpreter could not be started at all (then code and signal are null). */
  spawnError: v.optional(v.string()),
});
export type RunExit = v.InferOutput<typeof RunExitSchema>;

/**
 * Why a run that ended normally still did not do what it was asked to: a worker of a distributed run was lost mid-run
 * (the rest of the run had fewer workers, or it was stopped early), or no user could start (every on_start raised).
 */
export const RunShortfallSchema = v.object({ kind: v.picklist(['workerLost', 'noUserStarted']), message: v.string() });
export type RunShortfall = v.InferOutput<typeof RunShortfallSchema>;

/**
 * The one rule of a run's outcome, for the live run, its record, its replay and the CLI alike: the interpreter could not
 * start; else killed by a signal (even with final statistics: the run did not end as asked); else crashed without final
 * statistics; else cut short when anything kept it from running as asked (`shortfalls`); else finished.
 */
export function outcomeOf(exit: RunExit, hadFinal: boolean, shortfalls: readonly RunShortfall[] = []): Exclude<RunOutcome, 'incomplete'> {
  if (exit.spawnError !== undefined) return 'failedToStart';
  if (exit.signal) return 'killed';
  if (!hadFinal) return 'crashed';
  return shortfalls.length > 0 ? 'cutShort' : 'finished';
}

/** The shortfall of a run none of whose users started (each one's on_start raised); undefined when any started. */
export function userStartShortfall(starts: { started: number; failed: number } | undefined): RunShortfall | undefined {
  if (!starts || starts.started > 0 || starts.failed === 0) return undefined;
  const users = starts.failed === 1 ? 'the only user' : `all ${starts.failed} users`;
  return { kind: 'noUserStarted', message: `No user started: on_start raised in ${users} (see the exceptions).` };
}

/**
 * Requests that waited at least this long, still unanswered when the run stopped, are named in the run's end message
 * (shorter ones are the ordinary requests in flight at any stop; the record keeps them all).
 */
export const PENDING_NOTICE_SECONDS = 1;

/**
 * The sentence for requests still unanswered when the run stopped, which Locust does not count (a hung target would
 * otherwise look idle and healthy); undefined when none waited PENDING_NOTICE_SECONDS or longer.
 */
export function pendingNotice(
  pending: { requests: number; oldestSeconds: number; endpoints: { method: string; name: string; requests: number; oldestSeconds: number }[] } | undefined,
): string | undefined {
  if (!pending || pending.requests === 0 || pending.oldestSeconds < PENDING_NOTICE_SECONDS) return undefined;
  const slow = pending.endpoints.filter((e) => e.oldestSeconds >= PENDING_NOTICE_SECONDS);
  const named = slow.slice(0, 3).map((e) => `${e.method} ${e.name} (${e.requests})`);
  const more = slow.length > named.length ? ` and ${slow.length - named.length} more` : '';
  const requests = pending.requests === 1 ? '1 request was' : `${pending.requests} requests were`;
  return `${requests} still waiting for an answer when the run stopped, the oldest for ${pending.oldestSeconds.toFixed(1)} s; Locust does not count them: ${named.join(', ')}${more}.`;
}

/**
 * Why a run that did not finish ended, in the sentence the panel, the CLI and a replay show; undefined when it finished.
 * `hadFinal`: whether Locust reported its final statistics (a killed run may have).
 */
export function outcomeMessage(
  outcome: RunOutcome,
  exit: RunExit | undefined,
  { interpreter, hadFinal = false, shortfalls = [] }: { interpreter?: string; hadFinal?: boolean; shortfalls?: readonly RunShortfall[] } = {},
): string | undefined {
  switch (outcome) {
    case 'finished':
      return undefined;
    case 'cutShort':
      return shortfalls.length ? shortfalls.map((s) => s.message).join(' ') : 'The run did not run as asked. See the log.';
    case 'failedToStart':
      return `Could not start ${interpreter ?? 'the interpreter'}: ${exit?.spawnError ?? 'unknown error'}.`;
    case 'killed':
      return hadFinal ? `Locust was killed (${exit?.signal ?? 'signal'}).` : `Locust was killed (${exit?.signal ?? 'signal'}) before reporting final statistics. See the log.`;
    case 'crashed':
      return `Locust exited (${exit?.signal ?? `code ${exit?.code ?? '?'}`}) before reporting final statistics. See the log.`;
    case 'incomplete':
      return 'The record has no end: the run was interrupted (VS Code closed or crashed) or is still going elsewhere.';
  }
}

/**
 * The few numbers a list of runs shows (the Runs view, a pick of records), written into meta.json when the run ends so that
 * listing thousands of records reads one small file each. Absent from older records and from runs that did not end (a
 * reader falls back to final.json then).
 */
export const RunHeadlineSchema = v.object({
  /** Seconds of the measured run (Locust's first to last request when known, else the run's wall time). */
  seconds: v.number(),
  requests: v.number(),
  failures: v.number(),
  /** Requests per second over the whole run, as Locust's final summary computes it. */
  requestsPerSecond: v.number(),
  /** Whole-run response-time percentiles in ms over all requests; null without requests. */
  p50: v.nullable(v.number()),
  p95: v.nullable(v.number()),
  p99: v.nullable(v.number()),
  /** The most users that ran at once. */
  peakUsers: v.number(),
});
export type RunHeadline = v.InferOutput<typeof RunHeadlineSchema>;

/** meta.json: what is known about the run, rewritten (atomically) as it changes. Unknown keys of newer writers are kept. */
export const RunMetaSchema = v.looseObject({
  /** Absent in format 1. */
  format: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  id: v.string(),
  /** Epoch ms. */
  startedAt: v.number(),
  endedAt: v.optional(v.number()),
  /** Which interpreter ran it, its Locust, and where the choice came from (a setting, an extension's selection, PATH). */
  interpreter: v.optional(v.object({ path: v.string(), locustVersion: v.optional(v.string()), source: v.optional(v.string()) })),
  locustVersion: v.optional(v.string()),
  features: v.optional(v.array(v.string())),
  runnerKind: v.optional(RunnerKindSchema),
  userClasses: v.optional(v.array(v.string())),
  /** The LoadTestShape class that ran (hello's), null when none did. */
  shape: v.optional(v.nullable(v.string())),
  host: v.optional(v.nullable(v.string())),
  /** The run's profile as Locust held it (hello's), where Locust has profiles. */
  profile: v.optional(v.nullable(v.string())),
  pid: v.optional(v.number()),
  exit: v.optional(RunExitSchema),
  outcome: RunOutcomeSchema,
  /** Ticks written as of the last meta.json write (exact once the run ended; a crashed recorder may have written more). */
  ticks: v.number(),
  /** Bridge `error` messages, the last few. */
  errors: v.optional(v.array(v.string())),
  /** The last users / spawn rate Locust accepted during the run (a change from the panel), when it changed. */
  target: v.optional(v.object({ users: v.number(), spawnRate: v.optional(v.number()), at: v.number() })),
  /** The thresholds the run was judged by, as written (the locustfile's THRESHOLDS, then the command line's). Format 2. */
  thresholds: v.optional(v.array(v.string())),
  /** Their verdict, once the run finished; absent when it did not (a crashed run has no verdict). Format 2. */
  verdict: v.optional(VerdictSchema),
  /**
   * Why recording stopped before the run ended (a full disk, a folder gone): the record is incomplete from there on, though
   * the run went on. Absent when everything was recorded.
   */
  recordStopped: v.optional(v.string()),
  /** The run's headline numbers, written when it ends (see RunHeadlineSchema). */
  headline: v.optional(RunHeadlineSchema),
  /** What kept a run that ended normally from running as asked (its outcome is then `cutShort`); absent when nothing did. */
  shortfalls: v.optional(v.array(RunShortfallSchema)),
  /** The baseline the run was compared with (its record folder) and the comparison's verdict at the end. */
  baseline: v.optional(v.object({ dir: v.string(), verdict: v.picklist(['regressed', 'ok', 'inconclusive']) })),
  /** The load generator's health over the run (each process's CPU, memory, peak; whether it was saturated), when known. */
  loadGenerator: v.optional(LoadGeneratorHealthSchema),
});
export type RunMeta = v.InferOutput<typeof RunMetaSchema>;

const strings = v.array(v.string());

/**
 * options.json: what the run was asked to do (the environment is never stored). A launched run has its locustfile; an
 * attached one names the web UI it followed (`attach`, never with credentials). Unknown keys of newer writers are kept.
 */
export const RecordedOptionsSchema = v.looseObject({
  python: v.optional(v.string()),
  locustfile: v.optional(v.string()),
  cwd: v.optional(v.string()),
  userClasses: v.optional(strings),
  shapeClass: v.optional(v.nullable(v.string())),
  host: v.optional(v.string()),
  users: v.optional(v.number()),
  spawnRate: v.optional(v.number()),
  runTime: v.optional(v.string()),
  tags: v.optional(strings),
  excludeTags: v.optional(strings),
  extraArgs: v.optional(strings),
  profile: v.optional(v.string()),
  statsInterval: v.optional(v.number()),
  csvPrefix: v.optional(v.string()),
  mode: v.optional(v.picklist(['local', 'distributed', 'processes'])),
  workers: v.optional(v.number()),
  masterPort: v.optional(v.number()),
  attach: v.optional(v.string()),
  stopRemote: v.optional(v.boolean()),
});
export type RecordedOptions = v.InferOutput<typeof RecordedOptionsSchema>;

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function parseWith<T extends v.GenericSchema>(schema: T, raw: unknown, what: string): Parsed<v.InferOutput<T>> {
  const result = v.safeParse(schema, raw);
  if (!result.success) return { ok: false, error: `${what}: ${v.summarize(result.issues)}` };
  return { ok: true, value: result.output };
}

/** Checks a parsed meta.json: every format up to RUN_RECORD_FORMAT is read; a newer one is refused with a clear reason. */
export function parseRunMeta(raw: unknown): Parsed<RunMeta> {
  const parsed = parseWith(RunMetaSchema, raw, 'meta.json');
  if (parsed.ok && (parsed.value.format ?? 1) > RUN_RECORD_FORMAT) {
    return { ok: false, error: `meta.json: record format ${parsed.value.format} is newer than this version of Locust Studio reads (${RUN_RECORD_FORMAT})` };
  }
  return parsed;
}

/** Checks a parsed options.json. */
export function parseRecordedOptions(raw: unknown): Parsed<RecordedOptions> {
  return parseWith(RecordedOptionsSchema, raw, 'options.json');
}
