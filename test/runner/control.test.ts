// Control commands against a real local Locust and the demo target: `reset` restarts the counts of a running test,
// `stop` ends the test and keeps its statistics (up to the final ones), and `setUsers` on a stopped test is refused
// instead of starting a new test that would clear them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BridgeMessage } from '../../protocol/runner';
import type { RunOptions } from '../../runner/locustRun';
import { isTick, runsAgainstTarget, liveGroupMembers, locustsFor, requireLocust, titled, type LocustUnderTest, type Tick } from './support';

/** A steady, predictable load: two users, 20 requests/s each at most, never failing. */
const LOCUSTFILE = `
from locust import HttpUser, constant, task

class Steady(HttpUser):
    wait_time = constant(0.05)

    @task
    def health(self):
        self.client.get("/health")
`;

const runs = runsAgainstTarget('control');

function record(locust: LocustUnderTest, name: string, options: Partial<RunOptions> = {}) {
  return runs.start(`${name}-${locust.version}`, LOCUSTFILE, { python: locust.python, users: 2, spawnRate: 10, runTime: '30s', ...options });
}

type State = Extract<BridgeMessage, { type: 'state' }>;

for (const locust of locustsFor('full')) {
  test(titled(locust, 'reset on a running test: acknowledged, and the counts start again from about zero'), { timeout: 60_000 }, () => resetRunning(locust));
}

async function resetRunning(locust: LocustUnderTest) {
  requireLocust(locust);
  const { run, messages, next } = await record(locust, 'reset');
  const before = await next('a tick with 60 requests', (m): m is Tick => isTick(m) && m.state === 'running' && m.total.requests >= 60);
  const ack = await run.send({ type: 'reset' });
  assert.deepEqual(ack, { type: 'ack', id: ack.id, ok: true });
  const ackAt = messages.indexOf(ack);
  const after = await next('a tick after the reset', (m): m is Tick => isTick(m) && messages.indexOf(m) > ackAt);
  // 2 users × at most 20 requests/s: a tick ¼ s after the reset has at most a dozen, far fewer than the 60 before it.
  assert.ok(
    after.total.requests < before.total.requests / 2,
    `after the reset ${after.total.requests} requests, before it ${before.total.requests}`,
  );
  assert.equal(after.state, 'running', 'reset does not stop the test');
  assert.equal(after.userCount, 2);
  const later = await next('a later tick with requests again', (m): m is Tick => isTick(m) && messages.indexOf(m) > ackAt && m.total.requests > after.total.requests);
  assert.ok(later.total.requests > 0, 'the test goes on counting');

  const exit = await run.stop();
  assert.equal(exit.code, 0);
  assert.ok(run.final, 'final statistics');
  assert.ok(run.final.total.requests >= later.total.requests, 'the final totals continue from the reset');
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'stop: acknowledged, the state is stopped, the counts stay (no zeroing); setUsers is then refused and changes nothing'), { timeout: 60_000 }, () => stopKeepsCounts(locust));
}

async function stopKeepsCounts(locust: LocustUnderTest) {
  requireLocust(locust);
  const { run, messages, next } = await record(locust, 'stop');
  const running = await next('a tick with 40 requests', (m): m is Tick => isTick(m) && m.state === 'running' && m.total.requests >= 40);
  const ack = await run.send({ type: 'stop' });
  assert.equal(ack.ok, true, ack.error);
  const stoppedState = await next('state stopped', (m): m is State => m.type === 'state' && m.state === 'stopped');
  assert.equal(stoppedState.userCount, 0);
  const ackAt = Math.max(messages.indexOf(ack), messages.indexOf(stoppedState));
  const stopped = await next('a tick of the stopped test', (m): m is Tick => isTick(m) && m.state === 'stopped' && messages.indexOf(m) > ackAt);
  assert.ok(stopped.total.requests >= running.total.requests, `counts kept: ${stopped.total.requests} after stop, ${running.total.requests} before`);
  assert.equal(stopped.userCount, 0);

  // Locust's start() on a stopped test would begin a new one and clear every statistic: the bridge refuses it.
  const refused = await run.send({ type: 'setUsers', users: 3, spawnRate: 10 });
  assert.equal(refused.ok, false);
  assert.match(refused.error ?? '', /the test is stopped; start a new run/);
  const refusedAt = messages.indexOf(refused);
  const afterRefusal = await next('a tick after the refused setUsers', (m): m is Tick => isTick(m) && messages.indexOf(m) > refusedAt);
  assert.equal(afterRefusal.state, 'stopped', 'no new test started');
  assert.equal(afterRefusal.userCount, 0);
  assert.equal(afterRefusal.total.requests, stopped.total.requests, 'the counts are exactly those at the stop');
  assert.equal(afterRefusal.total.failures, stopped.total.failures);

  const exit = await run.stop();
  assert.equal(exit.code, 0);
  assert.equal(run.final?.total.requests, stopped.total.requests, 'the final statistics are those of the stopped test');
  assert.deepEqual(await liveGroupMembers(run.pid!), [], 'nothing of the run is left');
}
