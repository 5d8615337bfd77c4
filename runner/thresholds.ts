// Judges a run's thresholds from the bridge's messages, live at every tick and at the end: the one evaluator behind every verdict.
import { formatDuration } from '../protocol/duration';
import { PERCENTILES, type BridgeMessage, type EndpointStats } from '../protocol/runner';
import {
  formatThresholdValue,
  METRIC_INFO,
  METRIC_QUANTILE,
  verdictOutcome,
  type Threshold,
  type ThresholdMetric,
  type ThresholdOp,
  type ThresholdScope,
  type ThresholdState,
  type ThresholdStatus,
  type Verdict,
} from '../protocol/thresholds';
import { ResponseTimeHistogram } from './responseTimes';

export { ResponseTimeHistogram } from './responseTimes';

/*
 * What each kind of threshold is judged on. "Report" below is a tick or the final statistics; "elapsed" is seconds since
 * the run's start (`startedAt`, the same origin as the panel's time axis).
 *
 * Scopes. No scope: Locust's "Aggregated" row (`total`). `GET /x`: that endpoint. `/x` without a method: every method
 * with that name, combined exactly — counts, failures and response-time sums are added, max is the largest. Cumulative
 * percentiles cannot be combined from per-method percentiles, but the combined one provably lies between the smallest
 * and the largest of them (Locust's own percentile walk over the union of histograms), so the threshold is judged when
 * both bounds agree and is `unknown` ("name the method") when they straddle the limit. Windowed and after-warm-up
 * percentiles merge histograms and are exact. A scope with no request ever is `unknown` at the end, never passed.
 *
 * Whole run (no `over`, no `after`): the scope's cumulative statistics, i.e. since Locust's statistics last started (a
 * reset, seen as counts going down, restarts them, as in Locust's own report). pXX is Locust's cumulative percentile
 * (`percentiles` at 0.5, 0.9, 0.95, 0.99), avg = totalResponseTime / requests, max = maxResponseTime, fail_ratio =
 * failures / requests. Rates live are count / seconds since the statistics started (estimated from tick times: live
 * rates are indicative); at the end they are exactly Locust's Requests/s and Failures/s: count / (lastRequestTime -
 * startTime), 0 when that difference is 0 or there was no request. Live state: `pending` until the scope had a request,
 * then `holding` or `failing`; `max <`/`<=` once crossed can never recover and is `failed` for good. At the end `passed`
 * or `failed` from the final statistics.
 *
 * After a warm-up (`after W`, no `over`): `pending` until the first report at or after W elapsed seconds (for a scope,
 * the first such report that left no changed endpoint out, so that nothing reported later happened before it: the
 * bridge caps changed endpoints per tick); what happened after that report is judged, summed from report to report:
 * counts and response-time sums from the differences of cumulative statistics, percentiles and max from the merged
 * window histograms (Locust's rounded response times and its percentile walk; max is the slowest rounded time, Locust's
 * "100%" column, since Locust keeps no exact maximum per window). Rates divide by the seconds between that report and
 * the latest one (the final one at the end). A stats reset does not restart it: it judges what happened after the
 * warm-up. Without histograms (attached runs, older records) percentiles and max are `unknown`, never approximated.
 * A run that ends before the warm-up is over gives `unknown`.
 *
 * Windowed (`over N`, optionally after W): at every report after the warm-up (and at the final statistics), the window
 * made of the whole tick intervals ending there that span N seconds to within half an interval; rates from its summed
 * counts over its span, fail_ratio and avg from summed counts, percentiles and max from its merged histograms. A window
 * with no request for a metric that needs one (percentiles, avg, fail_ratio) is not judged. For a scope, a window is
 * judged only when the reports at its start and at its end left no endpoint out (see the cap above); one that could not be judged
 * exactly keeps the threshold from `passed` (it ends `unknown` unless another window failed). Live: `pending`, then
 * `holding` (value: the worst window so far), or `failed` for good at the first window that breaks it (value: that
 * window's, `failedAt` its end). At the end `passed` when at least one window was judged, else `unknown`.
 *
 * `abort`: the first `abort` threshold to be `failed` for good — or, for one without `over`, `failing` after its warm-up
 * — becomes `failed` for good and is reported as `abortedBy`, for the run session to stop the run. The final verdict
 * then fails with `abortedBy`.
 *
 * Verdict: only for a run that completed with final statistics (a crashed run has none: `verdict({ completed: false })`
 * and a run without a `final` message give undefined), and only when there are thresholds. Outcome: `failed` if any
 * threshold failed, else `unknown` if any is unknown, else `passed`.
 */

type TickMessage = Extract<BridgeMessage, { type: 'tick' }>;
type FinalMessage = Extract<BridgeMessage, { type: 'final' }>;

const PERCENTILE_INDEX: Partial<Record<ThresholdMetric, number>> = Object.fromEntries(
  Object.entries(METRIC_QUANTILE).map(([metric, q]) => [metric, (PERCENTILES as readonly number[]).indexOf(q)]),
);

/** Metrics that need response times one by one (histograms) when judged over part of a run. */
function needsHistogram(metric: ThresholdMetric): boolean {
  return metric === 'max' || METRIC_QUANTILE[metric] !== undefined;
}

function holds(op: ThresholdOp, value: number, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
  }
}

/** The worse of two values for this operator (the one closer to breaking it). */
function worse(op: ThresholdOp, a: number, b: number): number {
  return op === '<' || op === '<=' ? Math.max(a, b) : Math.min(a, b);
}

/** What one scope gained in one report: differences of its cumulative statistics, and its window histograms. */
class Delta {
  requests = 0;
  failures = 0;
  responseTime = 0;
  readonly histograms: (readonly number[])[] = [];
  /** Parts of this delta that had requests but no histogram (attached runs, older records). */
  withoutHistogram = 0;
  constructor(readonly at: number) {}
}

/** Sums of deltas (after a warm-up, or in a window). */
class Sums {
  requests = 0;
  failures = 0;
  responseTime = 0;
  withoutHistogram = 0;
  readonly histogram = new ResponseTimeHistogram();

  add(d: Delta, sign: 1 | -1): void {
    this.requests += sign * d.requests;
    this.failures += sign * d.failures;
    this.responseTime += sign * d.responseTime;
    this.withoutHistogram += sign * d.withoutHistogram;
    for (const h of d.histograms) this.histogram.add(h, sign);
  }

  /** The metric over these sums; `seconds` is the time they span. null when there is nothing to measure. */
  value(metric: ThresholdMetric, seconds: number): number | null {
    switch (metric) {
      case 'rps':
        return seconds > 0 ? this.requests / seconds : null;
      case 'failures_per_s':
        return seconds > 0 ? this.failures / seconds : null;
      case 'fail_ratio':
        return this.requests > 0 ? this.failures / this.requests : null;
      case 'avg':
        return this.requests > 0 ? this.responseTime / this.requests : null;
      case 'max':
        return this.histogram.percentile(1);
      default:
        return this.histogram.percentile(METRIC_QUANTILE[metric]!);
    }
  }
}

/** One watched scope: its latest cumulative statistics (per method) and what it gained in the current report. */
class ScopeFeed {
  /** Latest cumulative statistics by method ('' for the aggregate). */
  readonly latest = new Map<string, EndpointStats>();
  /** What the current report added; undefined when the scope did not change in it. */
  delta: Delta | undefined;
  /** Whether any request of this scope was ever reported. */
  made = false;
  /** Methods the final statistics carried (the bridge may leave the least requested out of a huge final message). */
  finalMethods: Set<string> | undefined;
  readonly label: string;

  constructor(readonly scope: ThresholdScope | null) {
    this.label = scope ? (scope.method ? `${scope.method} ${scope.name}` : scope.name) : 'all requests';
  }

  /** Folds one entry in; returns whether the counts went down (Locust's statistics were reset). */
  absorb(e: EndpointStats, at: number): boolean {
    const previous = this.latest.get(e.method);
    const reset = previous !== undefined && (e.requests < previous.requests || e.failures < previous.failures);
    // The bridge's own rule for a window's base: after a reset everything counted is new.
    const base = previous === undefined || reset ? undefined : previous;
    const requests = e.requests - (base?.requests ?? 0);
    const d = (this.delta ??= new Delta(at));
    d.requests += requests;
    d.failures += e.failures - (base?.failures ?? 0);
    d.responseTime += e.totalResponseTime - (base?.totalResponseTime ?? 0);
    if (requests > 0) {
      const histogram = e.window.histogram;
      if (histogram) d.histograms.push(histogram);
      else d.withoutHistogram++;
    }
    this.latest.set(e.method, e);
    this.finalMethods?.add(e.method);
    if (e.requests > 0 || e.failures > 0) this.made = true;
    return reset;
  }

  /** The final statistics left out a method of this scope that had requests. */
  leftOutOfFinal(): boolean {
    if (!this.finalMethods) return false;
    for (const [method, e] of this.latest) if (e.requests > 0 && !this.finalMethods.has(method)) return true;
    return false;
  }
}

/** One report (tick or final) as the judges see it. */
interface Report {
  index: number;
  t: number;
  elapsed: number;
  /** No changed endpoint was left out of this report (always true of the final statistics). */
  complete: boolean;
  final?: FinalMessage;
}

/** What every judge shares: the times of the reports so far, and the run's abort. */
class Context {
  /** Report times in epoch ms: [0] is when the first interval began, [k] is report k. */
  readonly ends: number[] = [];
  /** Whether report k left no changed endpoint out ([0]: true). */
  readonly complete: boolean[] = [];
  /** Epoch ms when Locust's statistics (last) started, estimated from tick times. */
  statsStart = 0;
  abortedBy: string | undefined;
  ended = false;

  /** Registers an abort; false when the run is already being aborted or has ended. */
  abort(text: string): boolean {
    if (this.abortedBy !== undefined || this.ended) return false;
    this.abortedBy = text;
    return true;
  }
}

/** The part of a result that is about a value or its absence. */
type Outcome = { value: number | null } | { unknown: string };

abstract class Judge {
  state: ThresholdState = 'pending';
  value: number | null = null;
  reason: string | undefined;
  failedAt: number | undefined;
  protected readonly scoped: boolean;

  constructor(
    readonly threshold: Threshold,
    readonly feed: ScopeFeed,
  ) {
    this.scoped = threshold.scope !== null;
  }

  abstract update(report: Report, context: Context): void;

  /** Why it is pending before the first report. */
  abstract waiting(): string;

  get failedForGood(): boolean {
    return this.state === 'failed';
  }

  status(): ThresholdStatus {
    return {
      text: this.threshold.text,
      state: this.state,
      value: this.value,
      ...(this.reason !== undefined && { reason: this.reason }),
      ...(this.failedAt !== undefined && { failedAt: this.failedAt }),
    };
  }

  protected set(state: ThresholdState, value: number | null, reason?: string): void {
    this.state = state;
    this.value = value;
    this.reason = reason;
  }

  protected failForGood(value: number | null, report: Report, context: Context, reason?: string): void {
    this.set('failed', value, reason);
    this.failedAt = report.elapsed;
    if (this.threshold.abort && !report.final && context.abort(this.threshold.text)) this.reason = reason ?? 'the run was stopped early by this threshold';
  }

  /** A live or final judgement of a value that may still recover (whole-run and after-warm-up thresholds). */
  protected judge(outcome: Outcome, report: Report, context: Context, pendingReason: string, unknownReason: string): void {
    const { metric, op, value: limit } = this.threshold;
    if ('unknown' in outcome) return this.set('unknown', null, outcome.unknown);
    const value = outcome.value;
    if (value === null) return report.final ? this.set('unknown', null, unknownReason) : this.set('pending', null, pendingReason);
    if (holds(op, value, limit)) return this.set(report.final ? 'passed' : 'holding', value);
    // Judged on the run as a whole: no moment of failure to name (failedAt is for windows, maxima and aborts).
    if (report.final) return this.set('failed', value);
    // A maximum only grows: once above the limit it can never come back under it.
    if ((metric === 'max' && (op === '<' || op === '<=')) || this.threshold.abort) return this.failForGood(value, report, context);
    this.set('failing', value);
  }

  protected noRequestReason(): string {
    return this.threshold.scope ? `no request named ${this.feed.label} was made` : 'no request was made';
  }
}

/** Whole-run threshold: cumulative statistics of its scope. */
class WholeRunJudge extends Judge {
  waiting(): string {
    return this.threshold.scope ? `no request named ${this.feed.label} yet` : 'no request yet';
  }

  update(report: Report, context: Context): void {
    if (this.failedForGood) return;
    if (!this.feed.made) return report.final ? this.set('unknown', null, this.noRequestReason()) : this.set('pending', null, this.waiting());
    if (report.final && this.feed.leftOutOfFinal()) {
      return this.set('unknown', null, `the final statistics left ${this.feed.label} out (too many endpoints for one message)`);
    }
    const since = this.threshold.scope ? ` to ${this.feed.label}` : '';
    this.judge(this.measure(report, context), report, context, `no request${since} since the statistics were reset`, `no request${since} since the statistics were reset`);
  }

  private measure(report: Report, context: Context): Outcome {
    const { metric, op, value: limit } = this.threshold;
    let requests = 0;
    let failures = 0;
    let responseTime = 0;
    let max = 0;
    let low = Infinity;
    let high = -Infinity;
    let methods = 0;
    const index = PERCENTILE_INDEX[metric];
    for (const e of this.feed.latest.values()) {
      requests += e.requests;
      failures += e.failures;
      responseTime += e.totalResponseTime;
      max = Math.max(max, e.maxResponseTime);
      if (index !== undefined && e.requests > 0) {
        const p = e.percentiles[index];
        if (p !== null && p !== undefined) {
          low = Math.min(low, p);
          high = Math.max(high, p);
          methods++;
        }
      }
    }
    switch (metric) {
      case 'avg':
        return { value: requests > 0 ? responseTime / requests : null };
      case 'max':
        return { value: requests > 0 ? max : null };
      case 'fail_ratio':
        return { value: requests > 0 ? failures / requests : null };
      case 'rps':
      case 'failures_per_s': {
        const count = metric === 'rps' ? requests : failures;
        const final = report.final;
        if (!final) {
          const seconds = (report.t - context.statsStart) / 1000;
          return { value: requests > 0 && seconds > 0 ? count / seconds : null };
        }
        // Locust's total_rps / total_fail_per_sec: every entry divides by the same global times; 0 when there are none.
        if (final.startTime && final.lastRequestTime) {
          const seconds = final.lastRequestTime - final.startTime;
          return { value: seconds > 0 ? count / seconds : 0 };
        }
        if (count === 0) return { value: 0 };
        return { unknown: 'the final statistics carry no start and last request times (an attached run or an older record): Locust’s rate cannot be computed' };
      }
      default: {
        if (methods === 0) return { value: null };
        if (low === high || holds(op, low, limit) === holds(op, high, limit)) {
          // Both bounds on the same side decide it; the value shown is the one that decides (the worse when it holds).
          const holding = holds(op, worse(op, low, high), limit);
          return { value: holding ? worse(op, low, high) : low === worse(op, low, high) ? high : low };
        }
        const named = [...this.feed.latest].filter(([, e]) => e.requests > 0).map(([method]) => method).sort();
        const methodsText = `${named.slice(0, -1).join(', ')} and ${named.at(-1)!}`;
        return {
          unknown:
            `${methodsText} ${this.threshold.scope?.name ?? ''} together: their combined ${metric} lies between ` +
            `${formatThresholdValue(metric, low)} and ${formatThresholdValue(metric, high)}; name the method to judge it exactly`,
        };
      }
    }
  }
}

/** Whole-run threshold after a warm-up: what happened after the first report past the warm-up. */
class AfterWarmupJudge extends Judge {
  private boundary: { index: number; t: number } | undefined;
  private readonly sums = new Sums();
  private readonly warmup = formatDuration(this.threshold.warmupSeconds!);

  waiting(): string {
    return `warm-up: judged after ${this.warmup}`;
  }

  update(report: Report, context: Context): void {
    if (this.boundary === undefined) {
      if (!report.final && report.elapsed >= this.threshold.warmupSeconds! && (report.complete || !this.scoped)) {
        this.boundary = { index: report.index, t: report.t };
      } else if (report.final) {
        return this.set('unknown', null, `the run ended before the ${this.warmup} warm-up was over`);
      }
      return this.set('pending', null, this.waiting());
    }
    if (this.feed.delta) this.sums.add(this.feed.delta, 1);
    if (this.failedForGood) return;
    if (report.final && !this.feed.made) return this.set('unknown', null, this.noRequestReason());
    const metric = this.threshold.metric;
    if (needsHistogram(metric) && this.sums.withoutHistogram > 0) {
      return this.set('unknown', null, `these statistics carry no window histograms (an attached run or an older record): ${metric} after a warm-up cannot be judged exactly`);
    }
    const seconds = (report.t - this.boundary.t) / 1000;
    const counted = METRIC_INFO[metric].kind === 'rate' && this.sums.requests === 0 && !report.final ? null : this.sums.value(metric, seconds);
    const after = this.threshold.scope ? ` to ${this.feed.label}` : '';
    const none = this.feed.made ? `no request${after} after the ${this.warmup} warm-up` : this.noRequestReason();
    this.judge({ value: counted }, report, context, `no request${after} since the warm-up yet`, none);
  }
}

/** Windowed threshold: every full window of N seconds ending at a report after the warm-up. */
class WindowJudge extends Judge {
  private boundary: number | undefined;
  /** First report index whose interval is in the window. */
  private start = 1;
  private readonly queue: Delta[] = [];
  private head = 0;
  private readonly sums = new Sums();
  private judged = 0;
  private fullWindows = 0;
  private skipped = 0;
  private noHistogram = false;
  private worst: number | null = null;
  private readonly windowMs = this.threshold.windowSeconds! * 1000;
  private readonly window = formatDuration(this.threshold.windowSeconds!);
  private readonly afterWarmup = this.threshold.warmupSeconds ? ` after the ${formatDuration(this.threshold.warmupSeconds)} warm-up` : '';

  waiting(): string {
    return `waiting for a full ${this.window} window${this.afterWarmup}`;
  }

  update(report: Report, context: Context): void {
    const warmup = this.threshold.warmupSeconds;
    if (this.boundary === undefined) {
      if (!warmup) this.boundary = 0;
      else if (!report.final && report.elapsed >= warmup) this.boundary = report.index;
      if (this.boundary === undefined || this.boundary === report.index) return this.settle(report);
    }
    if (this.failedForGood) return;
    const { ends, complete } = context;
    const k = report.index;
    if (this.feed.delta) {
      this.queue.push(this.feed.delta);
      this.sums.add(this.feed.delta, 1);
    }
    // Whole intervals only: the window spans N seconds to within half an interval (the longer of the last two, since
    // the final statistics usually close a short one).
    const tolerance = Math.max(ends[k]! - ends[k - 1]!, k > 1 ? ends[k - 1]! - ends[k - 2]! : 0) / 2;
    this.start = Math.max(this.start, this.boundary + 1);
    while (this.start <= k && ends[k]! - ends[this.start - 1]! > this.windowMs + tolerance) this.start++;
    while (this.head < this.queue.length && this.queue[this.head]!.at < this.start) this.sums.add(this.queue[this.head++]!, -1);
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    const span = ends[k]! - ends[this.start - 1]!;
    // Nothing is judged before the scope's first request (a window of a misspelt endpoint must not pass or fail).
    if (this.feed.made && this.start <= k && span >= this.windowMs - tolerance) {
      this.fullWindows++;
      // Exact only when neither the report before the window nor the one ending it left a changed endpoint out.
      if (this.scoped && !(complete[this.start - 1] && report.complete)) this.skipped++;
      else this.judgeWindow(report, context, span / 1000);
    }
    this.settle(report);
  }

  private judgeWindow(report: Report, context: Context, seconds: number): void {
    const { metric, op, value: limit } = this.threshold;
    if (needsHistogram(metric) && this.sums.withoutHistogram > 0) {
      this.noHistogram = true;
      return;
    }
    const value = this.sums.value(metric, seconds);
    if (value === null) return;
    this.judged++;
    if (!holds(op, value, limit)) {
      this.failForGood(value, report, context, `in the ${this.window} window ending at ${formatDuration(Math.round(report.elapsed * 10) / 10)}`);
      return;
    }
    this.worst = this.worst === null ? value : worse(op, this.worst, value);
  }

  /** The state from what was judged so far (live) or in all (final). */
  private settle(report: Report): void {
    if (this.failedForGood) return;
    const warmup = this.afterWarmup;
    if (this.noHistogram) {
      return this.set('unknown', null, `these statistics carry no window histograms (an attached run or an older record): ${this.threshold.metric} over a window cannot be judged exactly`);
    }
    if (this.skipped > 0 && (report.final || this.judged === 0)) {
      return this.set(
        report.final ? 'unknown' : 'pending',
        this.worst,
        `${this.skipped} of ${this.fullWindows} windows of ${this.feed.label} could not be judged exactly: over 500 endpoints changed in some ticks (the bridge's per-tick cap)`,
      );
    }
    if (this.judged > 0) return this.set(report.final ? 'passed' : 'holding', this.worst);
    if (!report.final) return this.set('pending', null, this.waiting());
    let reason: string;
    if (!this.feed.made) reason = this.noRequestReason();
    else if (this.boundary === undefined) reason = `the run ended before the ${formatDuration(this.threshold.warmupSeconds!)} warm-up was over`;
    else if (this.fullWindows === 0) reason = `the run ended before a full ${this.window} window${warmup}`;
    else reason = `no full ${this.window} window${warmup} had a request${this.threshold.scope ? ` to ${this.feed.label}` : ''}`;
    this.set('unknown', null, reason);
  }
}

function sameStatus(a: ThresholdStatus, b: ThresholdStatus): boolean {
  return a.state === b.state && a.value === b.value && a.reason === b.reason && a.failedAt === b.failedAt;
}

/** The thresholds of one run, judged from its bridge messages as they come (or as a record replays them). */
export class ThresholdEvaluator {
  private readonly judges: Judge[] = [];
  private readonly aggregate = new ScopeFeed(null);
  /** Watched endpoint names: the feed of the name under any method, and the feeds of name + method. */
  private readonly byName = new Map<string, { any?: ScopeFeed; methods: Map<string, ScopeFeed> }>();
  private readonly touched: ScopeFeed[] = [];
  private readonly context = new Context();
  private readonly startedAt: number;
  private previous: ThresholdStatus[];

  constructor(thresholds: readonly Threshold[], { startedAt }: { startedAt: number }) {
    this.startedAt = startedAt;
    const feeds = new Map<string, ScopeFeed>();
    for (const threshold of thresholds) {
      const feed = this.feedOf(threshold.scope, feeds);
      const judge =
        threshold.windowSeconds !== undefined
          ? new WindowJudge(threshold, feed)
          : threshold.warmupSeconds
            ? new AfterWarmupJudge(threshold, feed)
            : new WholeRunJudge(threshold, feed);
      judge.reason = judge.waiting();
      this.judges.push(judge);
    }
    this.previous = this.statuses();
  }

  /** The text of the `abort` threshold that asked for the run to end early, once one has. */
  get abortedBy(): string | undefined {
    return this.context.abortedBy;
  }

  /** Folds one bridge message in; returns every status when any of them changed. */
  apply(message: BridgeMessage): ThresholdStatus[] | undefined {
    if (message.type !== 'tick' && message.type !== 'final') return undefined;
    if (this.context.ended || this.judges.length === 0) return undefined;
    this.report(message);
    const statuses = this.statuses();
    const changed = statuses.some((s, i) => !sameStatus(s, this.previous[i]!));
    this.previous = statuses;
    return changed ? statuses : undefined;
  }

  statuses(): ThresholdStatus[] {
    return this.judges.map((j) => j.status());
  }

  /**
   * The run's verdict: undefined unless the run completed (the caller says so: a crashed or killed run has no verdict)
   * and its final statistics were applied, and unless there are thresholds at all.
   */
  verdict({ completed }: { completed: boolean }): Verdict | undefined {
    if (!completed || !this.context.ended || this.judges.length === 0) return undefined;
    const thresholds = this.statuses();
    const abortedBy = this.context.abortedBy;
    return { outcome: verdictOutcome(thresholds), thresholds, ...(abortedBy !== undefined && { abortedBy }) };
  }

  private feedOf(scope: ThresholdScope | null, feeds: Map<string, ScopeFeed>): ScopeFeed {
    if (!scope) return this.aggregate;
    const key = `${scope.method ?? ''}\u0000${scope.name}`;
    let feed = feeds.get(key);
    if (feed) return feed;
    feeds.set(key, (feed = new ScopeFeed(scope)));
    let watch = this.byName.get(scope.name);
    if (!watch) this.byName.set(scope.name, (watch = { methods: new Map() }));
    if (scope.method === undefined) watch.any = feed;
    else watch.methods.set(scope.method, feed);
    return feed;
  }

  private report(message: TickMessage | FinalMessage): void {
    const final = message.type === 'final' ? message : undefined;
    const context = this.context;
    const { ends } = context;
    if (ends.length === 0) {
      // The first window began when the bridge started counting (its first report's total window reaches back there).
      ends.push(message.t - message.total.window.seconds * 1000);
      context.complete.push(true);
      context.statsStart = ends[0]!;
    }
    const index = ends.length;
    // Wall-clock times that step back (a clock adjustment) must not make intervals negative.
    const t = Math.max(message.t, ends[index - 1]!);
    const complete = message.type === 'final' || message.omitted === 0;
    ends.push(t);
    context.complete.push(complete);

    if (final) {
      context.ended = true;
      for (const watch of this.byName.values()) {
        if (watch.any) watch.any.finalMethods = new Set();
        for (const feed of watch.methods.values()) feed.finalMethods = new Set();
      }
    }
    this.touch(this.aggregate);
    if (this.aggregate.absorb(message.total, index)) context.statsStart = ends[index - 1]!;
    if (this.byName.size > 0) {
      for (const e of message.endpoints) {
        const watch = this.byName.get(e.name);
        if (!watch) continue;
        const exact = watch.methods.get(e.method);
        if (exact) {
          this.touch(exact);
          exact.absorb(e, index);
        }
        if (watch.any) {
          this.touch(watch.any);
          watch.any.absorb(e, index);
        }
      }
    }

    const report: Report = { index, t, elapsed: Math.max(0, (t - this.startedAt) / 1000), complete, ...(final && { final }) };
    for (const judge of this.judges) judge.update(report, context);
    for (const feed of this.touched) feed.delta = undefined;
    this.touched.length = 0;
  }

  private touch(feed: ScopeFeed): void {
    if (feed.delta === undefined) this.touched.push(feed);
  }
}

/**
 * The verdict of a recorded run, through the very code path of a live one (so a record judged later gives the verdict
 * the live run gave). `completed`: the run ended with final statistics and was not killed (the record's outcome).
 */
export function judgeRecord(
  thresholds: readonly Threshold[],
  { startedAt, ticks, final, completed }: { startedAt: number; ticks: Iterable<BridgeMessage>; final: FinalMessage | undefined; completed: boolean },
): Verdict | undefined {
  const evaluator = new ThresholdEvaluator(thresholds, { startedAt });
  for (const tick of ticks) evaluator.apply(tick);
  if (final) evaluator.apply(final);
  return evaluator.verdict({ completed });
}
