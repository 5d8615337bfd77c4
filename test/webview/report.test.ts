// The HTML report of a recorded run, opened from disk in Chromium with JavaScript disabled: it renders, loads nothing, screenshots saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import type { EndpointStats } from '../../protocol/runner';
import { renderHtmlReport } from '../../runner/htmlReport';
import { loadRunRecord, RunRecorder } from '../../runner/runRecord';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/browser';
import { REPO_ROOT } from '../helpers/lspClient';
import { endpointStats } from '../helpers/runFixtures';

const SHOTS = path.join(REPO_ROOT, 'test-output', 'webview');
const STARTED = Date.UTC(2026, 10, 22, 1, 0, 0);
const XSS = '<img src=x onerror=alert(1)>';
let browser: Browser;
let work: string;
let reportUrl: string;

/** A five-minute run of two User classes over four endpoints, one of them failing, with an exception. */
async function writeReport(): Promise<string> {
  const recorder = RunRecorder.create(
    work,
    { python: '/usr/bin/python3', locustfile: '/home/me/shop/locustfile.py', host: 'http://127.0.0.1:8080', users: 50, spawnRate: 5, runTime: '5m', userClasses: [] },
    { id: 'f00d42', startedAt: STARTED, interpreter: { path: '/usr/bin/python3', locustVersion: '2.12.1' } },
  );
  recorder.onMessage({ type: 'hello', protocol: 1, pid: 4242, locustVersion: '2.12.1', runnerKind: 'local', userClasses: ['Shopper', 'Browser'], shape: null, host: 'http://127.0.0.1:8080', features: [] });
  const names = [['GET', '/'], ['GET', '/products/[id]'], ['POST', '/cart'], ['GET', `/search?q=${XSS}`]] as const;
  const totals = new Map<string, EndpointStats>();
  for (let t = 1; t <= 300; t++) {
    const users = Math.min(50, t * 5);
    const endpoints = names.map(([method, name], i) => {
      const previous = totals.get(name)?.requests ?? 0;
      const perSecond = Math.round(users * (1.6 - i * 0.3) * (1 + 0.15 * Math.sin(t / (6 + i))));
      const failing = name === '/cart' && t > 120 && t < 200;
      const e = endpointStats({
        method,
        name,
        requests: previous + perSecond,
        failures: (totals.get(name)?.failures ?? 0) + (failing ? Math.round(perSecond / 4) : 0),
        window: { seconds: 1, requests: perSecond, failures: failing ? Math.round(perSecond / 4) : 0, p50: 14 + 6 * Math.sin(t / 9) + i * 3, p95: 70 + 25 * Math.sin(t / 11) + i * 10 },
      });
      totals.set(name, e);
      return e;
    });
    const sum = (f: (e: EndpointStats) => number) => endpoints.reduce((a, e) => a + f(e), 0);
    const total = endpointStats({
      method: '',
      name: 'Aggregated',
      requests: sum((e) => e.requests),
      failures: sum((e) => e.failures),
      window: { seconds: 1, requests: sum((e) => e.window.requests), failures: sum((e) => e.window.failures), p50: 16 + 6 * Math.sin(t / 9), p95: 80 + 25 * Math.sin(t / 11) },
    });
    recorder.onMessage({
      type: 'tick', seq: t, t: STARTED + t * 1000, state: t * 5 < 50 ? 'spawning' : 'running', userCount: users,
      usersByClass: { Shopper: Math.round(users * 0.6), Browser: users - Math.round(users * 0.6) }, endpoints, total, omitted: 0,
    });
  }
  const endpoints = [...totals.values()];
  recorder.onMessage({
    type: 'final',
    t: STARTED + 301_000,
    endpoints,
    total: endpointStats({ method: '', name: 'Aggregated', requests: endpoints.reduce((a, e) => a + e.requests, 0), failures: endpoints.reduce((a, e) => a + e.failures, 0) }),
    failures: [
      { method: 'POST', name: '/cart', error: "HTTPError('500 Server Error: Internal Server Error for url: http://127.0.0.1:8080/cart')", occurrences: totals.get('/cart')!.failures, firstSeen: STARTED + 121_000, lastSeen: STARTED + 199_000 },
      { method: 'GET', name: `/search?q=${XSS}`, error: `CatchResponseError('unexpected body ${XSS}')`, occurrences: 3, firstSeen: STARTED + 50_000, lastSeen: STARTED + 250_000 },
    ],
    exceptions: [{ count: 2, message: "KeyError: 'token'", traceback: `Traceback (most recent call last):\n  File "/home/me/shop/locustfile.py", line 31, in checkout\n    token = self.session["token"]\nKeyError: 'token'\n` }],
    startTime: STARTED / 1000 + 1,
    lastRequestTime: STARTED / 1000 + 300,
  });
  recorder.finish({ code: 1, signal: null });
  const file = path.join(work, 'locust-report.html');
  await writeFile(file, renderHtmlReport(await loadRunRecord(recorder.dir), { generatedAt: STARTED + 400_000 }));
  return pathToFileURL(file).href;
}

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  work = await mkdtemp(path.join(os.tmpdir(), 'locust-report-page-'));
  [browser, reportUrl] = await Promise.all([chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true }), writeReport()]);
});
after(async () => {
  await browser?.close();
  await rm(work, { recursive: true, force: true });
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`the report renders without JavaScript and loads nothing else (${colorScheme})`, async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, colorScheme, viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    // Chromium reports a refused inline style (a CSP hash mismatch) or a failed load on the console.
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(m.text()));
    await page.goto(reportUrl, { waitUntil: 'load' });
    assert.deepEqual(requests, [reportUrl], 'the report itself is the only thing loaded');
    assert.deepEqual(problems, [], 'no console errors (CSP included)');

    assert.equal(await page.locator('figure.chart svg').count(), 3);
    // The style applied: charts are laid out as the stylesheet says (a refused stylesheet leaves the SVGs at 300 px wide).
    const box = await page.locator('#chart-requests svg').boundingBox();
    assert.ok(box && box.width > 400 && box.height > 100, `chart box ${JSON.stringify(box)}`);
    assert.equal(await page.locator('#chart-users path.line').count(), 3, 'total plus two User classes');
    assert.match((await page.locator('table.stats tfoot').innerText()).replace(/\s+/g, ' '), /Aggregated [\d,]+ [\d,]+/);
    assert.equal(await page.locator('img').count(), 0, 'the payload stayed text');
    assert.ok((await page.locator('table.stats tbody').innerText()).includes(XSS));
    assert.ok((await page.locator('.exception pre').innerText()).includes('KeyError'));

    await page.screenshot({ path: path.join(SHOTS, `report-${colorScheme}.png`), fullPage: true });
    await page.setViewportSize({ width: 700, height: 900 });
    if (colorScheme === 'light') await page.screenshot({ path: path.join(SHOTS, 'report-narrow.png'), fullPage: true });
    await context.close();
  });
}
