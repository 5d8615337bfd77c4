// The runner under faults that Locust itself leaves silent: exceptions in on_start / on_stop, a run where no user could
// start, a target that never answers, a worker killed mid-run, and a quit or SIGTERM while the master waits for workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { startTarget } from '../../examples/target/server.mjs';
import type { BridgeMessage } from '../../protocol/runner';
import { parseRunMeta } from '../../protocol/runRecord';
import type { RunOptions } from '../../runner/locustRun';
import { loadRunRecord } from '../../runner/runRecord';
import { exitStatusOf, RunSession } from '../../runner/runSession';
import { liveGroupMembers, locustsFor, requireLocust, titled, WAIT_MS } from './support';

let target: Awaited<ReturnType<typeof startTarget>>;
let scratch: string;
const sessions: RunSession[] = [];
before(async () => {
  [target, scratch] = await Promise.all([startTarget({ port: 0, quiet: true }), mkdtemp(path.join(os.tmpdir(), 'locust-studio-faults-'))]);
});
after(async () => {
  for (const session of sessions) session.kill();
  await Promise.all(sessions.map((session) => session.ended));
  await target?.close();
  await rm(scratch, { recursive: true, force: true });
});

let runs = 0;

/** Writes the locustfile into a folder of its own and launches a recorded run of it against the demo target. */
async function launch(locustfile: string, options: Partial<RunOptions> & { python: string }): Promise<RunSession> {
  const cwd = path.join(scratch, `run-${++runs}`);
  await mkdir(cwd, { recursive: true });
  await writeFile(path.join(cwd, 'locustfile.py'), locustfile);
  const session = await RunSession.launch(
    { locustfile: path.join(cwd, 'locustfile.py'), cwd, host: target.url, statsInterval: 0.25, ...options },
    { record: { baseDir: path.join(cwd, 'records') } },
  );
  sessions.push(session);
  return session;
}

/** Resolves with the first message of the session that `accepts` takes (never a fixed sleep). */
function nextMessage(session: RunSession, what: string, accepts: (m: BridgeMessage) => boolean): Promise<BridgeMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS);
    const listener = (_change: unknown, message: BridgeMessage) => {
      if (!accepts(message)) return;
      clearTimeout(timer);
      session.off('change', listener);
      resolve(message);
    };
    session.on('change', listener);
    void session.ended.then(() => {
      clearTimeout(timer);
      reject(new Error(`the run ended while waiting for ${what}`));
    });
  });
}

const ON_START_RAISES = `
from locust import HttpUser, constant, task

class Broken(HttpUser):
    wait_time = constant(0.1)

    def on_start(self):
        raise ValueError("login failed in on_start")

    @task
    def products(self):
        self.client.get("/products")
`;

const ON_STOP_RAISES = `
from locust import HttpUser, constant, task

class Leaky(HttpUser):
    wait_time = constant(0.1)

    @task
    def products(self):
        self.client.get("/products")

    def on_stop(self):
        raise RuntimeError("logout failed in on_stop")
`;

/** Every request waits 10 s for an answer: longer than the run. */
const HANGS = `
from locust import HttpUser, constant, task

class Patient(HttpUser):
    wait_time = constant(0.1)

    @task
    def hang(self):
        self.client.get("/slow?ms=10000", name="/hang")
`;

const STEADY = `
from locust import HttpUser, constant, task

class Steady(HttpUser):
    wait_time = constant(0.1)

    @task
    def products(self):
        self.client.get("/products")
`;

/** One worker (the first to claim QUIT_MARK) leaves with status 0 on its own, 1.5 s into the test; the other goes on. */
const ONE_WORKER_QUITS = `
import os, sys
import gevent
from locust import HttpUser, constant, events, task

if "--worker" in sys.argv:
    @events.test_start.add_listener
    def _leave(**_kwargs):
        try:
            os.close(os.open(os.environ["QUIT_MARK"], os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return
        gevent.spawn_later(1.5, os._exit, 0)

class Steady(HttpUser):
    wait_time = constant(0.1)

    @task
    def products(self):
        self.client.get("/products")
`;

/** Workers take their time to import the locustfile: the master waits for them. */
const SLOW_WORKERS = `
import sys, time
from locust import HttpUser, constant, task

if "--worker" in sys.argv:
    time.sleep(60)

class Steady(HttpUser):
    wait_time = constant(0.1)

    @task
    def products(self):
        self.client.get("/products")
`;

for (const locust of locustsFor('full')) {
  test(titled(locust, 'on_start raising in every user: an exception like any other, and the run says no user started'), { timeout: 60_000 }, async () => {
    requireLocust(locust);
    const session = await launch(ON_START_RAISES, { python: locust.python, users: 3, spawnRate: 10, runTime: '2s' });
    const end = await session.ended;
    assert.equal(end.outcome, 'cutShort', end.message);
    assert.match(end.message ?? '', /No user started: on_start raised in all 3 users/);
    assert.deepEqual(end.shortfalls?.map((s) => s.kind), ['noUserStarted']);
    assert.ok(exitStatusOf(end) >= 1, 'the CLI exits non-zero');
    const exceptions = session.final?.exceptions ?? [];
    assert.ok(exceptions.some((e) => /login failed in on_start/.test(e.message) && /on_start/.test(e.traceback) && e.count === 3), JSON.stringify(exceptions));
    assert.deepEqual(session.final?.userStarts, { started: 0, failed: 3 });
    assert.ok(session.aggregate.snapshot.exceptions?.some((e) => /login failed/.test(e.message)), 'the panel lists it');
    assert.equal(session.aggregate.snapshot.message, end.message, 'the panel says it');
    const record = await loadRunRecord(end.recordDir!);
    assert.ok(record.exceptions.some((e) => /login failed in on_start/.test(e.message)), 'exceptions.json has it');
    assert.equal(record.meta.outcome, 'cutShort');
    assert.deepEqual(record.meta.shortfalls, end.shortfalls);
  });

  test(titled(locust, 'on_stop raising: recorded as an exception, counted once per user; the run itself finished'), { timeout: 60_000 }, async () => {
    requireLocust(locust);
    const session = await launch(ON_STOP_RAISES, { python: locust.python, users: 2, spawnRate: 10, runTime: '2s' });
    const end = await session.ended;
    assert.equal(end.outcome, 'finished', end.message);
    assert.equal(end.exit.code, 1, 'Locust’s own status for a run with exceptions');
    const exceptions = session.final?.exceptions ?? [];
    const onStop = exceptions.find((e) => /logout failed in on_stop/.test(e.message));
    assert.ok(onStop && /on_stop/.test(onStop.traceback), JSON.stringify(exceptions));
    assert.equal(onStop.count, 2, 'once per user');
    assert.deepEqual(session.final?.userStarts, { started: 2, failed: 0 });
    assert.ok((session.final?.total.requests ?? 0) > 0);
    const record = await loadRunRecord(end.recordDir!);
    assert.ok(record.exceptions.some((e) => /logout failed in on_stop/.test(e.message)), 'exceptions.json has it');
  });

  test(titled(locust, 'a target that never answers: the requests still waiting at the end are counted and said, with the oldest wait'), { timeout: 60_000 }, async (t) => {
    requireLocust(locust);
    const session = await launch(HANGS, { python: locust.python, users: 2, spawnRate: 10, runTime: '3s' });
    const end = await session.ended;
    t.diagnostic(`end message: ${end.message}`);
    const pending = session.final?.pending;
    assert.equal(session.final?.total.requests, 0, 'Locust counted none of them');
    assert.equal(pending?.requests, 2, JSON.stringify(pending));
    assert.ok(pending.oldestSeconds >= 1.5 && pending.oldestSeconds < 10, JSON.stringify(pending));
    assert.deepEqual(pending.endpoints.map((e) => [e.method, e.name, e.requests]), [['GET', '/hang', 2]]);
    assert.match(end.message ?? '', /2 requests were still waiting for an answer when the run stopped, the oldest for \d+\.\d s; .*GET \/hang \(2\)/);
    assert.equal(session.aggregate.snapshot.message, end.message, 'the panel says it');
    const final = JSON.parse(await readFile(path.join(end.recordDir!, 'final.json'), 'utf8')) as { pending?: unknown };
    assert.deepEqual(final.pending, pending, 'the record keeps them');
  });

  test(titled(locust, 'a worker killed mid-run: the run says which one and what the master saw, and is cut short'), { timeout: 90_000 }, async (t) => {
    requireLocust(locust);
    const session = await launch(STEADY, { python: locust.python, users: 4, spawnRate: 20, mode: 'distributed', workers: 2 });
    await nextMessage(session, 'two running workers', (m) => m.type === 'tick' && m.state === 'running' && (m.workers?.filter((w) => w.state === 'running').length ?? 0) === 2);
    const [victim] = session.workerPids;
    assert.ok(victim !== undefined);
    process.kill(victim, 'SIGKILL');
    const end = await session.ended;
    t.diagnostic(`end message: ${end.message}`);
    assert.equal(end.outcome, 'cutShort', end.message);
    assert.match(end.message ?? '', new RegExp(`worker \\d of 2 \\(pid ${victim}\\) was killed \\(SIGKILL\\)`));
    assert.match(end.message ?? '', /The master saw worker \S+: it stopped sending heartbeats \(missing\)/);
    assert.ok(exitStatusOf(end) >= 1, 'the CLI exits non-zero');
    assert.equal(session.aggregate.snapshot.state, 'failed');
    assert.equal(session.aggregate.snapshot.message, end.message);
    const meta = parseRunMeta(JSON.parse(await readFile(path.join(end.recordDir!, 'meta.json'), 'utf8')));
    assert.ok(meta.ok);
    assert.equal(meta.value.outcome, 'cutShort');
    assert.equal(meta.value.shortfalls?.[0]?.kind, 'workerLost');
    for (const pid of [meta.value.pid!, ...session.workerPids]) assert.deepEqual(await liveGroupMembers(pid), [], `nothing left of process group ${pid}`);
  });

  test(titled(locust, 'a worker that leaves with status 0 while its master runs on is lost too (status 0 alone is no proof the master told it to)'), { timeout: 90_000 }, async (t) => {
    requireLocust(locust);
    const mark = path.join(scratch, `quit-mark-${locust.version}`);
    const session = await launch(ONE_WORKER_QUITS, { python: locust.python, users: 4, spawnRate: 20, mode: 'distributed', workers: 2, env: { ...process.env, QUIT_MARK: mark } });
    const end = await session.ended;
    t.diagnostic(`end message: ${end.message}`);
    assert.equal(end.outcome, 'cutShort', end.message);
    assert.match(end.message ?? '', /worker \d of 2 \(pid \d+\) exited with code 0/);
    const meta = parseRunMeta(JSON.parse(await readFile(path.join(end.recordDir!, 'meta.json'), 'utf8')));
    assert.ok(meta.ok);
    for (const pid of [meta.value.pid!, ...session.workerPids]) assert.deepEqual(await liveGroupMembers(pid), [], `nothing left of process group ${pid}`);
  });

  for (const how of ['stop', 'SIGTERM'] as const) {
    test(titled(locust, `${how} while the master waits for its workers: it ends by itself, with its final statistics`), { timeout: 60_000 }, async () => {
      requireLocust(locust);
      const session = await launch(SLOW_WORKERS, { python: locust.python, users: 2, spawnRate: 10, mode: 'distributed', workers: 2 });
      await nextMessage(session, 'the master', (m) => m.type === 'hello');
      if (how === 'stop') void session.stop();
      else {
        const meta = JSON.parse(await readFile(path.join(session.recordDir!, 'meta.json'), 'utf8')) as { pid: number };
        process.kill(meta.pid, 'SIGTERM');
      }
      const end = await session.ended;
      assert.equal(end.exit.signal, null, `no signal had to end it: ${JSON.stringify(end.exit)}`);
      assert.equal(end.outcome, 'finished', end.message);
      assert.ok(session.final, 'final statistics');
    });
  }
}
