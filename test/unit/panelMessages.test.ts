// What the host posts to the panel: the snapshot of the shown run and each tick's increment, built from a RunAggregate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostToWebview } from '../../protocol/webview';
import { RunAggregate } from '../../runner/runAggregate';
import { snapshotMessage, tickMessage } from '../../extension/panelMessages';
import { endpointStats } from '../helpers/runFixtures';

const total = (requests: number) => endpointStats({ method: '', name: 'Aggregated', requests });

function running(): RunAggregate {
  const run = new RunAggregate({ id: 'r1', locustfile: '/w/locustfile.py', host: 'http://127.0.0.1:9', userClasses: ['A'], targetUsers: 4, startedAt: 0 });
  run.apply({ type: 'tick', seq: 1, t: 1000, state: 'running', userCount: 4, usersByClass: { A: 4 }, omitted: 0,
    endpoints: [endpointStats({ name: '/a', requests: 3 }), endpointStats({ name: '/b', requests: 1 })], total: total(4) });
  return run;
}

test('a tick carries what changed, and the selected endpoint’s new samples only when one is selected; the panel’s validator accepts it', () => {
  const run = running();
  const change = run.apply({ type: 'tick', seq: 2, t: 2000, state: 'running', userCount: 4, usersByClass: { A: 4 }, omitted: 0,
    endpoints: [endpointStats({ name: '/a', requests: 9 })], total: total(10) });
  const plain = tickMessage(run, change, null);
  assert.equal(plain.type, 'tick');
  if (plain.type !== 'tick') return;
  assert.deepEqual(plain.endpoints.map((e) => [e.name, e.requests]), [['/a', 9]]);
  assert.equal(plain.total.requests, 10);
  assert.equal(plain.points?.endpoint, undefined);
  const selected = tickMessage(run, change, { method: 'GET', name: '/a' });
  assert.equal(selected.type === 'tick' && selected.points?.endpoint?.name, '/a');
  assert.equal(selected.type === 'tick' && selected.points?.endpoint?.points.length, 1);
  const other = tickMessage(run, change, { method: 'GET', name: '/b' });
  assert.deepEqual(other.type === 'tick' && other.points?.endpoint?.points, [{ t: 2, v: [0, 0, ...Array<null>(10).fill(null)] }], '/b had no request in this tick: its line drops to zero');
  const never = tickMessage(run, change, { method: 'GET', name: '/never' });
  assert.equal(never.type === 'tick' && never.points?.endpoint, undefined, 'an endpoint never seen gets no samples');
  for (const message of [plain, selected]) assert.ok(parseHostToWebview(JSON.parse(JSON.stringify(message))) !== undefined, 'the panel accepts it');
});

test('a snapshot carries the shown run with its record folder, or none', () => {
  const run = running();
  const shown = snapshotMessage({ aggregate: run, recordDir: '/runs/x' }, { sourceRoots: ['/w'], task: undefined, view: 'run' });
  assert.equal(shown.type === 'snapshot' && shown.run?.recordDir, '/runs/x');
  assert.equal(shown.type === 'snapshot' && shown.run?.endpoints.length, 2);
  assert.ok(parseHostToWebview(JSON.parse(JSON.stringify(shown))) !== undefined);
  const empty = snapshotMessage(undefined, { sourceRoots: [], task: undefined, view: 'task' });
  assert.deepEqual(empty, { type: 'snapshot', run: null, sourceRoots: [], task: null, view: 'task' });
});
