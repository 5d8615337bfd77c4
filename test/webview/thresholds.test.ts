// The run panel's thresholds in Debian's Chromium: the strip of chips, the verdict, and the limit lines on the charts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describeThreshold, parseThreshold, type ThresholdStatus, type Verdict } from '../../protocol/thresholds';
import type { RunView } from '../../protocol/webview';
import { applyTheme, CHART_FOREGROUND, nextPosted, panelFixture, sendToPanel, type PanelTheme } from '../helpers/panelPage';
import { busyTotal, endpointStats, runView, seriesOf, thresholdStatus } from '../helpers/runFixtures';
import { REPO_ROOT } from '../helpers/lspClient';

const SHOTS = process.env['PANEL_SHOTS'] ?? path.join(REPO_ROOT, 'test-output', 'webview');
let page: Page;
panelFixture(SHOTS, (opened) => (page = opened));

const P95 = 'p95 < 250ms';
const CART = 'GET /cart: p99 <= 1s';
const FAIL_RATIO = 'fail_ratio < 1%';
const RPS = 'rps > 50';
const MEDIAN = 'p50 < 15ms';
const P99 = 'p99 < 2s';
const CHECKOUT = '/checkout: p95 < 300ms over 30s after 60s abort';

/** Mid-run: two holding, one failing now (scoped), one failing on the aggregate, one off the chart's scale, one in warm-up. */
const LIVE: ThresholdStatus[] = [
  thresholdStatus(P95, 'holding', 182.4),
  thresholdStatus(CART, 'failing', 1250),
  thresholdStatus(FAIL_RATIO, 'holding', 0.0078),
  thresholdStatus(RPS, 'holding', 88.42),
  thresholdStatus(MEDIAN, 'failing', 18.2),
  thresholdStatus(P99, 'holding', 140),
  thresholdStatus(CHECKOUT, 'pending', null, { reason: 'warm-up: judged after 1 min' }),
];

/** A run 120 s in (the same shapes as the panel tests: rps ≈ 90, p50 ≈ 18 ms, p95 ≈ 70 ms, p99 140 ms). */
function busyRun(overrides: Partial<RunView> = {}): RunView {
  return runView({
    endpoints: [
      endpointStats({ name: '/products', requests: 1200 }),
      endpointStats({ name: '/cart', method: 'GET', requests: 300, failures: 12 }),
      endpointStats({ name: '/checkout', method: 'POST', requests: 40 }),
    ],
    total: endpointStats({ method: '', name: 'Aggregated', requests: 1540, failures: 12 }),
    spawnRate: 5,
    series: { total: seriesOf(120, busyTotal), userClasses: [] },
    thresholds: LIVE,
    ...overrides,
  });
}

/** Stopped early by the checkout threshold: one failed on the aggregate, one failed for good and aborting. */
const FAILED_VERDICT: Verdict = {
  outcome: 'failed',
  abortedBy: CHECKOUT,
  thresholds: [
    thresholdStatus(P95, 'passed', 190),
    thresholdStatus(FAIL_RATIO, 'failed', 0.032, { failedAt: 120.4 }),
    thresholdStatus(RPS, 'passed', 88.4),
    thresholdStatus(CHECKOUT, 'failed', 412, { failedAt: 95, reason: 'in the 30 s window ending at 1 min 35 s' }),
  ],
};

interface ChipView {
  state: string | undefined;
  label: string;
  text: string;
  value: string;
  title: string;
  icon: string;
}

async function chips(): Promise<ChipView[]> {
  return page.locator('.threshold').evaluateAll((items) =>
    items.map((li) => ({
      state: (li as HTMLElement).dataset['state'],
      label: li.querySelector('.threshold-label')?.textContent ?? '',
      text: li.querySelector('.threshold-text')?.textContent ?? '',
      value: li.querySelector('.threshold-value')?.textContent ?? '',
      title: (li as HTMLElement).title,
      icon: [...(li.querySelector('.codicon')?.classList ?? [])].find((c) => c !== 'codicon') ?? '',
    })),
  );
}

interface DrawnLimit {
  text: string;
  state: string;
  value: number;
  shown: 'line' | 'above' | 'none';
  colour: string;
}

async function chartLimits(name: 'requests' | 'times'): Promise<{ limits: DrawnLimit[]; yMax: number; label: string }> {
  const figure = page.locator(`figure[data-chart="${name}"]`);
  return {
    limits: JSON.parse((await figure.getAttribute('data-limits')) ?? '[]') as DrawnLimit[],
    yMax: Number(await figure.getAttribute('data-y-max')),
    label: (await figure.locator('canvas').getAttribute('aria-label')) ?? '',
  };
}

/** Waits until a chart holds limit lines with these texts (the charts redraw on the next frame). */
async function waitForLimits(name: 'requests' | 'times', texts: string[]): Promise<void> {
  await page.waitForFunction(
    ([n, expected]) => {
      const raw = document.querySelector(`figure[data-chart="${n}"]`)?.getAttribute('data-limits');
      const drawn = (JSON.parse(raw ?? '[]') as { text: string; shown: string }[]).filter((l) => l.shown !== 'none').map((l) => l.text);
      return JSON.stringify(drawn) === JSON.stringify(expected);
    },
    [name, texts] as const,
  );
}

test('a snapshot with thresholds shows one chip per threshold with its state in a word and an icon, its text and its value', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun() });
  await page.locator('.threshold').nth(LIVE.length - 1).waitFor();
  const shown = await chips();
  assert.deepEqual(
    shown.map(({ state, label, text, value, icon }) => ({ state, label, text, value, icon })),
    [
      { state: 'holding', label: 'holding', text: P95, value: 'p95 = 182 ms', icon: 'codicon-check' },
      { state: 'failing', label: 'failing now', text: CART, value: 'p99 = 1.25 s', icon: 'codicon-warning' },
      { state: 'holding', label: 'holding', text: FAIL_RATIO, value: 'fail_ratio = 0.78 %', icon: 'codicon-check' },
      { state: 'holding', label: 'holding', text: RPS, value: 'rps = 88.4/s', icon: 'codicon-check' },
      { state: 'failing', label: 'failing now', text: MEDIAN, value: 'p50 = 18 ms', icon: 'codicon-warning' },
      { state: 'holding', label: 'holding', text: P99, value: 'p99 = 140 ms', icon: 'codicon-check' },
      // No value yet: the reason is what the chip says.
      { state: 'pending', label: 'pending', text: CHECKOUT, value: 'warm-up: judged after 1 min', icon: 'codicon-clock' },
    ],
  );
  // The tooltip says the threshold in words (the one wording of protocol/thresholds), its measurement and any reason.
  const checkout = parseThreshold(CHECKOUT);
  assert.ok(checkout.ok);
  assert.equal(shown[6]!.title, `${describeThreshold(checkout.threshold)}\nPending: not judged yet.\nWarm-up: judged after 1 min`);
  assert.match(shown[1]!.title, /^99th percentile response time of GET \/cart over the whole run stays at or below 1 s\nFailing now: the current value breaks it; it may still recover\.\np99 = 1\.25 s, limit <= 1 s$/);
  // Between the header and the charts (of what is shown: a run without a baseline has no baseline bar), and no verdict while the run goes on.
  const order = await page.locator('section.run > *').evaluateAll((els: Element[]) => els.filter((el) => !(el as HTMLElement).hidden).map((el) => el.className));
  assert.deepEqual(order.slice(0, 3), ['run-header', 'thresholds', 'charts-section']);
  assert.equal(await page.locator('.verdict').isVisible(), false);
  // The state colours differ (from the theme), and they are not the only cue: the word and icon above are.
  await applyTheme(page, 'light');
  const borders = await page.locator('.threshold').evaluateAll((items) => items.map((li) => getComputedStyle(li).borderLeftColor));
  assert.notEqual(borders[0], borders[1], 'holding and failing have different colours');
  assert.equal(borders[0], borders[2], 'two holding chips share theirs');

  // A run without thresholds has no strip at all.
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ id: 'run-2', thresholds: undefined }) });
  await page.locator('.thresholds').waitFor({ state: 'hidden' });
  assert.equal(await page.locator('.threshold').count(), 0);
});

test('a tick that changes one status rewrites that chip only', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun() });
  await page.locator('.threshold').nth(LIVE.length - 1).waitFor();
  // Every DOM change under the chips, by chip: unchanged chips must not be touched at all.
  await page.evaluate(() => {
    const touched = new Set<number>();
    (window as unknown as { __touched: Set<number> }).__touched = touched;
    const items = [...document.querySelectorAll('.threshold')];
    new MutationObserver((records) => {
      for (const r of records) {
        const li = (r.target instanceof Element ? r.target : r.target.parentElement)?.closest('.threshold');
        if (li) touched.add(items.indexOf(li));
      }
    }).observe(document.querySelector('.threshold-list')!, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const next = LIVE.map((s) => (s.text === P95 ? thresholdStatus(P95, 'failing', 262) : s));
  await sendToPanel(page, {
    type: 'tick', runId: 'run-1', state: 'running', userCount: 10, endpoints: [], total: endpointStats({ method: '', name: 'Aggregated', requests: 1600 }),
    thresholds: next,
  });
  await page.locator('.threshold[data-state="failing"]', { hasText: P95 }).waitFor();
  const first = (await chips())[0]!;
  assert.deepEqual([first.label, first.value, first.icon], ['failing now', 'p95 = 262 ms', 'codicon-warning']);
  assert.deepEqual(await page.evaluate(() => [...(window as unknown as { __touched: Set<number> }).__touched]), [0], 'only the changed chip was rewritten');
  // Its line on the response-time chart takes the failing colour.
  await page.waitForFunction(() => {
    const limits = JSON.parse(document.querySelector('figure[data-chart="times"]')?.getAttribute('data-limits') ?? '[]') as { text: string; state: string }[];
    return limits.find((l) => l.text === 'p95 < 250ms')?.state === 'failing';
  });
  const times = await chartLimits('times');
  const colour = (text: string) => times.limits.find((l) => l.text === text)?.colour;
  assert.equal(colour(P95), colour(MEDIAN), 'failing lines share the failing colour');
  assert.notEqual(colour(P95), colour(P99), 'and differ from a holding one');

  // A tick without thresholds leaves the chips as they are.
  await sendToPanel(page, { type: 'tick', runId: 'run-1', state: 'running', userCount: 10, endpoints: [], total: endpointStats({ method: '', name: 'Aggregated', requests: 1700 }) });
  await page.locator('.metrics dd', { hasText: '1,700' }).waitFor();
  assert.equal((await chips())[0]!.value, 'p95 = 262 ms');
});

test('a finished run shows its verdict: failed (and stopped early), passed, unknown, and none for a run that crashed', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ state: 'stopped', userCount: 0, thresholds: FAILED_VERDICT.thresholds, verdict: FAILED_VERDICT }) });
  const verdict = page.locator('.verdict');
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute('role'), 'status', 'announced once it appears');
  assert.equal(await verdict.getAttribute('data-outcome'), 'failed');
  assert.equal(await page.locator('.verdict-text').textContent(), `Thresholds failed: 2 of 4 (${FAILED_VERDICT.thresholds[1]!.text}: 3.20 %; ${CHECKOUT}: 412 ms)`);
  assert.equal(await page.locator('.verdict-abort').textContent(), `Stopped early by threshold “${CHECKOUT}” at 1:35.`);
  assert.equal(await verdict.locator('.codicon-error').count(), 1);
  const shown = await chips();
  assert.deepEqual(shown.map((c) => c.label), ['passed', 'failed', 'passed', 'failed']);
  assert.equal(shown[1]!.value, 'fail_ratio = 3.20 % at 2:00', 'a failed chip says when it failed, on the charts’ time axis');
  assert.match(shown[1]!.title, /Failed 2 min 0\.4 s into the run\.$/);

  const one: Verdict = { outcome: 'failed', thresholds: [FAILED_VERDICT.thresholds[0]!, FAILED_VERDICT.thresholds[1]!, FAILED_VERDICT.thresholds[2]!, thresholdStatus(P99, 'passed', 140)] };
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ state: 'stopped', verdict: one, thresholds: one.thresholds }) });
  await page.locator('.verdict-text', { hasText: 'Thresholds failed: 1 of 4 (fail_ratio < 1%: 3.20 %)' }).waitFor();
  assert.equal(await page.locator('.verdict-abort').isVisible(), false, 'no early stop to tell');

  const passed: Verdict = { outcome: 'passed', thresholds: [P95, FAIL_RATIO, RPS, P99].map((t) => thresholdStatus(t, 'passed', 1)) };
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ state: 'stopped', verdict: passed, thresholds: passed.thresholds }) });
  await page.locator('.verdict[data-outcome="passed"]', { hasText: 'Thresholds passed (4 of 4)' }).waitFor();

  const unknown: Verdict = {
    outcome: 'unknown',
    thresholds: [thresholdStatus(P95, 'passed', 100), thresholdStatus(CART, 'unknown', null, { reason: 'no request named GET /cart was made' })],
  };
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ state: 'stopped', verdict: unknown, thresholds: unknown.thresholds }) });
  await page.locator('.verdict[data-outcome="unknown"]', { hasText: 'Verdict unknown: 1 threshold could not be judged' }).waitFor();
  assert.deepEqual((await chips())[1], {
    state: 'unknown', label: 'unknown', text: CART, value: 'no request named GET /cart was made', icon: 'codicon-question',
    title: `99th percentile response time of GET /cart over the whole run stays at or below 1 s\nUnknown: could not be judged.\nNo request named GET /cart was made`,
  });

  // Stopped before the verdict came (the host's snapshot for Locust's own "stopped"): no verdict line yet.
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ state: 'stopped', id: 'run-3' }) });
  await page.locator('.verdict').waitFor({ state: 'hidden' });
  // A run that crashed has thresholds but no verdict, and says so.
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ state: 'failed', id: 'run-4', message: 'Locust exited with code 1 before its final statistics.' }) });
  await page.locator('.verdict[data-outcome="none"]', { hasText: 'No verdict: the run did not finish' }).waitFor();
});

const HOSTILE = '<img src=x onerror="window.__executed.push(\'threshold\')">';

test('hostile threshold texts (unreadable, or as an endpoint name) are shown as text and never run', async () => {
  const scoped = `${HOSTILE}: p95 < 250ms`;
  const run = busyRun({
    thresholds: [thresholdStatus(HOSTILE, 'unknown', null, { reason: HOSTILE }), thresholdStatus(scoped, 'failing', 300, { reason: HOSTILE })],
  });
  await sendToPanel(page, { type: 'snapshot', run });
  await page.locator('.threshold').nth(1).waitFor();
  const shown = await chips();
  assert.deepEqual(shown.map((c) => c.text), [HOSTILE, scoped]);
  assert.equal(shown[0]!.value, HOSTILE, 'the reason too is text');
  assert.match(shown[0]!.title, /^Unreadable threshold: /);
  assert.match(shown[1]!.title, /95th percentile response time of <img src=x onerror="window\.__executed\.push\('threshold'\)"> \(all methods\)/);
  const verdict: Verdict = { outcome: 'failed', abortedBy: scoped, thresholds: [thresholdStatus(scoped, 'failed', 300, { failedAt: 10 })] };
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ state: 'stopped', verdict, thresholds: verdict.thresholds }) });
  await page.locator('.verdict-abort', { hasText: 'Stopped early' }).waitFor();
  assert.equal(await page.locator('.verdict-abort').textContent(), `Stopped early by threshold “${scoped}” at 0:10.`);
  assert.equal(await page.locator('img, [onerror]').count(), 0, 'no element came out of a threshold');
  assert.deepEqual(await page.evaluate(() => window.__executed), []);
});

test('limits of time metrics go on the response-time chart, of rates on the requests chart, scoped ones with their endpoint', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun() });
  // In declaration order; fail_ratio has no chart, GET /cart and /checkout are not the whole run.
  await waitForLimits('times', [P95, MEDIAN, P99]);
  await waitForLimits('requests', [RPS]);
  const times = await chartLimits('times');
  const byText = new Map(times.limits.map((l) => [l.text, l]));
  assert.deepEqual(
    [P95, MEDIAN, P99].map((t) => [byText.get(t)?.value, byText.get(t)?.shown]),
    [[250, 'line'], [15, 'line'], [2000, 'above']],
  );
  // The 2 s limit would squash 20–140 ms lines into the bottom fifth: the axis fits the data and the lines in scale.
  assert.ok(times.yMax >= 250 && times.yMax < 400, `the response-time axis ends at ${times.yMax} ms`);
  assert.match(times.label, /limits: p95 < 250ms \(holding\), p50 < 15ms \(failing\), p99 < 2s \(holding, above the chart\)$/);
  const requests = await chartLimits('requests');
  assert.deepEqual(requests.limits.map((l) => [l.text, l.value, l.shown]), [[RPS, 50, 'line']]);
  assert.ok(requests.yMax >= 90 && requests.yMax <= 120, `the requests axis ends at ${requests.yMax}/s`);

  // Hovering reads the data under the pointer, never a limit.
  const canvas = page.locator('figure[data-chart="times"] canvas');
  const box = await canvas.boundingBox();
  assert.ok(box);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(() => document.querySelector<HTMLElement>('figure[data-chart="times"]')?.dataset['hover']);
  const hover = (await page.locator('figure[data-chart="times"]').getAttribute('data-hover')) ?? '';
  assert.match(hover, /^\d+:\d\d p50: [\d.]+ ms; \d+:\d\d p95: [\d.]+ ms; \d+:\d\d p99: [\d.]+ ms$/);
  await page.mouse.move(0, 0);

  // Charts of GET /cart: its own threshold, not the run's.
  await page.locator('#endpoint-select').click();
  await page.getByRole('option', { name: 'GET /cart' }).click();
  await nextPosted(page, 'selectEndpoint');
  await sendToPanel(page, { type: 'endpointSeries', runId: 'run-1', method: 'GET', name: '/cart', series: seriesOf(60, (t) => [t, 0.5, 300, 900, 1100, null, 300, 900, 1100, 300, 900, 1100], 61) });
  await waitForLimits('times', [CART]);
  await waitForLimits('requests', []);
  const cart = await chartLimits('times');
  assert.deepEqual(cart.limits.map((l) => [l.text, l.state, l.shown]), [[CART, 'failing', 'line']]);
  // A limit below the data (1 s under 1.1 s peaks) keeps the axis on the data.
  assert.ok(cart.yMax >= 1100 && cart.yMax <= 1500, `the axis ends at ${cart.yMax} ms`);
});

// ---- Screenshots: what an engineer sees beside the editor (700 px) and full width (1,400 px), light and dark

async function shoot(name: string, theme: PanelTheme, width: number): Promise<void> {
  await page.setViewportSize({ width, height: 900 });
  await applyTheme(page, theme);
  await page.waitForFunction((fg) => document.querySelector('.charts')?.getAttribute('data-foreground') === fg, CHART_FOREGROUND[theme]);
  // The charts follow the new width on their resize observer's next frame: wait for it before the picture.
  await page.waitForFunction((w) => {
    const canvas = document.querySelector<HTMLCanvasElement>('figure[data-chart="times"] canvas');
    const box = document.querySelector('figure[data-chart="times"] .chart-box');
    return canvas && box && Math.abs(canvas.getBoundingClientRect().width - box.getBoundingClientRect().width) < 1 && document.documentElement.clientWidth <= w;
  }, width);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.screenshot({ path: path.join(SHOTS, `${name}-${theme}-${width}.png`), fullPage: true });
}

test('screenshots: live thresholds holding and failing, and a run stopped early with a failed verdict', async () => {
  await sendToPanel(page, { type: 'snapshot', run: busyRun({ runTimeSeconds: 600 }) });
  await waitForLimits('times', [P95, MEDIAN, P99]);
  for (const theme of ['light', 'dark'] as const) for (const width of [700, 1400]) await shoot('thresholds-live', theme, width);
  await shoot('thresholds-live', 'hc-dark', 700);

  await sendToPanel(page, { type: 'snapshot', run: busyRun({ state: 'stopped', userCount: 0, thresholds: FAILED_VERDICT.thresholds, verdict: FAILED_VERDICT, runTimeSeconds: 600 }) });
  await page.locator('.verdict[data-outcome="failed"]').waitFor();
  await waitForLimits('times', [P95]);
  for (const theme of ['light', 'dark'] as const) for (const width of [700, 1400]) await shoot('thresholds-failed', theme, width);
});
