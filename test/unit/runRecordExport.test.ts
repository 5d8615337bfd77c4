// Exports of a run record, checked against Python's own csv module (what Locust writes its CSV files with).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EndpointStats } from '../../protocol/runner';
import { exportFailuresCsv, exportStatsCsv, loadRunRecord, RunRecorder, type LoadedRunRecord } from '../../runner/runRecord';

const PYTHON = '/usr/bin/python3';

function endpoint(method: string, name: string, requests: number, failures: number): EndpointStats {
  return {
    method,
    name,
    requests,
    failures,
    totalResponseTime: requests * 12.5,
    minResponseTime: requests ? 3 : null,
    maxResponseTime: requests ? 40 : 0,
    totalContentLength: requests * 100,
    percentiles: requests ? [10, 11, 12, 13, 20, 30, 35, 38, 40, 40] : Array<number | null>(10).fill(null),
    median: requests ? 10 : undefined,
    p9999: requests ? 40 : undefined,
    window: { seconds: 1, requests: 0, failures: 0, p50: null, p95: null },
  };
}

function record(endpoints: EndpointStats[], failures: LoadedRunRecord['failures']): LoadedRunRecord {
  return {
    dir: '/nowhere',
    options: {},
    meta: { id: 'x', startedAt: 0, outcome: 'finished', ticks: 0 },
    ticks: [],
    failures,
    exceptions: [],
    final: undefined,
    endpoints,
    total: endpoint('', 'Aggregated', 3, 1),
    unreadableLines: 0,
  };
}

/** What Python's csv.writer makes of the same rows (Locust's writer, QUOTE_MINIMAL, \r\n). */
function pythonCsv(rows: (string | number)[][]): string {
  const script = 'import csv, json, sys\nw = csv.writer(sys.stdout)\nfor row in json.load(sys.stdin): w.writerow(row)\n';
  return execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(rows), encoding: 'utf8' });
}

test('the failures CSV quotes exactly as Python’s csv module: commas, quotes, newlines, HTML', () => {
  const failures = [
    { method: 'GET', name: '/a,b', error: 'HTTPError(\'500 Server Error: "boom", then\nmore\')', occurrences: 2 },
    { method: 'POST', name: '/plain', error: "<script>alert('x')</script>", occurrences: 1 },
    { method: '', name: 'naïve ✓', error: 'ConnectionRefusedError(111, \'Connection refused\')', occurrences: 7 },
  ];
  const expected = pythonCsv([['Method', 'Name', 'Error', 'Occurrences'], ...failures.map((f) => [f.method, f.name, f.error, f.occurrences])]);
  assert.equal(exportFailuresCsv(record([], failures)), expected);
});

test('the stats CSV: Locust’s header, rows in its (name, method) order, N/A percentiles for an entry without requests', () => {
  const csv = exportStatsCsv(record([endpoint('POST', '/b', 1, 0), endpoint('GET', '/b', 2, 1), endpoint('GET', '/a', 0, 0)], []));
  const lines = csv.split('\r\n');
  assert.equal(
    lines[0],
    'Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,' +
      'Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%',
  );
  assert.deepEqual(lines.slice(1, 4).map((l) => l.split(',').slice(0, 2).join(' ')), ['GET /a', 'GET /b', 'POST /b']);
  assert.equal(lines[1], 'GET,/a,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A');
  assert.equal(lines[3], 'POST,/b,1,0,10,12.5,3,40,100.0,0.0,0.0,10,11,12,13,20,30,35,38,40,40,40');
  assert.match(lines[4]!, /^,Aggregated,3,1,/);
});

test('a record is readable while written and after a torn last line (what a crash mid-write leaves)', async () => {
  const base = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-record-unit-'));
  try {
    const recorder = RunRecorder.create(base, { locustfile: 'lf.py', users: 3, env: { SECRET_TOKEN: 'abc' } }, { id: 'unit01', startedAt: Date.UTC(2026, 0, 2, 3, 4, 5) });
    assert.equal(path.basename(recorder.dir), '2026-01-02T03-04-05-000Z-unit01');
    const tick = (seq: number, requests: number) => ({
      type: 'tick' as const, seq, t: 1_000 * seq, state: 'running' as const, userCount: 3, usersByClass: { U: 3 }, omitted: 0,
      endpoints: [endpoint('GET', '/a', requests, 0)], total: endpoint('', 'Aggregated', requests, 0),
      ...(seq === 2 ? { failures: [{ method: 'GET', name: '/a', error: 'e', occurrences: 1, firstSeen: 1, lastSeen: 2 }] } : {}),
    });
    recorder.onMessage(tick(1, 5));
    recorder.onMessage(tick(2, 9));
    const during = await loadRunRecord(recorder.dir);
    assert.deepEqual(during.ticks.map((t) => t.seq), [1, 2]);
    assert.equal(during.meta.outcome, 'incomplete');
    assert.equal(during.failures[0]?.occurrences, 1, 'failures.json holds the latest failures');
    assert.equal(during.total?.requests, 9);
    assert.ok(!(await readFile(path.join(recorder.dir, 'options.json'), 'utf8')).includes('SECRET_TOKEN'), 'the environment is never stored');

    await appendFile(path.join(recorder.dir, 'ticks.jsonl'), '{"type":"tick","seq":3,"t":30');
    const torn = await loadRunRecord(recorder.dir);
    assert.deepEqual(torn.ticks.map((t) => t.seq), [1, 2]);
    assert.equal(torn.unreadableLines, 1);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});
