// A running test compared with its baseline as its ticks come: the panel's Δ columns while it runs, the verdict at its end.
import { performance } from 'node:perf_hooks';
import { baselineViewOf, LIVE_COMPARISON_SECONDS, type BaselineView, type Comparison } from '../protocol/compare';
import type { BridgeMessage } from '../protocol/runner';
import type { RunMeta } from '../protocol/runRecord';
import { compareBatches, compareRecords, describeRun, type RunForComparison } from './compareRuns';
import { RunBatches } from './runBatches';

type Tick = Extract<BridgeMessage, { type: 'tick' }>;

/**
 * Comparing costs time in proportion to the endpoints (about 0.1 s for 2,000 of them): the next live comparison waits at
 * least this many times as long as the last one took, so that it never takes more than a small share of the host's time.
 */
const COST_FACTOR = 20;

/** A baseline chosen for a run: its batches (a record folder read with loadRunForComparison) and how the user named it. */
export interface RunBaseline {
  run: RunForComparison;
  /** The user's label for it (Runs view); empty when unnamed. */
  label: string;
}

export class LiveBaseline {
  /** The run's batches, fed tick by tick (bounded as a record's are). */
  private readonly batches = new RunBatches();
  /** Epoch ms of the tick after which the run is compared again. */
  private nextAt: number | undefined;
  /** The baseline alone, before there is anything to compare: its series for the charts, no verdict yet. */
  readonly initialView: BaselineView;

  constructor(readonly baseline: RunBaseline) {
    this.initialView = baselineViewOf(null, describeRun(baseline.run), baseline.label);
  }

  /** Takes a tick; returns the run compared so far when it is time to (else undefined: nothing new to show). */
  apply(tick: Tick, describe: () => Omit<RunForComparison, 'batches'>): BaselineView | undefined {
    this.batches.apply(tick);
    this.nextAt ??= tick.t + LIVE_COMPARISON_SECONDS * 1000;
    if (tick.t < this.nextAt) return undefined;
    const started = performance.now();
    const view = this.view(this.compare(describe()), false);
    this.nextAt = tick.t + Math.max(LIVE_COMPARISON_SECONDS * 1000, COST_FACTOR * (performance.now() - started));
    return view;
  }

  /** The run so far (or whole, once it ended) compared with the baseline. */
  compare(next: Omit<RunForComparison, 'batches'>): Comparison {
    return compareBatches(this.baseline.run, { ...next, batches: this.batches.snapshot() });
  }

  /** What the panel shows of a comparison of this run. */
  view(comparison: Comparison, final: boolean): BaselineView {
    return baselineViewOf(comparison, comparison.base, this.baseline.label, final);
  }
}

/**
 * A recorded run compared again with the baseline it was compared with when it ran (meta.baseline), for the panel that
 * shows it; undefined when it had none or that baseline is gone or unreadable (the panel then shows the run alone).
 */
export async function recordedBaselineView(dir: string, meta: Pick<RunMeta, 'baseline'>): Promise<BaselineView | undefined> {
  if (!meta.baseline) return undefined;
  const comparison = await compareRecords(meta.baseline.dir, dir).catch(() => undefined);
  return comparison && baselineViewOf(comparison, comparison.base, '', true);
}
