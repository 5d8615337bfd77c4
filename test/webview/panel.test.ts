// The built panel in Debian's Chromium, under the extension's CSP, driven by messages exactly as the host sends them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { EndpointStats, ExceptionEntry, FailureEntry } from '../../protocol/runner';
import { parseWebviewToHost, type HostToWebview, type TaskRequestView, type TaskView } from '../../protocol/webview';
import { launchChromium } from '../helpers/browser';
import { applyTheme, CHART_FOREGROUND, instrumentPanel, nextPosted, panelFixture, postedByPanel, sendToPanel, type PanelTheme } from '../helpers/panelPage';
import { busyTotal, endpointStats, runView, seriesOf } from '../helpers/runFixtures';
import { REPO_ROOT } from '../helpers/lspClient';

const SHOTS = path.join(REPO_ROOT, 'test-output', 'webview');
const THEMES: readonly PanelTheme[] = ['light', 'dark'];
const HIGH_CONTRAST: readonly PanelTheme[] = ['hc-dark', 'hc-light'];
let page: Page;
const panel = panelFixture(SHOTS, (opened) => (page = opened));

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

async function screenshots(name: string, themes: readonly PanelTheme[] = THEMES): Promise<void> {
  for (const theme of themes) {
    await applyTheme(page, theme);
    await page.waitForFunction((fg) => document.querySelector('.charts')?.getAttribute('data-foreground') === fg || !document.querySelector('.charts')?.isConnected, CHART_FOREGROUND[theme]);
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

test('the snapshot series and each tick’s points drive the three charts and the latency heatmap', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun() });
  await waitForChartPoints('requests', 120);
  assert.equal(await page.locator('.charts canvas').count(), 4);
  const requests = await chartData('requests');
  assert.equal(requests.points, 120);
  assert.deepEqual(Object.keys(requests.latest), ['Requests/s', 'Failures/s']);
  assert.equal(requests.latest['Requests/s'], busyTotal(120)[0]);
  assert.match(requests.label, /Requests\/s, latest: Requests\/s [\d.]+\/s, Failures\/s [\d.]+\/s/);
  const users = await chartData('users');
  assert.deepEqual(users.latest, { Users: 10, WebsiteUser: 6, AdminUser: 4 }, 'total users and one line per User class');
  // The latency heatmap: a column per sample, the two bands of a bimodal run in their buckets.
  const heatmap = page.locator('figure[data-chart="latency"]');
  assert.equal(Number(await heatmap.getAttribute('data-columns')), 120);
  const latestColumn = JSON.parse((await heatmap.getAttribute('data-latest')) ?? '{}') as Record<string, number>;
  assert.ok(latestColumn['≤ 25 ms']! > 0 && latestColumn['≤ 500 ms']! > 0 && latestColumn['≤ 250 ms'] === 0, JSON.stringify(latestColumn));
  assert.match((await heatmap.locator('canvas').getAttribute('aria-label')) ?? '', /^Latency distribution, requests per second by response time over the run; latest: ≤ 25 ms [\d.]+\/s, ≤ 500 ms/);

  await sendToPanel(page, {
    type: 'tick', runId: 'run-1', state: 'running', userCount: 11, endpoints: [], total: aggregated({ requests: 1700 }),
    points: {
      // The 1 s window's p50, p95, p99, users, then p50, p95, p99 over 10 s and over 30 s.
      total: { t: 121, v: [97.5, 1.5, 20, 95, 150, 11, 19, 90, 160, 18, 92, 170] },
      userClasses: [{ name: 'WebsiteUser', value: { t: 121, v: [7] } }, { name: 'AdminUser', value: { t: 121, v: [4] } }],
    },
  });
  await waitForChartPoints('requests', 121);
  assert.deepEqual((await chartData('requests')).latest, { 'Requests/s': 97.5, 'Failures/s': 1.5 });
  // Percentiles over Locust's rolling 10 s window by default; 1 s and 30 s on demand, redrawn from the same points.
  assert.deepEqual((await chartData('times')).latest, { p50: 19, p95: 90, p99: 160 });
  assert.match((await chartData('times')).caption, /Response times \(10 s window\)/);
  const chooseWindow = (seconds: string) =>
    page.locator('#percentile-window').evaluate((select: HTMLElement & { value: string }, value) => {
      select.value = value;
      select.dispatchEvent(new Event('change'));
    }, seconds);
  await chooseWindow('1');
  assert.deepEqual((await chartData('times')).latest, { p50: 20, p95: 95, p99: 150 });
  await chooseWindow('30');
  assert.deepEqual((await chartData('times')).latest, { p50: 18, p95: 92, p99: 170 });
  assert.match((await chartData('times')).caption, /\(30 s window\)/);
  await chooseWindow('10');
  assert.deepEqual((await chartData('users')).latest, { Users: 11, WebsiteUser: 7, AdminUser: 4 });
  // Hover shows the values under the pointer (the middle of a 2-minute chart: about one minute in), with their units.
  const canvas = page.locator('figure[data-chart="requests"] canvas');
  const box = await canvas.boundingBox();
  assert.ok(box, 'the requests chart is laid out');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(() => document.querySelector<HTMLElement>('figure[data-chart="requests"]')?.dataset['hover']);
  const hover = (await page.locator('figure[data-chart="requests"]').getAttribute('data-hover')) ?? '';
  const shown = /^(\d+):(\d\d) Requests\/s: [\d.]+\/s; \1:\2 Failures\/s: [\d.]+\/s$/.exec(hover);
  assert.ok(shown, `the hover text "${hover}"`);
  const seconds = Number(shown[1]) * 60 + Number(shown[2]);
  assert.ok(seconds > 30 && seconds < 90, `the point under the middle of the chart is about a minute in, not ${seconds} s`);
  await page.mouse.move(0, 0);
  // Elapsed goes on from the newest point on the panel's own clock (exact values: the test with the page clock).
  assert.match((await page.locator('.metrics dd').nth(4).textContent()) ?? '', /^2:0[1-3]$/, 'elapsed follows the newest point');
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
  await page.locator('.control-status[data-result="ok"]', { hasText: 'Users now 25' }).waitFor();

  before = (await postedByPanel(page)).length;
  await page.locator('vscode-button', { hasText: 'Reset stats' }).click();
  assert.deepEqual(await nextPosted(page, 'reset', before), { type: 'reset' });
  await sendToPanel(page, { type: 'ack', command: 'stop', ok: true });
  await page.locator('.control-status[data-result="ok"]', { hasText: /^Stopped$/ }).waitFor();
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
  // No current rate anywhere once the run ended: header, rows and the aggregated row say "–" (not the last window's).
  const currentColumns = await page.locator('table.stats thead th').allTextContents();
  const rps = currentColumns.findIndex((t) => t.startsWith('Current RPS'));
  const failsPerSecond = currentColumns.findIndex((t) => t.startsWith('Current failures/s'));
  assert.ok(rps > 0 && failsPerSecond > 0, currentColumns.join('|'));
  for (const row of [...(await page.locator('table.stats tbody tr').all()), page.locator('table.stats tfoot tr')]) {
    assert.equal(await row.locator('td').nth(rps).textContent(), '–');
    assert.equal(await row.locator('td').nth(failsPerSecond).textContent(), '–');
  }
  assert.equal(await page.locator('.metrics dd').nth(1).textContent(), '–');
  // Run again (the same choices) and New run… (asked afresh) post to the host; a running run shows neither.
  let before = (await postedByPanel(page)).length;
  await page.locator('vscode-button', { hasText: 'Run again' }).click();
  assert.deepEqual(await nextPosted(page, 'runAgain', before), { type: 'runAgain', same: true });
  before = (await postedByPanel(page)).length;
  await page.locator('vscode-button', { hasText: 'New run…' }).click();
  assert.deepEqual(await nextPosted(page, 'runAgain', before), { type: 'runAgain', same: false });
  // An attached run has no locustfile to run again.
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ id: 'attached', state: 'stopped', userCount: 0, locustfile: '', attachedTo: 'http://127.0.0.1:8089/' }) });
  await page.locator('vscode-button', { hasText: 'Run again' }).waitFor({ state: 'hidden' });
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ state: 'stopped', userCount: 0 }) });
  await screenshots('finished');
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ id: 'run-live' }) });
  await page.locator('vscode-button', { hasText: 'Run again' }).waitFor({ state: 'hidden' });
  assert.notEqual(await page.locator('table.stats tbody tr').first().locator('td').nth(rps).textContent(), '–', 'a live run shows its current rate');
});

test('Current ratio: the model\'s shares of User classes and tasks beside the run\'s users, updated by ticks; "none" before any', async () => {
  const section = page.locator('section.ratio');
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ id: 'no-users', series: { total: seriesOf(3, busyTotal), userClasses: [] } }) });
  await section.locator('.none', { hasText: 'No ratio yet' }).waitFor();
  const modelRatio = [
    { user: 'WebsiteUser', path: [], task: null, share: 0.75 },
    { user: 'WebsiteUser', path: [], task: 'browse', share: 0.8 },
    { user: 'WebsiteUser', path: [], task: 'Checkout', share: 0.2 },
    { user: 'WebsiteUser', path: ['Checkout'], task: 'pay', share: null },
    { user: 'AdminUser', path: [], task: null, share: 0.25 },
  ];
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ modelRatio }) });
  const rows = () => section.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  await section.locator('tbody tr').nth(4).waitFor();
  // The run's share is of the users running now: 6 WebsiteUser and 4 AdminUser in the busy run's last sample.
  assert.deepEqual(await rows(), [
    ['WebsiteUser', '75%', '60%'],
    ['browse', '80%', ''],
    ['Checkout', '20%', ''],
    ['pay', '?', ''],
    ['AdminUser', '25%', '40%'],
  ]);
  await sendToPanel(page, {
    type: 'tick', runId: 'run-1', state: 'running', userCount: 10, endpoints: [], total: aggregated(),
    points: { total: { t: 121, v: busyTotal(121) }, userClasses: [{ name: 'WebsiteUser', value: { t: 121, v: [9] } }, { name: 'AdminUser', value: { t: 121, v: [1] } }] },
  });
  await page.waitForFunction(() => document.querySelector('section.ratio tbody tr td:nth-child(3)')?.textContent === '90%');
  assert.equal(await section.locator('tbody tr').nth(4).locator('td').nth(2).textContent(), '10%');
  // Once the run ended nobody runs: no stale shares.
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ state: 'stopped', userCount: 0, modelRatio }) });
  await page.waitForFunction(() => document.querySelector('section.ratio tbody tr td:nth-child(3)')?.textContent === '–');
  assert.equal(await section.locator('tbody tr').first().locator('td').nth(1).textContent(), '75%', 'the model\'s shares stay');
  // The model's rows are data, never markup.
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ modelRatio: [{ user: PAYLOADS[0]!, path: [], task: null, share: 1 }] }) });
  await section.locator('tbody td', { hasText: PAYLOADS[0]! }).first().waitFor();
  await assertNothingExecuted();
});

test('beside the editor (700 px): the compact table (all columns on demand), charts under tabs, the statistics in view', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun() });
  await waitForChartPoints('requests', 120);
  const wide = await page.locator('table.stats thead th:visible').allTextContents();
  assert.equal(wide.length, 14, 'a wide panel shows every column');
  assert.ok(wide.every((t) => !/ms|bytes/.test(t) || /\((ms|bytes)\)/.test(t)) && wide.includes('95%ile (ms)'), 'headers carry their units');
  await page.setViewportSize({ width: 700, height: 1000 });
  try {
    await page.waitForFunction(() => document.querySelectorAll('table.stats thead th:not(.extra)').length > 0);
    const visible = () => page.locator('table.stats thead th:visible').allTextContents();
    assert.deepEqual(await visible(), ['Type', 'Name', 'Requests', 'Fails', 'Median (ms)', '95%ile (ms)', '99%ile (ms)', 'Current RPS']);
    assert.equal(await page.locator('table.stats tbody tr').first().locator('td:visible').count(), 8, 'rows follow their headers');
    // One chart at a time: the tabs switch it, and the table starts within the first screen.
    assert.equal(await page.locator('figure.chart:visible').count(), 1);
    await page.locator('.chart-tabs button', { hasText: 'Response times' }).click();
    assert.equal(await page.locator('figure.chart:visible').getAttribute('data-chart'), 'times');
    const tableTop = (await page.locator('table.stats').boundingBox())?.y ?? Infinity;
    assert.ok(tableTop < 1000, `the statistics start at ${tableTop}px, within the first screen`);
    await screenshots('narrow');
    await page.locator('button.columns-toggle', { hasText: 'All columns' }).click();
    assert.equal((await visible()).length, 14);
    await page.locator('button.columns-toggle', { hasText: 'Fewer columns' }).click();
    assert.equal((await visible()).length, 8);
    await page.locator('.chart-tabs button', { hasText: 'Requests/s' }).click();
  } finally {
    await page.setViewportSize({ width: 1200, height: 800 });
  }
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
  before = (await postedByPanel(page)).length;
  await page.locator('vscode-button', { hasText: 'Run folder' }).click();
  assert.deepEqual(await nextPosted(page, 'openRunFolder', before), { type: 'openRunFolder' });
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

test('200,000 endpoints: the snapshot renders, the selector lists the first 500 and says how many more, a row picks any endpoint for the charts', async () => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const many = Array.from({ length: 200_000 }, (_, i) => endpointStats({ name: `/item/${i}`, requests: 1 + i }));
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ endpoints: many }) });
  await page.waitForFunction(() => document.querySelector('table.stats')?.getAttribute('aria-rowcount') === '200002');
  assert.deepEqual(errors, []);
  // "All endpoints" plus the first 500; the rest are named by count.
  assert.equal(await page.locator('#endpoint-select vscode-option').count(), 501);
  assert.equal(await page.locator('.more-endpoints').textContent(), '199,500 more: pick a row in the table');

  // Far down the table, past the selector's list: a click charts that endpoint and marks its row.
  await page.locator('#name-filter').click();
  await page.keyboard.type('/item/199999');
  const row = page.locator('table.stats tbody tr', { hasText: '/item/199999' });
  await row.waitFor();
  const before = (await postedByPanel(page)).length;
  await row.click();
  assert.deepEqual(await nextPosted(page, 'selectEndpoint', before), { type: 'selectEndpoint', endpoint: { method: 'GET', name: '/item/199999' } });
  assert.equal(await row.getAttribute('aria-selected'), 'true');
  // The selector names it now (an option of its own), as the charts do.
  await page.waitForFunction(() => document.querySelector<HTMLSelectElement>('#endpoint-select')?.value !== 'all');
  assert.equal(await page.locator('#endpoint-select vscode-option', { hasText: 'GET /item/199999' }).count(), 1);
  // Enter on the focused row picks it again, which goes back to the whole run.
  const again = (await postedByPanel(page)).length;
  await row.focus();
  await page.keyboard.press('Enter');
  assert.deepEqual(await nextPosted(page, 'selectEndpoint', again), { type: 'selectEndpoint', endpoint: null });
  assert.equal(await row.getAttribute('aria-selected'), 'false');
});

test('an invalid message is ignored (and logged), changes nothing, and the panel keeps working', async () => {
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
  });
  const junk = [
    { type: 'snapshot', run: { id: 1, endpoints: 'nope' } },
    { type: 'tick', runId: 'run-1' },
    { type: 'ack', command: 'format-disk', ok: true },
    { type: 'snapshot', run: runView({ host: '<img src=x onerror=alert(1)>', state: 'exploded' as 'running' }) },
  ];
  for (const message of junk) await sendToPanel(page, message);
  // Messages are handled in order: once this valid one shows, every junk message before it has been seen and refused.
  await sendToPanel(page, { type: 'task', task: { id: 'marker', label: 'Marker.task', locustfile: '/w/l.py', host: 'http://h', mode: 'run', state: 'done', startedAt: 1, requests: [] } });
  await page.getByText('Marker.task').first().waitFor();
  assert.equal(warnings.filter((w) => w.includes('ignored an invalid message')).length, junk.length, 'each junk message logged once');
  assert.equal(await page.locator('section.run').count(), 0, 'no run was rendered from the junk');
  assert.equal(await page.getByText('onerror', { exact: false }).count(), 0);

  await sendToPanel(page, { type: 'snapshot', run: runView({ host: 'http://after-junk.test' }), view: 'run' });
  await page.getByText('http://after-junk.test', { exact: false }).first().waitFor();
});

// ---- The single task ("Run task once" / "Debug task")

const HOST = 'http://127.0.0.1:8080';
const request = (overrides: Partial<TaskRequestView> & Pick<TaskRequestView, 'name' | 'url'>): TaskRequestView => ({
  type: 'request', method: 'GET', status: 200, responseTimeMs: 12.5, responseLength: 512, failure: null, startTime: 1_795_000_000, ...overrides,
});
const TASK_REQUESTS: TaskRequestView[] = [
  request({ name: '/', url: `${HOST}/`, responseLength: 5120 }),
  request({ name: '/item/[id]', url: `${HOST}/item/42?ref=home`, responseTimeMs: 45.25, responseLength: 2048 }),
  request({ method: 'POST', name: '/cart', url: `${HOST}/cart`, status: 500, responseTimeMs: 120, responseLength: 310, failure: 'HTTPError(\'500 Server Error: Internal Server Error for url: /cart\')' }),
  request({ name: '/slow', url: `${HOST}/slow`, status: null, responseTimeMs: 10_000, responseLength: 0, failure: 'ConnectionRefusedError(111, \'Connection refused\')' }),
];
const TASK_TRACEBACK = [
  'Traceback (most recent call last):',
  `  File "${ROOT}/locustfile.py", line 17, in view_cart`,
  '    self.client.post("/cart").raise_for_status()',
  'requests.exceptions.HTTPError: 500 Server Error',
].join('\n');

function taskView(overrides: Partial<TaskView> = {}): TaskView {
  return {
    id: 'task-1', label: 'WebsiteUser.Browse.view_cart', locustfile: `${ROOT}/locustfile.py`, host: HOST, mode: 'run', state: 'failed',
    startedAt: Date.now() - 11_000, durationMs: 10_234, requests: TASK_REQUESTS,
    exception: { type: 'exception', message: 'HTTPError: 500 Server Error', traceback: TASK_TRACEBACK, where: 'task' },
    ...overrides,
  };
}

const taskButton = () => page.getByRole('button', { name: 'Task', exact: true });
const runButton = () => page.getByRole('button', { name: 'Load test', exact: true });

test('a task shows its requests in order, failed ones marked by word and icon, and its exception with source links', async () => {
  await sendToPanel(page, { type: 'snapshot', run: null, sourceRoots: [ROOT] });
  await sendToPanel(page, { type: 'task', task: taskView() });
  const rows = page.locator('.task-requests-table tbody tr');
  await rows.nth(3).waitFor();
  assert.equal(await page.locator('.view-switch').isVisible(), false, 'no switch without a load test');
  assert.equal(await page.locator('.task h2').textContent(), 'WebsiteUser.Browse.view_cart');
  assert.equal((await page.locator('.task .state').textContent())?.trim(), 'Failed');
  assert.equal(await page.locator('.task .state .codicon-error').count(), 1, 'the state has its icon');
  assert.equal((await page.locator('.task .mode').textContent())?.trim(), 'Run once');
  assert.equal(await page.locator('.task .subtitle').textContent(), `${HOST} · locustfile.py`);
  assert.deepEqual(await page.locator('.task .metrics dd').allTextContents(), ['10.2 s', '4 requests, 2 failed']);

  const cells = async (i: number) => (await rows.nth(i).locator('td').allTextContents()).map((t) => t.trim());
  assert.deepEqual(await cells(0), ['1', 'OK', 'GET', `${HOST}/`, '200', '13', '5.1 kB', '']);
  assert.deepEqual(await cells(2), ['3', 'Failed', 'POST', `${HOST}/cart`, '500', '120', '310 B', 'HTTPError(\'500 Server Error: Internal Server Error for url: /cart\')']);
  assert.deepEqual(await cells(3), ['4', 'Failed', 'GET', `${HOST}/slow`, 'no response', '10,000', '0 B', 'ConnectionRefusedError(111, \'Connection refused\')']);
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset['result'])), ['ok', 'ok', 'failed', 'failed']);
  assert.equal(await rows.nth(2).locator('.codicon-error').count(), 1, 'a failed row has an icon besides its colour');
  assert.equal(await rows.nth(1).locator('.request-name').textContent(), 'name: /item/[id]', 'the name shows where it differs from the URL');
  assert.equal(await page.locator('.task-requests-table .request-name').count(), 1, 'and only there');

  assert.equal(await page.locator('.task-exception h3').textContent(), 'Exception in the task');
  assert.equal(await page.locator('.task-exception .exception-message').textContent(), 'HTTPError: 500 Server Error');
  assert.equal(await page.locator('.task-exception .traceback').textContent(), TASK_TRACEBACK);
  const link = page.locator('.task-exception a.source-link');
  assert.deepEqual(await link.allTextContents(), [`File "${ROOT}/locustfile.py", line 17`]);
  const before = (await postedByPanel(page)).length;
  await link.focus();
  await page.keyboard.press('Enter');
  assert.deepEqual(await nextPosted(page, 'openSource', before), { type: 'openSource', path: `${ROOT}/locustfile.py`, line: 17 });
  await screenshots('task');
});

test('a running task says it waits for its first request, fills in as requests arrive, and shows how it ended', async () => {
  await sendToPanel(page, { type: 'task', task: taskView({ state: 'running', mode: 'debug', requests: [], exception: undefined, durationMs: undefined }) });
  await page.locator('.task-requests .none', { hasText: 'No request yet' }).waitFor();
  assert.equal((await page.locator('.task .mode').textContent())?.trim(), 'Debug');
  assert.equal(await page.locator('.task-requests-table').isVisible(), false);
  assert.equal(await page.locator('.task-exception').isVisible(), false);
  await screenshots('task-waiting');

  await sendToPanel(page, { type: 'task', task: taskView({ state: 'running', mode: 'debug', requests: TASK_REQUESTS.slice(0, 1), exception: undefined, durationMs: undefined }) });
  await page.locator('.task-requests-table tbody tr').first().waitFor();
  assert.equal(await page.locator('.task-requests .none').isVisible(), false);
  assert.equal(await page.locator('.task .metrics dd').nth(1).textContent(), '1 request, 0 failed');

  await sendToPanel(page, {
    type: 'task',
    task: taskView({ state: 'cancelled', mode: 'debug', requests: TASK_REQUESTS.slice(0, 2), exception: undefined, durationMs: 2_500, message: 'The debugger was detached.', droppedRequests: 3 }),
  });
  await page.locator('.task .message', { hasText: 'The debugger was detached.' }).waitFor();
  assert.equal((await page.locator('.task .state').textContent())?.trim(), 'Cancelled');
  assert.equal(await page.locator('.task-requests-table tbody tr').count(), 2);
  assert.equal(await page.locator('.task-requests .dropped').textContent(), '3 more requests not shown.');
  assert.deepEqual(await page.locator('.task .metrics dd').allTextContents(), ['2.5 s', '5 requests, 0 failed']);
});

test('hostile strings in a task’s label, host, URLs, names, failures and exception are text and never run', async () => {
  const hostile = taskView({
    label: PAYLOADS[0]!,
    host: PAYLOADS[1]!,
    message: PAYLOADS[2]!,
    requests: PAYLOADS.map((p, i) => request({ method: PAYLOADS[0]!, name: p, url: PAYLOADS[(i + 1) % PAYLOADS.length]!, failure: p })),
    exception: { type: 'exception', message: PAYLOADS[1]!, traceback: `${TASK_TRACEBACK}\n${PAYLOADS[0]}\n${PAYLOADS[1]}`, where: 'on_start' },
  });
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ host: PAYLOADS[2]! }), sourceRoots: [ROOT], task: hostile, view: 'task' });
  await page.locator('.task-requests-table tbody tr').nth(2).waitFor();
  assert.equal(await page.locator('.task h2').textContent(), PAYLOADS[0]);
  assert.ok((await page.locator('.task .subtitle').textContent())?.startsWith(PAYLOADS[1]!));
  assert.equal(await page.locator('.task .message').textContent(), PAYLOADS[2]);
  assert.deepEqual(await page.locator('.task-requests-table .request-url').allTextContents(), [PAYLOADS[1], PAYLOADS[2], PAYLOADS[0]]);
  assert.deepEqual(await page.locator('.task-requests-table .request-name').allTextContents(), PAYLOADS.map((p) => `name: ${p}`));
  assert.deepEqual(await page.locator('.task-requests-table td:nth-child(8)').allTextContents(), PAYLOADS);
  assert.equal(await page.locator('.task-exception .exception-message').textContent(), PAYLOADS[1]);
  assert.equal(await page.locator('.task-exception h3').textContent(), 'Exception in on_start');
  assert.ok((await page.locator('.task-exception .traceback').textContent())?.endsWith(`${PAYLOADS[0]}\n${PAYLOADS[1]}`));
  await assertNothingExecuted();
  await page.screenshot({ path: path.join(SHOTS, 'task-hostile.png'), fullPage: true });
});

test('with a load test and a task, a keyboard switch moves between them and a reload shows the same one', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun(), sourceRoots: [ROOT] });
  await page.locator('table.stats tbody tr').first().waitFor();
  assert.equal(await page.locator('.view-switch').isVisible(), false, 'a load test alone needs no switch');
  await sendToPanel(page, { type: 'task', task: taskView() });
  await page.locator('.task-requests-table tbody tr').first().waitFor();
  assert.equal(await taskButton().getAttribute('aria-pressed'), 'true', 'a new task comes to the front');
  assert.equal(await page.locator('table.stats').isVisible(), false);

  // From the top of the page: Tab reaches the switch first, Enter and Space press its buttons, arrows move between them.
  await page.keyboard.press('Tab');
  assert.equal(await runButton().evaluate((el) => el === document.activeElement), true, 'Tab reaches "Load test"');
  await page.keyboard.press('Enter');
  await page.locator('table.stats').waitFor();
  assert.equal(await runButton().getAttribute('aria-pressed'), 'true');
  assert.equal(await taskButton().getAttribute('aria-pressed'), 'false');
  assert.equal(await page.locator('.task').count(), 0, 'the task view left the page');
  assert.equal(await runButton().evaluate((el) => el === document.activeElement), true, 'the focus stays on the switch');
  await screenshots('switch-run');

  // The same task changing again leaves the user’s choice alone.
  await sendToPanel(page, { type: 'task', task: taskView({ durationMs: 99 }) });
  await sendToPanel(page, { type: 'tick', runId: 'run-1', state: 'running', userCount: 10, endpoints: [], total: aggregated() });
  await page.waitForFunction(() => document.querySelector('.view-button[data-view="run"]')?.getAttribute('aria-pressed') === 'true');
  assert.equal(await page.locator('table.stats').isVisible(), true);

  await page.keyboard.press('ArrowRight');
  assert.equal(await taskButton().evaluate((el) => el === document.activeElement), true, 'ArrowRight moves to "Task"');
  await page.keyboard.press('Space');
  await page.locator('.task-requests-table').waitFor();
  assert.equal(await taskButton().getAttribute('aria-pressed'), 'true');
  await screenshots('switch-task');

  // After a reload the host refills the panel (without saying which view): the panel shows the one chosen.
  await page.reload();
  await nextPosted(page, 'ready');
  await sendToPanel(page, { type: 'snapshot', run: busyRun(), sourceRoots: [ROOT], task: taskView() });
  await page.locator('.task-requests-table tbody tr').first().waitFor();
  assert.equal(await taskButton().getAttribute('aria-pressed'), 'true');
  await runButton().click();
  await page.locator('table.stats').waitFor();
  await page.reload();
  await nextPosted(page, 'ready');
  await sendToPanel(page, { type: 'snapshot', run: busyRun(), sourceRoots: [ROOT], task: taskView() });
  await page.locator('table.stats tbody tr').first().waitFor();
  assert.equal(await runButton().getAttribute('aria-pressed'), 'true');
  // When the host says which view, it wins; a task the panel has not seen comes to the front.
  await sendToPanel(page, { type: 'snapshot', run: busyRun(), task: taskView(), view: 'task' });
  await page.locator('.task-requests-table').waitFor();
  await runButton().click();
  await sendToPanel(page, { type: 'task', task: taskView({ id: 'task-2', label: 'WebsiteUser.checkout' }) });
  await page.locator('.task h2', { hasText: 'WebsiteUser.checkout' }).waitFor();
  assert.equal(await taskButton().getAttribute('aria-pressed'), 'true');
});

// ---- Elapsed time, on the page clock so the test can move time instead of waiting for it

test('the header shows elapsed time and the run time, advancing on the panel’s clock while the run goes on, frozen once it stops', async () => {
  // The clock belongs to a browser context: a browser of its own, so the other tests keep real time.
  const own = await launchChromium();
  const clocked = await own.context.newPage();
  try {
    await clocked.clock.install({ time: new Date('2026-11-22T03:00:00Z') });
    await clocked.clock.pauseAt(new Date('2026-11-22T03:00:01Z'));
    await instrumentPanel(clocked);
    await clocked.goto(panel.siteUrl);
    await clocked.waitForFunction(() => window.__posted.length > 0);
    const shown = clocked.locator('.metrics div', { hasText: 'Elapsed' }).locator('dd');
    const expectShown = (text: string) => clocked.waitForFunction((t) => document.querySelectorAll('.metrics dd')[4]?.textContent === t, text, { polling: 50 });

    await sendToPanel(clocked, { type: 'snapshot', run: busyRun({ runTimeSeconds: 300 }) });
    await expectShown('2:00 / 5:00');
    await clocked.clock.runFor(2_500);
    await expectShown('2:02 / 5:00');
    // A tick's time is the base again: the panel's clock only fills the time since it arrived.
    await sendToPanel(clocked, {
      type: 'tick', runId: 'run-1', state: 'running', userCount: 10, endpoints: [], total: aggregated(),
      points: { total: { t: 123, v: [90, 0, 20, 90, 140, 10] }, userClasses: [] },
    });
    await expectShown('2:03 / 5:00');
    await clocked.clock.runFor(1_900);
    await expectShown('2:04 / 5:00');
    // A tick without new points (final statistics) stops the clock where it is.
    await sendToPanel(clocked, { type: 'tick', runId: 'run-1', state: 'stopped', userCount: 0, endpoints: [], total: aggregated() });
    await clocked.locator('.state', { hasText: 'stopped' }).waitFor();
    await clocked.clock.runFor(30_000);
    assert.equal(await shown.textContent(), '2:04 / 5:00', 'frozen once stopped');

    // Past an hour, h:mm:ss; without a run time, no "/".
    await sendToPanel(clocked, { type: 'snapshot', run: busyRun({ id: 'run-2', series: { total: seriesOf(3725, busyTotal), userClasses: [] } }) });
    await expectShown('1:02:05');
    await clocked.clock.runFor(1_000);
    await expectShown('1:02:06');
    // A snapshot of a stopped run shows its last sample's time and does not move.
    await sendToPanel(clocked, { type: 'snapshot', run: busyRun({ id: 'run-3', state: 'stopped', runTimeSeconds: 120 }) });
    await expectShown('2:00 / 2:00');
    await clocked.clock.runFor(5_000);
    assert.equal(await shown.textContent(), '2:00 / 2:00');
    // Before the first sample there is nothing to count from.
    await sendToPanel(clocked, { type: 'snapshot', run: runView({ id: 'run-4', state: 'starting', runTimeSeconds: 60 }) });
    await expectShown('– / 1:00');
    assert.deepEqual(await clocked.evaluate(() => window.__cspViolations), [], 'no Content Security Policy violation');
  } finally {
    await own.close();
  }
});

// ---- High-contrast themes

async function focusRing(selector: string): Promise<{ style: string; colour: string }> {
  return page.locator(selector).first().evaluate((el) => {
    const s = getComputedStyle(el);
    return { style: s.outlineStyle, colour: s.outlineColor };
  });
}

test('high-contrast dark and light: borders on tables, charts and badges, focus in contrastActiveBorder, charts re-coloured', async () => {
  await sendToPanel(page, failingRun());
  await waitForChartPoints('requests', 120);
  await sendToPanel(page, { type: 'task', task: taskView() });
  await runButton().click();
  await page.locator('table.stats').waitFor();
  const expected = { 'hc-dark': { border: 'rgb(111, 195, 223)', active: 'rgb(243, 133, 24)' }, 'hc-light': { border: 'rgb(15, 74, 133)', active: 'rgb(0, 107, 189)' } } as const;
  for (const theme of HIGH_CONTRAST) {
    await applyTheme(page, theme);
    await page.waitForFunction((fg) => document.querySelector('.charts')?.getAttribute('data-foreground') === fg, CHART_FOREGROUND[theme]);
    const { border, active } = expected[theme as keyof typeof expected];
    const borders = await page.evaluate(() => ({
      cell: getComputedStyle(document.querySelector('table.stats td')!).borderBottomColor,
      table: getComputedStyle(document.querySelector('table.stats')!).borderTopColor,
      chart: getComputedStyle(document.querySelector('.chart')!).borderTopColor,
      badge: getComputedStyle(document.querySelector('.run-header .state')!).borderTopColor,
    }));
    assert.deepEqual(borders, { cell: border, table: border, chart: border, badge: border }, `${theme}: every edge in contrastBorder`);
    // Keyboard focus is drawn in contrastActiveBorder (on the view switch, and on a traceback link).
    await runButton().focus();
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await focusRing('.view-button:focus-visible'), { style: 'solid', colour: active });
    await page.locator('.traceback a.source-link').focus();
    assert.deepEqual(await focusRing('.traceback a.source-link:focus-visible'), { style: 'solid', colour: active });
  }
  // The screenshots show the focus ring on the switch.
  await runButton().focus();
  await page.keyboard.press('ArrowRight');
  await screenshots('failing', HIGH_CONTRAST);
  await taskButton().click();
  await page.locator('.task-requests-table').waitFor();
  await screenshots('task', HIGH_CONTRAST);
});

test('high contrast: a running run', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ runTimeSeconds: 600 }) });
  await waitForChartPoints('requests', 120);
  await screenshots('running', HIGH_CONTRAST);
  // High contrast light is a light theme: the charts take its own (dark on white) colours, not a dark theme's.
  assert.equal(await page.locator('.charts').getAttribute('data-foreground'), '#292929');
});
