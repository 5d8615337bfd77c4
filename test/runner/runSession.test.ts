// RunSession as the editor drives it, with a real Locust and the demo target: a change of users lands in the run's target,
// its record and a `target` event only once Locust accepted it; thresholds are judged live into the view; one `ended`
// carries the outcome, the verdict and the record, which a replay shows the same way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseThreshold, type Threshold, type ThresholdStatus } from '../../protocol/thresholds';
import { loadRunRecord } from '../../runner/runRecord';
import { replayRunRecord } from '../../runner/runReplay';
import { RunSession, type RunEnd } from '../../runner/runSession';
import { startTarget } from '../../examples/target/server.mjs';
import { liveGroupMembers, locustsFor, requireLocust, titled, WAIT_MS } from './support';

const LOCUSTFILE = `
from locust import HttpUser, constant, task

class Steady(HttpUser):
    wait_time = constant(0.05)

    @task
    def health(self):
        self.client.get("/health")
`;

let target: Awaited<ReturnType<typeof startTarget>>;
let scratch: string;
const sessions: RunSession[] = [];

before(async () => {
  [target, scratch] = await Promise.all([startTarget({ port: 0, quiet: true }), mkdtemp(path.join(os.tmpdir(), 'locust-studio-session-'))]);
});

after(async () => {
  for (const session of sessions) session.kill();
  await Promise.all(sessions.map((session) => session.ended));
  await target?.close();
  await rm(scratch, { recursive: true, force: true });
});

function threshold(text: string): Threshold {
  const parsed = parseThreshold(text);
  assert.ok(parsed.ok, text);
  return parsed.threshold;
}

/** Resolves with the first value `probe` returns for an event of the session, or fails after WAIT_MS. */
function waitFor<T>(session: RunSession, what: string, probe: () => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const value = probe();
      if (value === undefined) return;
      clearTimeout(timer);
      session.off('change', check);
      resolve(value);
    };
    const timer = setTimeout(() => {
      session.off('change', check);
      reject(new Error(`timed out waiting for ${what}`));
    }, WAIT_MS);
    session.on('change', check);
    check();
  });
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'a session: setUsers lands in the target, the record and an event; thresholds live in the view; one end with the verdict'), { timeout: 60_000 }, async () => {
    requireLocust(locust);
    const cwd = path.join(scratch, `session-${locust.version}`);
    await mkdir(cwd, { recursive: true });
    await writeFile(path.join(cwd, 'locustfile.py'), LOCUSTFILE);
    const session = await RunSession.launch(
      { python: locust.python, locustfile: path.join(cwd, 'locustfile.py'), cwd, host: target.url, users: 2, spawnRate: 10, runTime: '30s', statsInterval: 0.25 },
      { record: { baseDir: path.join(cwd, 'records'), interpreter: { path: locust.python } }, thresholds: [threshold('fail_ratio < 1%'), threshold('GET /health: p95 < 1ms')] },
    );
    sessions.push(session);
    const ends: RunEnd[] = [];
    session.on('ended', (end) => ends.push(end));
    const targets: [number, number | undefined][] = [];
    session.on('target', (users, spawnRate) => targets.push([users, spawnRate]));

    assert.deepEqual(session.aggregate.snapshot.thresholds?.map((s) => s.state), ['pending', 'pending'], 'judged from the first request on');
    const live = await waitFor(session, 'both thresholds judged', () => {
      const statuses = session.aggregate.snapshot.thresholds;
      return statuses?.every((s) => s.state !== 'pending') ? statuses : undefined;
    });
    assert.deepEqual(live.map((s: ThresholdStatus) => s.state), ['holding', 'failing'], 'no failure; /health takes more than 1 ms');

    const ack = await session.setUsers(3, 20);
    assert.equal(ack.ok, true, ack.error);
    assert.deepEqual(targets, [[3, 20]]);
    assert.equal(session.aggregate.snapshot.targetUsers, 3);
    await waitFor(session, 'three users', () => (session.aggregate.userCount === 3 ? true : undefined));
    const refused = await session.setUsers(3, 0).catch((error: Error) => ({ ok: false, error: error.message }));
    assert.equal(refused.ok, false, 'a spawn rate of 0 is refused');
    assert.deepEqual(targets, [[3, 20]], 'a refused change is not the target');

    const end = await session.stop();
    assert.deepEqual(ends, [end], 'one ended');
    assert.equal(end.outcome, 'finished');
    assert.equal(end.verdict?.outcome, 'failed');
    assert.deepEqual(end.verdict?.thresholds.map((s) => s.state), ['passed', 'failed']);
    assert.equal(session.aggregate.state, 'stopped');
    assert.deepEqual(session.aggregate.snapshot.verdict, end.verdict);

    const record = await loadRunRecord(end.recordDir!);
    assert.equal(record.meta.target?.users, 3);
    assert.deepEqual(record.meta.verdict, end.verdict);
    const replayed = replayRunRecord(record).snapshot;
    assert.equal(replayed.targetUsers, 3);
    assert.deepEqual(replayed.verdict, end.verdict);
    assert.deepEqual(await liveGroupMembers(record.meta.pid!), [], 'nothing of the run is left');
  });
}
