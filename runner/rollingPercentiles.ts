// Response-time percentiles over rolling windows (10 s and 30 s, like Locust's "current" ones), built exactly from the window histograms of ticks.
import { PERCENTILES, type EndpointStats } from '../protocol/runner';
import { ROLLING_PERCENTILES, ROLLING_WINDOWS, type RollingWindowSeconds } from '../protocol/webview';
import { ResponseTimeHistogram } from './responseTimes';

/** The quantiles of ROLLING_PERCENTILES (p50, p95, p99), in that order. */
const QUANTILES = ROLLING_PERCENTILES.map((name) => Number(name.slice(1)) / 100);
const P99 = PERCENTILES.indexOf(0.99);

/** The windows longer than one tick; the first of ROLLING_WINDOWS is the tick's window itself. */
const LONGER: readonly RollingWindowSeconds[] = ROLLING_WINDOWS.slice(1);

interface Slice {
  /** When the tick's window ended (epoch ms). */
  end: number;
  histogram: readonly number[];
}

/** One endpoint's (or the total's) last ticks, and their histograms merged per window. */
class Rolling {
  private readonly slices: Slice[] = [];
  /** Per longer window: where its slices start in `slices`, and their merged histogram. */
  private readonly starts = LONGER.map(() => 0);
  private readonly merged = LONGER.map(() => new ResponseTimeHistogram());

  /** Adds a tick's window (none: no request in it) and returns p50, p95, p99 per longer window. */
  add(end: number, histogram: readonly number[] | undefined, tickSeconds: number): (number | null)[] {
    if (histogram?.length) {
      this.slices.push({ end, histogram });
      for (const merged of this.merged) merged.add(histogram);
    }
    const values: (number | null)[] = [];
    LONGER.forEach((seconds, w) => {
      // Whole ticks only: a slice is in the window when it ended less than N seconds (minus half a tick) before this one,
      // so a 10 s window of 1 s ticks holds exactly ten of them despite the ticks' jitter.
      const oldest = end - (seconds - tickSeconds / 2) * 1000;
      while (this.starts[w]! < this.slices.length && this.slices[this.starts[w]!]!.end <= oldest) {
        this.merged[w]!.add(this.slices[this.starts[w]!]!.histogram, -1);
        this.starts[w]!++;
      }
      for (const q of QUANTILES) values.push(this.merged[w]!.percentile(q));
    });
    // Slices every window has passed are dropped, in batches so that the array is not shifted at every tick.
    const done = Math.min(...this.starts);
    if (done > 8) {
      this.slices.splice(0, done);
      for (let w = 0; w < this.starts.length; w++) this.starts[w]! -= done;
    }
    return values;
  }
}

/**
 * The rolling-window percentiles of every endpoint and of the total: `valuesOf` folds in a tick's window and returns
 * [p50, p95, p99] of each window of ROLLING_WINDOWS beyond the first. Exact (Locust's percentile walk over the merged
 * window histograms). Without histograms (attached runs: Locust's web API sends only its own current percentiles, over
 * its 10 s window; records from older bridges) a point repeats the tick's percentiles, cumulative p99 included.
 */
export class RollingPercentiles {
  private readonly byKey = new Map<string, Rolling>();

  valuesOf(key: string, end: number, e: EndpointStats): (number | null)[] {
    const { window } = e;
    if (window.histogram === undefined) {
      const p99 = window.p99 !== undefined ? window.p99 : (e.percentiles[P99] ?? null);
      return LONGER.flatMap(() => [window.p50, window.p95, p99]);
    }
    let rolling = this.byKey.get(key);
    if (!rolling) this.byKey.set(key, (rolling = new Rolling()));
    return rolling.add(end, window.histogram, window.seconds || 1);
  }

  /** An endpoint without a request in this tick: its windows move on all the same. */
  idle(key: string, end: number, tickSeconds: number): (number | null)[] {
    const rolling = this.byKey.get(key);
    return rolling ? rolling.add(end, undefined, tickSeconds) : LONGER.flatMap(() => QUANTILES.map(() => null));
  }
}

