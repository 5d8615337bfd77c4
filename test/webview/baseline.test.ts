// The run panel compared with a baseline, in Debian's Chromium: the Δ columns, the baseline bar and the overlaid series,
// fed with comparisons made by the runner's own code (RunBatches and compareBatches) from synthetic ticks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { baselineViewOf, type BaselineView } from '../../protocol/compare';
import type { BridgeMessage, EndpointStats } from '../../protocol/runner';
import { compareBatches, describeRun } from '../../runner/compareRuns';
import { RunBatches } from '../../runner/runBatches';
import { applyTheme, CHART_FOREGROUND, panelFixture, sendToPanel, type PanelTheme } from '../helpers/panelPage';
import { busyTotal, endpointStats, runView, seriesOf } from '../helpers/runFixtures';
import { REPO_ROOT } from '../helpers/lspClient';

const SHOTS = process.env['PANEL_SHOTS'] ?? path.join(REPO_ROOT, 'test-output', 'webview');
let page: Page;
panelFixture(SHOTS, (opened) => (page = opened));

type Tick = Extract<BridgeMessage, { type: 'tick' }>;

/** Endpoints and their latency in ms; `slower` multiplies one endpoint's. */
const LATENCY = { '/products': 40, '/cart': 80, '/login': 120 } as const;

/** A deterministic wobble in [-1, 1] (so the comparison sees noise, and the test is repeatable). */
const wobble = (i: number) => Math.sin(i * 12.9898) * 0.5 + Math.sin(i * 4.1414) * 0.5;

/** `seconds` ticks of 1 s in which each endpoint answers 200 requests around its latency, with window histograms. */
function ticksOf(seconds: number, slower: { name: string; factor: number } | undefined, seed: number): Tick[] {
  const ticks: Tick[] = [];
  const totals = new Map<string, number>();
  const start = Date.UTC(2026, 11, 1) + seed * 1e7;
  for (let s = 1; s <= seconds; s++) {
    const endpoints: EndpointStats[] = Object.entries(LATENCY).map(([name, ms], e) => {
      const base = ms * (slower?.name === name ? slower.factor : 1) * (1 + 0.03 * wobble(seed * 1000 + s * 10 + e));
      const keys = [0.8, 0.9, 1, 1.1, 1.5].map((f) => Math.round(base * f));
      const counts = [30, 50, 70, 40, 10];
      const requests = (totals.get(name) ?? 0) + 200;
      totals.set(name, requests);
      return endpointStats({
        name,
        requests,
        window: { seconds: 1, requests: 200, failures: 0, p50: keys[2]!, p95: keys[3]!, p99: keys[4]!, histogram: keys.flatMap((k, i) => [k, counts[i]!]) },
      });
    });
    const merged = new Map<number, number>();
    for (const e of endpoints) {
      const h = e.window.histogram!;
      for (let i = 0; i < h.length; i += 2) merged.set(h[i]!, (merged.get(h[i]!) ?? 0) + h[i + 1]!);
    }
    const histogram = [...merged].sort((a, b) => a[0] - b[0]).flat();
    const total = endpointStats({ method: '', name: 'Aggregated', requests: 600 * s, window: { seconds: 1, requests: 600, failures: 0, p50: 80, p95: 130, histogram } });
    ticks.push({ type: 'tick', seq: s, t: start + s * 1000, state: s <= 2 ? 'spawning' : 'running', userCount: 10, usersByClass: { WebsiteUser: 10 }, endpoints, total, omitted: 0 });
  }
  return ticks;
}

function batchesOf(ticks: Tick[]) {
  const batches = new RunBatches();
  for (const tick of ticks) batches.apply(tick);
  return batches.snapshot();
}

const base = { batches: batchesOf(ticksOf(60, undefined, 1)), dir: '/runs/baseline-run' };
/** The baseline alone, as a run session shows it before its first comparison. */
const initial = baselineViewOf(null, describeRun(base), 'before the cache change');
/** The run so far, /cart twice as slow: a real comparison of the runner's. */
function comparedView(seconds: number): BaselineView {
  const comparison = compareBatches(base, { batches: batchesOf(ticksOf(seconds, { name: '/cart', factor: 2 }, 2)) });
  return baselineViewOf(comparison, comparison.base, 'before the cache change');
}

function busyRun(baseline: BaselineView | undefined) {
  return runView({
    endpoints: Object.keys(LATENCY).map((name) => endpointStats({ name, requests: 6000 })),
    total: endpointStats({ method: '', name: 'Aggregated', requests: 18000 }),
    series: { total: seriesOf(40, busyTotal), userClasses: [] },
    ...(baseline && { baseline }),
  });
}

const deltaCell = (name: string, column: string) =>
  page.evaluate(
    ([name, column]) => {
      const table = document.querySelector('table.stats')!;
      const index = [...table.querySelectorAll('thead th')].findIndex((th) => th.textContent === column);
      const row = [...table.querySelectorAll('tbody tr')].find((tr) => tr.children[1]?.textContent === name);
      const cell = row?.children[index] as HTMLElement | undefined;
      return cell ? { text: cell.textContent ?? '', className: cell.className, title: cell.title, visible: cell.offsetParent !== null } : null;
    },
    [name, column] as const,
  );

async function screenshots(name: string, themes: readonly PanelTheme[] = ['light', 'dark']): Promise<void> {
  for (const theme of themes) {
    await applyTheme(page, theme);
    await page.waitForFunction((fg) => document.querySelector('.charts')?.getAttribute('data-foreground') === fg, CHART_FOREGROUND[theme]);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${theme}.png`), fullPage: true });
  }
}

test('a run with a baseline: the bar names it, Δ columns wait for the first comparison, the charts overlay its series', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun(initial) });
  const bar = page.locator('.baseline-bar');
  await bar.waitFor();
  assert.match((await bar.textContent()) ?? '', /Compared with the baseline “before the cache change”.*not compared yet/);
  assert.equal(await bar.getAttribute('data-verdict'), 'pending');
  await page.locator('table.stats th.delta', { hasText: 'Δ p95' }).waitFor();
  const cell = await deltaCell('/cart', 'Δ p95');
  assert.ok(cell?.visible, 'the Δ p95 column is shown');
  assert.equal(cell.text, '–');
  assert.match(cell.title, /Not compared yet/);
  // The baseline's requests/s and p95 are overlaid on the whole run's charts, as far as the run has come.
  await page.waitForFunction(() => 'Baseline p95' in JSON.parse(document.querySelector('figure[data-chart="times"]')?.getAttribute('data-latest') ?? '{}'));
  const latest = JSON.parse((await page.locator('figure[data-chart="requests"]').getAttribute('data-latest')) ?? '{}') as Record<string, number | null>;
  assert.ok(typeof latest['Baseline requests/s'] === 'number' && latest['Baseline requests/s'] > 0, JSON.stringify(latest));
});

test('a comparison tick: only the endpoint that really changed is coloured and marked; the bar says so far', async () => {
  const view = comparedView(40);
  // The runner's comparison itself: /cart regressed, the others did not.
  assert.deepEqual(view.endpoints.map((e) => [e.name, e.verdict]).sort(), [['/cart', 'regressed'], ['/login', 'noChange'], ['/products', 'noChange']]);
  await sendToPanel(page, { type: 'snapshot', run: busyRun(initial) });
  await sendToPanel(page, { type: 'tick', runId: 'run-1', state: 'running', userCount: 10, endpoints: [], total: busyRun(undefined).total!, baseline: view });
  await page.waitForFunction(() => document.querySelector('.baseline-bar')?.getAttribute('data-verdict') === 'regressed');
  assert.match((await page.locator('.baseline-bar').textContent()) ?? '', /so far: regressed \(1 endpoint regressed\)/);
  const cart = await deltaCell('/cart', 'Δ p95');
  assert.ok(cart);
  assert.match(cart.text, /^\+\d+ % ✗$/, 'about twice as slow, marked');
  assert.equal(cart.className, 'delta worse');
  assert.match(cart.title, /baseline \d+ ms; regressed/);
  for (const name of ['/products', '/login']) {
    const other = await deltaCell(name, 'Δ p95');
    assert.ok(other);
    assert.equal(other.className, 'delta', `${name}: no colour for no real change`);
    assert.doesNotMatch(other.text, /[✗✓]/);
  }
  // Requests/s of an endpoint is shown but does not judge it.
  assert.match((await deltaCell('/cart', 'Δ req/s'))?.title ?? '', /not judged for an endpoint|no real change|not enough data/);
  // The aggregated row has its own changes.
  const footer = await page.evaluate(() => [...document.querySelectorAll('table.stats tfoot td.delta')].map((td) => td.textContent));
  assert.equal(footer.length, 5);
  assert.ok(footer.every((text) => text && text !== ''), JSON.stringify(footer));
  await screenshots('baseline-regressed');
});

test('a run without a baseline has no Δ columns and no bar', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun(comparedView(30)) });
  await page.locator('.baseline-bar').waitFor();
  await sendToPanel(page, { type: 'snapshot', run: { ...busyRun(undefined), id: 'run-2' } });
  await page.locator('.baseline-bar').waitFor({ state: 'hidden' });
  assert.equal(await page.locator('table.stats th.delta').first().isVisible(), false);
  assert.equal((await deltaCell('/cart', 'Δ p95'))?.visible, false);
  const latest = JSON.parse((await page.locator('figure[data-chart="times"]').getAttribute('data-latest')) ?? '{}') as Record<string, unknown>;
  assert.equal('Baseline p95' in latest, false);
});

test('with a baseline, the table fits the panel: below 1400 px the compact columns with their Δs (the rest on demand), every column from 1400 px', async () => {
  await applyTheme(page, 'light');
  await sendToPanel(page, { type: 'snapshot', run: busyRun(comparedView(40)) });
  await page.locator('table.stats th.delta', { hasText: 'Δ p95' }).waitFor();
  const layout = () =>
    page.evaluate(() => {
      const scroller = document.querySelector('.table-scroll')!;
      const visible = [...document.querySelectorAll('table.stats thead th')].filter((th) => (th as HTMLElement).offsetParent !== null);
      return { sideways: scroller.scrollWidth - scroller.clientWidth, headers: visible.map((th) => th.textContent) };
    });
  const compactWithDeltas = ['Type', 'Name', 'Requests', 'Fails', 'Δ fail %', 'Median (ms)', 'Δ p50', '95%ile (ms)', 'Δ p95', '99%ile (ms)', 'Δ p99', 'Current RPS', 'Δ req/s'];
  const toggle = page.locator('button.columns-toggle');
  try {
    for (const width of [1100, 1250, 1399]) {
      await page.setViewportSize({ width, height: 1000 });
      await page.waitForFunction((w) => document.documentElement.clientWidth === w, width);
      const { sideways, headers } = await layout();
      assert.deepEqual(headers, compactWithDeltas, `${width} px: each compact column with its change beside it`);
      assert.ok(sideways <= 0, `${width} px: the table scrolls ${sideways} px sideways`);
      assert.equal(await toggle.isVisible(), true, `${width} px: the other columns are on demand`);
      if (width === 1250) await screenshots('baseline-1250px');
    }
    await toggle.click();
    assert.equal((await layout()).headers.length, 19, 'All columns shows every column and every change');
    await toggle.click();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.waitForFunction(() => document.documentElement.clientWidth === 1400);
    const wide = await layout();
    assert.equal(wide.headers.length, 19, 'from 1400 px every column and every change');
    assert.ok(wide.sideways <= 0, `1400 px: the table scrolls ${wide.sideways} px sideways`);
    assert.equal(await toggle.isVisible(), false);
  } finally {
    await page.setViewportSize({ width: 1200, height: 800 });
  }
});
