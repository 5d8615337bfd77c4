// Writes every run to disk as it goes (options, metadata, ticks, failures, exceptions, final) and exports reports from it.
import { closeSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as v from 'valibot';
import {
  endpointKey,
  exceptionKey,
  failureKey,
  ExceptionEntrySchema,
  FailureEntrySchema,
  parseBridgeLine,
  PERCENTILES,
  type BridgeMessage,
  type EndpointStats,
  type ExceptionEntry,
  type FailureEntry,
} from '../protocol/runner';
import type { AttachedRun } from './attachRun';
import type { LocustRun, RunExit, RunOptions } from './locustRun';
import type { Verdict } from '../protocol/thresholds';
import { makeFolderFor, RecordFolderError, writeErrorReason } from './recordFolder';
import { outcomeOf, parseRecordedOptions, parseRunMeta, RUN_RECORD_FORMAT, type RecordedOptions, type RunHeadline, type RunMeta } from '../protocol/runRecord';
import { RUN_BATCHES_FILE } from '../protocol/compare';
import { RunBatches } from './runBatches';

type Tick = Extract<BridgeMessage, { type: 'tick' }>;
type Final = Extract<BridgeMessage, { type: 'final' }>;

export type { RunMeta, RunOutcome } from '../protocol/runRecord';

export interface LoadedRunRecord {
  dir: string;
  options: RecordedOptions;
  meta: RunMeta;
  ticks: Tick[];
  /** Latest known failures and exceptions (from final when there is one). */
  failures: FailureEntry[];
  exceptions: ExceptionEntry[];
  final: Final | undefined;
  /** Per-endpoint statistics: the final ones, else the latest seen in ticks. Locust's row order. */
  endpoints: EndpointStats[];
  total: EndpointStats | undefined;
  /** Lines of ticks.jsonl that could not be read (a torn last line after a crash). */
  unreadableLines: number;
}

/** Bridge error messages kept in meta.json. */
const MAX_ERRORS_KEPT = 20;
/** locust.log stops growing here (a runaway print loop must not fill the disk); a marker says so. */
const MAX_LOG_BYTES = 50 * 1024 * 1024;
/** fdatasync of ticks.jsonl at most this often: a process crash loses nothing already written; this bounds an OS crash. */
const SYNC_EVERY_MS = 5_000;

/** A folder name that sorts by start time: 2026-11-22T00-51-23-123Z-ab12cd. */
export function recordFolderName(startedAt: number, id: string): string {
  return `${new Date(startedAt).toISOString().replace(/[:.]/g, '-')}-${id}`;
}

/**
 * Writes a file so that a reader (or a crash of this process) sees either the old or the new content, never half of one.
 * `sync` also survives an OS crash; it is kept for the few writes that end a run.
 */
export function writeAtomic(file: string, data: string, sync = false): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, data);
    if (sync) fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    // A half-written temporary file on a full disk holds space the next write needs.
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

/**
 * Overwrites a small existing file in place: on a full disk this still works where writeAtomic cannot, as the file's
 * blocks are already allocated (meta.json stays within its first block). Not atomic, so only for a last word.
 */
function overwriteInPlace(file: string, data: string): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, data, 0);
    ftruncateSync(fd, Buffer.byteLength(data));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Records one run into `dir` as its messages arrive. Writes are synchronous on purpose: a tick is small and comes at
 * most four times a second, and a write that has returned is in the kernel, so killing this process loses nothing.
 */
export class RunRecorder {
  readonly dir: string;
  readonly meta: RunMeta;
  /** Called once when a write failed and recording stopped (the run itself goes on), with why. */
  onStopped: ((reason: string) => void) | undefined;
  private readonly ticksFd: number;
  private logFd: number | undefined;
  private logBytes = 0;
  private logFull = false;
  private lastSync = 0;
  private readonly failures = new Map<string, FailureEntry>();
  private readonly exceptions = new Map<string, ExceptionEntry>();
  private closed = false;
  private hadFinal = false;
  /** Why recording stopped before the run ended (a write failed); nothing more is written but a last meta.json. */
  private stoppedBy: string | undefined;
  /** The run cut into time batches as ticks are written: batches.json at the end, what comparing runs reads. */
  private readonly batches = new RunBatches();
  private final: Final | undefined;

  private constructor(dir: string, meta: RunMeta, options: Partial<RunOptions>) {
    this.dir = dir;
    this.meta = meta;
    // The environment may hold secrets (tokens in LOCUST_* or elsewhere): never written to disk.
    const storable = { ...options };
    delete storable.env;
    writeAtomic(path.join(dir, 'options.json'), `${JSON.stringify(storable, null, 2)}\n`);
    this.ticksFd = openSync(path.join(dir, 'ticks.jsonl'), 'a');
    this.writeMeta();
  }

  /**
   * Creates `<baseDir>/<timestamp>-<id>/` and its first files. The environment (options.env) is never stored. Throws a
   * RecordFolderError saying why when the folder cannot be made or written (before anything is started).
   */
  static create(
    baseDir: string,
    options: Partial<RunOptions>,
    { interpreter, id = randomBytes(3).toString('hex'), startedAt = Date.now() }: { interpreter?: RunMeta['interpreter']; id?: string; startedAt?: number } = {},
  ): RunRecorder {
    const dir = path.join(baseDir, recordFolderName(startedAt, id));
    makeFolderFor(baseDir, 'the run record');
    try {
      mkdirSync(dir);
    } catch (error) {
      throw new RecordFolderError(`cannot write the run record under ${baseDir}: ${writeErrorReason(error)}`);
    }
    try {
      return new RunRecorder(dir, { format: RUN_RECORD_FORMAT, id, startedAt, ...(interpreter && { interpreter }), outcome: 'incomplete', ticks: 0 }, options);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw new RecordFolderError(`cannot write the run record under ${baseDir}: ${writeErrorReason(error)}`);
    }
  }

  /** Records everything `run` (launched or attached) says from now on, and its end. Resolves once the record is complete. */
  follow(run: LocustRun | AttachedRun): Promise<RunMeta> {
    if (run.pid !== undefined) this.meta.pid = run.pid;
    if (run.hello) this.onMessage(run.hello);
    run.on('message', (message) => this.onMessage(message));
    run.on('log', (line, stream) => this.log(line, stream));
    return run.exit.then((exit) => this.finish(exit));
  }

  onMessage(message: BridgeMessage): void {
    this.guard(() => this.write(message));
  }

  /**
   * Runs one write of the record. A failed write (a full disk, a vanished folder) stops recording but never the run:
   * files are closed, meta.json says so if it still can, and `onStopped` hears why, once.
   */
  private guard(write: () => void): void {
    if (this.closed || this.stoppedBy !== undefined) return;
    try {
      write();
    } catch (error) {
      this.stopRecording(`${writeErrorReason(error)}${(error as NodeJS.ErrnoException).path ? ` (${path.basename((error as NodeJS.ErrnoException).path!)})` : ''}`);
    }
  }

  private stopRecording(reason: string): void {
    this.stoppedBy = reason;
    this.meta.recordStopped = reason;
    this.closeFiles();
    this.lastWordOfMeta();
    this.onStopped?.(reason);
  }

  private closeFiles(): void {
    for (const fd of [this.ticksFd, this.logFd]) {
      if (fd === undefined) continue;
      try {
        closeSync(fd);
      } catch {
        // Already unusable: nothing more is written through it.
      }
    }
  }

  /** meta.json after recording stopped: atomically if the disk allows, else in place; a record that cannot even say so stays as it was. */
  private lastWordOfMeta(): void {
    const file = path.join(this.dir, 'meta.json');
    const text = `${JSON.stringify(this.meta, null, 2)}\n`;
    try {
      writeAtomic(file, text, true);
    } catch {
      try {
        overwriteInPlace(file, text);
      } catch {
        // The disk (or folder) refuses even that: the record ends where it stopped, as after a crash.
      }
    }
  }

  private write(message: BridgeMessage): void {
    switch (message.type) {
      case 'hello':
        Object.assign(this.meta, {
          locustVersion: message.locustVersion,
          features: message.features,
          runnerKind: message.runnerKind,
          userClasses: message.userClasses,
          shape: message.shape,
          host: message.host,
          pid: message.pid,
          ...(message.profile !== undefined && { profile: message.profile }),
        });
        this.writeMeta();
        return;
      case 'tick': {
        writeSync(this.ticksFd, `${JSON.stringify(message)}\n`);
        this.meta.ticks++;
        this.batches.apply(message);
        const changed = this.mergeFailures(message.failures, message.exceptions);
        if (changed.failures) writeAtomic(path.join(this.dir, 'failures.json'), JSON.stringify([...this.failures.values()]));
        if (changed.exceptions) writeAtomic(path.join(this.dir, 'exceptions.json'), JSON.stringify([...this.exceptions.values()]));
        const now = Date.now();
        if (now - this.lastSync >= SYNC_EVERY_MS) {
          this.lastSync = now;
          fdatasyncSync(this.ticksFd);
        }
        return;
      }
      case 'final':
        this.hadFinal = true;
        this.final = message;
        writeAtomic(path.join(this.dir, 'final.json'), JSON.stringify(message), true);
        this.failures.clear();
        this.exceptions.clear();
        this.mergeFailures(message.failures, message.exceptions ?? []);
        writeAtomic(path.join(this.dir, 'failures.json'), JSON.stringify([...this.failures.values()]));
        writeAtomic(path.join(this.dir, 'exceptions.json'), JSON.stringify([...this.exceptions.values()]));
        return;
      case 'error':
        this.meta.errors = [...(this.meta.errors ?? []), message.message].slice(-MAX_ERRORS_KEPT);
        this.writeMeta();
        return;
      case 'state':
      case 'ack':
        return;
    }
  }

  /** Appends one line of Locust's output to locust.log (stderr lines marked "! "), up to a size cap. */
  log(line: string, stream: 'stdout' | 'stderr'): void {
    if (this.logFull) return;
    this.guard(() => this.writeLog(line, stream));
  }

  private writeLog(line: string, stream: 'stdout' | 'stderr'): void {
    this.logFd ??= openSync(path.join(this.dir, 'locust.log'), 'a');
    let text = `${stream === 'stderr' ? '! ' : '  '}${line}\n`;
    if (this.logBytes + Buffer.byteLength(text) > MAX_LOG_BYTES) {
      text = '[locust.log: size limit reached, later lines are not kept]\n';
      this.logFull = true;
    }
    this.logBytes += Buffer.byteLength(text);
    writeSync(this.logFd, text);
  }

  /** The thresholds the run is judged by, as written: in meta.json from the start, so a crashed run still names them. */
  noteThresholds(texts: string[]): void {
    if (texts.length === 0) return;
    this.guard(() => {
      this.meta.thresholds = texts;
      this.writeMeta();
    });
  }

  /** The run ended: writes the exit, how it ended and the thresholds' verdict, and closes the record. Returns the final metadata. */
  finish(exit: RunExit, { verdict }: { verdict?: Verdict } = {}): RunMeta {
    if (this.closed) return this.meta;
    this.closed = true;
    this.meta.endedAt = Date.now();
    this.meta.exit = exit;
    if (verdict) this.meta.verdict = verdict;
    this.meta.outcome = outcomeOf(exit, this.hadFinal, this.meta.shortfalls);
    if (this.stoppedBy !== undefined) {
      this.lastWordOfMeta();
      return this.meta;
    }
    try {
      fdatasyncSync(this.ticksFd);
      // Before meta.json, whose end says the record is complete: a record with an end has its batches.
      writeAtomic(path.join(this.dir, RUN_BATCHES_FILE), JSON.stringify(this.batches.snapshot()));
      if (this.final) this.meta.headline = headlineOf(this.final, this.batches.peakUsers, this.meta);
      this.writeMeta(true);
    } catch (error) {
      this.stoppedBy = writeErrorReason(error);
      this.meta.recordStopped = this.stoppedBy;
      this.lastWordOfMeta();
      this.onStopped?.(this.stoppedBy);
    } finally {
      this.closeFiles();
    }
    return this.meta;
  }

  private mergeFailures(failures: FailureEntry[] | undefined, exceptions: ExceptionEntry[] | undefined): { failures: boolean; exceptions: boolean } {
    for (const f of failures ?? []) this.failures.set(failureKey(f), f);
    for (const e of exceptions ?? []) this.exceptions.set(exceptionKey(e), e);
    return { failures: (failures?.length ?? 0) > 0, exceptions: (exceptions?.length ?? 0) > 0 };
  }

  /** Locust accepted a new target (users, spawn rate) during the run: kept in meta.json so a replay shows it. */
  noteTarget(users: number, spawnRate?: number): void {
    this.guard(() => {
      this.meta.target = { users, ...(spawnRate !== undefined && { spawnRate }), at: Date.now() };
      this.writeMeta();
    });
  }

  private writeMeta(sync = false): void {
    writeAtomic(path.join(this.dir, 'meta.json'), `${JSON.stringify(this.meta, null, 2)}\n`, sync);
  }
}

const P50 = PERCENTILES.indexOf(0.5);
const P95 = PERCENTILES.indexOf(0.95);
const P99 = PERCENTILES.indexOf(0.99);

/**
 * The run's headline numbers from its final statistics (Locust's own: requests/s divides by its first to last request
 * time, as its summary does) and the most users seen in its ticks.
 */
export function headlineOf(final: Final, peakUsers: number, meta: Pick<RunMeta, 'startedAt' | 'endedAt'>): RunHeadline {
  const total = final.total;
  const locustSeconds = final.startTime !== undefined && final.lastRequestTime !== undefined ? final.lastRequestTime - final.startTime : undefined;
  const seconds = locustSeconds ?? ((meta.endedAt ?? final.t) - meta.startedAt) / 1000;
  const has = total.requests > 0;
  return {
    seconds,
    requests: total.requests,
    failures: total.failures,
    requestsPerSecond: locustSeconds !== undefined ? (locustSeconds > 0 ? total.requests / locustSeconds : 0) : seconds > 0 ? total.requests / seconds : 0,
    p50: has ? (total.percentiles[P50] ?? null) : null,
    p95: has ? (total.percentiles[P95] ?? null) : null,
    p99: has ? (total.percentiles[P99] ?? null) : null,
    peakUsers,
  };
}

/** A JSON file's value, unchecked; undefined when it is missing or not JSON. */
export async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Locust's order of statistics rows: by (name, method), as its sort_stats sorts its (name, method) keys. */
export function locustOrder(a: { name: string; method: string }, b: { name: string; method: string }): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.method < b.method ? -1 : a.method > b.method ? 1 : 0;
}

/** The valid entries of a JSON list (a torn or foreign entry is left out rather than trusted). */
function listOf<T extends v.GenericSchema>(schema: T, raw: unknown): v.InferOutput<T>[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item) => {
    const result = v.safeParse(schema, item);
    return result.success ? [result.output] : [];
  });
}

/**
 * A record's meta.json and options.json, checked: what every reader of a record starts with. Throws a one-line reason for
 * a folder that is missing, is not a record, or is a record of a newer format.
 */
export async function loadRecordHead(dir: string): Promise<{ meta: RunMeta; options: RecordedOptions }> {
  const rawMeta = await readJson(path.join(dir, 'meta.json'));
  if (rawMeta === undefined) {
    const missing = await stat(dir).then(() => false, () => true);
    throw new Error(`${dir} is not a run record (${missing ? 'no such folder' : 'no readable meta.json'})`);
  }
  const checkedMeta = parseRunMeta(rawMeta);
  if (!checkedMeta.ok) throw new Error(`${dir} is not a run record this version can read: ${checkedMeta.error}`);
  // A record without readable options still shows its statistics: the options only label it.
  const checkedOptions = parseRecordedOptions((await readJson(path.join(dir, 'options.json'))) ?? {});
  return { meta: checkedMeta.value, options: checkedOptions.ok ? checkedOptions.value : {} };
}

/** Reads a record back. Tolerates what a crash leaves: no final, no end in meta, a torn last line of ticks. */
export async function loadRunRecord(dir: string): Promise<LoadedRunRecord> {
  const { meta, options } = await loadRecordHead(dir);
  const ticks: Tick[] = [];
  let unreadableLines = 0;
  const text = await readFile(path.join(dir, 'ticks.jsonl'), 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    if (!line) continue;
    const parsed = parseBridgeLine(line);
    if (parsed.ok && parsed.message.type === 'tick') ticks.push(parsed.message);
    else unreadableLines++;
  }
  const finalParsed = await readFile(path.join(dir, 'final.json'), 'utf8').then(parseBridgeLine, () => undefined);
  const final = finalParsed?.ok && finalParsed.message.type === 'final' ? finalParsed.message : undefined;

  let endpoints: EndpointStats[];
  let total: EndpointStats | undefined;
  if (final) {
    endpoints = [...final.endpoints];
    total = final.total;
  } else {
    const latest = new Map<string, EndpointStats>();
    for (const tick of ticks) for (const e of tick.endpoints) latest.set(endpointKey(e), e);
    // An endpoint sent as zeros was dropped by Locust (stats cleared).
    endpoints = [...latest.values()].filter((e) => e.requests > 0 || e.failures > 0);
    total = ticks.at(-1)?.total;
  }
  endpoints.sort(locustOrder);
  return {
    dir,
    options,
    meta,
    ticks,
    failures: final?.failures ?? listOf(FailureEntrySchema, await readJson(path.join(dir, 'failures.json'))),
    exceptions: final?.exceptions ?? listOf(ExceptionEntrySchema, await readJson(path.join(dir, 'exceptions.json'))),
    final,
    endpoints,
    total,
    unreadableLines,
  };
}

/** Record folders under `baseDir`, newest first. */
export async function listRunRecords(baseDir: string): Promise<string[]> {
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => path.join(baseDir, e.name))
    .sort()
    .reverse();
}

// ---- exports ----

/** Locust's PERCENTILES_TO_REPORT and their CSV headers (stats.py, get_readable_percentiles). */
const CSV_PERCENTILES = ['50%', '66%', '75%', '80%', '90%', '95%', '98%', '99%', '99.9%', '99.99%', '100%'];

function csvField(value: string | number): string {
  const text = String(value);
  // Python's csv module quotes (QUOTE_MINIMAL) fields with the delimiter, a quote or a line break.
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRows(rows: (string | number)[][]): string {
  // Python's csv writer ends rows with \r\n.
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/** Python's str() of a float, for the columns Locust writes as floats (avg, rps). */
function pyFloat(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return `${value}.0`;
  const text = String(value);
  return text.includes('e') ? value.toPrecision(17) : text;
}

/** The 11 percentile columns from an entry (our 10 plus 99.99%), "N/A" before any request, as Locust writes them. */
function percentileFields(e: EndpointStats): (string | number)[] {
  if (!e.requests) return CSV_PERCENTILES.map(() => 'N/A');
  const p = e.percentiles.map((x) => Math.trunc(x ?? 0));
  const p9999 = Math.trunc(e.p9999 ?? e.percentiles.at(-1) ?? 0);
  return [...p.slice(0, 9), p9999, p.at(-1) ?? 0];
}

function median(e: EndpointStats): number {
  return e.median ?? e.percentiles[0] ?? 0;
}

/** `<prefix>_stats.csv`: Locust's requests CSV (rows in its order, Aggregated last). */
/** Counts, median, average, min, max and average size: the same columns, in the same order, in both stats layouts. */
function countsAndTimes(e: EndpointStats): (string | number)[] {
  return [
    e.requests,
    e.failures,
    median(e),
    pyFloat(e.requests ? e.totalResponseTime / e.requests : 0),
    e.minResponseTime ?? 0,
    e.maxResponseTime,
    e.requests ? pyFloat(e.totalContentLength / e.requests) : 0,
  ];
}

export function exportStatsCsv(record: LoadedRunRecord): string {
  const seconds =
    record.final?.startTime && record.final.lastRequestTime ? record.final.lastRequestTime - record.final.startTime : undefined;
  const header = [
    'Type', 'Name', 'Request Count', 'Failure Count', 'Median Response Time', 'Average Response Time', 'Min Response Time',
    'Max Response Time', 'Average Content Size', 'Requests/s', 'Failures/s', ...CSV_PERCENTILES,
  ];
  const row = (e: EndpointStats, name: string): (string | number)[] => [
    e.method,
    name,
    ...countsAndTimes(e),
    pyFloat(seconds ? e.requests / seconds : 0),
    pyFloat(seconds ? e.failures / seconds : 0),
    ...percentileFields(e),
  ];
  const rows = [...record.endpoints].sort(locustOrder).map((e) => row(e, e.name));
  if (record.total) rows.push(row({ ...record.total, method: '' }, 'Aggregated'));
  return csvRows([header, ...rows]);
}

/** `<prefix>_failures.csv`. */
export function exportFailuresCsv(record: LoadedRunRecord): string {
  // A Locust that times failures itself (the bridge's `failureTimes`) adds First Seen / Last Seen to its CSV, in UTC to the second.
  if (!record.meta.features?.includes('failureTimes')) {
    return csvRows([['Method', 'Name', 'Error', 'Occurrences'], ...record.failures.map((f) => [f.method, f.name, f.error, f.occurrences])]);
  }
  const utc = (ms: number | undefined) => (ms === undefined ? '' : new Date(Math.trunc(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  return csvRows([
    ['Method', 'Name', 'Error', 'Occurrences', 'First Seen', 'Last Seen'],
    ...record.failures.map((f) => [f.method, f.name, f.error, f.occurrences, utc(f.firstSeen), utc(f.lastSeen)]),
  ]);
}

/** `<prefix>_exceptions.csv`. */
export function exportExceptionsCsv(record: LoadedRunRecord): string {
  return csvRows([['Count', 'Message', 'Traceback', 'Nodes'], ...record.exceptions.map((e) => [e.count, e.message, e.traceback, e.nodes ?? ''])]);
}

/**
 * `<prefix>_stats_history.csv`: one Aggregated row per tick (Locust writes one per second; ours follow the ticks).
 * Requests/s and Failures/s are the tick's window rates — what Locust's `current_rps` approximates.
 */
export function exportStatsHistoryCsv(record: LoadedRunRecord): string {
  const header = [
    'Timestamp', 'User Count', 'Type', 'Name', 'Requests/s', 'Failures/s', ...CSV_PERCENTILES, 'Total Request Count',
    'Total Failure Count', 'Total Median Response Time', 'Total Average Response Time', 'Total Min Response Time',
    'Total Max Response Time', 'Total Average Content Size',
  ];
  const rows = record.ticks.map((tick) => {
    const e = tick.total;
    const w = e.window;
    return [
      Math.trunc(tick.t / 1000),
      tick.userCount,
      '',
      'Aggregated',
      (w.seconds > 0 ? w.requests / w.seconds : 0).toFixed(6),
      (w.seconds > 0 ? w.failures / w.seconds : 0).toFixed(6),
      ...percentileFields(e),
      ...countsAndTimes(e),
    ];
  });
  return csvRows([header, ...rows]);
}

/** The whole record as one JSON document (what a JSON report contains). */
export function exportJson(record: LoadedRunRecord): string {
  const { options, meta, ticks, failures, exceptions, final, endpoints, total } = record;
  return `${JSON.stringify({ options, meta, endpoints, total, failures, exceptions, final, ticks }, null, 2)}\n`;
}

/** Writes `<prefix>_stats.csv`, `_failures.csv`, `_exceptions.csv`, `_stats_history.csv` and `<prefix>.json`. */
export async function exportRunRecord(record: LoadedRunRecord, prefix: string): Promise<string[]> {
  makeFolderFor(path.dirname(path.resolve(prefix)), 'the export');
  const files: [string, string][] = [
    [`${prefix}_stats.csv`, exportStatsCsv(record)],
    [`${prefix}_failures.csv`, exportFailuresCsv(record)],
    [`${prefix}_exceptions.csv`, exportExceptionsCsv(record)],
    [`${prefix}_stats_history.csv`, exportStatsHistoryCsv(record)],
    [`${prefix}.json`, exportJson(record)],
  ];
  await Promise.all(files.map(([file, data]) => writeFile(file, data)));
  return files.map(([file]) => file);
}
