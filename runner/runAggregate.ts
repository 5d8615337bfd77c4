// Folds the bridge's messages into the state of one run (what the panel shows, series included); free of vscode, unit-tested.
import { endpointKey, exceptionKey, failureKey, PERCENTILES, type BridgeMessage, type EndpointStats, type ExceptionEntry, type FailureEntry } from '../protocol/runner';
import type { ThresholdStatus, Verdict } from '../protocol/thresholds';
import type { BaselineView } from '../protocol/compare';
import type { LoadGeneratorHealth } from '../protocol/loadGenerator';
import { outcomeMessage, outcomeOf, type RunExit, type RunOutcome } from '../protocol/runRecord';
import { RollingPercentiles } from './rollingPercentiles';
import {
  appendPoint,
  emptySeries,
  ENDPOINT_SERIES_BUDGET,
  latencyRates,
  SERIES_BUDGET,
  type ModelRatioRow,
  type RunView,
  type Series,
  type SeriesBudget,
  type SeriesPoint,
} from '../protocol/webview';

export interface RunDescription {
  id: string;
  locustfile: string;
  host: string;
  userClasses: string[];
  targetUsers: number;
  spawnRate?: number;
  startedAt: number;
  /** The run's planned duration (`--run-time`), when it has one. */
  runTimeSeconds?: number;
  /** A run followed through a Locust web UI elsewhere: that UI's URL, without credentials (there is no locustfile). */
  attachedTo?: string;
}

/** What one bridge message changed, for incremental views (the panel's tick). */
export interface RunChange {
  endpoints: EndpointStats[];
  /** New samples, when the message was a tick. */
  points?: { total: SeriesPoint; userClasses: { name: string; value: SeriesPoint }[]; byEndpoint: Map<string, SeriesPoint[]> };
  failures?: FailureEntry[];
  exceptions?: ExceptionEntry[];
  /** `final` carries every failure: the view replaces its list instead of merging. */
  replaceFailures?: boolean;
  /** Every threshold's status, when the message changed any (set by the run session, which judges them). */
  thresholds?: ThresholdStatus[];
  /** The run compared with its baseline again (set by the run session). */
  baseline?: BaselineView;
  /** The load generator's health, when the message reported on it (set by the run session). */
  loadGenerator?: LoadGeneratorHealth;
}

const P99 = PERCENTILES.indexOf(0.99);
/** The total's key among the rolling windows: no endpoint's key (those hold a NUL). */
const TOTAL_KEY = 'Aggregated';

export { endpointKey } from '../protocol/runner';

/**
 * An endpoint as the panel shows it: the window histogram (for thresholds, which read the bridge's messages themselves)
 * neither crosses into the webview nor stays in memory.
 */
function withoutHistogram(e: EndpointStats): EndpointStats {
  if (e.window.histogram === undefined) return e;
  const window = { ...e.window };
  delete window.histogram;
  return { ...e, window };
}

/**
 * One sample of an endpoint (or the total): window rates and percentiles. p99 is the window's too when the tick carries
 * one (every bridge tick since window p99 was added); older records and attached runs (whose web API has no current
 * p99) fall back to the cumulative p99.
 */
export function samplePoint(t: number, e: EndpointStats, users: number | null = null, rolling: (number | null)[] = []): SeriesPoint {
  const seconds = e.window.seconds || 1;
  const p99 = e.window.p99 !== undefined ? e.window.p99 : (e.percentiles[P99] ?? null);
  // The latency heatmap's column: only with the rolling fields before it (a point without them ends at users).
  const latency = rolling.length && e.window.histogram ? latencyRates(e.window.histogram, seconds) : [];
  return { t, v: [e.window.requests / seconds, e.window.failures / seconds, e.window.p50, e.window.p95, p99, users, ...rolling, ...latency] };
}

/** A point of an endpoint without requests in this tick: rates drop to zero, the rolling windows still hold earlier ones. */
function idlePoint(t: number, rolling: (number | null)[]): SeriesPoint {
  return { t, v: [0, 0, null, null, null, null, ...rolling] };
}

/** The live state of a run. `apply` returns what a message changed, for incremental views. */
export class RunAggregate {
  private readonly endpoints = new Map<string, EndpointStats>();
  private readonly endpointSeries = new Map<string, Series>();
  private readonly totalSeries = emptySeries();
  private readonly classSeries = new Map<string, Series>();
  private readonly failureMap = new Map<string, FailureEntry>();
  private readonly exceptionMap = new Map<string, ExceptionEntry>();
  private readonly rolling = new RollingPercentiles();
  /** Endpoints that got a sample in the previous tick: those missing from the next one drop to zero. */
  private sampledLastTick = new Set<string>();
  private lastTickT: number | undefined;
  private view: RunView;
  locustVersion: string | undefined;
  finalReceived = false;

  constructor(
    description: RunDescription,
    private readonly budget: SeriesBudget = SERIES_BUDGET,
    private readonly endpointBudget: SeriesBudget = ENDPOINT_SERIES_BUDGET,
  ) {
    this.view = { ...description, state: 'starting', userCount: 0, endpoints: [], total: null };
  }

  get snapshot(): RunView {
    return {
      ...this.view,
      endpoints: [...this.endpoints.values()],
      series: {
        total: this.totalSeries,
        userClasses: [...this.classSeries].map(([name, value]) => ({ name, value })),
      },
      failures: this.failures,
      exceptions: [...this.exceptionMap.values()],
    };
  }

  /** The run's id, without building a snapshot (ticks need it many times a second). */
  get id(): string {
    return this.view.id;
  }

  get failures(): FailureEntry[] {
    return [...this.failureMap.values()];
  }

  get state(): RunView['state'] {
    return this.view.state;
  }

  get total(): EndpointStats | null {
    return this.view.total;
  }

  get userCount(): number {
    return this.view.userCount;
  }

  /** The bounded series of one endpoint (empty when it never had a sample). */
  seriesOf(key: { method: string; name: string }): Series {
    return this.endpointSeries.get(endpointKey(key)) ?? emptySeries();
  }

  apply(message: BridgeMessage): RunChange {
    switch (message.type) {
      case 'hello':
        this.locustVersion = message.locustVersion;
        if (this.view.userClasses.length === 0) this.view.userClasses = message.userClasses;
        if (!this.view.host && message.host) this.view.host = message.host;
        return { endpoints: [] };
      case 'state':
        this.view.state = message.state;
        this.view.userCount = message.userCount;
        return { endpoints: [] };
      case 'tick': {
        this.view.state = message.state;
        this.view.userCount = message.userCount;
        this.view.total = withoutHistogram(message.total);
        const endpoints = this.merge(message.endpoints);
        const points = this.sample(message);
        const failures = message.failures && this.mergeFailures(message.failures);
        const exceptions = message.exceptions && this.mergeExceptions(message.exceptions);
        return { endpoints, points, ...(failures && { failures }), ...(exceptions && { exceptions }) };
      }
      case 'final': {
        this.finalReceived = true;
        this.view.total = withoutHistogram(message.total);
        this.failureMap.clear();
        const failures = this.mergeFailures(message.failures);
        const exceptions = message.exceptions && this.mergeExceptions(message.exceptions);
        return { endpoints: this.merge(message.endpoints), failures, replaceFailures: true, ...(exceptions && { exceptions }) };
      }
      case 'error':
        this.view.message = message.message;
        return { endpoints: [] };
      case 'ack':
        return { endpoints: [] };
    }
  }

  /**
   * The run ended: `stopped` when it finished, `failed` otherwise, by the one rule of outcomes (`outcomeOf`). A replayed
   * record passes the outcome its record tells (the presence of final statistics alone does not say how it ended), and
   * `message` replaces the standard sentence for that outcome.
   */
  finish(exit: RunExit, { outcome = outcomeOf(exit, this.finalReceived), message }: { outcome?: RunOutcome; message?: string } = {}): void {
    this.view.state = outcome === 'finished' ? 'stopped' : 'failed';
    this.view.userCount = 0;
    const text = message ?? outcomeMessage(outcome, exit, { hadFinal: this.finalReceived });
    if (text) this.view.message = text;
  }

  /** Where the run's thresholds stand now (the evaluator's statuses, in declaration order). */
  setThresholds(statuses: ThresholdStatus[]): void {
    this.view.thresholds = statuses;
  }

  /** The baseline the run is compared with, and where it stands against it. */
  setBaseline(view: BaselineView): void {
    this.view.baseline = view;
  }

  /** The load generator's health (the run session follows it from the ticks). */
  setLoadGenerator(health: LoadGeneratorHealth): void {
    this.view.loadGenerator = health;
  }

  /** The thresholds' verdict, once the run finished; its statuses are the final ones. */
  setVerdict(verdict: Verdict): void {
    this.view.verdict = verdict;
    this.view.thresholds = verdict.thresholds;
  }

  /** The locustfile model's shares of the run's User classes and tasks, for the panel's "Current ratio". */
  setModelRatio(rows: ModelRatioRow[]): void {
    this.view.modelRatio = rows;
  }

  setTargetUsers(users: number, spawnRate?: number): void {
    this.view.targetUsers = users;
    if (spawnRate !== undefined) this.view.spawnRate = spawnRate;
  }

  private merge(changed: EndpointStats[]): EndpointStats[] {
    const shown = changed.map(withoutHistogram);
    for (const e of shown) this.endpoints.set(endpointKey(e), e);
    return shown;
  }

  private sample(message: Extract<BridgeMessage, { type: 'tick' }>): NonNullable<RunChange['points']> {
    const t = Math.max(0, (message.t - this.view.startedAt) / 1000);
    const tickSeconds = message.total.window.seconds || 1;
    const total = samplePoint(t, message.total, message.userCount, this.rolling.valuesOf(TOTAL_KEY, message.t, message.total));
    appendPoint(this.totalSeries, total, this.budget);

    const userClasses: { name: string; value: SeriesPoint }[] = [];
    const classes = new Set([...this.classSeries.keys(), ...Object.keys(message.usersByClass)]);
    for (const name of classes) {
      const value = { t, v: [message.usersByClass[name] ?? 0] };
      let series = this.classSeries.get(name);
      if (!series) this.classSeries.set(name, (series = emptySeries()));
      appendPoint(series, value, this.budget);
      userClasses.push({ name, value });
    }

    // The bridge sends only endpoints that changed: one missing now had no request in this window, so its line drops
    // to zero once (not every tick, which would cost a point per endpoint per tick); one that comes back rises from zero.
    const byEndpoint = new Map<string, SeriesPoint[]>();
    const sampled = new Set<string>();
    for (const e of message.endpoints) {
      const key = endpointKey(e);
      let series = this.endpointSeries.get(key);
      if (!series) this.endpointSeries.set(key, (series = emptySeries()));
      const points: SeriesPoint[] = [];
      if (!this.sampledLastTick.has(key) && series.recent.length + series.older.length > 0 && this.lastTickT !== undefined) {
        points.push(idlePoint(this.lastTickT, []));
      }
      points.push(samplePoint(t, e, null, this.rolling.valuesOf(key, message.t, e)));
      for (const point of points) appendPoint(series, point, this.endpointBudget);
      byEndpoint.set(key, points);
      sampled.add(key);
    }
    // With endpoints omitted by the per-message cap, absence says nothing about traffic.
    if (message.omitted === 0) {
      for (const key of this.sampledLastTick) {
        if (sampled.has(key)) continue;
        const point = idlePoint(t, this.rolling.idle(key, message.t, tickSeconds));
        appendPoint(this.endpointSeries.get(key)!, point, this.endpointBudget);
        byEndpoint.set(key, [point]);
      }
    }
    this.sampledLastTick = sampled;
    this.lastTickT = t;
    return { total, userClasses, byEndpoint };
  }

  private mergeFailures(entries: FailureEntry[]): FailureEntry[] {
    for (const f of entries) this.failureMap.set(failureKey(f), f);
    return entries;
  }

  private mergeExceptions(entries: ExceptionEntry[]): ExceptionEntry[] {
    for (const e of entries) this.exceptionMap.set(exceptionKey(e), e);
    return entries;
  }
}
