// The HTML report of a run record (runner/htmlReport.ts): self-contained, script-free, every untrusted string escaped.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BridgeMessage, EndpointStats } from '../../protocol/runner';
import { escapeHtml, renderHtmlReport } from '../../runner/htmlReport';
import { loadRunRecord, RunRecorder, type LoadedRunRecord } from '../../runner/runRecord';
import { endpointStats } from '../helpers/runFixtures';

const XSS = '<img src=x onerror=alert(1)>';
const BREAKOUT = '</script><script>alert(2)</script>';
const STARTED = Date.UTC(2026, 10, 22, 1, 0, 0);

async function hostileRecord(): Promise<LoadedRunRecord> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'locust-report-'));
  after(() => rm(base, { recursive: true, force: true }));
  const recorder = RunRecorder.create(
    base,
    { python: 'python3', locustfile: `/w/${XSS}.py`, host: `http://${XSS}`, users: 20, spawnRate: 4, runTime: '1m', userClasses: [`U${XSS}`], tags: [BREAKOUT] },
    { id: 'r1', startedAt: STARTED },
  );
  const endpoint = (name: string, requests: number, failures = 0): EndpointStats =>
    endpointStats({ name, requests, failures, window: { seconds: 1, requests: 10, failures: failures ? 1 : 0, p50: 12, p95: 90 } });
  recorder.onMessage({ type: 'hello', protocol: 1, pid: 1, locustVersion: '2.12.1', runnerKind: 'local', userClasses: [`U${XSS}`], shape: null, host: `http://${XSS}`, features: [] });
  for (let t = 1; t <= 60; t++) {
    recorder.onMessage({
      type: 'tick', seq: t, t: STARTED + t * 1000, state: 'running', userCount: Math.min(t, 20), usersByClass: { [`U${XSS}`]: Math.min(t, 20) },
      endpoints: [endpoint(`/search?q=${XSS}`, t * 10, t)], total: endpoint('Aggregated', t * 10, t), omitted: 0,
    });
  }
  const final: BridgeMessage = {
    type: 'final',
    t: STARTED + 61_000,
    endpoints: [endpoint(`/search?q=${XSS}`, 12345, 678), endpoint('/home', 4321)],
    total: { ...endpoint('Aggregated', 16666, 678), maxResponseTime: 2345, median: 17 },
    failures: [{ method: 'GET', name: `/search?q=${XSS}`, error: `HTTPError('500 ${XSS}')`, occurrences: 678 }],
    exceptions: [{ count: 3, message: `ValueError: ${BREAKOUT}`, traceback: `Traceback (most recent call last):\n  File "/w/${XSS}.py", line 9\n${BREAKOUT}` }],
    startTime: STARTED / 1000,
    lastRequestTime: STARTED / 1000 + 60,
  };
  recorder.onMessage(final);
  recorder.finish({ code: 1, signal: null });
  return loadRunRecord(recorder.dir);
}

test('untrusted strings from names, errors, tracebacks and hosts are escaped, and the report has no script', async () => {
  const html = renderHtmlReport(await hostileRecord());
  assert.ok(!/<script/i.test(html), 'no <script in the report');
  assert.ok(!html.includes('<img'), 'no payload became an element');
  assert.ok(!/<[^>]*\son\w+=/i.test(html), 'no tag has an event handler attribute');
  const escaped = escapeHtml(XSS);
  assert.equal(escaped, '&lt;img src=x onerror=alert(1)&gt;');
  assert.ok(html.includes(`/search?q=${escaped}`), 'endpoint name shown as text');
  assert.ok(html.includes(`http://${escaped}`), 'host shown as text');
  assert.ok(html.includes(`HTTPError(&#39;500 ${escaped}&#39;)`), 'failure message shown as text');
  assert.ok(html.includes(`File &quot;/w/${escaped}.py&quot;, line 9`), 'traceback shown as text');
  assert.ok(html.includes(escapeHtml(BREAKOUT)), 'script-closing payloads shown as text');
});

test('the report loads nothing from elsewhere and forbids scripts by policy', async () => {
  const html = renderHtmlReport(await hostileRecord());
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
  // No external resource: no src/href in any tag, no url() or @import in the style (the SVG namespace is a name, not a load).
  assert.ok(!/<[^>]*\s(src|href)=/i.test(html), 'no src or href attributes in any tag');
  assert.ok(!/url\(/i.test(html), 'no url() in styles');
  assert.ok(!/@import/i.test(html), 'no @import');
});

test('the report shows the final statistics, failures, exceptions, options and three charts', async () => {
  const record = await hostileRecord();
  const html = renderHtmlReport(record, { generatedAt: STARTED + 120_000 });
  for (const text of ['16,666', '12,345', '4,321', '678', '2,345', '17 ms', '278', 'Finished', '2026-11-22 01:00:00 UTC', '1m', '20', '4/s']) {
    assert.ok(html.includes(text), `shows ${text}`);
  }
  // Aggregated requests/s divides by Locust's own interval (lastRequestTime - startTime = 60 s): 16666 / 60.
  assert.match(html, /<tfoot><tr class="failing"><td><\/td><td>Aggregated<\/td><td>16,666<\/td><td>678<\/td>/);
  assert.equal(html.match(/<figure class="chart"/g)?.length, 3);
  assert.equal(html.match(/<path class="line/g)?.length, 2 + 3 + 1);
  assert.match(html, /3×<\/span> ValueError/);
});

test('a record without final statistics says so and still reports its ticks', async () => {
  const record = await hostileRecord();
  const partial: LoadedRunRecord = { ...record, final: undefined, total: record.ticks.at(-1)!.total, meta: { ...record.meta, outcome: 'crashed', exit: { code: 2, signal: null } } };
  const html = renderHtmlReport(partial);
  assert.match(html, /No final statistics were recorded/);
  assert.match(html, /Crashed/);
  assert.ok(html.includes('<td>600</td>'), 'the last tick’s total requests');
});
