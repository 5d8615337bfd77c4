// Cuts a run into time batches tick by tick (per endpoint and for the aggregate), in bounded memory: what comparing runs reads.
import { COMPARED_QUANTILES, COMPARISON_RULE, minRequestsFor, QUANTILE_KEYS, RUN_BATCHES_FORMAT, type EndpointBatches, type RunBatchesData } from '../protocol/compare';
import { MAX_COMPARED_ENDPOINTS } from '../protocol/limits';
import { endpointKey, type BridgeMessage, type EndpointStats } from '../protocol/runner';
import { flatHistogramPercentile, flatHistogramTotal, mergeFlatHistograms } from './responseTimes';

type Tick = Extract<BridgeMessage, { type: 'tick' }>;

const QUANTILES = QUANTILE_KEYS.map((key) => COMPARED_QUANTILES[key]);

/** What one endpoint did in one batch. */
interface Batch {
  requests: number;
  failures: number;
  /** The batch's window histograms merged, flat ([ms, count, …], ascending). */
  histogram: number[];
  /** Windows with requests but no histogram (attached runs, older records): then the windows' own percentiles stand in. */
  withoutHistogram: number;
  /** Per compared quantile: Σ requests × log(window quantile + 1), and Σ requests, over windows that had that quantile. */
  logSum: number[];
  logWeight: number[];
}

/** What a group adds up: a batch, or another group. */
type Part = Pick<Batch, 'requests' | 'histogram' | 'withoutHistogram' | 'logSum' | 'logWeight'>;

function emptyBatch(): Batch {
  return { requests: 0, failures: 0, histogram: [], withoutHistogram: 0, logSum: [0, 0, 0], logWeight: [0, 0, 0] };
}

function mergeBatches(a: Batch | undefined, b: Batch | undefined): Batch | undefined {
  if (!a || !b) return a ?? b;
  return {
    requests: a.requests + b.requests,
    failures: a.failures + b.failures,
    histogram: mergeFlatHistograms(a.histogram, b.histogram),
    withoutHistogram: a.withoutHistogram + b.withoutHistogram,
    logSum: a.logSum.map((s, k) => s + b.logSum[k]!),
    logWeight: a.logWeight.map((w, k) => w + b.logWeight[k]!),
  };
}

/** A group of batches as one: its requests, its merged histogram, its fallback sums. */
class Group {
  requests = 0;
  histogram: number[] = [];
  withoutHistogram = 0;
  readonly logSum = [0, 0, 0];
  readonly logWeight = [0, 0, 0];

  add(b: Part): void {
    this.requests += b.requests;
    this.histogram = mergeFlatHistograms(this.histogram, b.histogram);
    this.withoutHistogram += b.withoutHistogram;
    for (let k = 0; k < 3; k++) {
      this.logSum[k]! += b.logSum[k]!;
      this.logWeight[k]! += b.logWeight[k]!;
    }
  }

  /**
   * Quantile k (index into QUANTILE_KEYS) in ms: Locust's percentile walk over the merged histogram when every window had
   * one; else the request-weighted geometric mean of the windows' own quantiles (an approximation older records allow).
   */
  quantile(k: number): number | null {
    if (this.requests === 0) return null;
    if (this.withoutHistogram === 0 && this.histogram.length > 0) return flatHistogramPercentile(this.histogram, QUANTILES[k]!, flatHistogramTotal(this.histogram));
    const weight = this.logWeight[k]!;
    return weight > 0 ? Math.exp(this.logSum[k]! / weight) - 1 : null;
  }
}

class EndpointBatchesBuilder {
  readonly batches: (Batch | undefined)[] = [];
  constructor(
    readonly method: string,
    readonly name: string,
  ) {}

  add(e: EndpointStats, index: number): boolean {
    const w = e.window;
    if (w.requests === 0 && w.failures === 0) return false;
    const b = (this.batches[index] ??= emptyBatch());
    b.requests += w.requests;
    b.failures += w.failures;
    if (w.requests === 0) return false;
    if (w.histogram && w.histogram.length > 0) b.histogram = mergeFlatHistograms(b.histogram, w.histogram);
    else b.withoutHistogram++;
    const values = [w.p50, w.p95, w.p99];
    for (let k = 0; k < 3; k++) {
      const value = values[k];
      if (value === null || value === undefined) continue;
      b.logSum[k]! += w.requests * Math.log(value + 1);
      b.logWeight[k]! += w.requests;
    }
    return b.withoutHistogram > 0;
  }

  halve(): void {
    const merged: (Batch | undefined)[] = [];
    for (let i = 0; i < this.batches.length; i += 2) merged.push(mergeBatches(this.batches[i], this.batches[i + 1]));
    this.batches.length = 0;
    this.batches.push(...merged);
  }

  snapshot(count: number, used: boolean[], withChart: boolean): EndpointBatches {
    const requests: number[] = [];
    const failures: number[] = [];
    const whole = new Group();
    for (let i = 0; i < count; i++) {
      const b = this.batches[i];
      requests.push(b?.requests ?? 0);
      failures.push(b?.failures ?? 0);
      if (b && used[i]) whole.add(b);
    }
    const samples = QUANTILE_KEYS.map((_, k) => this.samples(k, count, used));
    return {
      method: this.method,
      name: this.name,
      requests,
      failures,
      p50: whole.quantile(0),
      p95: whole.quantile(1),
      p99: whole.quantile(2),
      samples: { p50: samples[0]!, p95: samples[1]!, p99: samples[2]! },
      ...(withChart && {
        p95ByBatch: Array.from({ length: count }, (_, i) => {
          const group = new Group();
          const b = this.batches[i];
          if (b) group.add(b);
          return group.quantile(1);
        }),
      }),
    };
  }

  /**
   * Quantile k of each group of consecutive used batches that has enough requests for it (minRequestsFor); a last group
   * short of requests joins the one before it.
   */
  private samples(k: number, count: number, used: boolean[]): number[] {
    const need = minRequestsFor(QUANTILES[k]!);
    const groups: Group[] = [];
    let open = new Group();
    for (let i = 0; i < count; i++) {
      const b = this.batches[i];
      if (!b || !used[i] || b.requests === 0) continue;
      open.add(b);
      if (open.requests >= need) {
        groups.push(open);
        open = new Group();
      }
    }
    if (open.requests > 0) groups.at(-1)?.add(open);
    return groups.flatMap((g) => {
      const value = g.quantile(k);
      return value === null ? [] : [value];
    });
  }
}

/**
 * A run cut into batches of elapsed time, fed one tick at a time (`apply`, cheap: one histogram merge per changed endpoint)
 * and read at any moment (`snapshot`): by the recorder at the end of a run (batches.json), for a record without that file
 * (its ticks replayed), and live, for a running test compared with a baseline. Memory is bounded: at most
 * COMPARISON_RULE.maxBatches batches (when full, neighbours merge and the width doubles) and MAX_COMPARED_ENDPOINTS endpoints.
 */
export class RunBatches {
  private origin: number | undefined;
  private width: number;
  private readonly seconds: number[] = [];
  private readonly unsteadyTicks: number[] = [];
  private readonly users: number[] = [];
  private readonly aggregate = new EndpointBatchesBuilder('', 'Aggregated');
  private readonly endpoints = new Map<string, EndpointBatchesBuilder>();
  private readonly leftOut = new Set<string>();
  private withoutHistogram = false;
  /** The most users that ran at once, over every tick. */
  peakUsers = 0;
  ticks = 0;

  constructor(
    private readonly limits: { maxBatches?: number; maxEndpoints?: number; firstBatchSeconds?: number } = {},
  ) {
    this.width = limits.firstBatchSeconds ?? COMPARISON_RULE.firstBatchSeconds;
  }

  apply(tick: Tick): void {
    const windowSeconds = tick.total.window.seconds;
    this.origin ??= tick.t - windowSeconds * 1000;
    // The batch of the middle of the tick's window: a window that straddles two batches goes where most of it lies.
    const middle = Math.max(0, (tick.t - this.origin) / 1000 - windowSeconds / 2);
    const maxBatches = this.limits.maxBatches ?? COMPARISON_RULE.maxBatches;
    while (Math.floor(middle / this.width) >= maxBatches) this.halve();
    const index = Math.floor(middle / this.width);
    while (this.seconds.length <= index) {
      this.seconds.push(0);
      this.unsteadyTicks.push(0);
      this.users.push(0);
    }
    this.ticks++;
    this.seconds[index]! += windowSeconds;
    if (tick.state !== 'running') this.unsteadyTicks[index]!++;
    this.users[index] = Math.max(this.users[index]!, tick.userCount);
    this.peakUsers = Math.max(this.peakUsers, tick.userCount);
    if (this.aggregate.add(tick.total, index)) this.withoutHistogram = true;
    const maxEndpoints = this.limits.maxEndpoints ?? MAX_COMPARED_ENDPOINTS;
    for (const e of tick.endpoints) {
      const key = endpointKey(e);
      let builder = this.endpoints.get(key);
      if (!builder) {
        if (this.endpoints.size >= maxEndpoints) {
          // Counted up to the same bound, so that made-up names cannot grow this set either.
          if (this.leftOut.size < maxEndpoints) this.leftOut.add(key);
          continue;
        }
        this.endpoints.set(key, (builder = new EndpointBatchesBuilder(e.method, e.name)));
      }
      if (builder.add(e, index)) this.withoutHistogram = true;
    }
  }

  /** Merges neighbouring batches: half as many, twice as wide. */
  private halve(): void {
    const pairs = <T>(list: T[], merge: (a: T, b: T | undefined) => T) => {
      const merged: T[] = [];
      for (let i = 0; i < list.length; i += 2) merged.push(merge(list[i]!, list[i + 1]));
      list.length = 0;
      list.push(...merged);
    };
    pairs(this.seconds, (a, b) => a + (b ?? 0));
    pairs(this.unsteadyTicks, (a, b) => a + (b ?? 0));
    pairs(this.users, (a, b) => Math.max(a, b ?? 0));
    this.aggregate.halve();
    for (const builder of this.endpoints.values()) builder.halve();
    this.width *= 2;
  }

  /**
   * The batches so far. The steady batches (every tick `running`: no spawning ramp) are used when there are at least
   * COMPARISON_RULE.minSamples of them, else every batch with statistics.
   */
  snapshot(): RunBatchesData {
    const count = this.seconds.length;
    const steady = this.seconds.map((s, i) => s > 0 && this.unsteadyTicks[i] === 0);
    const steadyOnly = steady.filter(Boolean).length >= COMPARISON_RULE.minSamples;
    const used = usedBatches({ seconds: this.seconds, steady, steadyOnly });
    return {
      format: RUN_BATCHES_FORMAT,
      origin: this.origin ?? 0,
      width: this.width,
      seconds: [...this.seconds],
      steady,
      users: [...this.users],
      steadyOnly,
      fromHistograms: !this.withoutHistogram,
      leftOut: this.leftOut.size,
      aggregate: this.aggregate.snapshot(count, used, true),
      endpoints: [...this.endpoints.values()].map((builder) => builder.snapshot(count, used, false)),
    };
  }
}

/** Which batches a run's statistics are taken from: the steady ones when `steadyOnly`, else every one with statistics. */
export function usedBatches(run: Pick<RunBatchesData, 'seconds' | 'steady' | 'steadyOnly'>): boolean[] {
  return run.seconds.map((s, i) => s > 0 && (!run.steadyOnly || run.steady[i] === true));
}

/** The batches of recorded ticks, replayed through the same accumulator. */
export function batchesOfTicks(ticks: Iterable<Tick>): RunBatches {
  const batches = new RunBatches();
  for (const tick of ticks) batches.apply(tick);
  return batches;
}
