// Real Locust runs against the demo target: live failures and exceptions in ticks, the run record (written as the run
// goes, loaded back, exported in Locust's CSV layout and compared with Locust's own --csv), a SIGKILLed run's record,
// and a distributed run (master + 2 workers) whose final counts equal the master's CSV and its printed summary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BridgeMessage } from '../../protocol/runner';
import { launchRun, startRun, type LocustRun, type RunOptions } from '../../runner/locustRun';
import { exportRunRecord, loadRunRecord, RunRecorder } from '../../runner/runRecord';
import { replayRunRecord } from '../../runner/runReplay';
import { flatHistogramPercentile, flatHistogramTotal, mergeFlatHistograms } from '../../runner/responseTimes';
import { rollingField } from '../../protocol/webview';
import { startTarget } from '../../examples/target/server.mjs';
import { countsFromSummary, follow, isTick, liveGroupMembers, locustsFor, parseCsv, PYTHON, requireLocust, statsCsvCounts, titled, type LocustUnderTest, type Tick } from './support';

const ROOT = path.resolve(__dirname, '..', '..');

let target: Awaited<ReturnType<typeof startTarget>>;
let scratch: string;
const runs: LocustRun[] = [];

before(async () => {
  [target, scratch] = await Promise.all([startTarget({ port: 0, quiet: true }), mkdtemp(path.join(os.tmpdir(), 'locust-studio-record-'))]);
});

after(async () => {
  for (const run of runs) run.kill();
  await Promise.all(runs.map((run) => run.exit));
  await target?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** A locustfile that fails in three ways: a 500, a 1 MB failure message (a few times), and an exception in a task. */
const FAILING_LOCUSTFILE = `
from locust import HttpUser, constant, task

class Failing(HttpUser):
    wait_time = constant(0.05)
    big_left = 3

    @task(4)
    def ok(self):
        self.client.get("/health")

    @task(3)
    def error(self):
        self.client.get("/error")

    @task(1)
    def big(self):
        if Failing.big_left <= 0:
            return
        Failing.big_left -= 1
        with self.client.get("/health", name="big", catch_response=True) as response:
            response.failure("x" * 1_000_000)

    @task(1)
    def boom(self):
        raise ValueError("boom from a task")
`;

/** A steady mix of endpoints, some of which fail, without exceptions. */
const MIXED_LOCUSTFILE = `
from locust import HttpUser, constant, task

class Mixed(HttpUser):
    wait_time = constant(0.02)

    @task(5)
    def products(self):
        self.client.get("/products")

    @task(3)
    def product(self):
        self.client.get("/products/3", name="/products/[id]")

    @task(2)
    def flaky(self):
        self.client.get("/flaky")

    @task(1)
    def error(self):
        self.client.get("/error/503")
`;

async function locustfile(name: string, text: string): Promise<{ cwd: string; file: string }> {
  const cwd = path.join(scratch, name);
  await mkdir(cwd, { recursive: true });
  const file = path.join(cwd, 'locustfile.py');
  await writeFile(file, text);
  return { cwd, file };
}

async function start(options: Partial<RunOptions> & { locustfile: string }): Promise<LocustRun> {
  const run = await launchRun({ python: PYTHON, host: target.url, statsInterval: 0.5, ...options });
  runs.push(run);
  return run;
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'ticks carry new and changed failures (with first/last seen) and exceptions; huge messages are cut'), { timeout: 60_000 }, () => failuresAndExceptions(locust));
}

async function failuresAndExceptions(locust: LocustUnderTest) {
  requireLocust(locust);
  const { cwd, file } = await locustfile(`failing-${locust.version}`, FAILING_LOCUSTFILE);
  const run = await start({ python: locust.python, locustfile: file, cwd, users: 4, spawnRate: 4, runTime: '4s', csvPrefix: path.join(cwd, 'run') });
  const { messages, protocolErrors } = follow(run);
  await run.exit;
  assert.deepEqual(protocolErrors, []);
  assert.deepEqual(messages.filter((m) => m.type === 'error'), []);
  const ticks = messages.filter(isTick);

  // GET /error: first seen once, then its occurrences grow tick after tick with the same firstSeen.
  const errorUpdates = ticks.flatMap((t) => (t.failures ?? []).filter((f) => f.name === '/error').map((f) => ({ ...f, seq: t.seq })));
  assert.ok(errorUpdates.length >= 3, `GET /error changed in several ticks (${errorUpdates.length})`);
  for (let i = 1; i < errorUpdates.length; i++) {
    const [a, b] = [errorUpdates[i - 1]!, errorUpdates[i]!];
    assert.ok(b.occurrences > a.occurrences, 'a failure is sent again only when its count changed');
    assert.equal(b.firstSeen, a.firstSeen, 'firstSeen stays');
    assert.ok(b.lastSeen! >= a.lastSeen! && b.lastSeen! >= b.firstSeen!, 'lastSeen moves on');
  }
  assert.ok(
    ticks.every((t) => (t.failures ?? []).filter((f) => f.name === '/error').length <= 1),
    'one entry per failure per tick',
  );

  // The 1 MB failure message arrives cut, with a marker saying how long it was.
  const big = ticks.flatMap((t) => t.failures ?? []).find((f) => f.name === 'big');
  assert.ok(big, 'the big failure is reported live');
  assert.ok(big.error.length < 5_000, `cut to ${big.error.length} characters`);
  assert.match(big.error, /… \[truncated: 10000\d\d characters\]$/);

  // Exceptions raised in a task: message and traceback, counts growing.
  const exceptionUpdates = ticks.flatMap((t) => t.exceptions ?? []);
  assert.ok(exceptionUpdates.length >= 2, 'the exception is reported live, and again as its count grows');
  assert.match(exceptionUpdates[0]!.message, /boom from a task/);
  assert.match(exceptionUpdates[0]!.traceback, /raise ValueError\("boom from a task"\)/);

  // Final: every failure and exception, counts equal to Locust's own CSV files of the run.
  const final = run.final!;
  assert.ok(final, 'final statistics arrived');
  const failureRows = parseCsv(await readFile(path.join(cwd, 'run_failures.csv'), 'utf8')).slice(1);
  assert.deepEqual(
    final.failures.map((f) => `${f.method} ${f.name} ${f.occurrences}`).sort(),
    failureRows.map((r) => `${r[0]} ${r[1]} ${r[3]}`).sort(),
    'final failures equal run_failures.csv (per method, name and occurrences)',
  );
  assert.equal(final.failures.find((f) => f.name === 'big')?.occurrences, 3);
  const exceptionRows = parseCsv(await readFile(path.join(cwd, 'run_exceptions.csv'), 'utf8')).slice(1);
  assert.equal(exceptionRows.length, 1);
  assert.deepEqual(
    final.exceptions?.map((e) => [e.count, e.message]),
    [[Number(exceptionRows[0]![0]), exceptionRows[0]![1]]],
    'final exceptions equal run_exceptions.csv',
  );
  const lastLive = exceptionUpdates.at(-1)!;
  assert.ok(lastLive.count <= final.exceptions[0]!.count, 'live counts never exceed the final one');
  console.log(
    `failures: ${final.failures.map((f) => `${f.name}=${f.occurrences}`).join(', ')}; exception count ${final.exceptions[0]!.count}` +
      ` (CSV ${exceptionRows[0]![0]}); /error updates in ${errorUpdates.length} of ${ticks.length} ticks`,
  );
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'a recorded run loads back, and its exported _stats.csv equals Locust’s own --csv of the same run'), { timeout: 60_000 }, () => recordedRun(locust));
}

async function recordedRun(locust: LocustUnderTest) {
  requireLocust(locust);
  const { cwd, file } = await locustfile(`recorded-${locust.version}`, MIXED_LOCUSTFILE);
  const options: RunOptions = {
    python: locust.python,
    locustfile: file,
    cwd,
    host: target.url,
    users: 5,
    spawnRate: 5,
    runTime: '4s',
    statsInterval: 0.5,
    csvPrefix: path.join(cwd, 'locust'),
  };
  const run = await start(options);
  const recorder = RunRecorder.create(path.join(cwd, 'records'), options, { interpreter: { path: locust.python } });
  const { messages } = follow(run);
  const meta = await recorder.follow(run);
  assert.equal(meta.outcome, 'finished');

  const record = await loadRunRecord(recorder.dir);
  assert.equal(record.meta.exit?.code, run.final!.total.failures > 0 ? 1 : 0);
  assert.equal(record.meta.runnerKind, 'local');
  assert.ok(record.meta.features?.includes('runnerExceptions'));
  assert.ok(record.meta.endedAt! >= record.meta.startedAt);
  assert.deepEqual(record.ticks, messages.filter(isTick), 'every tick is in ticks.jsonl, in order');
  assert.equal(record.unreadableLines, 0);
  assert.deepEqual(record.options.locustfile, file);
  assert.deepEqual(record.final, run.final);

  // The rolling-window percentiles the panel charts, rebuilt from the record as a replay does: Locust's own walk over
  // the real window histograms of the run (4 s: every tick is inside the 10 s window of the last one).
  const merged = record.ticks.map((tick) => tick.total.window.histogram ?? []).reduce(mergeFlatHistograms, []);
  assert.equal(flatHistogramTotal(merged), record.ticks.reduce((sum, tick) => sum + tick.total.window.requests, 0), 'every request of every window is in a histogram');
  const replayedTotal = replayRunRecord(record).snapshot.series!.total.recent.at(-1)!;
  for (const [name, q] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]] as const) {
    assert.equal(replayedTotal.v[rollingField(name, 10)], flatHistogramPercentile(merged, q), `${name} over 10 s`);
  }

  const exported = await exportRunRecord(record, path.join(cwd, 'export', 'ours'));
  assert.equal(exported.length, 5);
  const ours = await statsCsvCounts(path.join(cwd, 'export', 'ours_stats.csv'));
  const theirs = await statsCsvCounts(path.join(cwd, 'locust_stats.csv'));
  assert.deepEqual(ours.header, theirs.header, `the same columns as ${locust.label}’s _stats.csv`);
  assert.deepEqual(ours.order, theirs.order, 'the same rows in the same order');
  assert.deepEqual(ours.counts, theirs.counts, 'the same request and failure counts per row');
  assert.ok(Number(theirs.counts[' Aggregated']!.split('/')[0]) > 100, 'a run with real traffic');

  const oursRows = parseCsv(await readFile(path.join(cwd, 'export', 'ours_stats.csv'), 'utf8'));
  const locustRows = parseCsv(await readFile(path.join(cwd, 'locust_stats.csv'), 'utf8'));
  // Every column, as text: Locust's rates divide by its stats' start and last request times, which the bridge reads
  // at quitting, as the CSV repair writes the file.
  assert.deepEqual(oursRows, locustRows, 'every column of _stats.csv equals Locust’s, as text');

  const failuresOurs = parseCsv(await readFile(path.join(cwd, 'export', 'ours_failures.csv'), 'utf8'));
  const failuresLocust = parseCsv(await readFile(path.join(cwd, 'locust_failures.csv'), 'utf8'));
  assert.deepEqual(failuresOurs, failuresLocust, '_failures.csv equals Locust’s, row for row');

  const history = parseCsv(await readFile(path.join(cwd, 'export', 'ours_stats_history.csv'), 'utf8'));
  const locustHistory = parseCsv(await readFile(path.join(cwd, 'locust_stats_history.csv'), 'utf8'));
  assert.deepEqual(history[0], locustHistory[0], 'the same columns as Locust’s _stats_history.csv');
  assert.equal(history.length - 1, record.ticks.length, 'one history row per tick');
  const json = JSON.parse(await readFile(path.join(cwd, 'export', 'ours.json'), 'utf8')) as { final: unknown; ticks: unknown[] };
  assert.deepEqual(json.final, run.final);
  console.log(`recorded ${record.ticks.length} ticks; exported vs Locust _stats.csv:`, JSON.stringify(ours.counts));
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'a run killed with SIGKILL mid-run keeps its record with the ticks so far, and meta says it was killed'), { timeout: 60_000 }, () => killedRun(locust));
}

async function killedRun(locust: LocustUnderTest) {
  requireLocust(locust);
  const { cwd, file } = await locustfile(`killed-${locust.version}`, MIXED_LOCUSTFILE);
  const options: RunOptions = { python: locust.python, locustfile: file, cwd, host: target.url, users: 3, spawnRate: 3, runTime: '20s', statsInterval: 0.25 };
  const run = await start(options);
  const recorder = RunRecorder.create(path.join(cwd, 'records'), options);
  const finished = recorder.follow(run);
  const { next } = follow(run);
  const third = await next('the third tick with requests', (m): m is Tick => isTick(m) && m.seq >= 3 && m.total.requests > 0);
  // What is on disk now, while the run goes: the record is written as it goes, not at the end.
  const during = await loadRunRecord(recorder.dir);
  assert.ok(during.ticks.length >= 3 && during.ticks.some((t) => t.seq === third.seq), 'ticks are on disk while the run goes');
  assert.equal(during.meta.outcome, 'incomplete');

  process.kill(run.pid!, 'SIGKILL');
  const meta = await finished;
  const record = await loadRunRecord(recorder.dir);
  assert.equal(meta.outcome, 'killed');
  assert.deepEqual(record.meta.exit, { code: null, signal: 'SIGKILL' });
  assert.equal(record.final, undefined);
  assert.equal(record.ticks.length, record.meta.ticks, 'every tick counted in meta is on disk');
  assert.ok(record.ticks.length >= third.seq);
  assert.deepEqual(record.total, record.ticks.at(-1)!.total, 'totals are the last tick’s');
  assert.ok(record.endpoints.length > 0 && record.endpoints.every((e) => e.requests > 0));
  assert.deepEqual(await liveGroupMembers(run.pid!), [], 'nothing of the killed run is left');
  console.log(`killed after tick ${third.seq}; record kept ${record.ticks.length} ticks, ${record.total.requests} requests`);
}

for (const locust of locustsFor('smoke')) {
  test(titled(locust, 'distributed: master + 2 workers (the handshake repaired where Locust’s version is empty), final counts equal the master’s CSV and printed summary'), { timeout: 90_000 }, () => distributedExact(locust));
}

async function distributedExact(locust: LocustUnderTest) {
  requireLocust(locust);
  const { cwd, file } = await locustfile(`distributed-${locust.version}`, MIXED_LOCUSTFILE);
  const run = await start({
    python: locust.python,
    locustfile: file,
    cwd,
    mode: 'distributed',
    workers: 2,
    users: 4,
    spawnRate: 4,
    runTime: '5s',
    csvPrefix: path.join(cwd, 'master'),
  });
  const { messages, logs, protocolErrors } = follow(run);
  const workerPids = run.workerPids;
  assert.equal(workerPids.length, 2);
  const exit = await run.exit;
  const text = logs.map((l) => l.line).join('\n');
  assert.doesNotMatch(text, /old \(pre 2\.0\) worker|running a different (patch )?version/, 'master and workers agree on the version (repaired only where it is empty)');
  assert.deepEqual(protocolErrors, []);
  assert.deepEqual(messages.filter((m) => m.type === 'error'), []);
  const hello = messages.find((m): m is Extract<BridgeMessage, { type: 'hello' }> => m.type === 'hello');
  assert.equal(hello?.runnerKind, 'master');
  // The repair's stand-in stays inside Locust's handshake: the version reported is Locust's own (dpkg's for Debian's).
  assert.equal(hello?.locustVersion, locust.version);
  const ticks = messages.filter(isTick);
  assert.ok(ticks.some((t) => t.userCount === 4), 'the master sees the workers’ 4 users');
  const withUsers = ticks.find((t) => t.userCount === 4)!;
  assert.equal(withUsers.workers?.length, 2, 'ticks list both workers');
  assert.deepEqual((withUsers.workers ?? []).map((w) => w.userCount).sort(), [2, 2], 'the users are split between them');
  assert.ok((withUsers.workers ?? []).every((w) => w.state === 'running' || w.state === 'spawning'));
  // Worker reports every second (not Locust's 3 s): the master's request total grows in most ticks while running.
  const running = ticks.filter((t) => t.state === 'running');
  const grew = running.filter((t, i) => i > 0 && t.total.requests > running[i - 1]!.total.requests).length;
  assert.ok(grew >= 3, `master totals grew in ${grew} of ${running.length} running ticks`);

  const final = run.final!;
  assert.ok(final, 'final statistics from the master');
  assert.equal(exit.code, final.total.failures > 0 ? 1 : 0);
  const fromBridge = Object.fromEntries([
    ...final.endpoints.map((e): [string, string] => [`${e.method} ${e.name}`, `${e.requests}/${e.failures}`]),
    [' Aggregated', `${final.total.requests}/${final.total.failures}`],
  ]);
  const csv = await statsCsvCounts(path.join(cwd, 'master_stats.csv'));
  assert.deepEqual(fromBridge, csv.counts, 'final statistics equal the master’s _stats.csv');
  // That CSV is rewritten by the bridge itself at quitting (Locust 2.12 leaves it a second behind): the summary the
  // master prints at exit, after every quitting listener and its last worker reports, is Locust's word alone.
  const masterLines = logs.filter((l) => l.stream === 'stderr' && !l.line.startsWith('[worker ')).map((l) => l.line);
  assert.deepEqual(fromBridge, countsFromSummary(masterLines), 'final statistics equal the summary the master printed at exit');
  assert.ok(final.total.requests > 100);
  for (const pid of [run.pid!, ...workerPids]) assert.deepEqual(await liveGroupMembers(pid), [], `process group ${pid} is gone`);
  console.log(`distributed final vs master_stats.csv and the master’s summary: ${JSON.stringify(fromBridge)}`);
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'stop() of a distributed run quits master and workers; nothing is left'), { timeout: 60_000 }, () => stopDistributed(locust));
}

async function stopDistributed(locust: LocustUnderTest) {
  requireLocust(locust);
  const run = await start({ python: locust.python, locustfile: path.join(ROOT, 'examples', 'locustfile.py'), cwd: scratch, mode: 'distributed', workers: 2, users: 2, spawnRate: 2 });
  const { next } = follow(run);
  await next('a tick with 2 users', (m): m is Tick => isTick(m) && m.userCount === 2);
  const exit = await run.stop();
  assert.equal(exit.signal, null, 'graceful: no signal was needed');
  assert.ok(run.final);
  for (const pid of [run.pid!, ...run.workerPids]) assert.deepEqual(await liveGroupMembers(pid), [], `process group ${pid} is gone`);
}

test('startRun refuses a distributed run without a port (launchRun finds one)', () => {
  assert.throws(() => startRun({ python: PYTHON, locustfile: 'x.py', mode: 'distributed' }), /masterPort/);
});
