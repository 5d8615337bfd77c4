// Comparing real runs through the bundled CLI: real Locusts (Debian's 2.12 and the newest) against the demo target on
// 127.0.0.1, `compare --json` and its exit status, `run --baseline`, the HTML report, and bad folders.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Comparison } from '../../protocol/compare';
import { cliAgainstTarget, runCli } from '../helpers/cliProcess';
import { locustsFor, requireLocust } from './support';

const fixture = cliAgainstTarget('compare');

const LOCUSTFILE = path.resolve(__dirname, '..', 'fixtures', 'compare', 'locustfile.py');
/** Four endpoints of 60, 70, 80 and 90 ms (below 100 ms Locust keeps exact milliseconds), with ±20 % jitter. */
const ENDPOINTS = { COMPARE_ENDPOINTS: '4', COMPARE_BASE_MS: '60', COMPARE_STEP_MS: '10' };
const SLOWED = '/e1';

const debian = locustsFor('full').find((l) => l.role === 'debian')!;
const newest = locustsFor('full').find((l) => l.role === 'newest')!;

let workdir = '';
let runNumber = 0;

/**
 * Runs the fixture locustfile through the CLI with its settings written into the file itself (the CLI passes its own
 * environment on; a test must not change this process's): 8 users for 8 s, ticks every 0.5 s, one record per run.
 */
async function cliRun(python: string, settings: Record<string, string>, extra: string[] = []) {
  await writeLocustfile(settings);
  return cliRunAsWritten(python, extra);
}

/** Writes the fixture locustfile with these settings into the work folder (once for runs that go side by side). */
async function writeLocustfile(settings: Record<string, string>): Promise<void> {
  const workdir = await useWorkdir();
  const header = `import os\n${Object.entries(settings).map(([k, v]) => `os.environ[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join('\n')}\n`;
  await writeFile(path.join(workdir, 'locustfile.py'), header + (await readFile(LOCUSTFILE, 'utf8')));
}

/** Runs the locustfile as last written. */
async function cliRunAsWritten(python: string, extra: string[] = []) {
  const workdir = await useWorkdir();
  const records = path.join(workdir, `records-${++runNumber}`);
  const result = await runCli(
    ['run', 'locustfile.py', '-u', '8', '-r', '8', '-t', '8s', '-H', fixture.url, '--python', python, '--interval', '0.5', '--record-dir', records, ...extra],
    { cwd: workdir },
  );
  const record = /^Run record: (.+)$/m.exec(result.stdout)?.[1];
  assert.ok(record, `the run was recorded\n${result.stdout}\n${result.stderr}`);
  return { ...result, record };
}

async function compareJson(base: string, next: string, extra: string[] = []) {
  const result = await runCli(['compare', base, next, '--json', ...extra], { cwd: workdir });
  const lines = result.stdout.trim().split('\n');
  assert.equal(lines.length, 1, `exactly one JSON object on stdout:\n${result.stdout}\n${result.stderr}`);
  return { ...result, comparison: JSON.parse(lines[0]!) as Comparison };
}

function regressedEndpoints(comparison: Comparison): string[] {
  return comparison.endpoints.filter((e) => e.verdict === 'regressed').map((e) => e.name);
}

let baseline = '';

before(() => {
  requireLocust(debian);
  requireLocust(newest);
});

/** The folder the runs work in, made in the fixture's scratch folder on first use (the fixture's own hook has run by then). */
async function useWorkdir(): Promise<string> {
  if (!workdir) {
    assert.ok(path.isAbsolute(fixture.scratch), 'the fixture made its scratch folder');
    workdir = await fixture.workdir('runs', '');
  }
  return workdir;
}

// The two runs go side by side: a machine that gets busier between two runs makes every request of the later one slower,
// a real difference of the whole run that the aggregate is right to report (endpoints are judged against it; the
// run --baseline test below runs one after the other). Side by side, only the comparison's own noise is left to judge.
test('two runs without a change, side by side (Locust 2.12): compare --json finds no regression and exits 0', { timeout: 60_000 }, async () => {
  await writeLocustfile(ENDPOINTS);
  const [first, second] = await Promise.all([cliRunAsWritten(debian.python), cliRunAsWritten(debian.python)]);
  assert.equal(first.code, 0, first.stderr);
  baseline = first.record;
  assert.equal(second.code, 0, second.stderr);
  const { code, comparison } = await compareJson(baseline, second.record);
  assert.deepEqual(regressedEndpoints(comparison), [], JSON.stringify(comparison.endpoints.map((e) => [e.name, e.verdict])));
  assert.notEqual(comparison.aggregate.verdict, 'regressed', JSON.stringify(comparison.aggregate.metrics));
  assert.equal(comparison.verdict, 'ok');
  assert.equal(code, 0);
  assert.deepEqual(comparison.endpoints.map((e) => e.name), ['/e0', '/e1', '/e2', '/e3']);
  for (const e of comparison.endpoints) {
    assert.equal(e.method, 'GET');
    assert.notEqual(e.verdict, 'notEnoughData', `${e.name} was judged`);
    assert.ok(e.metrics.p95.base! > 0 && e.metrics.p95.new! > 0 && typeof e.metrics.p95.delta === 'number', 'base, new and delta of p95');
  }
  assert.equal(comparison.base.fromTicks, false, 'the recorder wrote batches.json');
  assert.equal(comparison.base.steadyOnly, true, 'the spawning ramp is left out');
});

test('run --baseline (Locust 2.47 against a 2.12 record): one endpoint twice as slow regresses, alone; exit 1; compare agrees', { timeout: 60_000 }, async () => {
  assert.ok(baseline, 'the baseline run of the previous test');
  const slowed = await cliRun(newest.python, { ...ENDPOINTS, COMPARE_SLOWER: `${SLOWED}:2` }, ['--baseline', baseline]);
  assert.match(slowed.stdout, /Compared with the baseline:/);
  assert.match(slowed.stdout, /^GET\s+\/e1\s+regressed\s/m);
  assert.match(slowed.stdout, /^Comparison: regressed \(1 of 4 endpoints regressed: GET \/e1/m);
  assert.equal(slowed.code, 1, `a regression fails the run\n${slowed.stderr}`);

  const html = path.join(workdir, 'report', 'compare.html');
  const { code, comparison, stderr } = await compareJson(baseline, slowed.record, ['--html', html]);
  assert.equal(code, 1);
  assert.equal(comparison.verdict, 'regressed');
  assert.deepEqual(regressedEndpoints(comparison), [SLOWED], JSON.stringify(comparison.endpoints.map((e) => [e.name, e.verdict])));
  const e1 = comparison.endpoints.find((e) => e.name === SLOWED)!;
  assert.equal(e1.metrics.p50.verdict, 'regressed');
  assert.ok(e1.metrics.p50.relative! > 0.6, `p50 of ${SLOWED}: ${e1.metrics.p50.base} → ${e1.metrics.p50.new}`);
  assert.equal(comparison.new.locustVersion, '2.47.0');
  assert.match(stderr, /HTML report: /, 'said on stderr: stdout holds only the JSON');
  const page = await readFile(html, 'utf8');
  assert.match(page, /<p class="verdict regressed">regressed/);
  assert.ok(!/<script/i.test(page));
});

test('compare: a missing folder, a folder that is no record, a bad --baseline: one line and status 2, before Locust starts', { timeout: 30_000 }, async () => {
  const workdir = await useWorkdir();
  const missing = await runCli(['compare', path.join(workdir, 'nope'), baseline || workdir], { cwd: workdir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^locust-studio: compare: .*nope is not a run record \(no such folder\)\n$/);
  const foreign = await runCli(['compare', workdir, workdir], { cwd: workdir });
  assert.equal(foreign.code, 2);
  assert.match(foreign.stderr, /is not a run record \(no readable meta\.json\)/);
  const usage = await runCli(['compare', workdir], { cwd: workdir });
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /compare needs a baseline record folder and a new record folder/);
  const records = path.join(workdir, 'records-bad-baseline');
  const run = await runCli(['run', 'locustfile.py', '-u', '1', '-t', '2s', '-H', fixture.url, '--python', debian.python, '--record-dir', records, '--baseline', workdir], { cwd: workdir });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^locust-studio: --baseline: .* is not a run record \(no readable meta\.json\)\n$/);
  assert.equal(existsSync(records), false, 'no record: Locust never started');
});
