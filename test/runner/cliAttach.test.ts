// `dist/cli.js attach` against a real Locust 2.12.1 web UI (127.0.0.1, basic auth) loading the demo target: record vs Locust's own stats, signals, errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, killCliProcesses, runCli } from '../helpers/cliProcess';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AttachedRun } from '../../runner/attachRun';
import { parseAttachArgs, parseRunTimeOption as parseDuration } from '../../runner/cli';
import { freePort } from '../../runner/locustRun';
import { RunAggregate } from '../../runner/runAggregate';
import { loadRunRecord } from '../../runner/runRecord';
import { startTarget } from '../../examples/target/server.mjs';
import { liveGroupMembers, PYTHON, WAIT_MS } from './support';

const AUTH = 'tester:s3cr3t-pw';

const LOCUSTFILE = `
from locust import HttpUser, constant, task

class Mixed(HttpUser):
    wait_time = constant(0.05)

    @task(3)
    def products(self):
        self.client.get("/products")

    @task(1)
    def error(self):
        self.client.get("/error")
`;

let target: Awaited<ReturnType<typeof startTarget>>;
let scratch: string;
let locust: ChildProcess;
let webPort: number;
let webUrl: string;
const locustLog: string[] = [];

/** Runs the CLI with stdout a pipe; `onOutput` sees stdout and stderr as they come. */
function cli(args: string[], { cwd = scratch, onOutput }: { cwd?: string; onOutput?: (stdout: string, stderr: string, child: ChildProcess) => void } = {}) {
  return runCli(args, { cwd, ...(onOutput && { onOutput }) });
}

interface WebStats {
  state: string;
  user_count: number;
  stats: { method: string | null; name: string; num_requests: number; num_failures: number }[];
}

/** Locust's own /stats/requests (with the web UI's credentials). */
async function webStats(): Promise<WebStats> {
  const response = await fetch(`${webUrl}/stats/requests`, { headers: { authorization: `Basic ${Buffer.from(AUTH).toString('base64')}` } });
  assert.equal(response.status, 200);
  return (await response.json()) as WebStats;
}

/** Polls Locust's web UI until `accepts` holds (an event we wait for, bounded in time; never a fixed sleep). */
async function waitForWeb(what: string, accepts: (s: WebStats) => boolean): Promise<WebStats> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const stats = await webStats();
    if (accepts(stats)) return stats;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}; last state ${stats.state}; Locust said:\n${locustLog.slice(-10).join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function onlyRecord(dir: string): Promise<string> {
  const entries = await readdir(dir);
  assert.equal(entries.length, 1, `one record in ${dir}: ${entries.join(', ')}`);
  return path.join(dir, entries[0]!);
}

const counts = (rows: { method: string | null; name: string; requests: number; failures: number }[]) =>
  Object.fromEntries(rows.map((r) => [`${r.method ?? ''} ${r.name}`, `${r.requests}/${r.failures}`]));

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run "npm run build" first`);
  [target, scratch, webPort] = await Promise.all([startTarget({ port: 0, quiet: true }), mkdtemp(path.join(os.tmpdir(), 'locust-studio-attach-cli-')), freePort()]);
  webUrl = `http://127.0.0.1:${webPort}`;
  await writeFile(path.join(scratch, 'locustfile.py'), LOCUSTFILE);
  // A web UI only (no --autostart): the CLI starts the swarm with --users.
  locust = spawn(
    PYTHON,
    ['-m', 'locust', '-f', 'locustfile.py', '--web-host', '127.0.0.1', '--web-port', String(webPort), '--web-auth', AUTH, '-H', target.url],
    { cwd: scratch, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  locust.stdout!.on('data', (d: Buffer) => locustLog.push(d.toString()));
  locust.stderr!.on('data', (d: Buffer) => locustLog.push(d.toString()));
  // Ready when its web UI answers.
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const up = await fetch(`${webUrl}/`).then((r) => r.status > 0, () => false);
    if (up) break;
    assert.ok(locust.exitCode === null && Date.now() < deadline, `Locust's web UI did not come up:\n${locustLog.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

after(async () => {
  killCliProcesses();
  if (locust?.pid && locust.exitCode === null) {
    const exited = new Promise((resolve) => locust.once('exit', resolve));
    process.kill(-locust.pid, 'SIGTERM');
    await exited;
  }
  if (locust?.pid) assert.deepEqual(await liveGroupMembers(locust.pid), [], 'no Locust process remains');
  await target?.close();
  await rm(scratch, { recursive: true, force: true });
});

test('cli attach: --users starts the remote test, --run-time + --stop end it; the record’s final counts are Locust’s own', { timeout: 60_000 }, async () => {
  const [user, password] = AUTH.split(':') as [string, string];
  const result = await cli([
    'attach', `http://${user}:${password}@127.0.0.1:${webPort}/`, '--users', '4', '--spawn-rate', '4', '--run-time', '4s', '--stop',
    '--interval', '0.5', '--record-dir', 'records-stop',
  ]);
  assert.equal(result.code, 0, `exit 0 when following ended normally\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stderr, /following http:\/\/127\.0\.0\.1:\d+ \(4 users started\)/);
  assert.match(result.stdout, /^(spawning|running)\s+users\s+\d+\s+[\d.]+ req\/s\s+failures\s+[\d.]+%/m, 'a plain progress line');
  const aggregated = /^\s+Aggregated\s+(\d+)\s+(\d+) \(/m.exec(result.stdout);
  assert.ok(aggregated, `a final table:\n${result.stdout}`);

  const locustStats = await webStats();
  assert.equal(locustStats.state, 'stopped', '--stop stopped the remote test');
  const record = await loadRunRecord(await onlyRecord(path.join(scratch, 'records-stop')));
  assert.equal(record.meta.outcome, 'finished');
  assert.deepEqual(record.meta.exit, { code: 0, signal: null });
  assert.deepEqual(record.options, { attach: webUrl, users: 4, spawnRate: 4, runTime: '4s', statsInterval: 0.5, stopRemote: true });
  assert.ok(record.final, 'a final message');
  // How many polls fit in the 4 s run time depends on the machine's load (one slow answer takes a second or two): one
  // recorded tick proves live following, and the final counts below prove the rest.
  assert.ok(record.ticks.length >= 1, `ticks recorded: ${record.ticks.length}`);
  // Every endpoint's final counts equal what Locust's own web API says now that the test has stopped.
  const ours = counts([...record.final.endpoints, { ...record.final.total, method: '', name: 'Aggregated' }]);
  const theirs = counts(locustStats.stats.map((s) => ({ method: s.method, name: s.name, requests: s.num_requests, failures: s.num_failures })));
  assert.deepEqual(ours, theirs);
  assert.ok(record.final.total.requests > 20 && record.final.total.failures > 0, `real traffic: ${JSON.stringify(ours)}`);
  assert.equal(`${record.final.total.requests} ${record.final.total.failures}`, `${aggregated[1]} ${aggregated[2]}`, 'the table shows the final totals');
  // No credentials anywhere in the record.
  for (const file of await readdir(record.dir)) {
    assert.ok(!(await readFile(path.join(record.dir, file), 'utf8')).includes(password), `${file} does not hold the password`);
  }
  console.log('attach final vs Locust /stats/requests:', JSON.stringify(ours));
});

test('cli attach: exits 0 with final statistics when the remote test stops by itself', { timeout: 60_000 }, async () => {
  let stopped = false;
  const result = await cli(['attach', webUrl, '--username', 'tester', '--password', 's3cr3t-pw', '--users', '2', '-r', '2', '--interval', '0.25', '--no-record'], {
    onOutput: (_stdout, stderr) => {
      if (stopped || !stderr.includes('following')) return;
      stopped = true;
      // Someone else (here: this test, through Locust's own web API) stops the test once it has requests.
      void waitForWeb('requests', (s) => s.state === 'running' && s.stats.at(-1)!.num_requests > 0).then(() =>
        fetch(`${webUrl}/stop`, { headers: { authorization: `Basic ${Buffer.from(AUTH).toString('base64')}` } }),
      );
    },
  });
  assert.ok(stopped);
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /Aggregated/, 'the final table');
  const locustStats = await webStats();
  const aggregated = /^\s+Aggregated\s+(\d+)\s+(\d+) \(/m.exec(result.stdout);
  assert.equal(`${aggregated?.[1]}/${aggregated?.[2]}`, `${locustStats.stats.at(-1)!.num_requests}/${locustStats.stats.at(-1)!.num_failures}`);
});

test('cli attach: SIGTERM detaches with final statistics (exit 0) and leaves the remote test running', { timeout: 60_000 }, async () => {
  let signalled = false;
  const result = await cli(['attach', webUrl, '--username', 'tester', '--password', 's3cr3t-pw', '--users', '2', '-r', '2', '--interval', '0.25', '--record-dir', 'records-term'], {
    onOutput: (_stdout, stderr, child) => {
      if (signalled || !stderr.includes('following')) return;
      signalled = true;
      void waitForWeb('requests', (s) => s.state === 'running' && s.stats.at(-1)!.num_requests > 0).then(() => child.kill('SIGTERM'));
    },
  });
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stderr, /detaching \(the remote Locust keeps running\)/);
  const record = await loadRunRecord(await onlyRecord(path.join(scratch, 'records-term')));
  assert.equal(record.meta.outcome, 'finished');
  assert.ok(record.final && record.final.total.requests > 0);
  const after = await webStats();
  assert.equal(after.state, 'running', 'the remote test goes on');
  assert.equal(after.user_count, 2);
  // Leave it as the other tests expect: stopped.
  await fetch(`${webUrl}/stop`, { headers: { authorization: `Basic ${Buffer.from(AUTH).toString('base64')}` } });
  await waitForWeb('stopped', (s) => s.state === 'stopped');
});

test('cli attach: wrong or missing credentials, a refused URL, a silent server and a non-Locust get a clear message and status 2', { timeout: 60_000 }, async () => {
  const wrong = await cli(['attach', webUrl, '--username', 'tester', '--password', 'nope', '--no-record']);
  assert.equal(wrong.code, 2, wrong.stderr);
  assert.match(wrong.stderr, /cannot attach: Locust web UI at http:\/\/127\.0\.0\.1:\d+ asks for credentials \(401\): the username or password is wrong/);
  const none = await cli(['attach', webUrl, '--no-record']);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /set a username and password/);

  const closedPort = await freePort();
  const refused = await cli(['attach', `http://127.0.0.1:${closedPort}`, '--record-dir', 'records-refused']);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, new RegExp(`cannot attach: Locust web UI at http://127\\.0\\.0\\.1:${closedPort} refused the connection`));
  assert.equal(existsSync(path.join(scratch, 'records-refused')), false, 'no record when nothing was attached');

  // A server that accepts connections and never answers.
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => sockets.add(socket.on('error', () => undefined)));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const port = (silent.address() as net.AddressInfo).port;
    const started = Date.now();
    const timedOut = await cli(['attach', `http://127.0.0.1:${port}`, '--timeout', '0.5', '--no-record']);
    assert.equal(timedOut.code, 2, timedOut.stderr);
    assert.match(timedOut.stderr, /did not (answer|accept a connection) in time/);
    assert.ok(Date.now() - started < 10_000, 'the timeout is honoured');
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }

  const notLocust = await cli(['attach', target.url, '--no-record']);
  assert.equal(notLocust.code, 2, notLocust.stderr);
  assert.match(notLocust.stderr, /cannot attach: .*(did not answer JSON|HTTP 404).*|is this a Locust/);

  const usage = await cli(['attach']);
  assert.equal(usage.code, 2, usage.stderr);
  assert.match(usage.stderr, /attach needs the URL of a Locust web UI/);
  const help = await cli(['attach', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /locust-studio attach <web UI URL>/);
});

test('AttachedRun as the extension would use it: messages into RunAggregate, setUsers/reset/stop through send(), stop() ends with final', { timeout: 60_000 }, async () => {
  const run = new AttachedRun({ url: webUrl, username: 'tester', password: 's3cr3t-pw', intervalMs: 250, stopRemote: true });
  const hello = await run.connect();
  assert.equal(hello.runnerKind, 'local');
  const aggregate = new RunAggregate({ id: 'attached', locustfile: '', host: '', userClasses: [], targetUsers: 0, startedAt: Date.now() });
  const types: string[] = [];
  const waiters: { accepts(m: { type: string; userCount?: number; total?: { requests: number } }): boolean; resolve(): void }[] = [];
  const until = (accepts: (typeof waiters)[number]['accepts']) => new Promise<void>((resolve) => waiters.push({ accepts, resolve }));
  run.on('message', (message) => {
    types.push(message.type);
    aggregate.apply(message);
    for (const w of [...waiters]) {
      if (!w.accepts(message)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  run.start();
  assert.equal(types[0], 'hello');

  const ack = await run.send({ type: 'setUsers', users: 3, spawnRate: 3 });
  assert.deepEqual(ack, { type: 'ack', id: 1, ok: true });
  await until((m) => m.type === 'tick' && m.userCount === 3 && (m.total?.requests ?? 0) > 0);
  assert.equal(aggregate.userCount, 3);
  assert.equal((await run.send({ type: 'reset' })).ok, true);

  const exit = await run.stop();
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.equal(types.at(-1), 'final');
  aggregate.finish(exit);
  assert.equal(aggregate.state, 'stopped', 'a final arrived: the aggregate calls it stopped, not failed');
  const locustStats = await webStats();
  assert.equal(locustStats.state, 'stopped');
  assert.equal(run.final!.total.requests, locustStats.stats.at(-1)!.num_requests);
  assert.equal((await run.send({ type: 'stop' })).ok, false, 'commands after the end are refused, not thrown');

  // Never attached: connect() rejects, and exit settles as for an interpreter that could not start.
  const refused = new AttachedRun({ url: `http://127.0.0.1:${await freePort()}` });
  await assert.rejects(refused.connect(), /refused the connection/);
  assert.match((await refused.exit).spawnError ?? '', /refused the connection/);
});

test('attach arguments: durations, defaults, and what is refused before any connection', () => {
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('90'), 90_000);
  assert.throws(() => parseDuration('2.5'), /--run-time must be a duration/, 'Locust takes whole seconds only: so does every run time here');
  assert.throws(() => parseDuration('soon'), /--run-time must be a duration/);
  const parsed = parseAttachArgs(['http://u:p@127.0.0.1:8089', '-u', '5', '--interval', '0.5', '--timeout', '2', '--stop', '--no-record']);
  assert.deepEqual(parsed.options, { url: 'http://u:p@127.0.0.1:8089', users: 5, spawnRate: 5, stopRemote: true, intervalMs: 500, timeoutMs: 2000 });
  assert.equal(parsed.recordDir, undefined);
  assert.throws(() => parseAttachArgs(['127.0.0.1:8089']), /the web UI URL must be an http\(s\) URL/);
  assert.throws(() => parseAttachArgs(['http://127.0.0.1:8089', '-r', '3']), /--spawn-rate and --host go with --users/);
  assert.throws(() => parseAttachArgs(['http://127.0.0.1:8089', '--interval', '0.1']), /between 0.25 and 10/);
});
