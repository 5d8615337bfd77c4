// Benchmark of comparing runs: two records of 2,000 endpoints compared (beside loading them), and detection rates measured
// with real Locust runs against a local target (A/A pairs: false alarms; one endpoint 30 % slower: detections).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PERCENTILES, type BridgeMessage, type EndpointStats } from '../protocol/runner';
import { startTarget } from '../examples/target/server.mjs';
import { compareRecords } from '../runner/compareRuns';
import { RunBatches } from '../runner/runBatches';
import { loadRunRecord, RunRecorder } from '../runner/runRecord';
import { RunSession } from '../runner/runSession';
import { DEBIAN_PYTHON, locustMatrix } from '../scripts/locustVersions';

type Tick = Extract<BridgeMessage, { type: 'tick' }>;

const ENDPOINTS = 2000;
const TICKS = 64;
const ROUNDS = 5;
const GOAL_MS = 200;

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Ticks of `ENDPOINTS` endpoints that all change every second, with window histograms of a few keys, as the bridge sends them. */
function* syntheticTicks(start: number, slower: number): Generator<Tick> {
  const requests = new Array<number>(ENDPOINTS).fill(0);
  let total = 0;
  const entry = (name: string, count: number, added: number, base: number, seq: number): EndpointStats => {
    const spread = [base, base + 2 + (seq % 3), base + 7, base + 20].map((ms) => Math.round(ms));
    const counts = [Math.ceil(added / 2), Math.floor(added / 4), Math.floor(added / 8)];
    const histogram = [spread[0]!, counts[0]!, spread[1]!, counts[1]!, spread[2]!, counts[2]!, spread[3]!, added - counts[0]! - counts[1]! - counts[2]!];
    return {
      method: 'GET',
      name,
      requests: count,
      failures: 0,
      totalResponseTime: count * base,
      minResponseTime: base,
      maxResponseTime: base + 20,
      totalContentLength: count * 100,
      percentiles: PERCENTILES.map((q) => Math.round(base + 20 * q)),
      window: { seconds: 1, requests: added, failures: 0, p50: spread[0]!, p95: spread[3]!, p99: spread[3]!, histogram },
    };
  };
  for (let seq = 1; seq <= TICKS; seq++) {
    const endpoints: EndpointStats[] = [];
    let added = 0;
    for (let i = 0; i < ENDPOINTS; i++) {
      const n = 20 + ((i + seq) % 13);
      requests[i]! += n;
      added += n;
      endpoints.push(entry(`/item/${i}`, requests[i]!, n, (10 + (i % 50)) * (i === 0 ? slower : 1), seq));
    }
    total += added;
    yield { type: 'tick', seq, t: start + seq * 1000, state: seq <= 2 ? 'spawning' : 'running', userCount: 100, usersByClass: { U: 100 }, endpoints, total: entry('Aggregated', total, added, 40, seq), omitted: 0 };
  }
}

/** A record of 2,000 endpoints written by the real recorder (ticks.jsonl, batches.json, meta.json with its headline). */
export function writeRecord(baseDir: string, id: string, slower: number): { dir: string; applyMs: number[] } {
  const start = Date.UTC(2026, 0, 1);
  const recorder = RunRecorder.create(baseDir, { locustfile: '/bench/locustfile.py', users: 100 }, { id, startedAt: start });
  const timing = new RunBatches();
  const applyMs: number[] = [];
  let last: Tick | undefined;
  for (const tick of syntheticTicks(start, slower)) {
    recorder.onMessage(tick);
    // The accumulator alone, timed: what a live comparison adds to every tick.
    const began = performance.now();
    timing.apply(tick);
    applyMs.push(performance.now() - began);
    last = tick;
  }
  recorder.onMessage({ type: 'final', t: last!.t + 100, endpoints: last!.endpoints, total: last!.total, failures: [], startTime: start / 1000, lastRequestTime: last!.t / 1000 });
  recorder.finish({ code: 0, signal: null });
  return { dir: recorder.dir, applyMs };
}

export async function benchCompareRecords(): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-bench-compare-'));
  try {
    const a = writeRecord(scratch, 'base', 1);
    const b = writeRecord(scratch, 'next', 1.5);
    const compareMs: number[] = [];
    const loadMs: number[] = [];
    let verdict = '';
    for (let round = 0; round < ROUNDS; round++) {
      let began = performance.now();
      const comparison = await compareRecords(a.dir, b.dir);
      compareMs.push(performance.now() - began);
      verdict = `${comparison.endpoints.filter((e) => e.verdict === 'regressed').map((e) => e.name).join(',')} regressed of ${comparison.endpoints.length}`;
      began = performance.now();
      await Promise.all([loadRunRecord(a.dir), loadRunRecord(b.dir)]);
      loadMs.push(performance.now() - began);
    }
    const c = median(compareMs);
    const l = median(loadMs);
    console.log(
      `compare, two records of ${ENDPOINTS} endpoints × ${TICKS} ticks: compareRecords median ${c.toFixed(1)} ms vs loadRunRecord of both ${l.toFixed(1)} ms ` +
        `(ratio ${(c / l).toFixed(3)}; ${verdict}; goal ≤ ${GOAL_MS} ms: ${c <= GOAL_MS ? 'goal met' : 'goal missed'}); ` +
        `RunBatches.apply of one ${ENDPOINTS}-endpoint tick median ${median(a.applyMs.slice(8)).toFixed(2)} ms`,
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

// ---- detection rates with real runs

const LOCUSTFILE = path.resolve(__dirname, '..', 'test', 'fixtures', 'compare', 'locustfile.py');
const ENDPOINT_COUNT = 8;
const RUN_SECONDS = Math.max(5, Number(process.env.BENCH_COMPARE_SECONDS) || 15);
const A_RUNS = Math.max(2, Number(process.env.BENCH_COMPARE_A_RUNS) || 6);
/** The endpoints made 30 % slower, one per B run. */
const SLOWED = ['/e1', '/e3', '/e5', '/e7'];

/** The newest Locust when it is installed (it sends the most requests per core), else Debian's. */
function benchPython(): { python: string; label: string } {
  const newest = locustMatrix().find((l) => l.role === 'newest');
  return newest && existsSync(newest.python) ? { python: newest.python, label: newest.label } : { python: DEBIAN_PYTHON, label: 'Locust 2.12.1 (Debian)' };
}

export async function benchCompareDetection(): Promise<void> {
  const { python, label } = benchPython();
  const target = await startTarget({ port: 0, quiet: true });
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-bench-detect-'));
  try {
    const run = async (slower: string | undefined): Promise<string> => {
      const env = { ...process.env, COMPARE_ENDPOINTS: String(ENDPOINT_COUNT), ...(slower && { COMPARE_SLOWER: `${slower}:1.3` }) };
      const session = await RunSession.launch(
        { python, locustfile: LOCUSTFILE, cwd: scratch, host: target.url, users: 16, spawnRate: 16, runTime: `${RUN_SECONDS}s`, env },
        { record: { baseDir: scratch } },
      );
      const end = await session.ended;
      if (end.outcome !== 'finished' || !end.recordDir) throw new Error(`a bench run did not finish: ${end.message ?? end.outcome}`);
      return end.recordDir;
    };
    // Interleaved, so that a drift of the machine's load does not line up with the change.
    const aRuns: string[] = [];
    const bRuns: { dir: string; slowed: string }[] = [];
    for (let i = 0; i < Math.max(A_RUNS, SLOWED.length); i++) {
      if (i < A_RUNS) aRuns.push(await run(undefined));
      if (i < SLOWED.length) bRuns.push({ dir: await run(SLOWED[i]), slowed: SLOWED[i]! });
    }
    let aaPairs = 0;
    let aaEndpoints = 0;
    let aaFlagged = 0;
    let aaPairsFlagged = 0;
    let aaAggregate = 0;
    let aaJudged = 0;
    /** What was flagged in A/A pairs: endpoint, metric, change, p (the first few, to see why). */
    const falseAlarms: string[] = [];
    for (let i = 0; i < aRuns.length; i++) {
      for (let j = i + 1; j < aRuns.length; j++) {
        const comparison = await compareRecords(aRuns[i]!, aRuns[j]!);
        aaPairs++;
        aaEndpoints += comparison.endpoints.length;
        const flagged = comparison.endpoints.filter((e) => e.verdict === 'regressed' || e.verdict === 'improved').length;
        aaFlagged += flagged;
        aaJudged += comparison.endpoints.filter((e) => e.verdict !== 'notEnoughData').length;
        if (flagged) aaPairsFlagged++;
        for (const e of comparison.endpoints) {
          for (const [metric, m] of Object.entries(e.metrics)) {
            if (m.decides && (m.verdict === 'regressed' || m.verdict === 'improved')) {
              falseAlarms.push(`${e.name} ${metric} ${m.base?.toFixed(1)}→${m.new?.toFixed(1)} (${((m.change ?? 0) * 100).toFixed(1)}%, p ${m.pValue?.toPrecision(2)})`);
            }
          }
        }
        if (comparison.aggregate.verdict === 'regressed') aaAggregate++;
      }
    }
    let abPairs = 0;
    let exactly = 0;
    let detected = 0;
    let others = 0;
    const byMetric = new Map<string, number>();
    for (const b of bRuns) {
      for (const a of aRuns) {
        const comparison = await compareRecords(a, b.dir);
        abPairs++;
        const regressed = comparison.endpoints.filter((e) => e.verdict === 'regressed').map((e) => e.name);
        const hit = regressed.includes(b.slowed);
        if (hit) detected++;
        if (hit && regressed.length === 1) exactly++;
        if (regressed.some((name) => name !== b.slowed)) others++;
        const slowed = comparison.endpoints.find((e) => e.name === b.slowed);
        for (const metric of ['p50', 'p95', 'p99'] as const) if (slowed?.metrics[metric].verdict === 'regressed') byMetric.set(metric, (byMetric.get(metric) ?? 0) + 1);
      }
    }
    const pct = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)}%`;
    console.log(
      `compare detection, ${label}, ${ENDPOINT_COUNT} endpoints of 20–90 ms, 16 users, runs of ${RUN_SECONDS} s (${A_RUNS} unchanged runs, ${SLOWED.length} with one endpoint 30 % slower):\n` +
        `  A/A: ${aaFlagged} of ${aaEndpoints} endpoint comparisons flagged (${pct(aaFlagged, aaEndpoints)}; goal ≤ 5%: ${aaFlagged <= 0.05 * aaEndpoints ? 'goal met' : 'goal missed'}), ` +
        `${aaJudged} judged, ${aaPairsFlagged} of ${aaPairs} pairs with any flag, aggregate regressed in ${aaAggregate} of ${aaPairs}\n` +
        `  30 % slower: exactly that endpoint regressed in ${exactly} of ${abPairs} pairs (${pct(exactly, abPairs)}; goal ≥ 95%: ${exactly >= 0.95 * abPairs ? 'goal met' : 'goal missed'}), ` +
        `it regressed in ${detected}, another endpoint regressed in ${others} pairs; detected by ${[...byMetric].map(([m, n]) => `${m} ${n}`).join(', ') || 'no metric'}` +
        (falseAlarms.length ? `\n  A/A flags (first 12): ${falseAlarms.slice(0, 12).join('; ')}` : ''),
    );
  } finally {
    await target.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function benchCompare(): Promise<void> {
  await benchCompareRecords();
  if (process.env.BENCH_COMPARE_ONLY !== 'records') await benchCompareDetection();
}

if (require.main === module) {
  benchCompare().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
