// Messages between the runner bridge (Python, inside Locust) and the Node runner, with their validators.
import * as v from 'valibot';

/** Protocol version spoken by runner/python/locust_studio_bridge.py; bumped on breaking changes. */
export const RUNNER_PROTOCOL_VERSION = 1;

/** Cumulative percentiles carried by every endpoint entry, in this order. */
export const PERCENTILES = [0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 1] as const;

/** A bridge line longer than this is rejected unparsed (a hostile or runaway message). */
export const MAX_BRIDGE_LINE_BYTES = 8 * 1024 * 1024;

// One check each instead of a pipe of three: a tick carries up to thousands of endpoints of a dozen numbers, and the panel
// validates every one of them within its frame budget (same rules: NaN and negatives refused, counts whole).
const count = v.custom<number>((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0, 'a whole number ≥ 0');
const ms = v.custom<number>((x) => typeof x === 'number' && x >= 0, 'a number ≥ 0');

/** Most numbers in a window histogram: Locust's rounding keeps about 300 keys up to 100 s, one more per second beyond. */
export const MAX_WINDOW_HISTOGRAM_NUMBERS = 2 * 20_000;
const windowHistogram = v.custom<number[]>(
  (x) => Array.isArray(x) && x.length % 2 === 0 && x.length <= MAX_WINDOW_HISTOGRAM_NUMBERS && x.every((n) => typeof n === 'number' && n >= 0),
  `[ms, count, …]: an even number (at most ${MAX_WINDOW_HISTOGRAM_NUMBERS}) of numbers ≥ 0`,
);

/** Statistics of one endpoint (method + name) or of all of them ("Aggregated"). */
export const EndpointStatsSchema = v.object({
  method: v.string(),
  name: v.string(),
  requests: count,
  failures: count,
  totalResponseTime: ms,
  minResponseTime: v.nullable(ms),
  maxResponseTime: ms,
  totalContentLength: ms,
  /** Cumulative response-time percentiles in ms, aligned with PERCENTILES; null before any request. */
  percentiles: v.custom<(number | null)[]>(
    (x) => Array.isArray(x) && x.length <= 32 && x.every((p) => p === null || (typeof p === 'number' && p >= 0)),
    'at most 32 numbers ≥ 0 or nulls',
  ),
  /** Locust's own median (its CSV "Median Response Time", not the p50 above) and its 99.99th percentile; absent before any request or from older bridges. */
  median: v.optional(ms),
  p9999: v.optional(ms),
  /** What happened since the previous tick: the basis of "current" rates and percentiles. */
  window: v.object({
    seconds: ms,
    requests: count,
    failures: count,
    p50: v.nullable(ms),
    p95: v.nullable(ms),
    /** The window's p99; absent from older bridges' records and from attached runs (Locust's web API has none). */
    p99: v.optional(v.nullable(ms)),
    /**
     * The window's response times as Locust's histogram keeps them, flat and sorted: [ms, count, ms, count, …] (ms rounded
     * by Locust: exact below 100, to 10 below 1,000, to 100 below 10,000, then to 1,000). Windowed and after-warm-up
     * thresholds merge these into exact percentiles. Absent from older records and from attached runs.
     */
    histogram: v.optional(windowHistogram),
  }),
});
export type EndpointStats = v.InferOutput<typeof EndpointStatsSchema>;

export const RunStateSchema = v.picklist(['ready', 'spawning', 'running', 'stopping', 'stopped', 'quitting']);
export type RunState = v.InferOutput<typeof RunStateSchema>;

export const RunnerKindSchema = v.picklist(['local', 'master', 'worker']);

export const FailureEntrySchema = v.object({
  method: v.string(),
  name: v.string(),
  error: v.string(),
  occurrences: count,
  /** Epoch milliseconds, as seen by the bridge (Locust itself does not keep them). */
  firstSeen: v.optional(v.number()),
  lastSeen: v.optional(v.number()),
});
export type FailureEntry = v.InferOutput<typeof FailureEntrySchema>;

/** An exception raised in user code (a task, on_start…), as Locust's runner collects them. */
export const ExceptionEntrySchema = v.object({
  count: count,
  message: v.string(),
  traceback: v.string(),
  /** Where it happened in distributed runs (worker ids), comma-separated as Locust reports them. */
  nodes: v.optional(v.string()),
});
export type ExceptionEntry = v.InferOutput<typeof ExceptionEntrySchema>;

/** One worker of a distributed run, as its master sees it. */
export const WorkerEntrySchema = v.object({
  id: v.string(),
  /** Locust's worker state: ready, spawning, running, stopped, missing… */
  state: v.string(),
  userCount: count,
  /** CPU use of the worker process in percent, as it last reported it. */
  cpu: v.number(),
  memory: v.optional(v.number()),
  /** How late, in ms on average, the worker's event loop woke since its previous report (absent before it did). */
  loopLag: v.optional(v.number()),
  /** The host a worker started on another host runs on (its SSH target); absent for local workers. */
  host: v.optional(v.string()),
});
export type WorkerEntry = v.InferOutput<typeof WorkerEntrySchema>;

/** Users of a run that started (their on_start returned) and that could not (their on_start raised). */
export const UserStartsSchema = v.object({ started: count, failed: count });
export type UserStarts = v.InferOutput<typeof UserStartsSchema>;

/**
 * Requests that were still waiting for their answer when their users were stopped (the run ended, users were taken
 * away): Locust counts a request only when it completes, so a target that hangs would otherwise look idle and healthy.
 */
export const PendingRequestsSchema = v.object({
  requests: count,
  /** How long the longest of them had waited, in seconds. */
  oldestSeconds: ms,
  /** By endpoint, the longest-waited first (capped; `requests` counts them all). */
  endpoints: v.array(v.object({ method: v.string(), name: v.string(), requests: count, oldestSeconds: ms })),
});
export type PendingRequests = v.InferOutput<typeof PendingRequestsSchema>;

export const BridgeMessageSchema = v.variant('type', [
  v.object({
    type: v.literal('hello'),
    protocol: v.number(),
    pid: count,
    locustVersion: v.string(),
    runnerKind: RunnerKindSchema,
    userClasses: v.array(v.string()),
    shape: v.nullable(v.string()),
    /** The host the users will load: --host / locust.conf, else the User classes' common `host`; null when unknown. */
    host: v.nullable(v.string()),
    features: v.array(v.string()),
    /** The run's profile (`--profile`, newer Locust), as Locust's environment holds it; absent where Locust has none. */
    profile: v.optional(v.nullable(v.string())),
  }),
  v.object({ type: v.literal('state'), state: RunStateSchema, userCount: count, t: v.number() }),
  v.object({
    type: v.literal('tick'),
    seq: count,
    t: v.number(),
    state: RunStateSchema,
    userCount: count,
    usersByClass: v.record(v.string(), count),
    /** Only the endpoints that changed since the previous tick. */
    endpoints: v.array(EndpointStatsSchema),
    total: EndpointStatsSchema,
    /** Endpoints left out of this tick because of the per-message cap. */
    omitted: count,
    /** Failures and exceptions that are new or changed since the previous tick (absent: none changed). */
    failures: v.optional(v.array(FailureEntrySchema)),
    exceptions: v.optional(v.array(ExceptionEntrySchema)),
    /** On a master: every connected worker (absent elsewhere). */
    workers: v.optional(v.array(WorkerEntrySchema)),
    /** On a local runner: its own CPU use in percent, as Locust last sampled it (absent elsewhere and on older Locusts). */
    cpu: v.optional(v.number()),
    /** On a local runner: how late, in ms on average, its event loop woke since the previous tick. */
    loopLag: v.optional(v.number()),
  }),
  v.object({
    type: v.literal('final'),
    t: v.number(),
    endpoints: v.array(EndpointStatsSchema),
    total: EndpointStatsSchema,
    failures: v.array(FailureEntrySchema),
    exceptions: v.optional(v.array(ExceptionEntrySchema)),
    /**
     * Locust's stats start and last request times in epoch *seconds*, as Locust keeps them: what its Requests/s and
     * Failures/s divide by (their difference), so that exports compute the very same figures.
     */
    startTime: v.optional(v.number()),
    lastRequestTime: v.optional(v.number()),
    /** What the bridge's own loops cost the Locust process, in CPU seconds, beside the process's CPU until then. */
    cost: v.optional(v.object({ bridgeCpuSeconds: v.number(), processCpuSeconds: v.number() })),
    /** Users whose on_start returned, and those whose on_start raised (every process of the run); absent from older bridges. */
    userStarts: v.optional(UserStartsSchema),
    /** Requests still waiting for an answer when the users were stopped (Locust never counts them); absent from older bridges. */
    pending: v.optional(PendingRequestsSchema),
  }),
  v.object({ type: v.literal('ack'), id: count, ok: v.boolean(), error: v.optional(v.string()) }),
  v.object({ type: v.literal('error'), message: v.string(), traceback: v.optional(v.string()) }),
]);
export type BridgeMessage = v.InferOutput<typeof BridgeMessageSchema>;

export const RunnerCommandSchema = v.variant('type', [
  v.object({ type: v.literal('setUsers'), id: count, users: count, spawnRate: v.pipe(v.number(), v.minValue(0)) }),
  v.object({ type: v.literal('stop'), id: count }),
  v.object({ type: v.literal('reset'), id: count }),
  v.object({ type: v.literal('quit'), id: count }),
  /** A master still waiting for its workers waits for this many instead (a worker could not start on its host). */
  v.object({ type: v.literal('expectWorkers'), id: count, workers: v.pipe(count, v.minValue(1)) }),
]);
export type RunnerCommand = v.InferOutput<typeof RunnerCommandSchema>;

/**
 * The identity of an endpoint (Locust keys its statistics by name and method), of a failure and of an exception: the one
 * rule for every map of them (aggregate, record, panel). NUL cannot occur in a name Locust shows, so keys never collide.
 */
export function endpointKey(e: { method: string; name: string }): string {
  return `${e.method}\u0000${e.name}`;
}

export function failureKey(f: { method: string; name: string; error: string }): string {
  return `${f.method}\u0000${f.name}\u0000${f.error}`;
}

export function exceptionKey(e: { message: string; traceback: string }): string {
  return `${e.message}\u0000${e.traceback}`;
}

/** Parses one JSON line of a channel against `schema`; returns an error string instead of throwing. */
function parseChannelLine<T extends v.GenericSchema>(schema: T, line: string): { ok: true; message: v.InferOutput<T> } | { ok: false; error: string } {
  if (line.length > MAX_BRIDGE_LINE_BYTES) return { ok: false, error: `line of ${line.length} bytes exceeds the limit` };
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
  const result = v.safeParse(schema, raw);
  if (!result.success) return { ok: false, error: v.summarize(result.issues) };
  return { ok: true, message: result.output };
}

/** Parses one line of the bridge channel. */
export function parseBridgeLine(line: string): { ok: true; message: BridgeMessage } | { ok: false; error: string } {
  return parseChannelLine(BridgeMessageSchema, line);
}

/** Messages of the single-task shim (runner/python/locust_studio_task.py), on the same kind of channel. */
export const TaskMessageSchema = v.variant('type', [
  v.object({
    type: v.literal('request'),
    method: v.string(),
    name: v.string(),
    /** The full URL that was requested (after redirects, as Locust reports it). */
    url: v.string(),
    /** Null when no response arrived (connection refused, timeout). */
    status: v.nullable(v.pipe(v.number(), v.integer())),
    responseTimeMs: v.pipe(v.number(), v.minValue(0)),
    responseLength: count,
    failure: v.nullable(v.string()),
    /** Epoch seconds, as Locust reports it. */
    startTime: v.number(),
  }),
  v.object({
    type: v.literal('exception'),
    message: v.string(),
    traceback: v.string(),
    /**
     * Where it was raised: user code (on_start, task, on_stop; `events`: an init/test_start/test_stop listener) or the
     * shim itself (bad input, import failure).
     */
    where: v.picklist(['events', 'on_start', 'task', 'on_stop', 'shim']),
  }),
  v.object({ type: v.literal('taskDone'), ok: v.boolean(), durationMs: v.pipe(v.number(), v.minValue(0)) }),
  /** Under a debugger: debugpy listens on 127.0.0.1:port and the shim waits for a client before any user code runs. */
  v.object({ type: v.literal('debugReady'), port: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_535)) }),
]);
export type TaskMessage = v.InferOutput<typeof TaskMessageSchema>;

/** Parses one line of the single-task channel. */
export function parseTaskLine(line: string): { ok: true; message: TaskMessage } | { ok: false; error: string } {
  return parseChannelLine(TaskMessageSchema, line);
}
