// Real Locust runs through startRun against the demo target: message order, exactness against Locust's own CSV and
// summary, commands, stop, and runs that cannot start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PERCENTILES, type BridgeMessage } from '../../protocol/runner';
import { buildLocustArgs, startRun, type LocustRun, type RunOptions } from '../../runner/locustRun';
import { resolveInterpreter } from '../../runner/python';
import { DEBIAN_LOCUST, DEBIAN_PYTHON } from '../../scripts/locustVersions';
import { startTarget } from '../../examples/target/server.mjs';
import { countsFromSummary, follow, isTick, liveGroupMembers, locustsFor, parseCsv, requireLocust, titled, type LocustUnderTest, type Tick } from './support';

const ROOT = path.resolve(__dirname, '..', '..');
const LOCUSTFILE = path.join(ROOT, 'examples', 'locustfile.py');

let target: Awaited<ReturnType<typeof startTarget>>;
let scratch: string;
const runs: LocustRun[] = [];

before(async () => {
  [target, scratch] = await Promise.all([startTarget({ port: 0, quiet: true }), mkdtemp(path.join(os.tmpdir(), 'locust-studio-run-'))]);
});

after(async () => {
  // A failed assertion must not leave Locust loading the target.
  for (const run of runs) run.kill();
  await Promise.all(runs.map((run) => run.exit));
  await target?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** Starts a run (in its own directory, so no stray locust.conf applies) and records everything it says. */
async function record(options: Partial<RunOptions> & { name: string; python: string }) {
  const cwd = path.join(scratch, options.name);
  await mkdir(cwd, { recursive: true });
  const run = startRun({ locustfile: LOCUSTFILE, cwd, ...options });
  runs.push(run);
  return { run, cwd, ...follow(run) };
}



/** Locust's own list of the locustfile's User classes: the oracle for `hello`. */
function userClassesByLocust(python: string): string[] {
  // (Its log lines go to stderr, kept out of the test's output; newer Locusts log their start even for --list.)
  const out = execFileSync(python, ['-m', 'locust', '-f', LOCUSTFILE, '--list'], { cwd: scratch, encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return out
    .split('\n')
    .slice(out.split('\n').findIndex((l) => l.startsWith('Available Users')) + 1)
    .map((l) => l.trim())
    .filter(Boolean);
}


/** `{ "GET /x": "requests/failures" }` from Locust's <prefix>_stats.csv, Aggregated row included (Type is empty). */
async function countsFromStatsCsv(file: string): Promise<Record<string, string>> {
  const [header, ...rows] = parseCsv(await readFile(file, 'utf8'));
  assert.deepEqual(header?.slice(0, 4), ['Type', 'Name', 'Request Count', 'Failure Count'], 'the CSV layout of Locust 2.x');
  return Object.fromEntries(rows.map((r) => [`${r[0]} ${r[1]}`, `${r[2]}/${r[3]}`]));
}

for (const locust of locustsFor('smoke')) {
  test(titled(locust, 'a run reports hello, growing ticks and final statistics equal to Locust’s own CSV and summary'), { timeout: 60_000 }, () => exactRun(locust));
}

async function exactRun(locust: LocustUnderTest) {
  requireLocust(locust);
  const expectedClasses = userClassesByLocust(locust.python);
  assert.ok(expectedClasses.length > 0, `Locust lists User classes in ${LOCUSTFILE}`);
  const { run, cwd, messages, logs, protocolErrors } = await record({
    python: locust.python,
    name: `exact-${locust.version}`,
    host: target.url,
    users: 5,
    spawnRate: 5,
    runTime: '5s',
    statsInterval: 0.5,
    csvPrefix: path.join(scratch, `exact-${locust.version}`, 'run'),
  });
  const exit = await run.exit;
  assert.deepEqual(protocolErrors, []);
  assert.equal(messages.filter((m) => m.type === 'error').length, 0, JSON.stringify(messages.filter((m) => m.type === 'error')));

  const hello = messages[0];
  assert.equal(hello?.type, 'hello', 'hello comes first');
  assert.equal(hello.runnerKind, 'local');
  assert.equal(hello.protocol, 1);
  assert.equal(hello.pid, run.pid);
  assert.deepEqual([...hello.userClasses].sort(), [...expectedClasses].sort());
  assert.equal(hello.host, target.url, 'hello names the host given with --host');

  const ticks = messages.filter(isTick);
  assert.ok(ticks.length >= 4, `ticks every 0.5 s over 5 s (got ${ticks.length})`);
  ticks.forEach((tick, i) => {
    assert.equal(tick.seq, i + 1, 'seq counts up from 1 without gaps');
    assert.equal(tick.total.percentiles.length, PERCENTILES.length);
    if (i === 0) return;
    const before = ticks[i - 1]!.total;
    assert.ok(tick.total.requests >= before.requests && tick.total.failures >= before.failures, 'totals never go down');
    assert.equal(tick.total.window.requests, tick.total.requests - before.requests, 'the window is the delta between ticks');
  });
  for (const { total } of ticks) {
    const { p50, p95, p99, requests } = total.window;
    if (requests === 0) assert.deepEqual([p50, p95, p99], [null, null, null], 'a window without requests has no percentiles');
    // (Not against the max: Locust's histogram rounds times, so a percentile may lie a little above the exact max.)
    else assert.ok(p50 !== null && p95 !== null && p99 != null && p50 <= p95 && p95 <= p99, `window p50 ≤ p95 ≤ p99: ${JSON.stringify(total.window)}`);
  }
  assert.ok(ticks.some((t) => t.userCount === 5 && Object.values(t.usersByClass).reduce((a, b) => a + b, 0) === 5));

  const final = run.final;
  assert.ok(final, 'a final message arrives');
  assert.equal(messages.at(-1), final, 'final is the last message');
  assert.ok(final.total.requests > 0);
  assert.ok(final.total.requests >= ticks.at(-1)!.total.requests);
  // What the bridge costs Locust, measured inside the process. How small a share that is, is a number for the benchmark
  // (npm run bench prints it side by side with plain Locust), not a limit here: CPU seconds drift on a shared machine.
  assert.ok(final.cost, 'the final message reports the bridge’s cost');
  assert.ok(final.cost.bridgeCpuSeconds > 0 && final.cost.processCpuSeconds > final.cost.bridgeCpuSeconds, JSON.stringify(final.cost));

  // Locust 2.12 exits 1 (--exit-code-on-error) when any request failed, 0 otherwise.
  assert.deepEqual(exit, { code: final.total.failures > 0 ? 1 : 0, signal: null });

  // Exactness: the bridge's final numbers are Locust's own, row by row.
  const fromBridge: Record<string, string> = Object.fromEntries([
    ...final.endpoints.map((e): [string, string] => [`${e.method} ${e.name}`, `${e.requests}/${e.failures}`]),
    [' Aggregated', `${final.total.requests}/${final.total.failures}`],
  ]);
  const fromCsv = await countsFromStatsCsv(path.join(cwd, 'run_stats.csv'));
  assert.deepEqual(fromBridge, fromCsv, 'final statistics equal Locust’s run_stats.csv');
  const fromSummary = countsFromSummary(logs.filter((l) => l.stream === 'stderr').map((l) => l.line));
  assert.deepEqual(fromBridge, fromSummary, 'final statistics equal the summary Locust printed at exit');
  // For the record in the test output: what was compared.
  console.log(`bridge final vs ${path.basename(cwd)}/run_stats.csv:`, JSON.stringify(fromBridge));

  assert.equal(final.failures.reduce((sum, f) => sum + f.occurrences, 0), final.total.failures, 'failures add up');
  const failureRows = parseCsv(await readFile(path.join(cwd, 'run_failures.csv'), 'utf8')).slice(1);
  assert.deepEqual(
    final.failures.map((f) => [f.method, f.name, f.error, String(f.occurrences)]).sort(),
    failureRows.map((r) => r.slice(0, 4)).sort(),
    'failures equal Locust’s run_failures.csv',
  );
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'setUsers mid-run is acknowledged and obeyed; stop() ends the run with final statistics and no process left'), { timeout: 60_000 }, () =>
    setUsersThenStop(locust),
  );
}

async function setUsersThenStop(locust: LocustUnderTest) {
  requireLocust(locust);
  const [userClass] = userClassesByLocust(locust.python);
  const { run, messages, next } = await record({
    python: locust.python,
    name: `control-${locust.version}`,
    host: target.url,
    userClasses: [userClass!],
    users: 5,
    spawnRate: 5,
    runTime: '15s',
    statsInterval: 0.5,
  });
  await next('a tick with 5 users', (m): m is Tick => isTick(m) && m.userCount === 5);
  const ack = await run.send({ type: 'setUsers', users: 2, spawnRate: 10 });
  assert.equal(ack.type, 'ack');
  assert.equal(ack.ok, true, ack.error);
  const tick = await next('a tick with 2 users', (m): m is Tick => isTick(m) && m.userCount === 2);
  assert.deepEqual(tick.usersByClass, { [userClass!]: 2 });

  const refused = await run.send({ type: 'setUsers', users: 3, spawnRate: 0 });
  assert.equal(refused.ok, false, 'a spawn rate of 0 is refused, not passed to Locust');

  const started = Date.now();
  const exit = await run.stop();
  assert.ok(Date.now() - started < 10_000, 'quit is graceful and quick, no signal needed');
  assert.ok(run.final, 'stop() leads to final statistics');
  assert.equal(exit.signal, null);
  assert.equal(exit.code, run.final.total.failures > 0 ? 1 : 0);
  const states = messages.filter((m) => m.type === 'state').map((m) => m.state);
  assert.deepEqual(states.slice(-2), ['stopped', 'quitting']);
  assert.throws(() => process.kill(-run.pid!, 0), { code: 'ESRCH' }, 'nothing of the run’s process group is left');
  await assert.rejects(run.send({ type: 'stop' }), /not running/);
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'a locustfile with a syntax error: the run exits non-zero and the log names the file and line'), { timeout: 30_000 }, async () => {
    requireLocust(locust);
    const dir = path.join(scratch, `broken-${locust.version}`);
    await mkdir(dir, { recursive: true });
    const locustfile = path.join(dir, 'broken_locustfile.py');
    await writeFile(locustfile, 'from locust import HttpUser, task\n\nclass Broken(HttpUser):\n    def oops(self:\n        pass\n');
    const { run, messages, logs } = await record({ python: locust.python, name: `broken-${locust.version}`, locustfile, host: target.url, users: 1, spawnRate: 1, runTime: '2s' });
    const exit = await run.exit;
    assert.notEqual(exit.code, 0);
    assert.equal(messages.length, 0, 'no hello: Locust never got to start');
    const text = logs.map((l) => l.line).join('\n');
    assert.match(text, /broken_locustfile\.py", line 4/);
    assert.match(text, /SyntaxError/);
  });
}

test('an interpreter that does not exist: exit carries the spawn error, nothing hangs', async () => {
  const run = startRun({ python: path.join(scratch, 'no-such-python'), locustfile: LOCUSTFILE });
  runs.push(run);
  const exit = await run.exit;
  assert.equal(exit.code, null);
  assert.match(exit.spawnError ?? '', /ENOENT/);
  await assert.rejects(run.send({ type: 'quit' }), /not running/);
  assert.deepEqual(await run.stop(), exit);
});

test('channel lines that are not bridge messages become protocol errors; logs keep their stream', async () => {
  // A stand-in for the launcher, run by sh: it speaks on fd 3 like the bridge would, but wrongly on purpose.
  const bridgeDir = path.join(scratch, 'fake-bridge');
  await mkdir(bridgeDir, { recursive: true });
  await writeFile(
    path.join(bridgeDir, 'locust_studio_launch.py'),
    [
      `printf 'not json\\n{"type":"hello","protocol":1}\\n\\n{"type":"error","message":"from the fake"}\\n' >&3`,
      'echo "on stdout"',
      'echo "on stderr" >&2',
      'exit 3',
    ].join('\n'),
  );
  const { run, messages, logs, protocolErrors } = await record({ name: 'fake', python: '/bin/sh', bridgeDir });
  const exit = await run.exit;
  assert.deepEqual(exit, { code: 3, signal: null });
  assert.equal(protocolErrors.length, 2, protocolErrors.join('\n'));
  assert.match(protocolErrors[0]!, /^not JSON/);
  assert.deepEqual(messages, [{ type: 'error', message: 'from the fake' }]);
  assert.deepEqual(logs, [
    { line: 'on stdout', stream: 'stdout' },
    { line: 'on stderr', stream: 'stderr' },
  ]);
});

test('stop() escalates to SIGTERM, then SIGKILL of the whole process group, when quit is not obeyed', async () => {
  // A stand-in that ignores quit and SIGTERM, with a child of its own that ignores SIGTERM too.
  const bridgeDir = path.join(scratch, 'stubborn-bridge');
  await mkdir(bridgeDir, { recursive: true });
  await writeFile(
    path.join(bridgeDir, 'locust_studio_launch.py'),
    [`trap '' TERM`, 'sleep 30 &', `printf '{"type":"error","message":"ready"}\\n' >&3`, 'wait'].join('\n'),
  );
  const { run, next } = await record({ name: 'stubborn', python: '/bin/sh', bridgeDir });
  await next('the stand-in to be ready', (m): m is Extract<BridgeMessage, { type: 'error' }> => m.type === 'error');
  const exit = await run.stop({ graceMs: 300, termGraceMs: 300 });
  assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
  assert.deepEqual(await liveGroupMembers(run.pid!), [], 'its sleeping child went with it');
});

test('resolveInterpreter finds a Python with Locust, and names the install command when there is none', async () => {
  const found = await resolveInterpreter();
  assert.ok(path.isAbsolute(found.path));
  execFileSync(found.path, ['-c', 'import locust'], { cwd: scratch, timeout: 20_000 });
  await assert.rejects(resolveInterpreter(path.join(scratch, 'no-such-python')), /not found.*pip install locust/);
  // Debian's build says neither in __version__ nor in its metadata which Locust it is: dpkg does.
  assert.equal((await resolveInterpreter(DEBIAN_PYTHON)).locustVersion, DEBIAN_LOCUST);
});

test('Locust arguments: only what was set, user classes right after the locustfile, multi-value options last', () => {
  assert.deepEqual(buildLocustArgs({ python: 'p', locustfile: 'lf.py' }), ['--locustfile=lf.py', '--headless']);
  assert.deepEqual(
    buildLocustArgs({
      python: 'p',
      locustfile: 'lf.py',
      userClasses: ['A', 'B'],
      host: 'http://127.0.0.1:1',
      users: 3,
      spawnRate: 0.5,
      runTime: '1m',
      tags: ['t1', 't2'],
      excludeTags: ['slow'],
      csvPrefix: '/tmp/x',
      extraArgs: ['--loglevel=DEBUG'],
    }),
    [
      '--locustfile=lf.py', 'A', 'B', '--headless', '--host=http://127.0.0.1:1', '--users=3', '--spawn-rate=0.5', '--run-time=1m',
      '--csv=/tmp/x', '--loglevel=DEBUG', '--tags', 't1', 't2', '--exclude-tags', 'slow',
    ],
  );
});
