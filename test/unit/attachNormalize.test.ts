// The attach normaliser on recorded web-UI JSON of Locust 2.12 (escaped, worded percentiles) and 2.4x (to_dict keys).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as v from 'valibot';
import { BridgeMessageSchema, PERCENTILES } from '../../protocol/runner';
import { normalizeExceptions, normalizeStatsReport, TickBuilder, unescapeHtml } from '../../runner/attach';

const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'attach', name), 'utf8'));
const at = (p: number) => PERCENTILES.indexOf(p as (typeof PERCENTILES)[number]);

test('unescapeHtml undoes Python html.escape and numeric entities, once', () => {
  assert.equal(unescapeHtml('&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp;amp; &quot;q&quot; &#39;s&#39; &unknown;'), `<script>alert('x')</script> &amp; "q" 's' &unknown;`);
});

for (const [file, shape] of [['stats-2.12.json', 'legacy'], ['stats-2.4x.json', 'modern']] as const) {
  test(`${file}: the same endpoints, failures and percentiles`, () => {
    const report = normalizeStatsReport(fixture(file));
    assert.equal(report.shape, shape);
    assert.equal(report.state, 'running');
    assert.equal(report.userCount, 10);
    assert.deepEqual(report.entries.map((e) => `${e.method} ${e.name}`), ['GET /items?q=<b>', 'POST /login']);
    assert.equal(report.total?.requests, 120);
    assert.equal(report.currentP50, 10);
    assert.equal(report.currentP95, 50);
    // Errors come out as text whichever way the web UI sent them.
    assert.deepEqual(report.errors, [
      { method: 'GET', name: '/items?q=<b>', error: "HTTPError('500 Server Error: <script>alert(1)</script> & more')", occurrences: 3 },
    ]);
    const items = report.entries[0]!;
    assert.equal(items.percentiles.get(0.5), 10);
    assert.equal(items.percentiles.get(0.99), 70);
    assert.equal(items.percentiles.get(1), items.maxResponseTime);
    // No request yet: no minimum (2.12 says 0, 2.4x null).
    assert.equal(report.entries[1]!.minResponseTime, null);

    const tick = new TickBuilder().build(report, undefined, 1_000);
    const parsed = v.safeParse(BridgeMessageSchema, tick);
    assert.ok(parsed.success, parsed.success ? '' : v.summarize(parsed.issues));
    assert.equal(tick.total.requests, 120);
    assert.equal(tick.total.totalResponseTime, 1500);
    assert.equal(tick.total.totalContentLength, 120 * 512);
    assert.equal(tick.total.window.p95, 50);
    assert.equal(tick.endpoints[0]!.percentiles[at(0.5)], 10);
    assert.equal(tick.endpoints[1]!.percentiles[at(0.5)], null, 'no percentiles before any request');
  });
}

test('2.12 has p90 in words, 2.4x has p95 as response_time_percentile_0.95, in-between versions as _95', () => {
  assert.equal(normalizeStatsReport(fixture('stats-2.12.json')).entries[0]!.percentiles.get(0.9), 30);
  assert.equal(normalizeStatsReport(fixture('stats-2.4x.json')).entries[0]!.percentiles.get(0.95), 50);
  const mid = normalizeStatsReport(fixture('stats-mid.json'));
  assert.equal(mid.entries[0]!.percentiles.get(0.95), 8);
  assert.equal(mid.state, 'spawning');
  assert.equal(mid.currentP95, 8);
});

test('workers of a 2.4x master become WorkerEntry', () => {
  const report = normalizeStatsReport(fixture('stats-2.4x.json'));
  assert.deepEqual(report.workers?.map((w) => [w.id, w.userCount, w.cpu]), [['w1_abc', 5, 41.5], ['w2_def', 5, 38]]);
});

test('exceptions: escaped in 2.12, plain in 2.4x, the same text after normalising', () => {
  const old = normalizeExceptions(fixture('exceptions-2.12.json'), true);
  const neu = normalizeExceptions(fixture('exceptions-2.4x.json'), false);
  assert.equal(old[0]!.message, 'ValueError("bad <value>")');
  assert.equal(old[0]!.message, neu[0]!.message);
  assert.equal(old[0]!.traceback, neu[0]!.traceback);
});

test('ticks: windows from deltas between polls, unchanged endpoints left out, a reset restarts the window', () => {
  const builder = new TickBuilder();
  const raw = fixture('stats-2.4x.json') as { stats: { num_requests: number; num_failures: number }[] };
  const first = builder.build(normalizeStatsReport(raw), undefined, 10_000);
  assert.equal(first.endpoints.length, 2);
  assert.equal(first.failures?.length, 1);
  raw.stats[0]!.num_requests += 30;
  raw.stats[2]!.num_requests += 30;
  const second = builder.build(normalizeStatsReport(raw), undefined, 11_500);
  assert.deepEqual(second.endpoints.map((e) => e.name), ['/items?q=<b>'], 'only the endpoint that changed');
  assert.deepEqual(second.total.window, { seconds: 1.5, requests: 30, failures: 0, p50: 10, p95: 50 });
  assert.equal(second.failures, undefined, 'failures unchanged');
  assert.equal(second.seq, first.seq + 1);
  raw.stats[0]!.num_requests = 5;
  raw.stats[2]!.num_requests = 5;
  const third = builder.build(normalizeStatsReport(raw), undefined, 12_500);
  assert.equal(third.total.window.requests, 5);
});

test('not a stats report: a clear error', () => {
  assert.throws(() => normalizeStatsReport({ hello: 1 }), /not a Locust \/stats\/requests report/);
  assert.throws(() => normalizeStatsReport('<html>'), /not a Locust/);
});
