// The host ⇄ panel validators: what each side accepts of the messages this slice added, and what it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TASK_VIEW_REQUESTS, parseHostToWebview, parseWebviewToHost } from '../../protocol/webview';
import { endpointStats, runView } from '../helpers/runFixtures';

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

test('a task message carries a whole task view: known modes and states, requests as the shim reports them, bounded', () => {
  const request = { type: 'request', method: 'GET', name: '/', url: 'http://h/', status: null, responseTimeMs: 3, responseLength: 0, failure: 'refused', startTime: 1 };
  const task = { id: 't', label: 'U.task', locustfile: '/w/locustfile.py', host: 'http://h', mode: 'debug', state: 'running', startedAt: 1, requests: [request] };
  assert.ok(parseHostToWebview({ type: 'task', task }));
  assert.ok(parseHostToWebview({ type: 'task', task: { ...task, exception: { type: 'exception', message: 'E', traceback: 'T', where: 'on_start' } } }));
  assert.equal(parseHostToWebview({ type: 'task', task: { ...task, state: 'paused' } }), undefined, 'only the known states');
  assert.equal(parseHostToWebview({ type: 'task', task: { ...task, mode: 'profile' } }), undefined, 'only run and debug');
  assert.equal(parseHostToWebview({ type: 'task', task: { ...task, requests: [{ ...request, status: '200' }] } }), undefined, 'a status is a whole number or null');
  const many = Array.from({ length: MAX_TASK_VIEW_REQUESTS + 1 }, () => request);
  assert.equal(parseHostToWebview({ type: 'task', task: { ...task, requests: many } }), undefined, 'at most MAX_TASK_VIEW_REQUESTS requests');
  assert.ok(parseHostToWebview({ type: 'snapshot', run: null, task, view: 'task' }));
  assert.equal(parseHostToWebview({ type: 'snapshot', run: null, view: 'stats' }), undefined, 'the view is run or task');
  assert.ok(parseHostToWebview({ type: 'snapshot', run: runView({ runTimeSeconds: 300 }) }));
  assert.equal(parseHostToWebview({ type: 'snapshot', run: runView({ runTimeSeconds: '5m' as unknown as number }) }), undefined, 'run time in seconds');
});

test('runAgain says only whether to keep the choices; a snapshot\'s model ratio has shares between 0 and 1 or null', () => {
  assert.deepEqual(parseWebviewToHost({ type: 'runAgain', same: true }), { type: 'runAgain', same: true });
  // Nothing but the flag crosses: the host runs the locustfile it knows, never one the panel names.
  assert.deepEqual(parseWebviewToHost({ type: 'runAgain', same: false, locustfile: '/etc/passwd' }), { type: 'runAgain', same: false });
  assert.equal(parseWebviewToHost({ type: 'runAgain', same: 'yes' }), undefined);
  const row = { user: 'U', path: [], task: null, share: 0.5 };
  assert.ok(parseHostToWebview({ type: 'snapshot', run: runView({ modelRatio: [row, { ...row, task: 't', share: null }] }) }));
  for (const share of [1.5, -0.1, '50%']) {
    assert.equal(parseHostToWebview({ type: 'snapshot', run: runView({ modelRatio: [{ ...row, share } as never] }) }), undefined, String(share));
  }
});
