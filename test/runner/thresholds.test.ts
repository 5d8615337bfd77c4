// Thresholds judged on real runs through the bundled CLI against the demo target: the exit status is the verdict, JUnit
// says the same, an abort threshold ends the run early, and one record gives one verdict in the CLI, the record, a
// replay (what the panel shows) and the HTML report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseThreshold } from '../../protocol/thresholds';
import { escapeHtml, renderHtmlReport } from '../../runner/htmlReport';
import { loadRunRecord } from '../../runner/runRecord';
import { recordedThresholds, replayRunRecord } from '../../runner/runReplay';
import { judgeRecord } from '../../runner/thresholds';
import { cliAgainstTarget, onlyRecord, runCli } from '../helpers/cliProcess';
import { locustsFor, PYTHON, requireLocust, titled } from './support';

const fixture = cliAgainstTarget('thresholds');

/** A locustfile hitting /products (fine) and /error (always 500), declaring `thresholds`. */
function locustfile(thresholds: string[]): string {
  return `
from locust import HttpUser, constant, task

THRESHOLDS = [
${thresholds.map((t) => `    ${JSON.stringify(t)},`).join('\n')}
]

class Mixed(HttpUser):
    wait_time = constant(0.05)

    @task(3)
    def products(self):
        self.client.get("/products")

    @task(1)
    def error(self):
        self.client.get("/error")
`;
}

const workdir = (name: string, source: string) => fixture.workdir(name, source);

const run = (dir: string, extra: string[], python = PYTHON) =>
  runCli(['run', 'locustfile.py', '-u', '4', '-r', '4', '-H', fixture.url, '--python', python, '--interval', '0.5', '--record-dir', 'records', ...extra], { cwd: dir });

/** The ✓/✗/? line the CLI printed for a threshold. */
function markOf(stdout: string, text: string): string | undefined {
  return stdout.split('\n').find((line) => line.trimStart().slice(2).startsWith(text))?.trim()[0];
}

for (const locust of locustsFor('full')) test(titled(locust, 'thresholds that fail: exit 1, ✗ in the table, JUnit failure with the value; the record, a replay, judgeRecord and the report give the same verdict'), { timeout: 90_000 }, async () => {
  requireLocust(locust);
  const declared = ['p95 < 5s', 'GET /products: fail_ratio < 1%', 'fail_ratio < 1%'];
  const dir = await workdir(`failing-${locust.version}`, locustfile(declared));
  const result = await run(dir, ['-t', '4s', '--threshold', 'GET /error: fail_ratio >= 99%', '--threshold', 'GET /nowhere: p95 < 1s', '--junit', 'out/junit.xml'], locust.python);
  assert.equal(result.code, 1, `a failed threshold is exit 1\n${result.stdout}\n${result.stderr}`);
  assert.equal(markOf(result.stdout, 'p95 < 5s'), '✓', result.stdout);
  assert.equal(markOf(result.stdout, 'GET /products: fail_ratio < 1%'), '✓');
  assert.equal(markOf(result.stdout, 'fail_ratio < 1%'), '✗', 'a quarter of the requests hit /error');
  assert.equal(markOf(result.stdout, 'GET /error: fail_ratio >= 99%'), '✓', 'command-line thresholds add to the file’s');
  assert.equal(markOf(result.stdout, 'GET /nowhere: p95 < 1s'), '?', 'a scope that never appeared is not passed');
  assert.match(result.stdout, /no request named GET \/nowhere was made/);
  assert.match(result.stdout, /Thresholds: failed \(3 of 5 held\)/);

  const junit = await readFile(path.join(dir, 'out', 'junit.xml'), 'utf8');
  assert.match(junit, /<testsuite name="locustfile.py" tests="5" failures="1" errors="1"/);
  assert.match(junit, /<testcase name="fail_ratio &lt; 1%"[^>]*>\s*<failure message="fail_ratio = [\d.]+ %, limit &lt; 1.00 %"/);
  assert.match(junit, /<error message="no request named GET \/nowhere was made"/);

  // One record, one verdict: as recorded (the CLI's exit came from it), as judged again, as the panel and the report show it.
  const record = await loadRunRecord(await onlyRecord(path.join(dir, 'records')));
  const verdict = record.meta.verdict;
  assert.ok(verdict, 'the verdict is part of the record');
  assert.equal(verdict.outcome, 'failed');
  assert.deepEqual(record.meta.thresholds, [...declared, 'GET /error: fail_ratio >= 99%', 'GET /nowhere: p95 < 1s']);
  const judgedAgain = judgeRecord(recordedThresholds(record.meta), { startedAt: record.meta.startedAt, ticks: record.ticks, final: record.final, completed: true });
  assert.deepEqual(judgedAgain, verdict, 'judging the record again gives the verdict the live run gave');
  const panel = replayRunRecord(record).snapshot;
  assert.deepEqual(panel.verdict, verdict, 'the panel shows the recorded verdict');
  assert.deepEqual(panel.thresholds, verdict.thresholds);
  const html = renderHtmlReport(record);
  assert.match(html, /<p class="verdict failed">Thresholds failed \(3 of 5 held\)/);
  for (const status of verdict.thresholds) {
    assert.ok(html.includes(`<tr class="${status.state}"><td>`) && html.includes(`</td><td>${escapeHtml(status.text)}</td>`), `the report shows ${status.text}`);
    const row = html.slice(html.lastIndexOf('<tr', html.indexOf(`<td>${escapeHtml(status.text)}</td>`)));
    assert.ok(row.startsWith(`<tr class="${status.state}">`), `the report shows ${status.text} as ${status.state}`);
  }
  const cliLines = verdict.thresholds.map((s) => markOf(result.stdout, s.text));
  assert.deepEqual(cliLines, verdict.thresholds.map((s) => ({ passed: '✓', failed: '✗', unknown: '?' })[s.state as 'passed' | 'failed' | 'unknown']), 'the CLI printed the recorded states');
});

test('thresholds that all hold: exit 0 even though requests failed (the verdict decides)', { timeout: 60_000 }, async () => {
  const dir = await workdir('passing', locustfile(['p99 < 10s', 'rps > 1']));
  const result = await run(dir, ['-t', '3s', '--threshold', 'fail_ratio < 50%']);
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /Thresholds: passed \(3 of 3 held\)/);
});

for (const locust of locustsFor('full')) test(titled(locust, 'an abort threshold that failed for good ends the run early, with final statistics and a failed verdict naming it'), { timeout: 90_000 }, async () => {
  requireLocust(locust);
  const dir = await workdir(`abort-${locust.version}`, locustfile([]));
  const result = await run(dir, ['-t', '60s', '--threshold', 'GET /error: fail_ratio < 1% abort'], locust.python);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /threshold "GET \/error: fail_ratio < 1% abort" failed: stopping the run/);
  assert.match(result.stdout, /Aggregated/, 'final statistics');
  const record = await loadRunRecord(await onlyRecord(path.join(dir, 'records')));
  assert.equal(record.meta.outcome, 'finished');
  assert.equal(record.meta.verdict?.outcome, 'failed');
  assert.equal(record.meta.verdict?.abortedBy, 'GET /error: fail_ratio < 1% abort');
  // Ended by the abort, not by its run time: measured by the run's own clock (the record), not the test's, whose
  // interpreter start a loaded machine stretches.
  const seconds = (record.meta.endedAt! - record.meta.startedAt) / 1000;
  assert.ok(seconds < 60, `the 60 s run ended early (after ${seconds.toFixed(1)} s)`);
});

test('a run that ends before its warm-up: the verdict is unknown (exit 1), saying why', { timeout: 60_000 }, async () => {
  const dir = await workdir('warmup', locustfile(['p95 < 5s after 30s']));
  const result = await run(dir, ['-t', '2s']);
  assert.equal(result.code, 1, result.stdout);
  assert.equal(markOf(result.stdout, 'p95 < 5s after 30s'), '?');
  assert.match(result.stdout, /warm-up/);
  assert.match(result.stdout, /Thresholds: unknown/);
});

test('a crashed run has no verdict but keeps its record; malformed thresholds stop everything before Locust runs (exit 2)', { timeout: 60_000 }, async () => {
  const crashing = await workdir('crash', `${locustfile(['p95 < 1s'])}\nraise RuntimeError("boom at import")\n`);
  const crashed = await run(crashing, ['-t', '3s']);
  assert.notEqual(crashed.code, 0);
  assert.match(crashed.stdout, /Thresholds: no verdict: the run did not finish/);
  const record = await loadRunRecord(await onlyRecord(path.join(crashing, 'records')));
  assert.equal(record.meta.outcome, 'crashed');
  assert.deepEqual(record.meta.thresholds, ['p95 < 1s'], 'the record names what the run was to be judged by');
  assert.equal(record.meta.verdict, undefined);

  const flag = await run(crashing, ['--threshold', 'p95 < 250']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--threshold "p95 < 250": .*unit/);
  assert.ok(parseThreshold('p95 < 250ms').ok, 'the same text with its unit is fine');
  const declared = await workdir('declared-bad', locustfile(['p95 < 250ms', 'p96 < 1s']));
  const bad = await run(declared, []);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /locustfile\.py:6: THRESHOLDS "p96 < 1s": .*metric/);
  assert.equal(existsSync(path.join(declared, 'records')), false, 'nothing ran, nothing was recorded');
});
