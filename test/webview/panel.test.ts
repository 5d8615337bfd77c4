// The built panel in Debian's Chromium, under the extension's CSP, driven by messages exactly as the host sends them.
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { EndpointStats, ExceptionEntry, FailureEntry } from '../../protocol/runner';
import { parseWebviewToHost, type HostToWebview } from '../../protocol/webview';
import { launchChromium } from '../helpers/browser';
import { applyTheme, instrumentPanel, nextPosted, postedByPanel, sendToPanel, servePanel } from '../helpers/panelPage';
import { busyTotal, endpointStats, runView, seriesOf } from '../helpers/runFixtures';
import { REPO_ROOT } from '../helpers/lspClient';

const SHOTS = path.join(REPO_ROOT, 'test-output', 'webview');
const THEMES = ['light', 'dark'] as const;
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

const aggregated = (overrides: Partial<EndpointStats> = {}) => endpointStats({ method: '', name: 'Aggregated', requests: 160, ...overrides });

/** A run 120 s in, with run series (total with users; two User classes). */
function busyRun(overrides: Parameters<typeof runView>[0] = {}) {
  return runView({
    userClasses: ['WebsiteUser', 'AdminUser'],
    endpoints: [
      endpointStats({ name: '/products', requests: 1200 }),
      endpointStats({ name: '/cart', method: 'POST', requests: 300, failures: 12 }),
      endpointStats({ name: '/login', method: 'POST', requests: 40 }),
    ],
    total: aggregated({ requests: 1540, failures: 12 }),
    spawnRate: 5,
    series: {
      total: seriesOf(120, busyTotal),
      userClasses: [
        { name: 'WebsiteUser', value: seriesOf(120, (t) => [Math.min(6, t)]) },
        { name: 'AdminUser', value: seriesOf(120, (t) => [Math.min(4, Math.max(0, t - 6))]) },
      ],
    },
    ...overrides,
  });
}

async function chartData(name: 'requests' | 'times' | 'users'): Promise<{ points: number; latest: Record<string, number | null>; label: string; caption: string }> {
  const figure = page.locator(`figure[data-chart="${name}"]`);
  return {
    points: Number(await figure.getAttribute('data-points')),
    latest: JSON.parse((await figure.getAttribute('data-latest')) ?? '{}') as Record<string, number | null>,
    label: (await figure.locator('canvas').getAttribute('aria-label')) ?? '',
    caption: (await figure.locator('figcaption').textContent()) ?? '',
  };
}

/** Waits until the charts have drawn a given number of points (they redraw on the next frame). */
async function waitForChartPoints(name: string, atLeast: number): Promise<void> {
  await page.waitForFunction(
    ([n, min]) => Number(document.querySelector(`figure[data-chart="${n}"]`)?.getAttribute('data-points')) >= min,
    [name, atLeast] as const,
  );
}

async function screenshots(name: string): Promise<void> {
  for (const theme of THEMES) {
    await applyTheme(page, theme);
    await page.waitForFunction((fg) => document.querySelector('.charts')?.getAttribute('data-foreground') === fg || !document.querySelector('.charts')?.isConnected, theme === 'light' ? '#616161' : '#cccccc');
    await page.screenshot({ path: path.join(SHOTS, `${name}-${theme}.png`), fullPage: true });
  }
}

test('says "ready" to the host and shows the empty state', async () => {
  assert.deepEqual(await postedByPanel(page), [{ type: 'ready' }]);
  await page.getByRole('heading', { name: 'No run yet' }).waitFor();
  await screenshots('empty');
});

test('renders a snapshot, then applies ticks in place', async () => {
  await sendToPanel(page, {
    type: 'snapshot',
    run: runView({
      endpoints: [endpointStats({ name: '/products', requests: 120 }), endpointStats({ name: '/flaky', requests: 40, failures: 3 })],
      total: aggregated({ requests: 160, failures: 3 }),
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
    total: aggregated({ requests: 1281, failures: 3 }),
  });
  await page.locator('table.stats tbody tr', { hasText: '/cart' }).waitFor();
  assert.equal(await rows.count(), 3, 'a new endpoint adds a row, a known one is updated in place');
  assert.equal(await rows.nth(0).locator('td').nth(2).textContent(), '1,234');
  assert.equal(await page.locator('table.stats tfoot td').nth(2).textContent(), '1,281');
  assert.equal(await page.locator('.metrics dd').nth(2).textContent(), '0.2%');
});

test('the snapshot series and each tick’s points drive the three charts', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun() });
  await waitForChartPoints('requests', 120);
  assert.equal(await page.locator('.charts canvas').count(), 3);
  const requests = await chartData('requests');
  assert.equal(requests.points, 120);
  assert.deepEqual(Object.keys(requests.latest), ['Requests/s', 'Failures/s']);
  assert.equal(requests.latest['Requests/s'], busyTotal(120)[0]);
  assert.match(requests.label, /Requests\/s, latest: Requests\/s [\d.]+\/s, Failures\/s [\d.]+\/s/);
  const users = await chartData('users');
  assert.deepEqual(users.latest, { Users: 10, WebsiteUser: 6, AdminUser: 4 }, 'total users and one line per User class');

  await sendToPanel(page, {
    type: 'tick', runId: 'run-1', state: 'running', userCount: 11, endpoints: [], total: aggregated({ requests: 1700 }),
    points: {
      total: { t: 121, v: [97.5, 1.5, 20, 95, 150, 11] },
      userClasses: [{ name: 'WebsiteUser', value: { t: 121, v: [7] } }, { name: 'AdminUser', value: { t: 121, v: [4] } }],
    },
  });
  await waitForChartPoints('requests', 121);
  assert.deepEqual((await chartData('requests')).latest, { 'Requests/s': 97.5, 'Failures/s': 1.5 });
  assert.deepEqual((await chartData('times')).latest, { p50: 20, p95: 95, 'p99 (cumulative)': 150 });
  assert.deepEqual((await chartData('users')).latest, { Users: 11, WebsiteUser: 7, AdminUser: 4 });
  assert.equal(await page.locator('.metrics dd').nth(4).textContent(), '2:01', 'elapsed follows the newest point');
  await screenshots('running');
});

test('the charts re-read the theme colours when VS Code switches theme', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun() });
  await waitForChartPoints('requests', 120);
  await applyTheme(page, 'light');
  await page.waitForFunction(() => document.querySelector('.charts')?.getAttribute('data-foreground') === '#616161');
  await applyTheme(page, 'dark');
  await page.waitForFunction(() => document.querySelector('.charts')?.getAttribute('data-foreground') === '#cccccc');
});

test('the endpoint selector asks the host for one endpoint’s series and charts it, ticks extend it', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun() });
  await waitForChartPoints('requests', 120);
  const before = (await postedByPanel(page)).length;
  await page.locator('#endpoint-select').click();
  await page.getByRole('option', { name: 'POST /cart' }).click();
  assert.deepEqual(await nextPosted(page, 'selectEndpoint', before), { type: 'selectEndpoint', endpoint: { method: 'POST', name: '/cart' } });
  await page.locator('figure[data-chart="requests"] figcaption', { hasText: 'POST /cart' }).waitFor();
  await sendToPanel(page, {
    type: 'endpointSeries', runId: 'run-1', method: 'POST', name: '/cart',
    series: seriesOf(30, (t) => [t, 0.5, 30, 120, 200], 91),
  });
  await page.waitForFunction(() => document.querySelector('figure[data-chart="requests"]')?.getAttribute('data-points') === '30');
  assert.deepEqual((await chartData('requests')).latest, { 'Requests/s': 120, 'Failures/s': 0.5 });
  assert.equal((await chartData('users')).points, 120, 'users stay the run’s');

  await sendToPanel(page, {
    type: 'tick', runId: 'run-1', state: 'running', userCount: 10, endpoints: [], total: aggregated(),
    points: { total: { t: 121, v: [1, 0, 1, 1, 1, 10] }, userClasses: [], endpoint: { method: 'POST', name: '/cart', points: [{ t: 121, v: [77, 1, 31, 121, 201] }] } },
  });
  await page.waitForFunction(() => document.querySelector('figure[data-chart="requests"]')?.getAttribute('data-points') === '31');
  assert.deepEqual((await chartData('requests')).latest, { 'Requests/s': 77, 'Failures/s': 1 });

  const back = (await postedByPanel(page)).length;
  await page.locator('#endpoint-select').click();
  await page.getByRole('option', { name: 'All endpoints' }).click();
  assert.deepEqual(await nextPosted(page, 'selectEndpoint', back), { type: 'selectEndpoint', endpoint: null });
  await page.waitForFunction(() => document.querySelector('figure[data-chart="requests"]')?.getAttribute('data-points') === '121');
});

test('after a reload the panel restores its selection, sort and filter, and asks for the endpoint again', async () => {
  const selectValue = () => page.locator('#endpoint-select').evaluate((el) => (el as HTMLElement & { value: string }).value);
  await sendToPanel(page, { type: 'snapshot', run: busyRun() });
  await waitForChartPoints('requests', 120);
  assert.equal(await selectValue(), 'all', 'the selector shows "All endpoints"');
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ state: 'stopping' }) });
  await page.locator('.state', { hasText: 'stopping' }).waitFor();
  assert.equal(await selectValue(), 'all', 'and keeps showing it through a new snapshot of the same run');

  await page.locator('#endpoint-select').click();
  await page.getByRole('option', { name: 'POST /cart' }).click();
  await nextPosted(page, 'selectEndpoint');
  await page.locator('table.stats th', { hasText: 'Requests' }).first().locator('button').click();
  await page.locator('#name-filter').click();
  await page.keyboard.type('/c');
  await page.waitForFunction(() => document.querySelector('table.stats')?.getAttribute('aria-rowcount') === '3');

  await page.reload();
  await nextPosted(page, 'ready');
  await sendToPanel(page, { type: 'snapshot', run: busyRun() });
  assert.deepEqual(await nextPosted(page, 'selectEndpoint', 1), { type: 'selectEndpoint', endpoint: { method: 'POST', name: '/cart' } });
  await page.locator('figure[data-chart="requests"] figcaption', { hasText: 'POST /cart' }).waitFor();
  const cartValue = await page.locator('vscode-option', { hasText: 'POST /cart' }).getAttribute('value');
  await page.waitForFunction((v) => (document.querySelector('#endpoint-select') as HTMLElement & { value: string }).value === v, cartValue);
  assert.equal(await page.locator('table.stats th', { hasText: 'Requests' }).first().getAttribute('aria-sort'), 'descending');
  assert.equal(await page.locator('#name-filter').evaluate((el) => (el as HTMLElement & { value: string }).value), '/c');
  assert.deepEqual(await page.locator('table.stats tbody td:nth-child(2)').allTextContents(), ['/cart']);
});

const PAYLOADS = [
  '<img src=x onerror="window.__executed.push(\'img\')">',
  '</script><script>window.__executed.push("script")</script>',
  '"><svg onload="window.__executed.push(\'svg\')">',
];

async function assertNothingExecuted(): Promise<void> {
  // The locator pierces shadow roots: no element came out of a payload anywhere, including inside the components.
  assert.equal(await page.locator('img, script:not([src]), svg[onload], [onerror]').count(), 0, 'no element was created from a payload');
  assert.deepEqual(await page.evaluate(() => window.__executed), []);
}

test('hostile strings in names, hosts and messages are shown as text and never run', async () => {
  await sendToPanel(page, {
    type: 'snapshot',
    run: runView({
      host: PAYLOADS[0]!,
      locustfile: PAYLOADS[1]!,
      message: PAYLOADS[2]!,
      state: 'failed',
      endpoints: PAYLOADS.map((name) => endpointStats({ name, method: PAYLOADS[0]! })),
      total: aggregated(),
    }),
  });
  await page.locator('table.stats tbody tr').nth(2).waitFor();
  const names = await page.locator('table.stats tbody td:nth-child(2)').allTextContents();
  assert.deepEqual(names, PAYLOADS);
  assert.equal(await page.locator('.message').textContent(), PAYLOADS[2]);
  assert.ok((await page.locator('.subtitle').textContent())?.startsWith(PAYLOADS[0]!));
  await page.locator('#endpoint-select').click();
  await page.getByRole('option', { name: `${PAYLOADS[0]} ${PAYLOADS[1]}` }).waitFor();
  await page.keyboard.press('Escape');
  await assertNothingExecuted();
  await page.screenshot({ path: path.join(SHOTS, 'hostile.png'), fullPage: true });
});

const ROOT = '/work/project';
const TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "/usr/lib/python3/dist-packages/locust/user/task.py", line 347, in run',
  '    self.execute_next_task()',
  `  File "${ROOT}/locustfile.py", line 42, in checkout`,
  '    raise ValueError(payload)',
  `  File "${ROOT}/../etc/passwd", line 1, in escape`,
  `ValueError: ${PAYLOADS[1]}`,
].join('\n');

function failingRun(): HostToWebview {
  const failures: FailureEntry[] = [
    { method: 'POST', name: '/cart', error: 'HTTPError(\'500 Server Error: Internal Server Error for url: /cart\')', occurrences: 12, firstSeen: Date.now() - 90_000, lastSeen: Date.now() - 2_000 },
    { method: PAYLOADS[0]!, name: PAYLOADS[1]!, error: PAYLOADS[2]!, occurrences: 3 },
  ];
  const exceptions: ExceptionEntry[] = [
    { count: 5, message: `ValueError: ${PAYLOADS[0]}`, traceback: TRACEBACK, nodes: PAYLOADS[2]! },
  ];
  return { type: 'snapshot', run: busyRun({ failures, exceptions, startedAt: Date.now() - 120_000 }), sourceRoots: [ROOT] };
}

test('failures and exceptions render as text, even hostile ones, and update in place from ticks', async () => {
  await sendToPanel(page, failingRun());
  const rows = page.locator('.failures-table tbody tr');
  await rows.nth(1).waitFor();
  assert.deepEqual(await rows.nth(1).locator('td').allTextContents(), [PAYLOADS[0], PAYLOADS[1], PAYLOADS[2], '3', '–', '–']);
  assert.deepEqual((await rows.nth(0).locator('td').allTextContents()).slice(3), ['12', '0:30', '1:58'], 'first/last seen as elapsed run time');
  await page.locator('.exception-message', { hasText: PAYLOADS[0]! }).waitFor();
  assert.equal(await page.locator('.traceback').textContent(), TRACEBACK, 'the traceback is shown whole, as text');
  await assertNothingExecuted();

  await sendToPanel(page, {
    type: 'tick', runId: 'run-1', state: 'running', userCount: 10, endpoints: [], total: aggregated(),
    failures: [{ method: 'POST', name: '/cart', error: 'HTTPError(\'500 Server Error: Internal Server Error for url: /cart\')', occurrences: 15 }],
    exceptions: [{ count: 6, message: `ValueError: ${PAYLOADS[0]}`, traceback: TRACEBACK, nodes: PAYLOADS[2]! }],
  });
  await page.locator('.exception .count', { hasText: '6×' }).waitFor();
  assert.equal(await rows.count(), 2, 'a changed failure is updated, not added');
  assert.equal(await rows.nth(0).locator('td').nth(3).textContent(), '15');

  await sendToPanel(page, {
    type: 'tick', runId: 'run-1', state: 'stopped', userCount: 0, endpoints: [], total: aggregated(), replaceFailures: true,
    failures: [{ method: 'GET', name: '/final-only', error: 'ConnectionError', occurrences: 1 }],
  });
  await page.locator('.failures-table td', { hasText: '/final-only' }).waitFor();
  assert.equal(await rows.count(), 1, 'final statistics replace the failures');
});

test('a traceback line inside the workspace is a link that posts openSource; other paths are not', async () => {
  await sendToPanel(page, failingRun());
  const links = page.locator('.traceback a.source-link');
  await links.first().waitFor();
  assert.deepEqual(await links.allTextContents(), [`File "${ROOT}/locustfile.py", line 42`], 'site-packages and ../ escapes stay text');
  const before = (await postedByPanel(page)).length;
  await links.first().focus();
  await page.keyboard.press('Enter');
  assert.deepEqual(await nextPosted(page, 'openSource', before), { type: 'openSource', path: `${ROOT}/locustfile.py`, line: 42 });
  assert.equal(new URL(page.url()).hash, '', 'the link did not navigate');
  await screenshots('failing');
});

test('the statistics table sorts by a clicked header (aria-sort) and keeps the order through ticks', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun() });
  const names = () => page.locator('table.stats tbody td:nth-child(2)').allTextContents();
  await page.locator('table.stats tbody tr').nth(2).waitFor();
  const requestsHeader = page.locator('table.stats th', { hasText: 'Requests' }).first();
  await requestsHeader.locator('button').click();
  assert.equal(await requestsHeader.getAttribute('aria-sort'), 'descending');
  assert.deepEqual(await names(), ['/products', '/cart', '/login']);
  await requestsHeader.locator('button').click();
  assert.equal(await requestsHeader.getAttribute('aria-sort'), 'ascending');
  assert.deepEqual(await names(), ['/login', '/cart', '/products']);

  // A tick that changes the order, and one that adds a row: both land where the sort says.
  await sendToPanel(page, {
    type: 'tick', runId: 'run-1', state: 'running', userCount: 10, total: aggregated(),
    endpoints: [endpointStats({ name: '/login', method: 'POST', requests: 5000 }), endpointStats({ name: '/new', requests: 100 })],
  });
  await page.locator('table.stats tbody tr', { hasText: '/new' }).waitFor();
  assert.deepEqual(await names(), ['/new', '/cart', '/products', '/login']);

  const nameHeader = page.locator('table.stats th', { hasText: 'Name' });
  await nameHeader.locator('button').click();
  assert.equal(await nameHeader.getAttribute('aria-sort'), 'ascending');
  assert.equal(await requestsHeader.getAttribute('aria-sort'), 'none');
  assert.deepEqual(await names(), ['/cart', '/login', '/new', '/products']);
});

test('the name filter shows only the rows that match, including rows added later', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun() });
  await page.locator('table.stats tbody tr').nth(2).waitFor();
  await page.locator('#name-filter').click();
  await page.keyboard.type('CA');
  const visible = page.locator('table.stats tbody tr:visible td:nth-child(2)');
  await page.waitForFunction(() => document.querySelectorAll('table.stats tbody tr').length === 1);
  assert.deepEqual(await visible.allTextContents(), ['/cart']);
  await sendToPanel(page, {
    type: 'tick', runId: 'run-1', state: 'running', userCount: 10, total: aggregated(),
    endpoints: [endpointStats({ name: '/cat' }), endpointStats({ name: '/dog' })],
  });
  await page.waitForFunction(() => document.querySelector('table.stats')?.getAttribute('aria-rowcount') === '4');
  assert.deepEqual(await visible.allTextContents(), ['/cart', '/cat'], 'a row added later is filtered too');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.waitForFunction(() => document.querySelectorAll('table.stats tbody tr').length === 5);
});

test('controls post setUsers, reset and stop, and show what the runner answered', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ targetUsers: 10 }) });
  const users = page.locator('#users-input input');
  await users.waitFor();
  assert.equal(await users.inputValue(), '10', 'the inputs show the run’s target');
  assert.equal(await page.locator('#spawn-rate-input input').inputValue(), '5');
  await users.fill('25');
  await page.locator('#spawn-rate-input input').fill('2.5');
  let before = (await postedByPanel(page)).length;
  await page.locator('vscode-button', { hasText: 'Apply' }).click();
  assert.deepEqual(await nextPosted(page, 'setUsers', before), { type: 'setUsers', users: 25, spawnRate: 2.5 });
  const status = page.locator('.control-status');
  assert.equal(await status.textContent(), 'Changing users…');
  assert.equal(await page.locator('vscode-button', { hasText: 'Apply' }).getAttribute('disabled'), '', 'one command at a time');
  await sendToPanel(page, { type: 'ack', command: 'setUsers', ok: true });
  await page.locator('.control-status[data-result="ok"]', { hasText: 'Changing users: done' }).waitFor();

  before = (await postedByPanel(page)).length;
  await page.locator('vscode-button', { hasText: 'Reset stats' }).click();
  assert.deepEqual(await nextPosted(page, 'reset', before), { type: 'reset' });
  await sendToPanel(page, { type: 'ack', command: 'reset', ok: false, error: PAYLOADS[0]! });
  await page.locator('.control-status[data-result="error"]').waitFor();
  assert.equal(await status.textContent(), `Resetting statistics failed: ${PAYLOADS[0]}`);

  before = (await postedByPanel(page)).length;
  await users.fill('-3');
  await page.locator('vscode-button', { hasText: 'Apply' }).click();
  await page.locator('.control-status', { hasText: 'Users must be a whole number' }).waitFor();
  assert.equal((await postedByPanel(page)).length, before, 'an invalid number is not sent');

  await page.locator('vscode-button', { hasText: 'Stop' }).click();
  assert.deepEqual(await nextPosted(page, 'stop', before), { type: 'stop' });
  await assertNothingExecuted();
});

test('a finished run disables the controls and keeps its charts and tables', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ state: 'stopped', userCount: 0 }) });
  await page.locator('.state', { hasText: 'stopped' }).waitFor();
  await waitForChartPoints('requests', 120);
  for (const name of ['Stop', 'Apply', 'Reset stats']) {
    assert.equal(await page.locator('vscode-button', { hasText: name }).getAttribute('disabled'), '', `${name} is disabled`);
  }
  assert.equal(await page.locator('table.stats tbody tr').count(), 3);
  await screenshots('finished');
});

test('Export posts the kind asked for, only for a recorded run, and the panel remembers the record across a reload', async () => {
  const exportHtml = page.locator('vscode-button', { hasText: 'Export report' });
  const exportCsv = page.locator('vscode-button', { hasText: 'Export CSV' });
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ state: 'stopped', userCount: 0 }) });
  await page.locator('.state', { hasText: 'stopped' }).waitFor();
  assert.equal(await exportHtml.getAttribute('disabled'), '', 'nothing to export without a record');

  const recordDir = '/runs/2026-11-22T01-00-00-000Z-abc123';
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ state: 'stopped', userCount: 0, recordDir }) });
  await page.waitForFunction(() => !document.querySelector('vscode-button[icon="export"]')?.hasAttribute('disabled'));
  await screenshots('recorded');
  let before = (await postedByPanel(page)).length;
  await exportHtml.click();
  assert.deepEqual(await nextPosted(page, 'export', before), { type: 'export', kind: 'html' });
  before = (await postedByPanel(page)).length;
  await exportCsv.click();
  assert.deepEqual(await nextPosted(page, 'export', before), { type: 'export', kind: 'csv' });
  // The host takes only the kinds it knows (and never a path: it exports the record of the run it shows).
  assert.equal(parseWebviewToHost({ type: 'export', kind: 'pdf' }), undefined);
  assert.deepEqual(parseWebviewToHost({ type: 'export', kind: 'html', dir: '/etc' }), { type: 'export', kind: 'html' });

  // What the serializer hands back to the host after a window reload; kept while the reloaded panel is still empty.
  const saved = () => page.evaluate(() => (JSON.parse(sessionStorage.getItem('vscodeState') ?? 'null') as { recordDir?: string } | null)?.recordDir);
  assert.equal(await saved(), recordDir);
  await page.reload();
  await page.waitForFunction(() => (window.__posted as { type: string }[]).some((m) => m.type === 'ready'));
  assert.equal(await saved(), recordDir);
});

test('2,000 endpoints: the table holds them all, draws only the rows in view, and a tick rewrites them in place', async () => {
  const many = (requests: number) => Array.from({ length: 2000 }, (_, i) => endpointStats({ name: `/item/${i}`, requests: requests + i }));
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ endpoints: many(1) }) });
  await page.waitForFunction(() => document.querySelector('table.stats')?.getAttribute('aria-rowcount') === '2002');
  const drawn = await page.locator('table.stats tbody tr').count();
  assert.ok(drawn > 10 && drawn < 200, `${drawn} rows drawn for 2,000 endpoints`);
  await page.locator('table.stats th', { hasText: 'Requests' }).first().locator('button').click();
  await sendToPanel(page, { type: 'tick', runId: 'run-1', state: 'running', userCount: 10, total: aggregated(), endpoints: many(10_000).reverse() });
  await page.waitForFunction(() => document.querySelector('table.stats tbody td:nth-child(3)')?.textContent === '11,999');
  assert.equal(await page.locator('table.stats tbody tr').first().getAttribute('aria-rowindex'), '2');

  // Scrolled to the end, the window shows the last rows of the sorted order.
  await page.locator('.table-scroll').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await page.locator('table.stats tbody tr', { hasText: '/item/0' }).waitFor();
  const last = page.locator('table.stats tbody tr').last();
  assert.equal(await last.locator('td').nth(2).textContent(), '10,000');
  assert.equal(await last.getAttribute('aria-rowindex'), '2001');

  // Filtering works on the model, not on the drawn rows.
  await page.locator('#name-filter').click();
  await page.keyboard.type('/item/1999');
  await page.waitForFunction(() => document.querySelector('table.stats')?.getAttribute('aria-rowcount') === '3');
  assert.deepEqual(await page.locator('table.stats tbody td:nth-child(2)').allTextContents(), ['/item/1999']);
});

test('an invalid message is ignored and the panel keeps working', async () => {
  await sendToPanel(page, { type: 'snapshot', run: { id: 1, endpoints: 'nope' } });
  await sendToPanel(page, { type: 'tick', runId: 'run-1' });
  await sendToPanel(page, { type: 'ack', command: 'format-disk', ok: true });
  await sendToPanel(page, { type: 'snapshot', run: runView({ host: 'http://after-junk.test' }) });
  await page.getByText('http://after-junk.test', { exact: false }).waitFor();
});
