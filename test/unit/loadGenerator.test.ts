// The saturation rule on its edges: a stretch at the limit must last LOAD_GENERATOR_SATURATED_SECONDS while users run;
// a dip, a stopped run or a missing worker's stale figures break it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOAD_GENERATOR_CPU_LIMIT, LOAD_GENERATOR_LOOP_LAG_LIMIT_MS, LOAD_GENERATOR_SATURATED_SECONDS, LOCAL_PROCESS_ID, LoadGeneratorMonitor, saturationWarning } from '../../protocol/loadGenerator';
import type { BridgeMessage, RunState } from '../../protocol/runner';

type Tick = Extract<BridgeMessage, { type: 'tick' }>;
const total = { method: '', name: 'Aggregated' } as Tick['total'];

/** A tick at `second`; with `cpu`, a local runner's (undefined: a master's or an old Locust's, which say none). */
function localTick(second: number, cpu: number | undefined, state: RunState = 'running'): Tick {
  return { type: 'tick', seq: second, t: second * 1000, state, userCount: 1, usersByClass: {}, endpoints: [], total, omitted: 0, ...(cpu !== undefined && { cpu }) };
}

test('a local process at the limit for exactly the rule’s seconds is saturated, one second less is not', () => {
  const monitor = new LoadGeneratorMonitor();
  for (let s = 0; s < LOAD_GENERATOR_SATURATED_SECONDS; s++) monitor.apply(localTick(s, LOAD_GENERATOR_CPU_LIMIT));
  assert.equal(monitor.health().saturated, false);
  monitor.apply(localTick(LOAD_GENERATOR_SATURATED_SECONDS, 100));
  const health = monitor.health();
  assert.deepEqual(health.saturatedProcesses, [LOCAL_PROCESS_ID]);
  assert.equal(health.saturatedAt, LOAD_GENERATOR_SATURATED_SECONDS * 1000);
  assert.match(saturationWarning(health)!, /the local Locust process/);
});

test('a dip below the limit restarts the stretch; a stopped run and a missing worker never count', () => {
  const monitor = new LoadGeneratorMonitor();
  for (let s = 0; s < 20; s++) monitor.apply(localTick(s, s % 6 === 5 ? LOAD_GENERATOR_CPU_LIMIT - 1 : 100));
  for (let s = 20; s < 40; s++) monitor.apply(localTick(s, 100, 'stopped'));
  assert.equal(monitor.health().saturated, false);
  assert.equal(monitor.health().processes[0]?.peakCpu, 100);

  const master = new LoadGeneratorMonitor();
  for (let s = 0; s < 20; s++) {
    master.apply({ ...localTick(s, undefined), workers: [{ id: 'w1', state: 'missing', userCount: 0, cpu: 100 }] });
  }
  assert.equal(master.health().saturated, false);
  assert.equal(saturationWarning(master.health()), undefined);
});

test('a tick without CPU (a followed web UI, an old Locust) reports nothing', () => {
  const monitor = new LoadGeneratorMonitor();
  assert.equal(monitor.apply(localTick(1, undefined)), false);
  assert.equal(monitor.known, false);
});

test('an event loop late by the lag limit counts as at the limit whatever the CPU (a process starved by its neighbours); just under does not', () => {
  const starved = new LoadGeneratorMonitor();
  for (let s = 0; s <= LOAD_GENERATOR_SATURATED_SECONDS; s++) starved.apply({ ...localTick(s, 30), loopLag: LOAD_GENERATOR_LOOP_LAG_LIMIT_MS });
  const health = starved.health();
  assert.deepEqual(health.saturatedProcesses, [LOCAL_PROCESS_ID]);
  assert.deepEqual([health.processes[0]?.cpu, health.processes[0]?.loopLag, health.processes[0]?.peakLoopLag], [30, LOAD_GENERATOR_LOOP_LAG_LIMIT_MS, LOAD_GENERATOR_LOOP_LAG_LIMIT_MS]);
  assert.match(saturationWarning(health)!, new RegExp(`event loop ${LOAD_GENERATOR_LOOP_LAG_LIMIT_MS} ms or more late`));

  const keepingUp = new LoadGeneratorMonitor();
  for (let s = 0; s < 30; s++) keepingUp.apply({ ...localTick(s, 30), loopLag: LOAD_GENERATOR_LOOP_LAG_LIMIT_MS - 0.1 });
  assert.equal(keepingUp.health().saturated, false);

  // A worker's lag counts for that worker; a tick with only a lag (no CPU sample yet) is still a report.
  const master = new LoadGeneratorMonitor();
  for (let s = 0; s <= LOAD_GENERATOR_SATURATED_SECONDS; s++) {
    master.apply({ ...localTick(s, undefined), workers: [{ id: 'w1', state: 'running', userCount: 4, cpu: 20, loopLag: 400 }, { id: 'w2', state: 'running', userCount: 4, cpu: 20, loopLag: 2 }] });
  }
  assert.deepEqual(master.health().saturatedProcesses, ['w1']);
  const lagOnly = new LoadGeneratorMonitor();
  assert.equal(lagOnly.apply({ ...localTick(1, undefined), loopLag: 3 }), true);
  assert.equal(lagOnly.health().processes[0]?.cpu, 0);
});
