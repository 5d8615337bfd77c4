// The host ⇄ panel validators: what each side accepts of the messages this slice added, and what it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostToWebview, parseWebviewToHost } from '../../protocol/webview';
import { endpointStats } from '../helpers/runFixtures';

test('openSource needs a non-empty path and a positive whole line; selectEndpoint a method and name or null', () => {
  assert.deepEqual(parseWebviewToHost({ type: 'openSource', path: '/w/locustfile.py', line: 3 }), { type: 'openSource', path: '/w/locustfile.py', line: 3 });
  for (const junk of [{ path: '', line: 3 }, { path: '/w/x.py', line: 0 }, { path: '/w/x.py', line: 1.5 }, { path: 7, line: 1 }, { path: 'x'.repeat(5000), line: 1 }]) {
    assert.equal(parseWebviewToHost({ type: 'openSource', ...junk }), undefined, JSON.stringify(junk).slice(0, 60));
  }
  assert.deepEqual(parseWebviewToHost({ type: 'selectEndpoint', endpoint: null }), { type: 'selectEndpoint', endpoint: null });
  assert.equal(parseWebviewToHost({ type: 'selectEndpoint', endpoint: { name: '/a' } }), undefined);
});

test('tick points, endpoint series and acks are checked field by field', () => {
  const tick = { type: 'tick', runId: 'r', state: 'running', userCount: 1, endpoints: [], total: endpointStats({ name: 'Aggregated' }) };
  assert.ok(parseHostToWebview({ ...tick, points: { total: { t: 1, v: [1, 0, null, null, null, 1] }, userClasses: [] } }));
  assert.equal(parseHostToWebview({ ...tick, points: { total: { t: 1, v: ['1'] }, userClasses: [] } }), undefined, 'values are numbers or null');
  assert.equal(parseHostToWebview({ ...tick, points: { total: { t: Infinity, v: [] }, userClasses: [] } }), undefined, 'times are finite');
  assert.ok(parseHostToWebview({ type: 'endpointSeries', runId: 'r', method: 'GET', name: '/a', series: { recent: [], older: [{ t: 0, lo: [1], hi: [2] }], bucketSeconds: 8 } }));
  assert.equal(parseHostToWebview({ type: 'endpointSeries', runId: 'r', method: 'GET', name: '/a', series: { recent: [], older: [], bucketSeconds: -1 } }), undefined);
  assert.ok(parseHostToWebview({ type: 'ack', command: 'reset', ok: false, error: 'no' }));
  assert.equal(parseHostToWebview({ type: 'ack', command: 'quit', ok: true }), undefined, 'only the panel’s own commands');
});
