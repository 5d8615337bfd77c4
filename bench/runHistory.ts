// Benchmark of the Runs view's listing: 1,000 recorded runs summarised (runner/runHistory.ts) beside a bare listing of their folders.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EndpointStats } from '../protocol/runner';
import { PERCENTILES } from '../protocol/runner';
import { listRuns } from '../runner/runHistory';
import { listRunRecords, recordFolderName, RunRecorder } from '../runner/runRecord';

const RECORDS = 1000;
/** Endpoints in each record's final.json (read only for records without a headline). */
const ENDPOINTS = 100;
const ROUNDS = 9;
const GOAL_MS = 300;

function stats(name: string, requests: number): EndpointStats {
  return {
    method: name === 'Aggregated' ? '' : 'GET',
    name,
    requests,
    failures: Math.floor(requests / 100),
    totalResponseTime: requests * 30,
    minResponseTime: 2,
    maxResponseTime: 800,
    totalContentLength: requests * 1000,
    percentiles: PERCENTILES.map((p) => Math.round(10 + p * 200)),
    window: { seconds: 1, requests: 10, failures: 0, p50: 20, p95: 150 },
  };
}

/**
 * One real record written by the recorder, then copied into `RECORDS` folders with their own id and start time. With
 * `headline` the meta.json carries the headline numbers (current records); without, a listing reads final.json (older ones).
 */
function generate(headline: boolean): string {
  const base = mkdtempSync(path.join(os.tmpdir(), 'locust-bench-history-'));
  const startedAt = Date.UTC(2026, 0, 1);
  const recorder = RunRecorder.create(path.join(base, '.template'), { python: 'python3', locustfile: '/w/locustfile.py', users: 50, spawnRate: 10, userClasses: [] }, { id: 'tmpl00', startedAt });
  const endpoints = Array.from({ length: ENDPOINTS }, (_, i) => stats(`/item/${i}`, 1000 + i));
  const total = stats('Aggregated', endpoints.reduce((n, e) => n + e.requests, 0));
  for (let t = 1; t <= 60; t++) recorder.onMessage({ type: 'tick', seq: t, t: startedAt + t * 1000, state: 'running', userCount: 50, usersByClass: { U: 50 }, endpoints: endpoints.slice(0, 10), total, omitted: 0 });
  recorder.onMessage({ type: 'final', t: startedAt + 61_000, endpoints, total, failures: [], exceptions: [], startTime: startedAt / 1000, lastRequestTime: startedAt / 1000 + 60 });
  recorder.finish({ code: 0, signal: null });
  const meta = JSON.parse(readFileSync(path.join(recorder.dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
  if (headline) meta['headline'] = { seconds: 60, requests: total.requests, failures: total.failures, requestsPerSecond: total.requests / 60, p50: 110, p95: 200, p99: 208, peakUsers: 50 };
  else delete meta['headline'];
  for (let i = 0; i < RECORDS; i++) {
    const id = i.toString(16).padStart(6, '0');
    const dir = path.join(base, recordFolderName(startedAt + i * 60_000, id));
    cpSync(recorder.dir, dir, { recursive: true });
    writeFileSync(path.join(dir, 'meta.json'), `${JSON.stringify({ ...meta, id, startedAt: startedAt + i * 60_000, endedAt: startedAt + i * 60_000 + 61_000 }, null, 2)}\n`);
  }
  rmSync(path.join(base, '.template'), { recursive: true, force: true });
  return base;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const began = performance.now();
  await fn();
  return performance.now() - began;
}

export async function benchRunHistory(): Promise<void> {
  for (const headline of [true, false]) {
    const base = generate(headline);
    try {
      const listed = await listRuns(base);
      if (listed.runs.length !== RECORDS || listed.skipped.length) throw new Error(`listed ${listed.runs.length} runs, skipped ${listed.skipped.length}`);
      if (listed.runs.some((r) => r.numbers?.source !== (headline ? 'headline' : 'final'))) throw new Error('numbers from the wrong source');
      const ours: number[] = [];
      const bare: number[] = [];
      const metaOnly: number[] = [];
      // The least any listing pays: every meta.json read once, unparsed, all at once.
      const readMetas = async () => Promise.all((await listRunRecords(base)).map((dir) => readFile(path.join(dir, 'meta.json'), 'utf8')));
      // Side by side, alternating, after one warm-up of each (the page cache holds the files either way).
      await listRunRecords(base);
      for (let round = 0; round < ROUNDS; round++) {
        bare.push(await timed(() => listRunRecords(base)));
        metaOnly.push(await timed(readMetas));
        ours.push(await timed(() => listRuns(base)));
      }
      const r = median(metaOnly);
      const m = median(ours);
      const b = median(bare);
      console.log(
        `runs view, ${RECORDS} records ${headline ? 'with headlines (current)' : `without headlines (older: final.json of ${ENDPOINTS} endpoints read)`}: ` +
          `listRuns median ${m.toFixed(1)} ms (goal ≤ ${GOAL_MS} ms: ${m <= GOAL_MS ? 'goal met' : 'goal missed'}), ` +
          `bare listRunRecords ${b.toFixed(1)} ms (ratio ${(m / b).toFixed(1)}), listRunRecords + every meta.json read ${r.toFixed(1)} ms (ratio ${(m / r).toFixed(2)})`,
      );
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }
}

if (require.main === module) void benchRunHistory();
