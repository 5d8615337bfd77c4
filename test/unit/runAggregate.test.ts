// RunAggregate: how the bridge's messages become the run the panel shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunAggregate } from '../../runner/runAggregate';
import { endpointStats } from '../helpers/runFixtures';

const description = { id: 'r1', locustfile: '/w/locustfile.py', host: '', userClasses: [], targetUsers: 5, startedAt: 0 };
const total = (requests: number) => endpointStats({ method: '', name: 'Aggregated', requests });

test('ticks carry only changed endpoints; the snapshot keeps every endpoint seen', () => {
  const run = new RunAggregate(description);
  run.apply({ type: 'hello', protocol: 1, pid: 1, locustVersion: '2.12.1', runnerKind: 'local', userClasses: ['A', 'B'], shape: null, host: 'http://127.0.0.1:9', features: [] });
  run.apply({ type: 'tick', seq: 1, t: 1, state: 'spawning', userCount: 2, usersByClass: { A: 2 }, omitted: 0,
    endpoints: [endpointStats({ name: '/a', requests: 3 }), endpointStats({ name: '/b', requests: 1 })], total: total(4) });
  const changed = run.apply({ type: 'tick', seq: 2, t: 2, state: 'running', userCount: 5, usersByClass: { A: 5 }, omitted: 0,
    endpoints: [endpointStats({ name: '/a', requests: 9 })], total: total(10) });
  assert.deepEqual(changed.map((e) => e.name), ['/a']);
  const snapshot = run.snapshot;
  assert.deepEqual(snapshot.endpoints.map((e) => [e.name, e.requests]), [['/a', 9], ['/b', 1]]);
  assert.deepEqual(snapshot.userClasses, ['A', 'B'], 'an all-classes run learns its classes from hello');
  assert.equal(snapshot.host, 'http://127.0.0.1:9', 'and the host Locust resolved');
  assert.equal(snapshot.state, 'running');
  assert.equal(snapshot.total?.requests, 10);
});

test('a run that exits without final statistics is failed, with a message; one with them is stopped', () => {
  const crashed = new RunAggregate(description);
  crashed.finish({ code: null, signal: 'SIGKILL' });
  assert.equal(crashed.state, 'failed');
  assert.match(crashed.snapshot.message ?? '', /SIGKILL.*before reporting final statistics/);

  const finished = new RunAggregate(description);
  finished.apply({ type: 'final', t: 3, endpoints: [endpointStats({ name: '/a', requests: 12 })], total: total(12), failures: [] });
  finished.finish({ code: 0, signal: null });
  assert.equal(finished.state, 'stopped');
  assert.equal(finished.snapshot.message, undefined);
  assert.equal(finished.snapshot.endpoints[0]?.requests, 12, 'final statistics replace the last tick');
});
