// The attach normaliser on web-UI JSON captured from every Locust of the matrix (escaped or not, worded percentiles or to_dict keys).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as v from 'valibot';
import { BridgeMessageSchema, PERCENTILES } from '../../protocol/runner';
import { looksHtmlEscaped, normalizeExceptions, normalizeStatsReport, TickBuilder, unescapeHtml } from '../../runner/attach';
import { locustMatrix } from '../../scripts/locustVersions';

const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'attach', name), 'utf8'));
const at = (p: number) => PERCENTILES.indexOf(p as (typeof PERCENTILES)[number]);
/** The fixtures come from these Locusts' real web UIs (scripts/captureAttachFixtures.ts, a master with two workers). */
const LOCUSTS = locustMatrix();
const NEWEST = LOCUSTS.find((l) => l.role === 'newest')!;

test('unescapeHtml undoes Python html.escape and numeric entities, once', () => {
  assert.equal(unescapeHtml('&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp;amp; &quot;q&quot; &#39;s&#39; &unknown;'), `<script>alert('x')</script> &amp; "q" 's' &unknown;`);
});

test('looksHtmlEscaped tells escaped text by its entities and plain text by its < > " \' characters', () => {
  assert.equal(looksHtmlEscaped(['  File &quot;x.py&quot;, line 1']), true);
  assert.equal(looksHtmlEscaped(['  File "x.py", line 1', 'a &amp; b']), false, 'a raw quote anywhere means nothing was escaped');
  assert.equal(looksHtmlEscaped(['no special characters', '']), undefined);
});

for (const locust of LOCUSTS) {
  const raw = fixture(`stats-${locust.version}.json`) as { stats: { name: string }[]; workers: { id: string }[] };

  test(`${locust.label} web UI: the same endpoints, failures, percentiles and workers as every other version`, () => {
    const report = normalizeStatsReport(raw);
    assert.equal(report.state, 'running');
    assert.equal(report.userCount, 10);
    assert.deepEqual(report.entries.map((e) => `${e.method} ${e.name}`), ['GET /items?q=<b>', 'POST /login']);
    assert.equal(report.total?.requests, 120);
    assert.equal(report.total?.failures, 4);
    assert.equal(report.currentP50, 10);
    assert.equal(report.currentP95, 70);
    // Errors come out as text whichever way the web UI sent them (escaped or not). Debian's 2.12.1 master repr()s the
    // text its workers send, so its own report, CSV and summary show it in quotes.
    assert.deepEqual(report.errors.map((e) => [e.method, e.name, e.occurrences]), [['GET', '/items?q=<b>', 4]]);
    assert.match(report.errors[0]!.error, /^"?HTTPError\('500 Server Error: <script>alert\(1\)<\/script> & more'\)"?$/);
    const items = report.entries[0]!;
    assert.equal(items.minResponseTime, 2);
    assert.equal(items.maxResponseTime, 80);
    assert.equal(items.percentiles.get(0.5), 10);
    assert.equal(items.percentiles.get(0.99), 80);
    assert.equal(items.percentiles.get(1), items.maxResponseTime);
    // No request yet: no minimum (every version says 0).
    assert.equal(report.entries[1]!.minResponseTime, null);
    assert.deepEqual(report.workers?.map((w) => [w.id, w.userCount]), raw.workers.map((w) => [w.id, 5]));

    const tick = new TickBuilder().build(report, undefined, 1_000);
    const parsed = v.safeParse(BridgeMessageSchema, tick);
    assert.ok(parsed.success, parsed.success ? '' : v.summarize(parsed.issues));
    assert.equal(tick.total.requests, 120);
    assert.ok(Math.abs(tick.total.totalResponseTime - 120 * 20.0333) < 0.01, String(tick.total.totalResponseTime));
    assert.equal(tick.total.totalContentLength, 120 * 512);
    assert.equal(tick.total.window.p95, 70);
    assert.equal(tick.endpoints[0]!.percentiles[at(0.5)], 10);
    assert.equal(tick.endpoints[1]!.percentiles[at(0.5)], null, 'no percentiles before any request');
  });

  test(`${locust.label} web UI: exceptions read the same whether it HTML-escapes them or not`, () => {
    const shape = normalizeStatsReport(raw).shape;
    // As attach.ts calls it: the shape is only the guess for texts that cannot tell.
    const [exception, ...more] = normalizeExceptions(fixture(`exceptions-${locust.version}.json`), shape === 'legacy');
    assert.deepEqual(more, []);
    assert.equal(exception!.count, 2);
    assert.equal(exception!.message, "bad <value> & 'quote'");
    assert.match(exception!.traceback, /locustfile\.py", line \d+, in report\n {4}raise ValueError\("bad <value> & 'quote'"\)\n$/);
    assert.deepEqual(exception!.nodes?.split(', ').sort(), raw.workers.map((w) => w.id).sort());
  });
}

test('2.12 names p90 and p99 in words (legacy shape); newer web UIs have response_time_percentile_0.95 and _0.99 (modern)', () => {
  for (const locust of LOCUSTS) {
    const report = normalizeStatsReport(fixture(`stats-${locust.version}.json`));
    const items = report.entries[0]!;
    if (report.shape === 'legacy') assert.equal(items.percentiles.get(0.9), 50, locust.label);
    else assert.equal(items.percentiles.get(0.95), 70, locust.label);
  }
  assert.deepEqual(
    LOCUSTS.map((l) => normalizeStatsReport(fixture(`stats-${l.version}.json`)).shape),
    LOCUSTS.map((l) => (l.role === 'debian' ? 'legacy' : 'modern')),
  );
});

test('ticks: windows from deltas between polls, unchanged endpoints left out, a reset restarts the window', () => {
  const builder = new TickBuilder();
  const raw = fixture(`stats-${NEWEST.version}.json`) as { stats: { num_requests: number; num_failures: number }[] };
  const first = builder.build(normalizeStatsReport(raw), undefined, 10_000);
  assert.equal(first.endpoints.length, 2);
  assert.equal(first.failures?.length, 1);
  raw.stats[0]!.num_requests += 30;
  raw.stats[2]!.num_requests += 30;
  const second = builder.build(normalizeStatsReport(raw), undefined, 11_500);
  assert.deepEqual(second.endpoints.map((e) => e.name), ['/items?q=<b>'], 'only the endpoint that changed');
  assert.deepEqual(second.total.window, { seconds: 1.5, requests: 30, failures: 0, p50: 10, p95: 70 });
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
