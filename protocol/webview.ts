// Messages between the extension host and the run panel webview, with their validators, and the rule that bounds a series.
import * as v from 'valibot';
import { isSpawnRate, isUserCount, MAX_USERS, MIN_USERS_RUNNING } from './limits';
import { ThresholdStatusSchema, VerdictSchema } from './thresholds';
import { LoadGeneratorHealthSchema } from './loadGenerator';
import { BaselineViewSchema } from './compare';
import { EndpointStatsSchema, ExceptionEntrySchema, FailureEntrySchema, RunStateSchema, TaskMessageSchema } from './runner';

const finite = v.pipe(v.number(), v.finite());
const values = v.array(v.nullable(finite));

/** One sample of a series at `t` elapsed seconds; `v` follows the field order of its kind (SERIES_FIELDS, USER_FIELDS). */
export const SeriesPointSchema = v.object({ t: finite, v: values });
export type SeriesPoint = v.InferOutput<typeof SeriesPointSchema>;

/** An older stretch of a series folded into its minimum and maximum per field, so spikes survive downsampling. */
export const SeriesBucketSchema = v.object({ t: finite, lo: values, hi: values });
export type SeriesBucket = v.InferOutput<typeof SeriesBucketSchema>;

/** A bounded series: recent points at full resolution, older ones in buckets of `bucketSeconds`. */
export const SeriesSchema = v.object({
  recent: v.array(SeriesPointSchema),
  older: v.array(SeriesBucketSchema),
  bucketSeconds: v.pipe(finite, v.minValue(0)),
});
export type Series = v.InferOutput<typeof SeriesSchema>;

/** Fields of the total and per-endpoint series: rates per second in the window, window percentiles in ms. */
export const SERIES_FIELDS = ['rps', 'fps', 'p50', 'p95', 'p99'] as const;
/** The total series carries the user count after the request fields (an endpoint's series has null there). */
export const TOTAL_USERS_FIELD = SERIES_FIELDS.length;

/**
 * The windows response-time percentiles are charted over, in seconds: the tick's own (1 s), and rolling windows of
 * several ticks (Locust's "current" percentiles cover 10 s). Each point carries all of them, so a choice redraws at once.
 */
export const ROLLING_WINDOWS = [1, 10, 30] as const;
export type RollingWindowSeconds = (typeof ROLLING_WINDOWS)[number];
export const DEFAULT_ROLLING_WINDOW: RollingWindowSeconds = 10;
/** The percentiles charted per window; the 1 s window's are SERIES_FIELDS' p50, p95, p99. */
export const ROLLING_PERCENTILES = ['p50', 'p95', 'p99'] as const;
/** Where the longer windows' percentiles start in a point: after the users field, three per window (p50, p95, p99). */
const ROLLING_FIELDS_START = TOTAL_USERS_FIELD + 1;

/** The field of a point holding `percentile` over the rolling window of `seconds`. */
export function rollingField(percentile: (typeof ROLLING_PERCENTILES)[number], seconds: RollingWindowSeconds): number {
  const q = ROLLING_PERCENTILES.indexOf(percentile);
  const w = ROLLING_WINDOWS.indexOf(seconds);
  return w === 0 ? SERIES_FIELDS.indexOf(percentile) : ROLLING_FIELDS_START + (w - 1) * ROLLING_PERCENTILES.length + q;
}

/**
 * The latency heatmap's response-time buckets: upper bounds in ms (the last one open), coarse enough that every point
 * can carry them. A point holds, per bucket, the requests per second of its window whose (Locust-rounded) time falls in
 * it, after the rolling windows' fields; null without a window histogram (attached runs, older bridges).
 */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, Infinity] as const;
const LATENCY_FIELDS_START = ROLLING_FIELDS_START + (ROLLING_WINDOWS.length - 1) * ROLLING_PERCENTILES.length;

/** The field of a point holding the rate of requests in latency bucket `bucket` (an index of LATENCY_BUCKETS_MS). */
export function latencyField(bucket: number): number {
  return LATENCY_FIELDS_START + bucket;
}

/** A window histogram ([ms, count, …], ascending) as requests per second per latency bucket. */
export function latencyRates(histogram: readonly number[], seconds: number): number[] {
  const rates = LATENCY_BUCKETS_MS.map(() => 0);
  let bucket = 0;
  for (let i = 0; i + 1 < histogram.length; i += 2) {
    while (histogram[i]! > LATENCY_BUCKETS_MS[bucket]!) bucket++;
    rates[bucket]! += histogram[i + 1]! / seconds;
  }
  return rates;
}

export function isRollingWindow(x: unknown): x is RollingWindowSeconds {
  return (ROLLING_WINDOWS as readonly unknown[]).includes(x);
}

const named = <T extends v.GenericSchema>(schema: T) => v.object({ name: v.string(), value: schema });

/** Series of the run as a whole and of each User class (field: users). */
export const RunSeriesSchema = v.object({
  total: SeriesSchema,
  userClasses: v.array(named(SeriesSchema)),
});
export type RunSeries = v.InferOutput<typeof RunSeriesSchema>;

/**
 * One row of the model's ratio: a User class's share of the users (task null) or a task's share of its User class or
 * TaskSet (`path`: the TaskSets from the class inwards). null: a weight the model cannot know without running the file.
 */
export const ModelRatioRowSchema = v.object({
  user: v.string(),
  path: v.array(v.string()),
  task: v.nullable(v.string()),
  share: v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
});
export type ModelRatioRow = v.InferOutput<typeof ModelRatioRowSchema>;

/** What the panel shows of one run; the host owns it and refills the view from it. */
export const RunViewSchema = v.object({
  id: v.string(),
  locustfile: v.string(),
  host: v.string(),
  userClasses: v.array(v.string()),
  state: v.union([RunStateSchema, v.literal('starting'), v.literal('failed')]),
  startedAt: v.number(),
  userCount: v.number(),
  targetUsers: v.number(),
  spawnRate: v.optional(v.number()),
  endpoints: v.array(EndpointStatsSchema),
  total: v.nullable(EndpointStatsSchema),
  message: v.optional(v.string()),
  series: v.optional(RunSeriesSchema),
  failures: v.optional(v.array(FailureEntrySchema)),
  exceptions: v.optional(v.array(ExceptionEntrySchema)),
  /** The folder of the run's record, when it has one: the panel keeps it in its state so that a reload shows this run again. */
  recordDir: v.optional(v.string()),
  /** The run time asked for (`--run-time`), in seconds; absent when the run goes on until stopped. */
  runTimeSeconds: v.optional(v.number()),
  /** A run followed through a Locust web UI elsewhere: that UI's URL, without credentials. */
  attachedTo: v.optional(v.string()),
  /** Where each threshold of the run stands (live), in declaration order; absent when the run has none. */
  thresholds: v.optional(v.array(ThresholdStatusSchema)),
  /** The thresholds' verdict, once the run finished. */
  verdict: v.optional(VerdictSchema),
  /** The locustfile model's shares of the run's User classes and their tasks ("Current ratio"), when the model was read. */
  modelRatio: v.optional(v.array(ModelRatioRowSchema)),
  /** The baseline the run is compared with (its pinned run), and where the run stands against it; absent without one. */
  baseline: v.optional(BaselineViewSchema),
  /** The load generator's health (the local runner's or each worker's CPU) and whether it was saturated; absent when unknown. */
  loadGenerator: v.optional(LoadGeneratorHealthSchema),
});
export type RunView = v.InferOutput<typeof RunViewSchema>;


/** One request a single task made, as the task shim reports it. */
export const TaskRequestSchema = TaskMessageSchema.options[0];
export type TaskRequestView = v.InferOutput<typeof TaskRequestSchema>;
/** The exception a single task raised (user code, or the shim's own error). */
export const TaskExceptionSchema = TaskMessageSchema.options[1];

/** The most requests a task view carries; past it, `droppedRequests` counts the rest. */
export const MAX_TASK_VIEW_REQUESTS = 1_000;

/** What the panel's single-task view shows of one "Run task once" / "Debug task": the task's requests and its exception. */
export const TaskViewSchema = v.object({
  id: v.string(),
  /** `UserClass.TaskSet….task`, as the lens named it. */
  label: v.string(),
  locustfile: v.string(),
  host: v.string(),
  mode: v.picklist(['run', 'debug']),
  state: v.picklist(['running', 'done', 'failed', 'cancelled']),
  /** Epoch milliseconds. */
  startedAt: v.number(),
  durationMs: v.optional(v.number()),
  requests: v.pipe(v.array(TaskRequestSchema), v.maxLength(MAX_TASK_VIEW_REQUESTS)),
  droppedRequests: v.optional(v.number()),
  exception: v.optional(TaskExceptionSchema),
  /** Why the task could not run, or how it ended when that is not obvious (cancelled, debugger detached). */
  message: v.optional(v.string()),
});
export type TaskView = v.InferOutput<typeof TaskViewSchema>;

const EndpointKeySchema = v.object({ method: v.string(), name: v.string() });
export type EndpointKey = v.InferOutput<typeof EndpointKeySchema>;

/** The commands whose acknowledgement the panel shows. */
export const ControlCommandSchema = v.picklist(['setUsers', 'reset', 'stop']);

export const HostToWebviewSchema = v.variant('type', [
  v.object({
    type: v.literal('snapshot'),
    run: v.nullable(RunViewSchema),
    /** Workspace folders (file system paths): traceback lines inside them become links. */
    sourceRoots: v.optional(v.array(v.string())),
    /** The last single task run in this window, if any. */
    task: v.optional(v.nullable(TaskViewSchema)),
    /** Which view is in front: the load test or the single task (default: the load test). */
    view: v.optional(v.picklist(['run', 'task'])),
  }),
  /** A single task started or changed (whole view: tasks are small); the panel brings the single-task view to the front. */
  v.object({ type: v.literal('task'), task: TaskViewSchema }),
  v.object({
    type: v.literal('tick'),
    runId: v.string(),
    state: RunViewSchema.entries.state,
    userCount: v.number(),
    endpoints: v.array(EndpointStatsSchema),
    total: EndpointStatsSchema,
    /** The new sample of each series this tick added (absent for a tick without a time window, e.g. final stats). */
    points: v.optional(
      v.object({
        total: SeriesPointSchema,
        userClasses: v.array(named(SeriesPointSchema)),
        /** The endpoint the panel selected (selectEndpoint), when it has new samples. */
        endpoint: v.optional(v.object({ method: v.string(), name: v.string(), points: v.array(SeriesPointSchema) })),
      }),
    ),
    /** Failures and exceptions new or changed since the previous tick; `final` replaces them all. */
    failures: v.optional(v.array(FailureEntrySchema)),
    exceptions: v.optional(v.array(ExceptionEntrySchema)),
    replaceFailures: v.optional(v.boolean()),
    /** Every threshold's status, when any changed with this tick. */
    thresholds: v.optional(v.array(ThresholdStatusSchema)),
    /** The run compared with its baseline again (every few seconds, and at the end). */
    baseline: v.optional(BaselineViewSchema),
    /** The load generator's health, when this tick reported on it. */
    loadGenerator: v.optional(LoadGeneratorHealthSchema),
  }),
  /** The series of one endpoint, in answer to selectEndpoint. */
  v.object({ type: v.literal('endpointSeries'), runId: v.string(), method: v.string(), name: v.string(), series: SeriesSchema }),
  /** "Show in Run Panel" from a request line: the panel selects this endpoint (row and charts) as if it were clicked. */
  v.object({ type: v.literal('selectEndpoint'), endpoint: EndpointKeySchema }),
  /** The runner acknowledged (or refused) a control the panel sent. */
  v.object({ type: v.literal('ack'), command: ControlCommandSchema, ok: v.boolean(), error: v.optional(v.string()) }),
]);
export type HostToWebview = v.InferOutput<typeof HostToWebviewSchema>;

export const WebviewToHostSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  v.object({ type: v.literal('stop') }),
  v.object({ type: v.literal('reset') }),
  v.object({
    type: v.literal('setUsers'),
    users: v.pipe(v.number(), v.check((users) => isUserCount(users, MIN_USERS_RUNNING), `a whole number from ${MIN_USERS_RUNNING} to ${MAX_USERS}`)),
    spawnRate: v.pipe(v.number(), v.check(isSpawnRate, 'a number above 0')),
  }),
  /** Charts follow one endpoint (null: the whole run); the host answers with endpointSeries and sends its points. */
  v.object({ type: v.literal('selectEndpoint'), endpoint: v.nullable(EndpointKeySchema) }),
  /** Export the shown run's record: `html` a self-contained report, `csv` Locust's CSV files and JSON (into a folder the user picks). */
  v.object({ type: v.literal('export'), kind: v.picklist(['html', 'csv']) }),
  /** Show the shown run's record folder (its CSV, JSON and log files). */
  v.object({ type: v.literal('openRunFolder') }),
  /** Put the running distributed run's command for a worker started by hand on the clipboard. */
  v.object({ type: v.literal('copyWorkerCommand') }),
  /** After a run: run its locustfile again, `same` with the same choices without asking, else asking them afresh. */
  v.object({ type: v.literal('runAgain'), same: v.boolean() }),
  /** A traceback line was clicked; the host opens it only inside a workspace folder. */
  v.object({
    type: v.literal('openSource'),
    path: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
    line: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000_000)),
  }),
]);
export type WebviewToHost = v.InferOutput<typeof WebviewToHostSchema>;

export function parseHostToWebview(raw: unknown): HostToWebview | undefined {
  const r = v.safeParse(HostToWebviewSchema, raw);
  return r.success ? r.output : undefined;
}

export function parseWebviewToHost(raw: unknown): WebviewToHost | undefined {
  const r = v.safeParse(WebviewToHostSchema, raw);
  return r.success ? r.output : undefined;
}

// ---- Bounding a series: one rule that host and panel both apply, so a snapshot plus ticks equals the host's copy.

export interface SeriesBudget {
  /** Points younger than this (seconds behind the newest) stay at full resolution. */
  recentSeconds: number;
  /** At most this many buckets of older data; past it, bucket width doubles and neighbours merge. */
  maxBuckets: number;
}

/** 10 minutes at full resolution plus ≤ 300 min/max buckets: a 24-hour run costs what a 1-hour run costs. */
export const SERIES_BUDGET: SeriesBudget = { recentSeconds: 600, maxBuckets: 300 };
/** Per endpoint the host keeps a series for each of up to thousands of endpoints: a smaller budget (≤ 120 entries). */
export const ENDPOINT_SERIES_BUDGET: SeriesBudget = { recentSeconds: 60, maxBuckets: 60 };

export function emptySeries(): Series {
  return { recent: [], older: [], bucketSeconds: 0 };
}

function foldValues(into: (number | null)[], from: readonly (number | null)[], pick: (a: number, b: number) => number): void {
  for (let i = 0; i < from.length; i++) {
    const a = into[i] ?? null;
    const b = from[i] ?? null;
    into[i] = a === null ? b : b === null ? a : pick(a, b);
  }
}

/** Appends a point (times must not go back) and moves what left the recent window into min/max buckets. */
export function appendPoint(series: Series, point: SeriesPoint, budget: SeriesBudget = SERIES_BUDGET): void {
  const last = series.recent.at(-1);
  if (last && point.t < last.t) return;
  series.recent.push({ t: point.t, v: [...point.v] });
  const horizon = point.t - budget.recentSeconds;
  let expired = 0;
  while (expired < series.recent.length && series.recent[expired]!.t < horizon) expired++;
  if (expired === 0) return;
  // Older data starts at a few seconds per bucket (8 s with the default budget) and coarsens as the run grows.
  if (series.bucketSeconds === 0) series.bucketSeconds = Math.max(1, budget.recentSeconds / budget.maxBuckets) * 4;
  for (const old of series.recent.splice(0, expired)) {
    const start = Math.floor(old.t / series.bucketSeconds) * series.bucketSeconds;
    const bucket = series.older.at(-1);
    if (bucket && bucket.t === start) {
      foldValues(bucket.lo, old.v, Math.min);
      foldValues(bucket.hi, old.v, Math.max);
    } else {
      series.older.push({ t: start, lo: [...old.v], hi: [...old.v] });
    }
  }
  while (series.older.length > budget.maxBuckets) coarsen(series);
}

/** Doubles the bucket width, merging neighbours (min of mins, max of maxes). */
function coarsen(series: Series): void {
  series.bucketSeconds *= 2;
  const merged: SeriesBucket[] = [];
  for (const bucket of series.older) {
    const start = Math.floor(bucket.t / series.bucketSeconds) * series.bucketSeconds;
    const into = merged.at(-1);
    if (into && into.t === start) {
      foldValues(into.lo, bucket.lo, Math.min);
      foldValues(into.hi, bucket.hi, Math.max);
    } else {
      merged.push({ t: start, lo: [...bucket.lo], hi: [...bucket.hi] });
    }
  }
  series.older = merged;
}

/**
 * The points to draw for one field: each bucket becomes its min then its max (a min/max envelope, as chart.js's
 * min-max decimation draws), followed by the recent points.
 */
export function seriesXY(series: Series, field: number): { x: number; y: number | null }[] {
  const out: { x: number; y: number | null }[] = [];
  const half = series.bucketSeconds / 2;
  series.older.forEach((b, i) => {
    // x must keep increasing (chart.js decimation needs sorted data): never past where the next sample starts.
    const next = series.older[i + 1]?.t ?? series.recent[0]?.t ?? Infinity;
    const lo = Math.min(b.t, next);
    const hi = Math.max(lo, Math.min(b.t + half, next));
    out.push({ x: lo, y: b.lo[field] ?? null }, { x: hi, y: b.hi[field] ?? null });
  });
  for (const p of series.recent) out.push({ x: p.t, y: p.v[field] ?? null });
  return out;
}
