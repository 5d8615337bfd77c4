// Comparing two runs: a run's time batches as stored in its record (batches.json), the rule of the verdict, and the comparison's shape.
import * as v from 'valibot';

/** The batches file this version writes; a reader takes every format up to this one and recomputes a newer one from ticks. */
export const RUN_BATCHES_FORMAT = 1;

/** The file in a run record that holds its batches (absent from older records: they are computed from ticks.jsonl). */
export const RUN_BATCHES_FILE = 'batches.json';

/**
 * The statistical rule of a comparison, stated once (README "Comparing runs" explains it). A metric is compared on
 * batch means: every batch (or group of consecutive batches, see minTailRequests) of a run gives one sample, and the two
 * runs' samples go through a Welch t-test.
 */
export const COMPARISON_RULE = {
  /** Confidence of the two-sided Welch t-test: a difference is significant when p < 1 - confidence. */
  confidence: 0.99,
  /** Fewest samples (usable batches) each run needs for a metric to be judged; fewer gives "not enough data". */
  minSamples: 5,
  /**
   * A quantile q of a batch is a sample only when the batch has at least minTailRequests / (1 - q) requests (p50: 10,
   * p95: 100, p99: 500): consecutive batches are grouped until they do.
   */
  minTailRequests: 5,
  /** A failure ratio is a sample only from at least this many requests (consecutive batches grouped until then). */
  minRatioRequests: 20,
  /** Smallest relative change worth reporting (latency and requests/s): significant but smaller is "no real change". */
  minChange: 0.05,
  /** Smallest rise of the failure ratio worth reporting, as a fraction (0.005 = 0.5 percentage points), beside minChange. */
  minFailureChange: 0.005,
  /** Most batches a run is cut into (when full, neighbours merge and the batch width doubles). */
  maxBatches: 64,
  /** Width of a batch at the start of a run, in seconds. */
  firstBatchSeconds: 1,
} as const;

/** The quantiles compared, with their keys. */
export const COMPARED_QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;
export type ComparedQuantile = keyof typeof COMPARED_QUANTILES;
export const QUANTILE_KEYS = Object.keys(COMPARED_QUANTILES) as ComparedQuantile[];

/** Requests a batch (or group of batches) needs for its quantile q to be a sample. */
export function minRequestsFor(q: number): number {
  return Math.ceil(COMPARISON_RULE.minTailRequests / (1 - q) - 1e-9);
}

// One check per array rather than a pipe per number: a file of 2,000 endpoints holds hundreds of thousands of them.
const numbers = v.custom<number[]>((x) => Array.isArray(x) && x.every((n) => typeof n === 'number' && n >= 0 && Number.isFinite(n)), 'a list of numbers ≥ 0');
const nullableNumbers = v.custom<(number | null)[]>(
  (x) => Array.isArray(x) && x.every((n) => n === null || (typeof n === 'number' && n >= 0 && Number.isFinite(n))),
  'a list of numbers ≥ 0 or nulls',
);
const flags = v.custom<boolean[]>((x) => Array.isArray(x) && x.every((b) => typeof b === 'boolean'), 'a list of booleans');
const ms = v.nullable(v.custom<number>((x) => typeof x === 'number' && x >= 0 && Number.isFinite(x), 'a number ≥ 0'));

/** One endpoint (or the aggregate) of a run, batch by batch. */
export const EndpointBatchesSchema = v.object({
  method: v.string(),
  name: v.string(),
  /** Requests and failures per batch (aligned with the run's `seconds`). */
  requests: numbers,
  failures: numbers,
  /** Response-time quantiles in ms over the batches used (see `steadyOnly`); null without requests. */
  p50: ms,
  p95: ms,
  p99: ms,
  /** The samples the verdict is judged on: each quantile (ms) of a group of consecutive used batches with enough requests for it. */
  samples: v.object({ p50: numbers, p95: numbers, p99: numbers }),
  /** The aggregate only: p95 (ms) of each batch, null without requests (the comparison's chart). */
  p95ByBatch: v.optional(nullableNumbers),
});
export type EndpointBatches = v.InferOutput<typeof EndpointBatchesSchema>;

/** A run cut into time batches (batches.json): what a comparison reads instead of the whole ticks.jsonl. */
export const RunBatchesSchema = v.object({
  format: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** Epoch ms of elapsed 0: when the first tick's window began. */
  origin: v.number(),
  /** Seconds each batch spans (the last one may hold less). */
  width: v.pipe(v.number(), v.minValue(0)),
  /** Seconds of statistics counted in each batch. */
  seconds: numbers,
  /** Whether every tick of each batch was in state `running` (no spawning ramp, no stopping). */
  steady: flags,
  /** Most users of each batch. */
  users: numbers,
  /** Whether only the steady batches are used (when there are enough of them), else every batch with statistics. */
  steadyOnly: v.boolean(),
  /** Whether the quantiles come from window histograms (exact) rather than from each window's own percentiles. */
  fromHistograms: v.boolean(),
  /** Endpoints not kept (beyond MAX_COMPARED_ENDPOINTS). */
  leftOut: v.pipe(v.number(), v.integer(), v.minValue(0)),
  aggregate: EndpointBatchesSchema,
  endpoints: v.array(EndpointBatchesSchema),
});
export type RunBatchesData = v.InferOutput<typeof RunBatchesSchema>;

/** Checks a parsed batches.json: a newer format, a malformed file or batches of mismatched lengths are refused with why. */
export function parseRunBatches(raw: unknown): { ok: true; value: RunBatchesData } | { ok: false; error: string } {
  const format = (raw as { format?: unknown } | null)?.format;
  if (typeof format === 'number' && format > RUN_BATCHES_FORMAT) {
    return { ok: false, error: `${RUN_BATCHES_FILE}: format ${format} is newer than this version reads (${RUN_BATCHES_FORMAT})` };
  }
  const result = v.safeParse(RunBatchesSchema, raw);
  if (!result.success) {
    // The first problem, on one line: a note in a comparison, not a report of the file.
    const first = result.issues[0];
    const at = v.getDotPath(first);
    return { ok: false, error: `${RUN_BATCHES_FILE}: ${first.message}${at ? ` at ${at}` : ''}` };
  }
  const value = result.output;
  const n = value.seconds.length;
  const misfit = [value.aggregate, ...value.endpoints].find((e) => e.requests.length !== n || e.failures.length !== n);
  if (value.steady.length !== n || value.users.length !== n || misfit) {
    return { ok: false, error: `${RUN_BATCHES_FILE}: lists of different lengths${misfit ? ` (${misfit.method} ${misfit.name})` : ''}` };
  }
  return { ok: true, value };
}

// ---- the comparison

/** What is compared for every endpoint and the aggregate. */
export const COMPARED_METRICS = ['p50', 'p95', 'p99', 'rps', 'failPercent'] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];

/** How each metric is named in a table, and its unit. */
export const METRIC_LABEL: Record<ComparedMetric, string> = { p50: 'p50', p95: 'p95', p99: 'p99', rps: 'req/s', failPercent: 'fail %' };
export const METRIC_UNIT: Record<ComparedMetric, string> = { p50: 'ms', p95: 'ms', p99: 'ms', rps: '/s', failPercent: '%' };

export type EndpointVerdict = 'regressed' | 'improved' | 'noChange' | 'notEnoughData';
export type ComparisonVerdict = 'regressed' | 'ok' | 'inconclusive';

/** The words of every verdict, for every surface (CLI, report, editor). */
export const ENDPOINT_VERDICT_LABEL: Record<EndpointVerdict, string> = {
  regressed: 'regressed',
  improved: 'improved',
  noChange: 'no real change',
  notEnoughData: 'not enough data',
};
export const COMPARISON_VERDICT_LABEL: Record<ComparisonVerdict, string> = {
  regressed: 'regressed',
  ok: 'no regression',
  inconclusive: 'inconclusive: not enough data to judge the runs',
};

export interface MetricComparison {
  /** Over the batches used: quantiles in ms, requests/s, failure % (0–100); null when there is nothing to measure. */
  base: number | null;
  new: number | null;
  /** new − base, in the metric's unit (percentage points for failure %). */
  delta: number | null;
  /** new / base − 1; null when base is 0 or unknown. */
  relative: number | null;
  /** The change the test measured (ratio of geometric means of the samples − 1 for times, of means for requests/s); null when not judged. */
  change: number | null;
  /** Two-sided Welch t-test p-value; null when not judged. */
  pValue: number | null;
  /** Samples each run gave (batches, or groups of batches, with enough requests). */
  samples: { base: number; new: number };
  verdict: EndpointVerdict;
  /** Whether this metric decides the endpoint's verdict (requests/s only does for the aggregate). */
  decides: boolean;
  /**
   * The change every endpoint shared (their median, times only; null for the aggregate, other metrics, or too few
   * endpoints): an endpoint regressed or improved only when it also stands out from it.
   */
  commonChange: number | null;
}

export interface EndpointComparison {
  method: string;
  name: string;
  verdict: EndpointVerdict;
  metrics: Record<ComparedMetric, MetricComparison>;
  /** Requests in the batches used. */
  requests: { base: number; new: number };
}

export interface EndpointOnlyInOne {
  method: string;
  name: string;
  requests: number;
}

/** One side of a comparison: the run as its record describes it, and its aggregate over time for the charts. */
export interface ComparedRun {
  dir: string;
  id: string;
  startedAt: number;
  locustfile: string | null;
  host: string | null;
  users: number | null;
  userClasses: string[];
  runTime: string | null;
  locustVersion: string | null;
  /** How the run ended, as its record says; null for a run without a record (live). */
  outcome: string | null;
  /** Seconds of statistics in the batches used. */
  seconds: number;
  batchSeconds: number;
  steadyOnly: boolean;
  fromHistograms: boolean;
  /** Whether the batches were computed from ticks.jsonl (no batches.json: an older, crashed or running record). */
  fromTicks: boolean;
  /** The aggregate per batch: elapsed seconds (middle of the batch), requests/s, p95 ms. */
  series: { elapsed: number[]; rps: number[]; p95: (number | null)[] };
}

export interface Comparison {
  verdict: ComparisonVerdict;
  rule: typeof COMPARISON_RULE;
  base: ComparedRun;
  new: ComparedRun;
  aggregate: EndpointComparison;
  /** Endpoints in both runs, in Locust's order (name, then method). */
  endpoints: EndpointComparison[];
  onlyInBase: EndpointOnlyInOne[];
  onlyInNew: EndpointOnlyInOne[];
  /** Why the runs may not be comparable, and other caveats; empty when there are none. */
  notes: string[];
}

// ---- a live run compared with its baseline, as the panel shows it

/**
 * A live run is compared with its baseline at most once per this many seconds of its ticks (and less often when
 * comparing takes long: see LiveBaseline); the comparison at the end is the one that counts.
 */
export const LIVE_COMPARISON_SECONDS = 5;

const finiteOrNull = v.nullable(v.pipe(v.number(), v.finite()));
const EndpointVerdictSchema = v.picklist(['regressed', 'improved', 'noChange', 'notEnoughData']);

/** One metric of an endpoint against the baseline: the baseline's value, the change, and whether it is real. */
export const MetricDeltaSchema = v.object({ base: finiteOrNull, delta: finiteOrNull, relative: finiteOrNull, verdict: EndpointVerdictSchema, decides: v.boolean() });
export type MetricDelta = v.InferOutput<typeof MetricDeltaSchema>;

export const EndpointDeltaSchema = v.object({
  method: v.string(),
  name: v.string(),
  verdict: EndpointVerdictSchema,
  metrics: v.object({ p50: MetricDeltaSchema, p95: MetricDeltaSchema, p99: MetricDeltaSchema, rps: MetricDeltaSchema, failPercent: MetricDeltaSchema }),
});
export type EndpointDelta = v.InferOutput<typeof EndpointDeltaSchema>;

/** The baseline of a run and where the run stands against it (the panel's Δ columns and overlaid series). */
export const BaselineViewSchema = v.object({
  /** The baseline's record folder, and how the user named it (empty: unnamed). */
  dir: v.string(),
  label: v.string(),
  startedAt: v.number(),
  /** Null until the run was first compared (the first LIVE_COMPARISON_SECONDS). */
  verdict: v.nullable(v.picklist(['regressed', 'ok', 'inconclusive'])),
  /** Whether this is the comparison of the whole run, made when it ended (else of the run so far). */
  final: v.boolean(),
  aggregate: v.nullable(EndpointDeltaSchema),
  endpoints: v.array(EndpointDeltaSchema),
  /** Endpoints of the baseline the run has not requested (so far). */
  onlyInBase: v.pipe(v.number(), v.integer(), v.minValue(0)),
  notes: v.array(v.string()),
  /** The baseline's aggregate per batch, for the charts: elapsed seconds, requests/s, p95 ms. */
  series: v.object({ elapsed: v.array(v.pipe(v.number(), v.finite())), rps: v.array(v.pipe(v.number(), v.finite())), p95: v.array(finiteOrNull) }),
});
export type BaselineView = v.InferOutput<typeof BaselineViewSchema>;

/** A comparison as the panel shows it: only what its Δ columns, banner and charts need. */
export function baselineViewOf(comparison: Comparison | null, base: ComparedRun, label: string, final = false): BaselineView {
  const delta = (e: Pick<EndpointComparison, 'method' | 'name' | 'verdict' | 'metrics'>): EndpointDelta => ({
    method: e.method,
    name: e.name,
    verdict: e.verdict,
    metrics: Object.fromEntries(
      COMPARED_METRICS.map((m) => {
        const { base: b, delta: d, relative, verdict, decides } = e.metrics[m];
        return [m, { base: b, delta: d, relative, verdict, decides }];
      }),
    ) as EndpointDelta['metrics'],
  });
  return {
    dir: base.dir,
    label,
    startedAt: base.startedAt,
    verdict: comparison?.verdict ?? null,
    final,
    aggregate: comparison ? delta({ ...comparison.aggregate, method: '' }) : null,
    endpoints: comparison ? comparison.endpoints.map(delta) : [],
    onlyInBase: comparison?.onlyInBase.length ?? 0,
    notes: comparison?.notes ?? [],
    series: base.series,
  };
}
