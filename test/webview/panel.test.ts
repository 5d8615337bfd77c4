// The built panel in Debian's Chromium, under the extension's CSP, driven by messages exactly as the host sends them.
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { applyTheme, instrumentPanel, postedByPanel, sendToPanel, servePanel } from '../helpers/panelPage';
import { endpointStats, runView } from '../helpers/runFixtures';
import { REPO_ROOT } from '../helpers/lspClient';

const SHOTS = path.join(REPO_ROOT, 'test-output', 'webview');
let browser: Awaited<ReturnType<typeof launchChromium>>;
let site: Awaited<ReturnType<typeof servePanel>>;
let page: Page;

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  [browser, site] = await Promise.all([launchChromium(), servePanel()]);
});
after(async () => {
  await browser?.close();
  await site?.close();
});
beforeEach(async () => {
  page = await browser.context.newPage();
  await instrumentPanel(page);
  await page.goto(site.url);
  await page.waitForFunction(() => window.__posted.length > 0);
});
afterEach(async () => {
  const violations = await page.evaluate(() => window.__cspViolations);
  assert.deepEqual(violations, [], 'no Content Security Policy violation');
  await page.close();
});

test('says "ready" to the host and shows the empty state', async () => {
  assert.deepEqual(await postedByPanel(page), [{ type: 'ready' }]);
  await page.getByRole('heading', { name: 'No run yet' }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'empty.png') });
});

test('renders a snapshot, then applies ticks in place', async () => {
  await sendToPanel(page, {
    type: 'snapshot',
    run: runView({
      endpoints: [endpointStats({ name: '/products', requests: 120 }), endpointStats({ name: '/flaky', requests: 40, failures: 3 })],
      total: endpointStats({ method: '', name: 'Aggregated', requests: 160, failures: 3 }),
    }),
  });
  const rows = page.locator('table.stats tbody tr');
  await rows.nth(1).waitFor();
  assert.equal(await rows.count(), 2);
  assert.equal(await rows.nth(0).locator('td').nth(2).textContent(), '120');

  await sendToPanel(page, {
    type: 'tick',
    runId: 'run-1',
    state: 'running',
    userCount: 10,
    endpoints: [endpointStats({ name: '/products', requests: 1234 }), endpointStats({ name: '/cart', method: 'POST', requests: 7 })],
    total: endpointStats({ method: '', name: 'Aggregated', requests: 1281, failures: 3 }),
  });
  await page.locator('table.stats tbody tr', { hasText: '/cart' }).waitFor();
  assert.equal(await rows.count(), 3, 'a new endpoint adds a row, a known one is updated in place');
  assert.equal(await rows.nth(0).locator('td').nth(2).textContent(), '1,234');
  assert.equal(await page.locator('table.stats tfoot td').nth(2).textContent(), '1,281');
  assert.equal(await page.locator('.metrics dd').nth(2).textContent(), '0.2%');
  for (const theme of ['light', 'dark'] as const) {
    await applyTheme(page, theme);
    await page.screenshot({ path: path.join(SHOTS, `running-${theme}.png`), fullPage: true });
  }
});

test('the Stop button posts a stop command', async () => {
  await sendToPanel(page, { type: 'snapshot', run: runView() });
  await page.locator('vscode-button', { hasText: 'Stop' }).click();
  await page.waitForFunction(() => window.__posted.length > 1);
  assert.deepEqual((await postedByPanel(page)).at(-1), { type: 'stop' });
});

test('hostile strings in names, hosts and messages are shown as text and never run', async () => {
  const payloads = [
    '<img src=x onerror="window.__executed.push(\'img\')">',
    '</script><script>window.__executed.push("script")</script>',
    '"><svg onload="window.__executed.push(\'svg\')">',
  ];
  await sendToPanel(page, {
    type: 'snapshot',
    run: runView({
      host: payloads[0]!,
      locustfile: payloads[1]!,
      message: payloads[2]!,
      state: 'failed',
      endpoints: payloads.map((name) => endpointStats({ name, method: payloads[0]! })),
      total: endpointStats({ method: '', name: 'Aggregated' }),
    }),
  });
  await page.locator('table.stats tbody tr').nth(2).waitFor();
  const names = await page.locator('table.stats tbody td:nth-child(2)').allTextContents();
  assert.deepEqual(names, payloads);
  assert.equal(await page.locator('.message').textContent(), payloads[2]);
  assert.equal(await page.locator('img, svg, script:not([src])').count(), 0, 'no element was created from a payload');
  assert.deepEqual(await page.evaluate(() => window.__executed), []);
  await page.screenshot({ path: path.join(SHOTS, 'hostile.png'), fullPage: true });
});

test('an invalid message is ignored and the panel keeps working', async () => {
  await sendToPanel(page, { type: 'snapshot', run: { id: 1, endpoints: 'nope' } });
  await sendToPanel(page, { type: 'tick', runId: 'run-1' });
  await sendToPanel(page, { type: 'snapshot', run: runView({ host: 'http://after-junk.test' }) });
  await page.getByText('http://after-junk.test', { exact: false }).waitFor();
});
