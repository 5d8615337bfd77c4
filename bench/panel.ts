// Benchmarks of the run panel in Chromium: one tick changing 2,000 endpoints vs a naive re-render; JS heap after 24 h vs 1 h.
import type { ThresholdStatus } from '../protocol/thresholds';
import { MAX_TASK_VIEW_REQUESTS, type HostToWebview, type TaskRequestView } from '../protocol/webview';
import { launchChromium } from '../test/helpers/browser';
import { servePanel } from '../test/helpers/panelServer';
import { endpointStats, runView, seriesOf, busyTotal } from '../test/helpers/runFixtures';

const ENDPOINTS = 2000;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const endpoints = (round: number) =>
  Array.from({ length: ENDPOINTS }, (_, i) => endpointStats({ name: `/item/${i}`, requests: 1000 + i + round * 7, failures: (i + round) % 5 }));
const total = (round: number) => endpointStats({ method: '', name: 'Aggregated', requests: 2_000_000 + round });

/** 20 thresholds (aggregate and scoped, every metric kind), as many as a thorough locustfile declares. */
const THRESHOLD_TEXTS = Array.from({ length: 20 }, (_, i) =>
  [`p95 < ${200 + i}ms`, `GET /item/${i}: p99 <= 1s`, 'fail_ratio < 1%', `rps > ${50 + i}`, `/item/${i}: avg < 80ms over 30s after 1m abort`][i % 5]!,
);
/** Every status changes every round (state or value), so each tick rewrites every chip: the panel's worst case. */
const thresholdStatuses = (round: number): ThresholdStatus[] =>
  THRESHOLD_TEXTS.map((text, i) => ({ text, state: (round + i) % 3 === 0 ? 'failing' : 'holding', value: 100 + ((round * 7 + i) % 50) }));

export async function benchPanel(rounds = 15): Promise<void> {
  const [browser, site] = await Promise.all([launchChromium(), servePanel()]);
  try {
    const page = await browser.context.newPage();
    // Page scripts as strings: this file is type-checked without DOM typings.
    await page.addInitScript(`window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => undefined });`);
    await page.goto(site.url);
    await page.waitForFunction('window.__posted.length > 0');
    // Both timers run in the page. A `message` event is dispatched synchronously, so the time covers validation and
    // DOM updates; reading offsetHeight adds the style and layout they cause (what the next frame would pay).
    await page.evaluate(`
      window.__timed = (m) => {
        const start = performance.now();
        window.dispatchEvent(new MessageEvent('message', { data: m }));
        void document.body.offsetHeight;
        return performance.now() - start;
      };
      // The naive baseline: what a panel without a model or a scroll window does, every row rebuilt from the message.
      window.__naive = (m) => {
        const start = performance.now();
        const table = document.createElement('table');
        table.className = 'stats naive';
        table.createTBody();
        document.body.append(table);
        const rows = m.endpoints.map((e) => {
          const tr = document.createElement('tr');
          const avg = e.requests ? e.totalResponseTime / e.requests : 0;
          for (const text of [e.method, e.name, e.requests.toLocaleString('en-US'), e.failures.toLocaleString('en-US'),
            ...e.percentiles.slice(0, 4).map((p) => String(p)), avg.toFixed(1), String(e.minResponseTime), String(e.maxResponseTime),
            String(Math.round(e.totalContentLength / (e.requests || 1))), (e.window.requests / (e.window.seconds || 1)).toFixed(1),
            (e.window.failures / (e.window.seconds || 1)).toFixed(1)]) {
            const td = document.createElement('td');
            td.textContent = text;
            tr.append(td);
          }
          return tr;
        });
        table.tBodies[0].replaceChildren(...rows);
        void document.body.offsetHeight;
        const elapsed = performance.now() - start;
        // Gone again, so its 2,000 rows do not weigh on the panel's own measurements.
        table.remove();
        return elapsed;
      };
    `);
    type PageTimers = { __timed(m: unknown): number; __naive(m: unknown): number };
    const timed = (message: HostToWebview) => page.evaluate((m) => (globalThis as unknown as PageTimers).__timed(m), message);
    const naive = (message: HostToWebview) => page.evaluate((m) => (globalThis as unknown as PageTimers).__naive(m), message);

    const series = { total: seriesOf(3600, busyTotal), userClasses: [] };
    const snapshot = (round: number): HostToWebview => ({
      type: 'snapshot',
      run: runView({ endpoints: endpoints(round), total: total(round), series, thresholds: thresholdStatuses(round) }),
    });
    const tick = (round: number, withThresholds = false): HostToWebview => ({
      type: 'tick', runId: 'run-1', state: 'running', userCount: 10, endpoints: endpoints(round), total: total(round),
      points: { total: { t: 3600 + round, v: busyTotal(3600 + round) }, userClasses: [] },
      ...(withThresholds && { thresholds: thresholdStatuses(round) }),
    });
    await timed(snapshot(0));
    const tickTimes: number[] = [];
    const thresholdTickTimes: number[] = [];
    const snapshotTimes: number[] = [];
    const naiveTimes: number[] = [];
    // Interleaved: every path sees the same machine load; each round changes every row's numbers.
    for (let round = 1; round <= rounds + 2; round++) {
      // Each tick differs from the message before it, so no cell or chip is left as it was.
      const t = await timed(tick(2 * round));
      const tt = await timed(tick(2 * round + 1, true));
      const n = await naive(tick(2 * round));
      const s = await timed(snapshot(round));
      if (round > 2) {
        tickTimes.push(t);
        thresholdTickTimes.push(tt);
        naiveTimes.push(n);
        snapshotTimes.push(s);
      }
    }
    // The table draws only the rows in view; aria-rowcount tells how many it holds (header and footer included).
    const rows = await page.evaluate<string | null>(`document.querySelector('table.stats').getAttribute('aria-rowcount')`);
    if (rows !== String(ENDPOINTS + 2)) throw new Error(`panel holds ${rows} rows, expected ${ENDPOINTS + 2}`);
    const t = median(tickTimes);
    const tt = median(thresholdTickTimes);
    const n = median(naiveTimes);
    const s = median(snapshotTimes);
    console.log(
      `panel, ${ENDPOINTS} endpoints: apply one tick ${t.toFixed(1)} ms (goal ≤ 8 ms: ${t <= 8 ? 'goal met' : 'goal missed'}), naive full re-render ${n.toFixed(1)} ms, ` +
        `ratio naive/tick ${(n / t).toFixed(1)}; a whole snapshot (model rebuilt, 1 h of series) ${s.toFixed(1)} ms`,
    );
    console.log(
      `panel, ${ENDPOINTS} endpoints + ${THRESHOLD_TEXTS.length} thresholds all changed: apply one tick ${tt.toFixed(1)} ms ` +
        `(goal ≤ 8 ms: ${tt <= 8 ? 'goal met' : 'goal missed'}), ratio with/without thresholds ${(tt / t).toFixed(2)}`,
    );

    // The host sends a single task whole on every change: the biggest one, one request longer each time.
    const request = (i: number): TaskRequestView => ({
      type: 'request', method: 'GET', name: '/item/[id]', url: `http://127.0.0.1:8080/item/${i}`, status: i % 7 ? 200 : null,
      responseTimeMs: 10 + (i % 50), responseLength: 512 + i, failure: i % 7 ? null : 'ConnectionRefusedError(111)', startTime: 1_795_000_000 + i / 10,
    });
    const requests = Array.from({ length: MAX_TASK_VIEW_REQUESTS }, (_, i) => request(i));
    const taskMessage = (count: number): HostToWebview => ({
      type: 'task',
      task: { id: 'task-1', label: 'WebsiteUser.browse', locustfile: '/w/locustfile.py', host: 'http://127.0.0.1:8080', mode: 'run', state: 'running', startedAt: Date.now(), requests: requests.slice(0, count) },
    });
    await timed(taskMessage(MAX_TASK_VIEW_REQUESTS - rounds - 3));
    const taskTimes: number[] = [];
    for (let count = MAX_TASK_VIEW_REQUESTS - rounds - 2; count <= MAX_TASK_VIEW_REQUESTS; count++) taskTimes.push(await timed(taskMessage(count)));
    const drawn = await page.evaluate<number>(`document.querySelectorAll('.task-requests-table tbody tr').length`);
    if (drawn !== MAX_TASK_VIEW_REQUESTS) throw new Error(`the task view shows ${drawn} requests, expected ${MAX_TASK_VIEW_REQUESTS}`);
    console.log(`panel, single task of ${MAX_TASK_VIEW_REQUESTS} requests: apply one task message (one request more) ${median(taskTimes).toFixed(1)} ms`);
  } finally {
    await browser.close();
    await site.close();
  }
}

/**
 * A snapshot of 200,000 endpoints (a run whose names carry ids) against one of 2,000, in the same page: validation, the
 * table's model, the rows in view and the chart selector (which lists the first endpoints only).
 */
export async function benchPanelHugeSnapshot(rounds = 3): Promise<void> {
  const [browser, site] = await Promise.all([launchChromium(), servePanel()]);
  try {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.addInitScript(`window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => undefined });`);
    await page.goto(site.url);
    await page.waitForFunction('window.__posted.length > 0');
    await page.evaluate(`window.__timedStored = (key) => {
      const start = performance.now();
      window.dispatchEvent(new MessageEvent('message', { data: window[key] }));
      void document.body.offsetHeight;
      return performance.now() - start;
    };`);
    const snapshotOf = (count: number, round: number): HostToWebview => ({
      type: 'snapshot',
      run: runView({ id: `run-${count}-${round}`, endpoints: Array.from({ length: count }, (_, i) => endpointStats({ name: `/item/${i}`, requests: 1 + i + round })), total: total(round) }),
    });
    const times = { small: [] as number[], huge: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      for (const [key, count] of [['small', ENDPOINTS], ['huge', 200_000]] as const) {
        // Stored in the page first, so the time is the panel's, not the transfer from Node.
        await page.evaluate(([k, m]) => ((globalThis as unknown as Record<string, unknown>)[`__${k}`] = m), [key, snapshotOf(count, round)] as const);
        times[key].push(await page.evaluate((k) => (globalThis as unknown as { __timedStored(k: string): number }).__timedStored(`__${k}`), key));
      }
    }
    const rows = await page.evaluate<string | null>(`document.querySelector('table.stats').getAttribute('aria-rowcount')`);
    if (errors.length || rows !== String(200_000 + 2)) throw new Error(`200,000 endpoints: ${errors.join('; ') || `the table holds ${rows} rows`}`);
    const huge = median(times.huge);
    const small = median(times.small);
    console.log(
      `panel, snapshot of 200,000 endpoints ${huge.toFixed(0)} ms (goal ≤ 2 s: ${huge <= 2000 ? 'goal met' : 'goal missed'}), of ${ENDPOINTS.toLocaleString('en-US')} ` +
        `${small.toFixed(0)} ms, ratio ${(huge / small).toFixed(1)} for 100× the endpoints`,
    );
  } finally {
    await browser.close();
    await site.close();
  }
}

/**
 * Replays `hours` of 1 Hz ticks (20 endpoints changing, two User classes) into the panel and returns the JS heap
 * after a garbage collection, so a long run's cost can be compared with a short one's.
 */
async function heapAfter(hours: number, keepEverything = false): Promise<number> {
  const [browser, site] = await Promise.all([launchChromium(), servePanel()]);
  try {
    const page = await browser.context.newPage();
    await page.addInitScript(`window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => undefined });`);
    await page.goto(site.url);
    await page.waitForFunction('window.__posted.length > 0');
    const template = endpointStats({ name: '/template' });
    const snapshot: HostToWebview = { type: 'snapshot', run: runView({ userClasses: ['A', 'B'], endpoints: [], total: total(0) }) };
    await page.evaluate((m) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(m, '*'), snapshot);
    // The naive baseline keeps, beside the panel, every point the charts were sent (what unbounded series would hold).
    await page.evaluate(`window.__keepEverything = ${keepEverything}; window.__everything = [];`);
    await page.evaluate(`
      window.__replay = async (from, to, template) => {
        for (let t = from; t < to; t++) {
          const endpoints = [];
          for (let i = 0; i < 20; i++) endpoints.push({ ...template, name: '/item/' + i, requests: t * 10 + i });
          const points = {
            total: { t, v: [100 + 10 * Math.sin(t / 60), t % 97 === 0 ? 3 : 0, 20 + (t % 13), 80 + (t % 29), 150, 10] },
            userClasses: [{ name: 'A', value: { t, v: [6] } }, { name: 'B', value: { t, v: [4] } }],
          };
          if (window.__keepEverything) window.__everything.push(points);
          window.dispatchEvent(new MessageEvent('message', { data: {
            type: 'tick', runId: 'run-1', state: 'running', userCount: 10, endpoints, total: { ...template, method: '', name: 'Aggregated', requests: t * 200 },
            points,
          } }));
          // Let a frame pass now and then, so the charts redraw as they would live.
          if (t % 600 === 0) await new Promise((resolve) => requestAnimationFrame(resolve));
        }
      };
    `);
    for (let hour = 0; hour < hours; hour++) {
      await page.evaluate(([from, to, tpl]) => (globalThis as unknown as { __replay(a: number, b: number, c: unknown): Promise<void> }).__replay(from, to, tpl), [hour * 3600 + 1, (hour + 1) * 3600 + 1, template] as const);
    }
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const points = await page.evaluate<string | null>(`document.querySelector('figure[data-chart="requests"]').getAttribute('data-points')`);
    if (Number(points) < 600) throw new Error(`the requests chart holds only ${points} points`);
    return usedSize;
  } finally {
    await browser.close();
    await site.close();
  }
}

export async function benchPanelHeap(): Promise<void> {
  const hour = await heapAfter(1);
  const day = await heapAfter(24);
  const naiveDay = await heapAfter(24, true);
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  console.log(
    `panel, 1 Hz ticks: JS heap after 24 h ${mb(day)} MB (goal ≤ 60 MB: ${day <= 60 * 1024 * 1024 ? 'goal met' : 'goal missed'}), after 1 h ${mb(hour)} MB, ` +
      `ratio 24 h/1 h ${(day / hour).toFixed(2)}; with unbounded series (every point kept) ${mb(naiveDay)} MB, ratio naive/bounded ${(naiveDay / day).toFixed(2)}`,
  );
}
