// The load generator's health in the panel, in Debian's Chromium: the saturation warning on the charts and the Workers
// view, fed with health the runner's own monitor (LoadGeneratorMonitor) judged from synthetic master ticks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { LOAD_GENERATOR_SATURATED_SECONDS, LoadGeneratorMonitor, saturationWarning, type LoadGeneratorHealth } from '../../protocol/loadGenerator';
import type { BridgeMessage, WorkerEntry } from '../../protocol/runner';
import type { Verdict } from '../../protocol/thresholds';
import { applyTheme, CHART_FOREGROUND, nextPosted, panelFixture, postedByPanel, sendToPanel, type PanelTheme } from '../helpers/panelPage';
import { busyTotal, endpointStats, runView, seriesOf } from '../helpers/runFixtures';
import { REPO_ROOT } from '../helpers/lspClient';

const SHOTS = process.env['PANEL_SHOTS'] ?? path.join(REPO_ROOT, 'test-output', 'webview');
let page: Page;
panelFixture(SHOTS, (opened) => (page = opened));

type Tick = Extract<BridgeMessage, { type: 'tick' }>;
const START = Date.UTC(2026, 11, 1);

/** Health after `seconds` running ticks of a master whose workers report the CPU `cpuOf` and loop lag `lagOf` give them. */
function healthAfter(seconds: number, cpuOf: (worker: number) => number, lagOf: (worker: number) => number = () => 3): LoadGeneratorHealth {
  const monitor = new LoadGeneratorMonitor();
  for (let s = 1; s <= seconds; s++) {
    const workers: WorkerEntry[] = [0, 1].map((w) => ({ id: `host${w + 1}_${'ab'[w]}1f2`, state: 'running', userCount: 50, cpu: cpuOf(w), memory: 60_000_000 + w * 1_000_000, loopLag: lagOf(w) }));
    const tick: Tick = { type: 'tick', seq: s, t: START + s * 1000, state: 'running', userCount: 100, usersByClass: { WebsiteUser: 100 }, endpoints: [], total: endpointStats({ method: '', name: 'Aggregated' }), omitted: 0, workers };
    monitor.apply(tick);
  }
  return monitor.health();
}

function run(loadGenerator: LoadGeneratorHealth | undefined, id = 'run-1') {
  return runView({
    id,
    endpoints: [endpointStats({ name: '/cart', requests: 6000 })],
    total: endpointStats({ method: '', name: 'Aggregated', requests: 6000 }),
    series: { total: seriesOf(40, busyTotal), userClasses: [] },
    ...(loadGenerator && { loadGenerator }),
  });
}

async function screenshots(name: string): Promise<void> {
  for (const theme of ['light', 'dark'] as PanelTheme[]) {
    await applyTheme(page, theme);
    await page.waitForFunction((fg) => document.querySelector('.charts')?.getAttribute('data-foreground') === fg, CHART_FOREGROUND[theme]);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${theme}.png`), fullPage: true });
  }
}

test('workers below the limit: the Workers view lists them, no warning on the charts', async () => {
  const health = healthAfter(30, () => 40);
  assert.equal(health.saturated, false);
  await sendToPanel(page, { type: 'snapshot', run: run(health) });
  const rows = page.locator('.workers-view tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 2);
  const cells = await rows.first().locator('td').allTextContents();
  assert.deepEqual(cells.slice(0, 7), ['host1_a1f2', 'local', 'running', '50', '40', '40', '3']);
  assert.match(cells[7] ?? '', /MB|MiB/);
  assert.equal(await page.locator('.workers-view td.hot').count(), 0);
  assert.equal(await page.locator('.load-warning').isVisible(), false);
});

test('a worker at 100 % CPU for longer than the rule: the warning stands above the charts, naming it; a tick brings it live', async () => {
  // One worker stays just short of the rule's stretch: no warning yet.
  const before = healthAfter(LOAD_GENERATOR_SATURATED_SECONDS, (w) => (w === 0 ? 100 : 30));
  assert.equal(before.saturated, false);
  await sendToPanel(page, { type: 'snapshot', run: run(before) });
  await page.locator('.workers-view tbody tr').first().waitFor();
  assert.equal(await page.locator('.load-warning').isVisible(), false);
  assert.equal(await page.locator('.workers-view tbody tr[data-hot="true"]').count(), 1);

  const after = healthAfter(30, (w) => (w === 0 ? 100 : 30));
  assert.deepEqual(after.saturatedProcesses, ['host1_a1f2']);
  await sendToPanel(page, { type: 'tick', runId: 'run-1', state: 'running', userCount: 100, endpoints: [], total: run(undefined).total!, loadGenerator: after });
  const warning = page.locator('.load-warning');
  await warning.waitFor();
  const text = (await warning.textContent()) ?? '';
  assert.match(text, /worker host1_a1f2 stayed at or above 90 % CPU/);
  assert.match(text, /not to be trusted: add workers or processes/);
  // On the charts: right above them.
  assert.equal(await page.evaluate(() => document.querySelector('.load-warning')?.nextElementSibling?.className), 'charts');
  assert.equal(await page.locator('.workers-view tbody tr[data-saturated="true"]').count(), 1);
  await screenshots('load-generator-saturated');

  // Another run without health: neither is shown.
  await sendToPanel(page, { type: 'snapshot', run: run(undefined, 'run-2') });
  await warning.waitFor({ state: 'hidden' });
  assert.equal(await page.locator('.workers-view').isVisible(), false);
});

test('a worker whose event loop lags (its CPU low: starved by its neighbours) is saturated too; its lag is the figure marked', async () => {
  const health = healthAfter(30, () => 35, (w) => (w === 1 ? 240 : 2));
  assert.deepEqual(health.saturatedProcesses, ['host2_b1f2']);
  await sendToPanel(page, { type: 'snapshot', run: run(health, 'run-lag') });
  const warning = page.locator('.load-warning');
  await warning.waitFor();
  assert.match((await warning.textContent()) ?? '', /worker host2_b1f2 stayed at or above 90 % CPU, or its event loop 50 ms or more late/);
  const hot = await page.locator('.workers-view td.hot').allTextContents();
  assert.deepEqual(hot, ['240'], 'the lag cell, not the CPU cell');
  assert.equal(await page.locator('.workers-view tbody tr[data-saturated="true"] td').first().textContent(), 'host2_b1f2');
  await screenshots('load-generator-loop-lag');
});

test('a finished run whose load generator was saturated: its verdict says it is unreliable, the warning stays', async () => {
  const health = healthAfter(30, () => 100);
  const verdict: Verdict = { outcome: 'passed', thresholds: [{ text: 'fail_ratio < 1%', state: 'passed', value: 0 }], unreliable: saturationWarning(health)! };
  await sendToPanel(page, { type: 'snapshot', run: { ...run(health, 'run-3'), state: 'stopped', userCount: 0, thresholds: verdict.thresholds, verdict } });
  await page.locator('.verdict-text', { hasText: 'Thresholds passed (1 of 1) — unreliable: the load generator was saturated' }).waitFor();
  assert.match((await page.locator('.load-warning').textContent()) ?? '', /worker host1_a1f2, worker host2_b1f2 stayed/);
  await screenshots('load-generator-unreliable-verdict');
});

test('workers on other hosts: the Workers view names each one’s host; one lost mid-run is named with why above the charts', async () => {
  const monitor = new LoadGeneratorMonitor();
  const hosts = ['root@10.0.0.2', 'deploy@<b>load-2</b>'];
  for (let s = 1; s <= 5; s++) {
    const state = s < 5 ? 'running' : 'missing';
    const workers: WorkerEntry[] = hosts.map((host, w) => ({ id: `vm_${w}aa`, state: w === 1 ? state : 'running', userCount: 10, cpu: 20, host }));
    monitor.apply({ type: 'tick', seq: s, t: START + s * 1000, state: 'running', userCount: 20, usersByClass: { WebsiteUser: 20 }, endpoints: [], total: endpointStats({ method: '', name: 'Aggregated' }), omitted: 0, workers });
  }
  monitor.noteLostWorker(hosts[1]!, `the connection to ${hosts[1]} failed or dropped (Connection closed by remote host.)`, true);
  await sendToPanel(page, { type: 'snapshot', run: run(monitor.health(), 'run-4') });
  const rows = page.locator('.workers-view tbody tr');
  await rows.nth(1).waitFor();
  const cells = await Promise.all([0, 1].map(async (i) => (await rows.nth(i).locator('td').allTextContents()).slice(0, 3)));
  // Untrusted text stays text: the markup in a host name is shown, never parsed.
  assert.deepEqual(cells, [
    ['vm_0aa', 'root@10.0.0.2', 'running'],
    ['vm_1aa', 'deploy@<b>load-2</b>', 'missing'],
  ]);
  assert.equal(await page.locator('.workers-view b').count(), 0);
  const warning = (await page.locator('.load-warning').textContent()) ?? '';
  assert.match(warning, /^Worker deploy@<b>load-2<\/b> was lost mid-run: the connection to deploy@<b>load-2<\/b> failed or dropped/);
  // While the run goes on, a worker started by hand can join: the button asks the host for the command.
  const copy = page.locator('.workers-bar vscode-button', { hasText: 'Copy worker command' });
  await copy.waitFor({ state: 'visible' });
  const before = (await postedByPanel(page)).length;
  await copy.click();
  assert.deepEqual(await nextPosted(page, 'copyWorkerCommand', before), { type: 'copyWorkerCommand' });
  // Shown at rest, as a user sees it before pointing at it.
  await page.mouse.move(0, 0);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await screenshots('remote-worker-lost');
  // A run that ended takes no more workers: no button.
  await sendToPanel(page, { type: 'snapshot', run: { ...run(monitor.health(), 'run-4'), state: 'stopped', userCount: 0 } });
  await copy.waitFor({ state: 'hidden' });
});
