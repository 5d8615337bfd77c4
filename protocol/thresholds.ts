// Thresholds (pass/fail targets of a load test): their grammar, parser, wording, and the statuses and verdict every surface shows.
import * as v from 'valibot';
import { closestName } from './closestName';
import { formatDuration, parseDuration } from './duration';

/*
 * Grammar (one threshold per string, as in a locustfile's `THRESHOLDS = [...]` or `--threshold "..."`):
 *
 *   EXPR     := [SCOPE ":"] METRIC OP VALUE[UNIT] [MODIFIER...]
 *   METRIC   := p50 | p90 | p95 | p99 | avg | max | rps | fail_ratio | failures_per_s      (case-sensitive)
 *   OP       := < | <= | > | >=
 *   VALUE    := a number ≥ 0, whitespace allowed before its unit:
 *               times (p50…p99, avg, max) need `ms` or `s`; fail_ratio takes `%` or a bare fraction 0..1;
 *               rps and failures_per_s take a bare number, `/s` optional
 *   SCOPE    := an endpoint name as Locust's statistics show it, optionally preceded by its method (`GET /cart`: the
 *               first word, when it is upper case and something follows). Names may contain ":", so the separator is the
 *               LAST ":" followed (after optional whitespace) by a metric keyword. No scope: all requests (Locust's
 *               "Aggregated" row).
 *   MODIFIER := over DURATION   judged in every window of that length
 *             | after DURATION  warm-up: nothing of the first DURATION of the run is judged
 *             | abort           the run is ended early once this threshold has failed for good
 *               each at most once, in any order; DURATION as Locust's --run-time (`30s`, `5m`, `1h30m`, `60`).
 */

export const THRESHOLD_METRICS = ['p50', 'p90', 'p95', 'p99', 'avg', 'max', 'rps', 'fail_ratio', 'failures_per_s'] as const;
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];

export const THRESHOLD_OPS = ['<', '<=', '>', '>='] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];

/** The modifier keywords, for completion. */
export const THRESHOLD_MODIFIERS = ['over', 'after', 'abort'] as const;

/** How a metric's value is written and measured: `time` in ms, `ratio` a fraction 0..1, `rate` per second. */
export type MetricKind = 'time' | 'ratio' | 'rate';

export const METRIC_INFO: Record<ThresholdMetric, { kind: MetricKind; description: string }> = {
  p50: { kind: 'time', description: 'Median response time: half of the requests took at most this long (ms or s).' },
  p90: { kind: 'time', description: '90th percentile response time: 90 % of the requests took at most this long (ms or s).' },
  p95: { kind: 'time', description: '95th percentile response time: 95 % of the requests took at most this long (ms or s).' },
  p99: { kind: 'time', description: '99th percentile response time: 99 % of the requests took at most this long (ms or s).' },
  avg: { kind: 'time', description: 'Average response time (ms or s).' },
  max: { kind: 'time', description: 'Slowest response time of any request (ms or s).' },
  rps: { kind: 'rate', description: 'Requests per second (a number, `/s` optional).' },
  fail_ratio: { kind: 'ratio', description: 'Share of requests that failed (`1%`, or a fraction such as 0.01).' },
  failures_per_s: { kind: 'rate', description: 'Failed requests per second (a number, `/s` optional).' },
};

/** The quantile each percentile metric stands for (as Locust's percentile functions take it). */
export const METRIC_QUANTILE: Partial<Record<ThresholdMetric, number>> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

export interface ThresholdScope {
  method?: string;
  name: string;
}

/** A parsed threshold. Spans are [start, end) character offsets into `text`, for editors to underline. */
export interface Threshold {
  /** The text as written (the threshold's identity in statuses and reports). */
  text: string;
  /** null: every request (Locust's "Aggregated" row). Without a method: that name under every method. */
  scope: ThresholdScope | null;
  metric: ThresholdMetric;
  op: ThresholdOp;
  /** In ms for times, a fraction 0..1 for fail_ratio, per second for rates. */
  value: number;
  /** `over N`: judged in every window of N seconds. */
  windowSeconds?: number;
  /** `after W`: warm-up of W seconds (> 0) during which nothing is judged. */
  warmupSeconds?: number;
  /** `abort`: the run is ended early once this threshold has failed for good. */
  abort?: boolean;
  spans: { scope?: [number, number]; metric: [number, number]; op: [number, number]; value: [number, number] };
}

export type ThresholdParse = { ok: true; threshold: Threshold } | { ok: false; error: string; start: number; end: number };

const METRIC_SET: ReadonlySet<string> = new Set(THRESHOLD_METRICS);
const OP_SET: ReadonlySet<string> = new Set(THRESHOLD_OPS);
const METHOD = /^[A-Z][A-Z0-9_]*$/;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)/y;
const OP_CHARS = /[<>=!≤≥≠]+/y;
const NON_SPACE = /\S+/y;
const SPACE = /\s*/y;

/** Words people write for a metric, mapped to the one they mean (the nearest spelling is suggested otherwise). */
const METRIC_ALIASES: Record<string, ThresholdMetric> = {
  median: 'p50',
  mean: 'avg',
  average: 'avg',
  maximum: 'max',
  throughput: 'rps',
  requests_per_s: 'rps',
  error_rate: 'fail_ratio',
  error_ratio: 'fail_ratio',
  failure_rate: 'fail_ratio',
  failure_ratio: 'fail_ratio',
  fail_rate: 'fail_ratio',
  failures: 'failures_per_s',
  errors_per_s: 'failures_per_s',
};

/** Parses one threshold; an error carries the [start, end) span of the faulty part. */
export function parseThreshold(text: string): ThresholdParse {
  const fail = (error: string, start: number, end: number): ThresholdParse => ({ ok: false, error, start, end: Math.max(end, start) });
  if (!text.trim()) return fail('empty threshold: write e.g. "p95 < 250ms"', 0, text.length);

  let scope: ThresholdScope | null = null;
  let scopeSpan: [number, number] | undefined;
  let pos = 0;
  const separator = scopeSeparator(text);
  if (separator !== undefined) {
    const raw = text.slice(0, separator);
    const start = raw.length - raw.trimStart().length;
    const name = raw.trim();
    if (!name) return fail('empty scope: write an endpoint name before ":" (e.g. "GET /cart: p95 < 250ms"), or nothing for all requests', 0, separator + 1);
    scopeSpan = [start, start + name.length];
    const first = /^\S+/.exec(name)![0];
    const rest = name.slice(first.length).trimStart();
    scope = METHOD.test(first) && rest ? { method: first, name: rest } : { name };
    pos = separator + 1;
  }

  // Metric.
  pos = skipSpace(text, pos);
  const metricStart = pos;
  const word = match(WORD, text, pos) ?? match(/[^\s<>=!≤≥≠]+/y, text, pos) ?? '';
  const metricEnd = metricStart + word.length;
  if (!word) return fail(`metric missing: start with one of ${THRESHOLD_METRICS.join(', ')}`, metricStart, metricStart + 1);
  if (!METRIC_SET.has(word)) {
    if (separator === undefined) {
      const later = laterMetric(text);
      if (later !== undefined) {
        const end = text.slice(0, later).trimEnd().length;
        return fail(`write ":" between the endpoint and the metric, e.g. "GET /cart: p95 < 250ms"`, metricStart, end);
      }
    }
    const suggestion = suggestMetric(word);
    return fail(`unknown metric "${word}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}: use one of ${THRESHOLD_METRICS.join(', ')}`, metricStart, metricEnd);
  }
  const metric = word as ThresholdMetric;
  const kind = METRIC_INFO[metric].kind;

  // Operator.
  pos = skipSpace(text, metricEnd);
  const opStart = pos;
  const opText = match(OP_CHARS, text, pos) ?? '';
  if (!opText) {
    const what = match(NON_SPACE, text, pos);
    return fail(`operator missing after ${metric}: use <, <=, > or >=`, what ? opStart : metricStart, what ? opStart + what.length : metricEnd);
  }
  if (!OP_SET.has(opText)) return fail(`unknown operator "${opText}": use <, <=, > or >=`, opStart, opStart + opText.length);
  const op = opText as ThresholdOp;
  const opEnd = opStart + opText.length;

  // Value and unit.
  pos = skipSpace(text, opEnd);
  const valueStart = pos;
  const numberText = match(NUMBER, text, pos);
  if (numberText === undefined) {
    const what = match(NON_SPACE, text, pos);
    return what
      ? fail(`"${what}" is not a number: write e.g. ${example(kind)}`, valueStart, valueStart + what.length)
      : fail(`value missing after ${op}: write e.g. ${example(kind)}`, opStart, opEnd);
  }
  const numberEnd = valueStart + numberText.length;
  let unit = '';
  let unitStart = numberEnd;
  const afterNumber = skipSpace(text, numberEnd);
  const unitWord = match(NON_SPACE, text, afterNumber);
  // A modifier after the number is no unit ("p95 < 250 over 30s" lacks one).
  if (unitWord !== undefined && !isModifierAt(text, afterNumber)) {
    unit = unitWord;
    unitStart = afterNumber;
  }
  const valueEnd = unit ? unitStart + unit.length : numberEnd;
  const number = Number(numberText);
  if (number < 0) return fail(`a ${kindNoun(kind)} cannot be negative`, valueStart, valueEnd);
  let value: number;
  if (kind === 'time') {
    if (!unit) return fail('unit missing: write 250ms or 0.25s', valueStart, numberEnd);
    if (unit !== 'ms' && unit !== 's') return fail(`wrong unit "${unit}" for ${metric}, a response time: write ms or s`, unitStart, valueEnd);
    value = unit === 's' ? number * 1000 : number;
  } else if (kind === 'ratio') {
    if (unit && unit !== '%') return fail(`wrong unit "${unit}" for fail_ratio: write a percentage (1%) or a fraction (0.01)`, unitStart, valueEnd);
    if (!unit && number > 1) return fail(`fail_ratio is a fraction from 0 to 1: write ${numberText}% for a percentage`, valueStart, valueEnd);
    value = unit ? number / 100 : number;
    if (value > 1) return fail('impossible bound: fail_ratio cannot exceed 100%', valueStart, valueEnd);
  } else {
    if (unit && unit !== '/s') return fail(`wrong unit "${unit}" for ${metric}, a rate per second: write a number, /s optional (e.g. 50 or 50/s)`, unitStart, valueEnd);
    value = number;
  }
  if (op === '<' && value === 0) return fail(`impossible bound: no ${kindNoun(kind)} is below 0`, opStart, valueEnd);

  // Modifiers.
  let windowSeconds: number | undefined;
  let warmupSeconds: number | undefined;
  let abort: boolean | undefined;
  const seen = new Set<string>();
  pos = valueEnd;
  for (;;) {
    pos = skipSpace(text, pos);
    if (pos >= text.length) break;
    const keywordStart = pos;
    const keyword = match(NON_SPACE, text, pos)!;
    const keywordEnd = pos + keyword.length;
    if (keyword !== 'over' && keyword !== 'after' && keyword !== 'abort') {
      const near = closestName(keyword, THRESHOLD_MODIFIERS, { slack: 1 });
      return fail(`unknown modifier "${keyword}"${near ? ` (did you mean ${near}?)` : ''}: use over DURATION, after DURATION or abort`, keywordStart, keywordEnd);
    }
    if (keyword === 'abort') {
      if (seen.has(keyword)) return fail('abort given twice', keywordStart, keywordEnd);
      seen.add(keyword);
      abort = true;
      pos = keywordEnd;
      continue;
    }
    const durationStart = skipSpace(text, keywordEnd);
    const durationText = durationStart < text.length && !isModifierAt(text, durationStart) ? match(NON_SPACE, text, durationStart) : undefined;
    const end = durationText ? durationStart + durationText.length : keywordEnd;
    if (seen.has(keyword)) return fail(`${keyword} given twice`, keywordStart, end);
    seen.add(keyword);
    if (!durationText) return fail(`${keyword} needs a duration: write e.g. ${keyword} 30s`, keywordStart, keywordEnd);
    const seconds = parseDuration(durationText);
    if (seconds === undefined) return fail(`unreadable duration "${durationText}": write 30s, 5m, 1h30m or a number of seconds`, durationStart, end);
    if (keyword === 'over') {
      if (seconds === 0) return fail('impossible bound: a window of 0 s holds no request', durationStart, end);
      windowSeconds = seconds;
    } else if (seconds > 0) {
      warmupSeconds = seconds;
    }
    pos = end;
  }

  const threshold: Threshold = {
    text,
    scope,
    metric,
    op,
    value,
    ...(windowSeconds !== undefined && { windowSeconds }),
    ...(warmupSeconds !== undefined && { warmupSeconds }),
    ...(abort && { abort }),
    spans: { ...(scopeSpan && { scope: scopeSpan }), metric: [metricStart, metricEnd], op: [opStart, opEnd], value: [valueStart, valueEnd] },
  };
  return { ok: true, threshold };
}

/** The last ":" followed (after whitespace) by a metric keyword; else the last one followed by a word and an operator. */
function scopeSeparator(text: string): number | undefined {
  let fallback: number | undefined;
  for (let i = text.lastIndexOf(':'); i >= 0; i = i === 0 ? -1 : text.lastIndexOf(':', i - 1)) {
    const at = skipSpace(text, i + 1);
    const word = match(WORD, text, at);
    if (word === undefined) continue;
    if (METRIC_SET.has(word)) return i;
    // An unknown metric ("GET /cart: p96 < 1s") still separates a scope, so that the error points at the metric.
    if (fallback === undefined && /^\s*[<>=!≤≥≠]/.test(text.slice(at + word.length))) fallback = i;
  }
  return fallback;
}

/** Where a metric keyword starts a later word of a scope-less text ("GET /cart p95 < 1s" lacks its ":"). */
function laterMetric(text: string): number | undefined {
  const words = /\s([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_])/g;
  for (const m of text.matchAll(words)) if (METRIC_SET.has(m[1]!)) return m.index + 1;
  return undefined;
}

function isModifierAt(text: string, at: number): boolean {
  const word = match(WORD, text, at);
  return word !== undefined && (THRESHOLD_MODIFIERS as readonly string[]).includes(word);
}

function match(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at;
  const m = pattern.exec(text);
  return m && m[0] ? m[0] : undefined;
}

function skipSpace(text: string, at: number): number {
  SPACE.lastIndex = at;
  SPACE.exec(text);
  return SPACE.lastIndex;
}

function example(kind: MetricKind): string {
  return kind === 'time' ? '250ms or 1.5s' : kind === 'ratio' ? '1% or 0.01' : '50 or 50/s';
}

function kindNoun(kind: MetricKind): string {
  return kind === 'time' ? 'response time' : kind === 'ratio' ? 'ratio' : 'rate';
}

function suggestMetric(word: string): ThresholdMetric | undefined {
  const lower = word.toLowerCase();
  if (METRIC_SET.has(lower)) return lower as ThresholdMetric;
  // A percentile that is not offered ("p96", "p999"): the numerically closest one, not the first of several equally near spellings.
  const percentile = /^p(\d+)$/.exec(lower);
  if (percentile) {
    const wanted = Number(`0.${percentile[1]}`);
    return (['p50', 'p90', 'p95', 'p99'] as const).reduce((a, b) => (Math.abs(METRIC_QUANTILE[b]! - wanted) < Math.abs(METRIC_QUANTILE[a]! - wanted) ? b : a));
  }
  return METRIC_ALIASES[lower] ?? closestName(lower, THRESHOLD_METRICS, { slack: 1 });
}

/**
 * The one way a measured or limit value reads, on every surface: `182 ms`, `1.25 s`, `0.40 %`, `52.3/s`; `–` when there
 * is none.
 */
export function formatThresholdValue(metric: ThresholdMetric, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  switch (METRIC_INFO[metric].kind) {
    case 'time': {
      const ms = value < 10 ? Number(value.toFixed(1)) : Math.round(value);
      return ms < 1000 ? `${ms} ms` : `${Number((value / 1000).toFixed(2))} s`;
    }
    case 'ratio':
      return `${(value * 100).toFixed(2)} %`;
    case 'rate':
      return `${value >= 1 || value === 0 ? value.toFixed(1) : Number(value.toPrecision(2))}/s`;
  }
}

const METRIC_WORDS: Record<ThresholdMetric, string> = {
  p50: 'median (50th percentile) response time',
  p90: '90th percentile response time',
  p95: '95th percentile response time',
  p99: '99th percentile response time',
  avg: 'average response time',
  max: 'slowest response time',
  rps: 'requests per second',
  fail_ratio: 'share of failed requests',
  failures_per_s: 'failures per second',
};

const OP_WORDS: Record<ThresholdOp, string> = { '<': 'stays below', '<=': 'stays at or below', '>': 'stays above', '>=': 'stays at or above' };

/** How a scope reads: `GET /cart`, `/cart (all methods)`, `all requests`. */
export function describeScope(scope: ThresholdScope | null): string {
  if (!scope) return 'all requests';
  return scope.method ? `${scope.method} ${scope.name}` : `${scope.name} (all methods)`;
}

/** A threshold in plain English, for hover and reports. */
export function describeThreshold(t: Threshold): string {
  const period = t.windowSeconds !== undefined ? `in every ${formatDuration(t.windowSeconds)} window` : 'over the whole run';
  const warmup = t.warmupSeconds ? ` after a ${formatDuration(t.warmupSeconds)} warm-up` : '';
  const abort = t.abort ? '; the run is stopped early when it fails' : '';
  return `${upperFirst(METRIC_WORDS[t.metric])} of ${describeScope(t.scope)} ${period}${warmup} ${OP_WORDS[t.op]} ${formatThresholdValue(t.metric, t.value)}${abort}`;
}

/** A status's measurement against its limit, as reports and failure messages show it: `p95 = 312 ms, limit < 250 ms`. */
export function describeMeasurement(t: Threshold, status: Pick<ThresholdStatus, 'value'>): string {
  return `${t.metric} = ${formatThresholdValue(t.metric, status.value)}, limit ${t.op} ${formatThresholdValue(t.metric, t.value)}`;
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---- what crosses boundaries and is recorded: statuses and the verdict ----

// One check per number, as in protocol/runner.ts: the panel validates statuses every tick.
const measured = v.custom<number | null>((x) => x === null || (typeof x === 'number' && Number.isFinite(x)), 'a finite number or null');
const elapsed = v.custom<number>((x) => typeof x === 'number' && x >= 0 && Number.isFinite(x), 'a number ≥ 0');

/**
 * Where a threshold stands. Live: `pending` (not judged yet: warm-up, no request or no full window yet), `holding`,
 * `failing` (the current value breaks it; it may recover), `failed` (for good, e.g. a window broke it). At the end:
 * `passed`, `failed` or `unknown` (the run cannot answer it: say why in `reason`).
 */
export const ThresholdStateSchema = v.picklist(['pending', 'holding', 'failing', 'failed', 'passed', 'unknown']);
export type ThresholdState = v.InferOutput<typeof ThresholdStateSchema>;

export const ThresholdStatusSchema = v.object({
  /** The threshold's text as written. */
  text: v.string(),
  state: ThresholdStateSchema,
  /** The measured value the state is about (unit as Threshold.value); null when there is none. */
  value: measured,
  reason: v.optional(v.string()),
  /** Seconds since the run's start when it failed for good. */
  failedAt: v.optional(elapsed),
});
export type ThresholdStatus = v.InferOutput<typeof ThresholdStatusSchema>;

/** The answer to "did the run meet its targets?": failed if any threshold failed, else unknown if any is, else passed. */
export const VerdictSchema = v.object({
  outcome: v.picklist(['passed', 'failed', 'unknown']),
  thresholds: v.array(ThresholdStatusSchema),
  /** The text of the `abort` threshold that ended the run early. */
  abortedBy: v.optional(v.string()),
  /**
   * Why the measurements behind this verdict are not to be trusted (the load generator was saturated: see
   * protocol/loadGenerator.ts); the outcome stands, the user is told to rerun with more load generators.
   */
  unreliable: v.optional(v.string()),
});
export type Verdict = v.InferOutput<typeof VerdictSchema>;

/** The one rule of a verdict's outcome from its thresholds' final states. */
export function verdictOutcome(statuses: readonly ThresholdStatus[]): Verdict['outcome'] {
  if (statuses.some((s) => s.state === 'failed')) return 'failed';
  if (statuses.some((s) => s.state !== 'passed')) return 'unknown';
  return 'passed';
}
