// The shape class option against each real Locust and the demo target: a locustfile with two LoadTestShape classes
// runs the one named in `shapeClass` (Locust alone takes the first), and an unknown name ends the run with a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BridgeMessage } from '../../protocol/runner';
import type { RunOptions } from '../../runner/locustRun';
import { isTick, runsAgainstTarget, liveGroupMembers, locustsFor, requireLocust, titled, TWO_SHAPES, type LocustUnderTest, type Tick } from './support';

const runs = runsAgainstTarget('shape');

/** A shape run: no users, spawn rate or run time (Locust refuses --run-time with a shape). */
function record(locust: LocustUnderTest, name: string, options: Partial<RunOptions> = {}) {
  return runs.start(`${name}-${locust.version}`, TWO_SHAPES, { python: locust.python, ...options });
}

type Hello = Extract<BridgeMessage, { type: 'hello' }>;
const isHello = (m: BridgeMessage): m is Hello => m.type === 'hello';

for (const locust of locustsFor('full')) {
  test(titled(locust, 'without shapeClass Locust takes the first shape in the file (the premise of the next test)'), { timeout: 30_000 }, () => firstShape(locust));
}

async function firstShape(locust: LocustUnderTest) {
  requireLocust(locust);
  const { run, next } = await record(locust, 'default');
  const hello = await next('hello', isHello);
  assert.equal(hello.shape, 'FirstShape');
  await next('a tick with the first shape’s 1 user', (m): m is Tick => isTick(m) && m.userCount === 1);
  await run.stop();
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'shapeClass: the named (second) shape drives the run: hello names it, its 3 users run, and its end ends the run'), { timeout: 60_000 }, () => namedShape(locust));
}

async function namedShape(locust: LocustUnderTest) {
  requireLocust(locust);
  const { run, messages, logs, protocolErrors } = await record(locust, 'second', { shapeClass: 'SecondShape' });
  const exit = await run.exit;
  assert.deepEqual(protocolErrors, []);
  assert.deepEqual(messages.filter((m) => m.type === 'error'), []);
  const hello = messages.find(isHello);
  assert.equal(hello?.shape, 'SecondShape');
  const ticks = messages.filter(isTick);
  assert.equal(Math.max(...ticks.map((t) => t.userCount)), 3, 'the second shape’s 3 users (the first one’s would be 1)');
  assert.ok(ticks.some((t) => t.userCount === 3 && t.usersByClass['Visitor'] === 3));
  const text = logs.map((l) => l.line).join('\n');
  assert.match(text, /Shape test updating to 3 users/, 'Locust’s own shape worker applied it');
  assert.match(text, /Shape test stopping/, 'the test ended because the shape said so (the first shape lasts a minute)');
  assert.doesNotMatch(text, /updating to 1 users/);
  assert.ok(run.final && run.final.total.requests > 0, 'final statistics');
  assert.deepEqual(exit, { code: 0, signal: null });

  // The shape controls the users: setUsers has nothing to say in such a run (checked on a fresh one, which is running).
  const again = await record(locust, 'second-set-users', { shapeClass: 'SecondShape' });
  await again.next('a tick with 3 users', (m): m is Tick => isTick(m) && m.userCount === 3);
  const refused = await again.run.send({ type: 'setUsers', users: 1, spawnRate: 1 });
  assert.equal(refused.ok, false);
  assert.match(refused.error ?? '', /load shape controls the number of users/);
  await again.run.stop();
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'an unknown shapeClass: a clear error naming the shapes there are, exit code 1, no test run, nothing left'), { timeout: 30_000 }, () => unknownShape(locust));
}

async function unknownShape(locust: LocustUnderTest) {
  requireLocust(locust);
  const { run, messages, logs } = await record(locust, 'unknown', { shapeClass: 'ThirdShape' });
  const exit = await run.exit;
  assert.deepEqual(exit, { code: 1, signal: null });
  const errors = messages.filter((m): m is Extract<BridgeMessage, { type: 'error' }> => m.type === 'error');
  assert.equal(errors.length, 1, JSON.stringify(messages));
  assert.equal(errors[0]!.message, "no LoadTestShape class named 'ThirdShape' in the locustfile; available: FirstShape, SecondShape");
  assert.ok(logs.some((l) => l.stream === 'stderr' && l.line.includes("no LoadTestShape class named 'ThirdShape'")), 'the log says it too');
  assert.equal(messages.filter((m) => m.type === 'hello' || m.type === 'tick').length, 0, 'no test ran');
  assert.deepEqual(await liveGroupMembers(run.pid!), []);
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'shapeClass null: the file’s shapes are set aside, the users, spawn rate and run time given drive the run'), { timeout: 60_000 }, () => noShape(locust));
}

async function noShape(locust: LocustUnderTest) {
  requireLocust(locust);
  // What "Run load test" over a User class does in a file that also has a shape: Locust alone would run the shape and
  // bail out on --run-time.
  const { run, messages, logs } = await record(locust, 'no-shape', { shapeClass: null, users: 2, spawnRate: 10, runTime: '3s' });
  const exit = await run.exit;
  assert.deepEqual(exit, { code: 0, signal: null }, logs.map((l) => l.line).join('\n'));
  assert.equal(messages.find(isHello)?.shape, null, 'no shape in the run');
  assert.equal(Math.max(...messages.filter(isTick).map((t) => t.userCount)), 2, 'the 2 users asked for, not a shape’s');
  assert.doesNotMatch(logs.map((l) => l.line).join('\n'), /Bailing out|Shape test/);
  assert.ok(run.final && run.final.total.requests > 0, 'final statistics');
}

