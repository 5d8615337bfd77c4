// Compares two runs endpoint by endpoint on batch means (Welch t-tests): is the new run worse than the baseline?
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  COMPARED_QUANTILES,
  COMPARISON_RULE,
  parseRunBatches,
  QUANTILE_KEYS,
  RUN_BATCHES_FILE,
  type ComparedMetric,
  type ComparedQuantile,
  type ComparedRun,
  type Comparison,
  type ComparisonVerdict,
  type EndpointBatches,
  type EndpointComparison,
  type EndpointOnlyInOne,
  type EndpointVerdict,
  type MetricComparison,
  type RunBatchesData,
} from '../protocol/compare';
import { parseDuration } from '../protocol/duration';
import { endpointKey } from '../protocol/runner';
import type { RecordedOptions, RunMeta } from '../protocol/runRecord';
import { usedBatches, batchesOfTicks } from './runBatches';
import { loadRecordHead, loadRunRecord, locustOrder } from './runRecord';

/*
 * The rule (COMPARISON_RULE holds its numbers; README "Comparing runs" says it in words).
 *
 * Samples. A run is cut into time batches (runBatches.ts); only its steady batches are used when it has enough of them.
 * Batch means: each batch gives one sample per metric, so that the autocorrelation of a load test (a slow minute is slow
 * for every request in it) is in the spread of the samples rather than hidden by thousands of requests. A quantile q is
 * a sample only from at least minTailRequests / (1 - q) requests (consecutive batches grouped until then), on a log scale
 * (log(ms + 1)); a failure ratio from at least minRatioRequests; requests/s from each batch at least half as long as the
 * width.
 *
 * Test. For each metric, a two-sided Welch t-test of the two runs' samples; significant when p < 1 - confidence. Fewer
 * than minSamples samples in either run: "not enough data". A significant change is reported only when it is at least
 * minChange (times: ratio of geometric means; requests/s: ratio of means) — failure ratios: at least minFailureChange
 * and minChange of the baseline's. Else "no real change".
 *
 * Verdicts. An endpoint is judged on its latency (p50, p95, p99) and failure ratio: regressed if any of them regressed,
 * else improved if any improved, else no real change if any was judged, else not enough data. Requests/s is shown with
 * its significance but does not judge an endpoint: in a closed-loop test an endpoint's rate follows the users and the
 * other endpoints' latency. It does judge the aggregate (throughput falling is a regression of the whole). The
 * comparison: regressed when the aggregate or any endpoint regressed, else inconclusive when the aggregate could not be
 * judged, else ok.
 */

// ---- statistics

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-14) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom. */
export function twoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

function mean(xs: readonly number[]): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

function variance(xs: readonly number[], m: number): number {
  let sum = 0;
  for (const x of xs) sum += (x - m) ** 2;
  return sum / (xs.length - 1);
}

/** Welch's two-sample t-test (two-sided): the means and the p-value. Both samples have at least two values. */
export function welchTest(a: readonly number[], b: readonly number[]): { meanA: number; meanB: number; pValue: number } {
  const meanA = mean(a);
  const meanB = mean(b);
  const sa = variance(a, meanA) / a.length;
  const sb = variance(b, meanB) / b.length;
  const se2 = sa + sb;
  // No spread at all (every batch 0 % failures, say): a difference of means is then certain.
  if (se2 === 0) return { meanA, meanB, pValue: meanA === meanB ? 1 : 0 };
  const t = (meanB - meanA) / Math.sqrt(se2);
  const df = (se2 * se2) / ((sa * sa) / (a.length - 1) + (sb * sb) / (b.length - 1));
  return { meanA, meanB, pValue: twoSidedP(t, df) };
}

// ---- samples of a run

type Kind = 'time' | 'rate' | 'ratio';
const KIND: Record<ComparedMetric, Kind> = { p50: 'time', p95: 'time', p99: 'time', rps: 'rate', failPercent: 'ratio' };

/** One run's data for one endpoint: its batches and which of them are used. */
interface Side {
  run: RunBatchesData;
  used: boolean[];
  e: EndpointBatches | undefined;
}

function sum(xs: readonly number[], used: boolean[]): number {
  let total = 0;
  for (let i = 0; i < xs.length; i++) if (used[i]) total += xs[i]!;
  return total;
}

/** The metric over the batches used: quantiles in ms, requests/s, failure %. */
function wholeValue(metric: ComparedMetric, side: Side): number | null {
  const { e, run, used } = side;
  if (!e) return null;
  switch (metric) {
    case 'rps': {
      const seconds = sum(run.seconds, used);
      return seconds > 0 ? sum(e.requests, used) / seconds : null;
    }
    case 'failPercent': {
      const requests = sum(e.requests, used);
      return requests > 0 ? (100 * sum(e.failures, used)) / requests : null;
    }
    default:
      return e[metric];
  }
}

/** The samples a metric is judged on, on the scale it is tested on. */
function samplesOf(metric: ComparedMetric, side: Side): number[] {
  const { e, run, used } = side;
  if (!e) return [];
  switch (KIND[metric]) {
    case 'time': {
      const ms = e.samples[metric as keyof typeof COMPARED_QUANTILES];
      const out = new Array<number>(ms.length);
      for (let i = 0; i < ms.length; i++) out[i] = Math.log(ms[i]! + 1);
      return out;
    }
    case 'rate': {
      const out: number[] = [];
      for (let i = 0; i < run.seconds.length; i++) if (used[i] && run.seconds[i]! >= run.width / 2) out.push(e.requests[i]! / run.seconds[i]!);
      return out;
    }
    case 'ratio': {
      // Consecutive used batches grouped until they hold enough requests; a short last group joins the one before.
      const groups: { requests: number; failures: number }[] = [];
      let open = { requests: 0, failures: 0 };
      for (let i = 0; i < e.requests.length; i++) {
        const requests = e.requests[i]!;
        if (!used[i] || requests === 0) continue;
        open.requests += requests;
        open.failures += e.failures[i]!;
        if (open.requests >= COMPARISON_RULE.minRatioRequests) {
          groups.push(open);
          open = { requests: 0, failures: 0 };
        }
      }
      const last = groups.at(-1);
      if (open.requests > 0 && last) {
        last.requests += open.requests;
        last.failures += open.failures;
      }
      return groups.map((g) => g.failures / g.requests);
    }
  }
}

/** Whether a measured change is worth reporting, and in which direction is worse. */
function judgeChange(kind: Kind, meanBase: number, meanNew: number): { change: number; worthIt: boolean; worse: boolean } {
  switch (kind) {
    case 'time': {
      const ratio = Math.exp(meanNew - meanBase);
      return { change: ratio - 1, worthIt: Math.abs(Math.log(ratio)) >= Math.log(1 + COMPARISON_RULE.minChange), worse: ratio > 1 };
    }
    case 'rate': {
      const change = meanBase > 0 ? meanNew / meanBase - 1 : meanNew > 0 ? Infinity : 0;
      return { change, worthIt: Math.abs(change) >= COMPARISON_RULE.minChange, worse: change < 0 };
    }
    case 'ratio': {
      const change = meanNew - meanBase;
      const worthIt = Math.abs(change) >= COMPARISON_RULE.minFailureChange && (meanBase === 0 || Math.abs(change) / meanBase >= COMPARISON_RULE.minChange);
      return { change, worthIt, worse: change > 0 };
    }
  }
}

/**
 * Compares one metric. `shift` (log scale, time metrics of endpoints only) is the change common to every endpoint of the
 * run: a time is then regressed or improved only when it changed against the baseline *and* stands out from that common
 * change, both significantly and by at least minChange (see commonShifts).
 */
function compareMetric(metric: ComparedMetric, base: Side, next: Side, decides: boolean, shift = 0): MetricComparison {
  const baseValue = wholeValue(metric, base);
  const newValue = wholeValue(metric, next);
  const a = samplesOf(metric, base);
  const b = samplesOf(metric, next);
  const result: MetricComparison = {
    base: baseValue,
    new: newValue,
    delta: baseValue !== null && newValue !== null ? newValue - baseValue : null,
    relative: baseValue !== null && newValue !== null && baseValue > 0 ? newValue / baseValue - 1 : null,
    change: null,
    pValue: null,
    samples: { base: a.length, new: b.length },
    verdict: 'notEnoughData',
    decides,
    commonChange: shift === 0 ? null : Math.exp(shift) - 1,
  };
  if (a.length < COMPARISON_RULE.minSamples || b.length < COMPARISON_RULE.minSamples) return result;
  const { meanA, meanB, pValue } = welchTest(a, b);
  const { change, worthIt, worse } = judgeChange(KIND[metric], meanA, meanB);
  result.change = Number.isFinite(change) ? change : null;
  result.pValue = pValue;
  const significant = pValue < 1 - COMPARISON_RULE.confidence;
  result.verdict = significant && worthIt ? (worse ? 'regressed' : 'improved') : 'noChange';
  if (result.verdict !== 'noChange' && shift !== 0) {
    // Against the common change: the same test with the new run's samples moved back by it, the same floor.
    const apart = welchTest(a, b.map((x) => x - shift));
    const standsOut = judgeChange('time', apart.meanA, apart.meanB);
    if (!(apart.pValue < 1 - COMPARISON_RULE.confidence && standsOut.worthIt && standsOut.worse === worse)) result.verdict = 'noChange';
  }
  return result;
}

/** Fewest endpoints judged on a time metric for their common change to be estimated (with fewer, none is assumed). */
const COMMON_SHIFT_MIN_ENDPOINTS = 3;

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The change common to the endpoints, per time metric, on the log scale: the median of their changes (mean log sample,
 * new − baseline) among endpoints with enough samples. A load test's runs drift together — a busier machine or network
 * makes every request slower — and an endpoint is a regression only when it stands out from that drift; a change of the
 * whole run is judged on the aggregate, which is compared without it.
 */
function commonShifts(pairs: [Side, Side][]): Record<ComparedQuantile, number> {
  const shifts = { p50: 0, p95: 0, p99: 0 };
  for (const metric of QUANTILE_KEYS) {
    const changes: number[] = [];
    for (const [base, next] of pairs) {
      const a = samplesOf(metric, base);
      const b = samplesOf(metric, next);
      if (a.length >= COMPARISON_RULE.minSamples && b.length >= COMPARISON_RULE.minSamples) changes.push(mean(b) - mean(a));
    }
    if (changes.length >= COMMON_SHIFT_MIN_ENDPOINTS) shifts[metric] = median(changes);
  }
  return shifts;
}

/** The endpoint's verdict from the metrics that decide it. */
function endpointVerdict(metrics: MetricComparison[]): EndpointVerdict {
  const deciding = metrics.filter((m) => m.decides).map((m) => m.verdict);
  if (deciding.includes('regressed')) return 'regressed';
  if (deciding.includes('improved')) return 'improved';
  if (deciding.includes('noChange')) return 'noChange';
  return 'notEnoughData';
}

function compareEndpoint(base: Side, next: Side, aggregate: boolean, shifts?: Record<ComparedQuantile, number>): EndpointComparison {
  const e = (next.e ?? base.e)!;
  const metrics = {} as Record<ComparedMetric, MetricComparison>;
  for (const metric of [...QUANTILE_KEYS, 'rps', 'failPercent'] as const) {
    const shift = shifts && metric !== 'rps' && metric !== 'failPercent' ? shifts[metric] : 0;
    metrics[metric] = compareMetric(metric, base, next, metric !== 'rps' || aggregate, shift);
  }
  return {
    method: e.method,
    name: e.name,
    verdict: endpointVerdict(Object.values(metrics)),
    metrics,
    requests: { base: base.e ? sum(base.e.requests, base.used) : 0, new: next.e ? sum(next.e.requests, next.used) : 0 },
  };
}

// ---- the comparison

/** A run to compare: its batches, and what its record says about it (absent for a live run not recorded). */
export interface RunForComparison {
  batches: RunBatchesData;
  meta?: RunMeta;
  options?: RecordedOptions;
  dir?: string;
  /** The batches were computed from ticks.jsonl (no batches.json). */
  fromTicks?: boolean;
  /** Caveats found while loading it (a batches.json that could not be read). */
  notes?: string[];
  /** A run still going on: its record has no outcome yet (it reads `incomplete` until it ends). */
  live?: boolean;
}

/** A run as a comparison describes it (its record's facts and its aggregate over time). */
export function describeRun(run: RunForComparison): ComparedRun {
  const { batches, meta, options } = run;
  const used = usedBatches(batches);
  const offset = meta && batches.origin > meta.startedAt ? (batches.origin - meta.startedAt) / 1000 : 0;
  return {
    dir: run.dir ?? '',
    id: meta?.id ?? '',
    startedAt: meta?.startedAt ?? batches.origin,
    locustfile: options?.locustfile ?? null,
    host: options?.host || meta?.host || null,
    users: Math.max(0, ...batches.users) || (options?.users ?? null),
    userClasses: [...(options?.userClasses?.length ? options.userClasses : (meta?.userClasses ?? []))].sort(),
    runTime: options?.runTime ?? null,
    locustVersion: meta?.locustVersion || meta?.interpreter?.locustVersion || null,
    outcome: run.live ? null : (meta?.outcome ?? null),
    seconds: sum(batches.seconds, used),
    batchSeconds: batches.width,
    steadyOnly: batches.steadyOnly,
    fromHistograms: batches.fromHistograms,
    fromTicks: run.fromTicks ?? false,
    series: {
      // From the run's start, as the panel's series are (Locust's first statistics come a second or two after it).
      elapsed: batches.seconds.map((_, i) => offset + (i + 0.5) * batches.width),
      rps: batches.seconds.map((seconds, i) => (seconds > 0 ? batches.aggregate.requests[i]! / seconds : 0)),
      p95: batches.aggregate.p95ByBatch ?? batches.seconds.map(() => null),
    },
  };
}

/** Why the two runs may not be comparable (a note each, never a refusal), and other caveats. */
function notesOn(base: ComparedRun, next: ComparedRun, runs: [RunForComparison, RunForComparison]): string[] {
  const notes: string[] = [];
  const differs = (what: string, a: string | null, b: string | null) => {
    if (a !== null && b !== null && a !== b) notes.push(`Different ${what}: ${a} (baseline) and ${b} (new).`);
  };
  differs('locustfile', base.locustfile, next.locustfile);
  differs('host', base.host, next.host);
  differs('users', base.users === null ? null : String(base.users), next.users === null ? null : String(next.users));
  differs('User classes', base.userClasses.join(', ') || null, next.userClasses.join(', ') || null);
  const runTime = (r: ComparedRun) => (r.runTime === null ? null : `${parseDuration(r.runTime) ?? r.runTime} s`);
  differs('run time', runTime(base), runTime(next));
  differs('Locust version', base.locustVersion, next.locustVersion);
  for (const [label, run, input] of [['baseline', base, runs[0]], ['new run', next, runs[1]]] as const) {
    if (run.outcome !== null && run.outcome !== 'finished') notes.push(`The ${label} did not finish (${run.outcome}): it is compared on what it recorded.`);
    if (!run.fromHistograms) notes.push(`The ${label} has no window histograms (an older or attached run): its p50/p95/p99 are approximated from each window's own percentiles.`);
    if (!run.steadyOnly && run.seconds > 0) notes.push(`The ${label} has fewer than ${COMPARISON_RULE.minSamples} batches without a ramp: its ramp is included.`);
    if (input.batches.leftOut > 0) notes.push(`The ${label} had more endpoints than are compared: ${input.batches.leftOut} were left out.`);
    for (const note of input.notes ?? []) notes.push(`The ${label}: ${note}`);
  }
  return notes;
}

/** Compares a new run with a baseline, from their batches (pure: no files read). */
export function compareBatches(base: RunForComparison, next: RunForComparison): Comparison {
  const baseUsed = usedBatches(base.batches);
  const newUsed = usedBatches(next.batches);
  const side = (run: RunForComparison, used: boolean[], e: EndpointBatches | undefined): Side => ({ run: run.batches, used, e });
  const baseEndpoints = new Map(base.batches.endpoints.map((e) => [endpointKey(e), e]));
  const newEndpoints = new Map(next.batches.endpoints.map((e) => [endpointKey(e), e]));
  const pairs: [Side, Side][] = [];
  const onlyInNew: EndpointOnlyInOne[] = [];
  for (const [key, e] of newEndpoints) {
    const b = baseEndpoints.get(key);
    if (b) pairs.push([side(base, baseUsed, b), side(next, newUsed, e)]);
    else onlyInNew.push({ method: e.method, name: e.name, requests: sum(e.requests, newUsed) });
  }
  const shifts = commonShifts(pairs);
  const endpoints = pairs.map(([b, n]) => compareEndpoint(b, n, false, shifts));
  const onlyInBase: EndpointOnlyInOne[] = [];
  for (const [key, e] of baseEndpoints) if (!newEndpoints.has(key)) onlyInBase.push({ method: e.method, name: e.name, requests: sum(e.requests, baseUsed) });
  endpoints.sort(locustOrder);
  onlyInBase.sort(locustOrder);
  onlyInNew.sort(locustOrder);
  const aggregate = compareEndpoint(side(base, baseUsed, base.batches.aggregate), side(next, newUsed, next.batches.aggregate), true);
  const verdict: ComparisonVerdict =
    aggregate.verdict === 'regressed' || endpoints.some((e) => e.verdict === 'regressed') ? 'regressed' : aggregate.verdict === 'notEnoughData' ? 'inconclusive' : 'ok';
  const baseRun = describeRun(base);
  const newRun = describeRun(next);
  const notes = notesOn(baseRun, newRun, [base, next]);
  const together = QUANTILE_KEYS.filter((m) => Math.abs(shifts[m]) >= Math.log(1 + COMPARISON_RULE.minChange)).map((m) => {
    const change = 100 * (Math.exp(shifts[m]) - 1);
    return `${m} ${change >= 0 ? '+' : '−'}${Math.abs(change).toFixed(0)} %`;
  });
  if (together.length) {
    notes.push(
      `Every endpoint changed together (median ${together.join(', ')}): a change of the whole run — the machine's or network's load, or something every request goes through — is judged on the aggregate; an endpoint only when it stands out from it.`,
    );
  }
  return { verdict, rule: COMPARISON_RULE, base: baseRun, new: newRun, aggregate, endpoints, onlyInBase, onlyInNew, notes };
}

/**
 * A record folder ready to compare: its batches.json, or (an older, crashed or running record, or a batches.json this
 * version cannot read) its ticks replayed. Reads only; never writes into the folder. Throws a one-line reason for a folder
 * that is missing, is not a record, or is a record of a newer format.
 */
export async function loadRunForComparison(dir: string): Promise<RunForComparison> {
  const { meta, options } = await loadRecordHead(dir);
  const notes: string[] = [];
  const text = await readFile(path.join(dir, RUN_BATCHES_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') notes.push(`${RUN_BATCHES_FILE} could not be read (${error.code ?? error.message}); computed from ticks.jsonl instead.`);
    return undefined;
  });
  if (text !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      notes.push(`${RUN_BATCHES_FILE} is not JSON (cut short?); computed from ticks.jsonl instead.`);
    }
    if (raw !== undefined) {
      const parsed = parseRunBatches(raw);
      if (parsed.ok) return { batches: parsed.value, meta, options, dir, fromTicks: false };
      notes.push(`${parsed.error}; computed from ticks.jsonl instead.`);
    }
  }
  const record = await loadRunRecord(dir);
  return { batches: batchesOfTicks(record.ticks).snapshot(), meta, options, dir, fromTicks: true, notes };
}

/** Compares the run recorded in `newDir` with the baseline in `baseDir`. */
export async function compareRecords(baseDir: string, newDir: string): Promise<Comparison> {
  const [base, next] = await Promise.all([loadRunForComparison(baseDir), loadRunForComparison(newDir)]);
  return compareBatches(base, next);
}
