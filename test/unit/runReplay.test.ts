// Replaying a run record gives the view the live run ended with (runner/runReplay.ts).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BridgeMessage, EndpointStats } from '../../protocol/runner';
import { parseDuration } from '../../protocol/duration';
import { RunAggregate } from '../../runner/runAggregate';
import { listRunRecords, loadRunRecord, RunRecorder } from '../../runner/runRecord';
import { loadRunView, replayRunRecord } from '../../runner/runReplay';
import { endpointStats } from '../helpers/runFixtures';

const STARTED = Date.UTC(2026, 10, 22, 1, 0, 0);

/** A run as the bridge streams it: hello, ticks where endpoints come and go, failures and exceptions, then final. */
function messages(tickCount: number, withFinal: boolean): BridgeMessage[] {
  const out: BridgeMessage[] = [
    { type: 'hello', protocol: 1, pid: 42, locustVersion: '2.12.1', runnerKind: 'local', userClasses: ['Shopper', 'Browser'], shape: null, host: 'http://shop.test', features: [] },
  ];
  const cumulative = (name: string, t: number, failures = 0): EndpointStats =>
    endpointStats({ name, requests: t * 10, failures, window: { seconds: 1, requests: 10, failures: failures ? 1 : 0, p50: 10 + (t % 7), p95: 80 + (t % 5) } });
  for (let t = 1; t <= tickCount; t++) {
    // /cart only every third tick: the aggregate drops its line to zero between, and the replay must do the same.
    const endpoints = [cumulative('/', t), ...(t % 3 === 0 ? [cumulative('/cart', t, t)] : [])];
    out.push({
      type: 'tick',
      seq: t,
      t: STARTED + t * 1000,
      state: t < 5 ? 'spawning' : 'running',
      userCount: Math.min(t, 10),
      usersByClass: { Shopper: Math.min(t, 6), Browser: Math.max(0, Math.min(t, 10) - 6) },
      endpoints,
      total: cumulative('Aggregated', t, Math.floor(t / 3)),
      omitted: 0,
      ...(t % 3 === 0 && { failures: [{ method: 'POST', name: '/cart', error: 'HTTP 500', occurrences: t / 3, firstSeen: STARTED + 3000, lastSeen: STARTED + t * 1000 }] }),
      ...(t === 7 && { exceptions: [{ count: 1, message: 'KeyError', traceback: 'Traceback…\nKeyError: x' }] }),
    });
  }
  if (withFinal) {
    out.push({
      type: 'final',
      t: STARTED + (tickCount + 1) * 1000,
      endpoints: [cumulative('/', tickCount + 1), cumulative('/cart', tickCount + 1, 9)],
      total: cumulative('Aggregated', tickCount + 1, 9),
      failures: [{ method: 'POST', name: '/cart', error: 'HTTP 500', occurrences: 9 }],
      exceptions: [{ count: 1, message: 'KeyError', traceback: 'Traceback…\nKeyError: x' }],
    });
  }
  return out;
}

async function recordAndReplay(
  stream: BridgeMessage[],
  exit: { code: number | null; signal: NodeJS.Signals | null },
  { retarget, runTime }: { retarget?: { users: number; spawnRate: number; afterMessage: number }; runTime?: string } = {},
) {
  const base = await mkdtemp(path.join(os.tmpdir(), 'locust-replay-'));
  after(() => rm(base, { recursive: true, force: true }));
  const options = { python: 'python3', locustfile: '/w/locustfile.py', users: 10, spawnRate: 2, userClasses: [], ...(runTime && { runTime }) };
  const recorder = RunRecorder.create(base, options, { id: 'abc123', startedAt: STARTED });
  const live = new RunAggregate({
    id: 'abc123',
    locustfile: options.locustfile,
    host: '',
    userClasses: [],
    targetUsers: 10,
    spawnRate: 2,
    startedAt: STARTED,
    ...(parseDuration(runTime) !== undefined && { runTimeSeconds: parseDuration(runTime) }),
  });
  for (const [i, message] of stream.entries()) {
    recorder.onMessage(message);
    live.apply(message);
    // What the controller does when Locust acks a change of users from the panel.
    if (retarget && i === retarget.afterMessage) {
      live.setTargetUsers(retarget.users, retarget.spawnRate);
      recorder.noteTarget(retarget.users, retarget.spawnRate);
    }
  }
  recorder.finish(exit);
  const [dir] = await listRunRecords(base);
  assert.ok(dir);
  const replayed = replayRunRecord(await loadRunRecord(dir));
  return { live, replayed, dir };
}

test('a finished run replays to the very view the live aggregate ended with', async () => {
  const { live, replayed, dir } = await recordAndReplay(messages(900, true), { code: 1, signal: null });
  live.finish({ code: 1, signal: null });
  assert.equal(replayed.state, 'stopped');
  assert.deepEqual(replayed.snapshot, live.snapshot);
  // Long enough that the total series has older buckets: downsampling replays identically too.
  assert.ok(replayed.snapshot.series!.total.older.length > 0);
  assert.deepEqual(replayed.seriesOf({ method: 'GET', name: '/cart' }), live.seriesOf({ method: 'GET', name: '/cart' }));
  assert.equal(replayed.snapshot.host, 'http://shop.test');
  assert.deepEqual(replayed.snapshot.userClasses, ['Shopper', 'Browser']);
  assert.deepEqual((await loadRunView(dir)).total, live.snapshot.total);
});

test('a run that crashed before final statistics replays as failed, with its ticks', async () => {
  const { live, replayed } = await recordAndReplay(messages(20, false), { code: 2, signal: null });
  live.finish({ code: 2, signal: null });
  const view = replayed.snapshot;
  assert.equal(view.state, 'failed');
  assert.match(view.message ?? '', /code 2/);
  assert.deepEqual({ ...view, message: undefined }, { ...live.snapshot, message: undefined });
});

test('a killed run is failed even though final statistics arrived', async () => {
  const { replayed } = await recordAndReplay(messages(5, true), { code: null, signal: 'SIGKILL' });
  assert.equal(replayed.state, 'failed');
  assert.match(replayed.snapshot.message ?? '', /SIGKILL/);
  assert.equal(replayed.total?.requests, 60);
});

test('a change of users made during the run, and the run time, replay as the run ended with them', async () => {
  const { live, replayed } = await recordAndReplay(messages(30, true), { code: 0, signal: null }, { retarget: { users: 25, spawnRate: 5, afterMessage: 10 }, runTime: '1m30s' });
  live.finish({ code: 0, signal: null });
  assert.equal(replayed.snapshot.targetUsers, 25);
  assert.equal(replayed.snapshot.spawnRate, 5);
  assert.equal(replayed.snapshot.runTimeSeconds, 90);
  assert.deepEqual(replayed.snapshot, live.snapshot);
});
