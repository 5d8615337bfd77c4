// Benchmark of the threshold evaluator: time to fold one tick of 2,000 changed endpoints into 50 thresholds.
import { PERCENTILES, type BridgeMessage, type EndpointStats } from '../protocol/runner';
import { parseThreshold, type Threshold } from '../protocol/thresholds';
import { ThresholdEvaluator } from '../runner/thresholds';

const ENDPOINTS = 2000;
const TICKS = 300;
/** Ticks before timing starts: every window (30 s at most below) is full and every warm-up over by then. */
const WARM_TICKS = 40;
const GOAL_MS = 1;

/** 50 thresholds: aggregate and scoped, whole-run, after a warm-up and windowed, with and without a method. */
function thresholds(): Threshold[] {
  const texts: string[] = [];
  for (const metric of ['p50', 'p95', 'p99', 'avg', 'max']) texts.push(`${metric} < 5s`, `${metric} < 5s over 30s`);
  texts.push('rps > 1', 'fail_ratio < 50%', 'failures_per_s < 1000', 'rps > 1 over 10s', 'fail_ratio < 50% over 30s after 10s');
  texts.push('p95 < 5s after 10s', 'max < 10s after 10s', 'avg < 5s over 5s');
  for (let i = 0; i < 32; i++) {
    const name = `/item/${i * 31}`;
    const scope = i % 3 === 0 ? name : `${i % 2 ? 'POST' : 'GET'} ${name}`;
    const kind = i % 4;
    texts.push(kind === 0 ? `${scope}: p95 < 5s` : kind === 1 ? `${scope}: p99 < 5s over 30s` : kind === 2 ? `${scope}: fail_ratio < 50% after 10s` : `${scope}: rps > 0.1 over 10s`);
  }
  return texts.slice(0, 50).map((text) => {
    const result = parseThreshold(text);
    if (!result.ok) throw new Error(`${text}: ${result.error}`);
    return result.threshold;
  });
}

/** Cumulative endpoint statistics that grow every tick, shaped as the bridge sends them (windows with histograms). */
function makeTicks(start: number): () => Extract<BridgeMessage, { type: 'tick' }> {
  const requests = new Array<number>(ENDPOINTS).fill(0);
  let total = 0;
  let seq = 0;
  const entry = (method: string, name: string, count: number, added: number, round: number): EndpointStats => {
    const histogram = [10 + (round % 7), Math.ceil(added / 2), 50, Math.floor(added / 4), 120, Math.floor(added / 8), 300 + (round % 3) * 10, added - Math.ceil(added / 2) - Math.floor(added / 4) - Math.floor(added / 8)];
    return {
      method,
      name,
      requests: count,
      failures: Math.floor(count / 50),
      totalResponseTime: count * 45,
      minResponseTime: 3,
      maxResponseTime: 900,
      totalContentLength: count * 512,
      percentiles: PERCENTILES.map((p) => Math.round(10 + p * 300)),
      window: { seconds: 1, requests: added, failures: Math.floor(added / 50), p50: 10, p95: 120, p99: 300, histogram },
    };
  };
  return () => {
    seq++;
    const endpoints: EndpointStats[] = [];
    for (let i = 0; i < ENDPOINTS; i++) {
      const added = 5 + ((i + seq) % 11);
      requests[i]! += added;
      total += added;
      // Pairs of methods share a name, so method-less scopes combine two endpoints.
      endpoints.push(entry(i % 2 ? 'POST' : 'GET', `/item/${i >> 1}`, requests[i]!, added, seq));
    }
    const aggregate = entry('', 'Aggregated', total, endpoints.reduce((n, e) => n + e.window.requests, 0), seq);
    return { type: 'tick', seq, t: start + seq * 1000, state: 'running', userCount: 100, usersByClass: { U: 100 }, endpoints, total: aggregate, omitted: 0 };
  };
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function benchThresholds(): void {
  const start = Date.now();
  const list = thresholds();
  const evaluator = new ThresholdEvaluator(list, { startedAt: start });
  const next = makeTicks(start);
  const times: number[] = [];
  for (let i = 0; i < TICKS; i++) {
    const tick = next();
    const began = performance.now();
    evaluator.apply(tick);
    const took = performance.now() - began;
    if (i >= WARM_TICKS) times.push(took);
  }
  const states = evaluator.statuses().map((s) => s.state);
  // A bench of thresholds that were never judged would time nothing.
  const judged = states.filter((s) => s === 'holding' || s === 'failing' || s === 'failed').length;
  if (judged !== list.length) throw new Error(`only ${judged} of ${list.length} thresholds were judged: ${states.join(', ')}`);
  const m = median(times);
  const sorted = [...times].sort((a, b) => a - b);
  const p95 = sorted[Math.floor(sorted.length * 0.95)]!;
  console.log(
    `thresholds, ${list.length} thresholds × ${ENDPOINTS} changed endpoints per tick: apply one tick median ${m.toFixed(3)} ms, ` +
      `p95 ${p95.toFixed(3)} ms, max ${sorted[sorted.length - 1]!.toFixed(3)} ms over ${times.length} ticks ` +
      `(goal ≤ ${GOAL_MS} ms: ${m <= GOAL_MS ? 'goal met' : 'goal missed'})`,
  );
}

if (require.main === module) benchThresholds();
