// Locust's response-time histograms ({rounded ms: count}) and its percentile walk: the one code behind thresholds and run comparisons.

/**
 * Locust's calculate_response_time_percentile over a histogram of `total` requests whose `size` distinct times are read
 * by index in ascending order (`msAt`, `countAt`): walking from the slowest time down, the first at which the requests
 * counted reach total - int(total * q). null without requests.
 */
function walkPercentile(total: number, q: number, size: number, msAt: (i: number) => number, countAt: (i: number) => number): number | null {
  if (total <= 0) return null;
  const need = total - Math.floor(total * q);
  let processed = 0;
  for (let i = size - 1; i >= 0; i--) {
    const count = countAt(i);
    if (count <= 0) continue;
    processed += count;
    if (processed >= need) return msAt(i);
  }
  return 0;
}

/**
 * A response-time histogram as Locust keeps one ({rounded ms: count}), built from window histograms (`add` a window's
 * flat [ms, count, …], or take one back out), with Locust's percentile walk.
 */
export class ResponseTimeHistogram {
  private readonly counts = new Map<number, number>();
  /** Every key ever added, ascending; keys whose count fell back to 0 stay (Locust's rounding keeps them few). */
  private readonly keys: number[] = [];
  total = 0;

  add(flat: readonly number[], sign: 1 | -1 = 1): void {
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const ms = flat[i]!;
      const n = flat[i + 1]! * sign;
      const count = this.counts.get(ms);
      if (count === undefined) {
        this.counts.set(ms, n);
        insertSorted(this.keys, ms);
      } else {
        this.counts.set(ms, count + n);
      }
      this.total += n;
    }
  }

  /** Locust's percentile walk over this histogram, with its own total as the count (as the bridge's window percentiles do). */
  percentile(q: number): number | null {
    return walkPercentile(this.total, q, this.keys.length, (i) => this.keys[i]!, (i) => this.counts.get(this.keys[i]!)!);
  }
}

function insertSorted(keys: number[], value: number): void {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  keys.splice(lo, 0, value);
}

/**
 * Two flat histograms ([ms, count, …], ascending by ms, as the bridge sends a window's) merged into a new one, in one pass.
 * The compact form run batches keep: a Map per batch would cost ten times the memory.
 */
export function mergeFlatHistograms(a: readonly number[], b: readonly number[]): number[] {
  if (a.length === 0) return b.slice();
  if (b.length === 0) return a.slice();
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const ma = i < a.length ? a[i]! : Infinity;
    const mb = j < b.length ? b[j]! : Infinity;
    if (ma === mb) {
      out.push(ma, a[i + 1]! + b[j + 1]!);
      i += 2;
      j += 2;
    } else if (ma < mb) {
      out.push(ma, a[i + 1]!);
      i += 2;
    } else {
      out.push(mb, b[j + 1]!);
      j += 2;
    }
  }
  return out;
}

/** Requests counted in a flat histogram. */
export function flatHistogramTotal(flat: readonly number[]): number {
  let total = 0;
  for (let i = 1; i < flat.length; i += 2) total += flat[i]!;
  return total;
}

/** Locust's percentile walk over a flat histogram (ascending by ms); null without requests. */
export function flatHistogramPercentile(flat: readonly number[], q: number, total = flatHistogramTotal(flat)): number | null {
  return walkPercentile(total, q, flat.length >> 1, (i) => flat[2 * i]!, (i) => flat[2 * i + 1]!);
}
