// A run's numbers laid on request lines and tasks: the after-line text, gutter alarms (failures, breached thresholds),
// task shares, lines of an endpoint and endpoints no line explains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonParser } from '../../server/parser';
import { buildModel } from '../../server/locustfileModel';
import { RequestLineStats, lineText } from '../../extension/requestLineStats';
import { endpointStats, thresholdStatus } from '../helpers/runFixtures';

const FILE = [
  'from locust import HttpUser, task',
  '',
  'class Shop(HttpUser):',
  '    @task(3)',
  '    def browse(self):',
  '        self.client.get("/products")',
  '        self.client.get(f"/products/{i}", name="/products/[id]")',
  '',
  '    @task',
  '    def cart(self):',
  '        self.client.post("/cart")',
  '        self.client.get(f"/cart/{x}")',
  '',
].join('\n');

async function lineStats(): Promise<RequestLineStats> {
  const tree = (await pythonParser()).parse(FILE);
  assert.ok(tree);
  try {
    return new RequestLineStats(buildModel(tree, 'file:///t.py', 1));
  } finally {
    tree.delete();
  }
}

test('each request line shows its window rate, p95 and failure share; lines of several endpoints sum them', async () => {
  const stats = await lineStats();
  stats.update([
    endpointStats({ name: '/products', requests: 300, failures: 0, window: { seconds: 1, requests: 42, failures: 0, p50: 10, p95: 180 } }),
    endpointStats({ name: '/products/[id]', requests: 100, failures: 1, window: { seconds: 2, requests: 10, failures: 0, p50: 10, p95: 30 } }),
    endpointStats({ method: 'POST', name: '/cart', requests: 50, failures: 0 }),
    endpointStats({ name: '/cart/1', requests: 25, failures: 0, window: { seconds: 1, requests: 3, failures: 0, p50: 5, p95: 20 } }),
    endpointStats({ name: '/cart/2', requests: 25, failures: 5, window: { seconds: 1, requests: 2, failures: 1, p50: 5, p95: 60 } }),
    endpointStats({ name: '/elsewhere', requests: 7 }),
  ]);
  assert.deepEqual(
    stats.lines().map((l) => [l.line + 1, l.text, l.alarming]),
    [
      [6, '42.0 req/s · p95 180 ms · 0.0% failed', false],
      [7, '5.0 req/s · p95 30 ms · 1.0% failed', true],
      [11, '10.0 req/s · p95 90 ms · 0.0% failed', false],
      [12, '5.0 req/s · p95 60 ms · 10.0% failed', true],
    ],
  );
  assert.deepEqual(stats.unexplained.map((e) => e.name), ['/elsewhere']);
  assert.deepEqual(stats.linesOf({ method: 'GET', name: '/cart/9' }), [11]);
  assert.deepEqual(
    stats.tasks().map((t) => [t.name, t.text]),
    [
      ['browse', '78.9% of requests · 1 failed (0.3%)'],
      ['cart', '19.7% of requests · 5 failed (5.0%)'],
    ],
  );
});

test('a failing threshold scoped to an endpoint marks its line; one that holds does not', async () => {
  const stats = await lineStats();
  stats.update([endpointStats({ name: '/products' }), endpointStats({ method: 'POST', name: '/cart' })], [thresholdStatus('GET /products: p95 < 50ms', 'failing', 90), thresholdStatus('POST /cart: p95 < 500ms', 'holding', 90)]);
  assert.deepEqual(stats.lines().map((l) => [l.line + 1, l.alarming]), [[6, true], [11, false]]);
  // The next tick without thresholds keeps what the last statuses said.
  stats.update([endpointStats({ name: '/products' })]);
  assert.equal(stats.lines()[0]!.alarming, true);
});

test('no request yet: a dash for p95 and 0% failed', () => {
  assert.equal(lineText([endpointStats({ name: '/x', requests: 0, window: { seconds: 1, requests: 0, failures: 0, p50: null, p95: null } })]), '0.0 req/s · p95 – ms · 0% failed');
});
