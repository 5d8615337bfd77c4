// End-to-end: the run's numbers in the locustfile, in a real VS Code (code-server) with the packaged VSIX and a real Locust
// against the demo target — annotations appear soon after the first tick and follow the numbers, task lenses, the hover,
// both-way navigation with the panel, light and dark, and the setting that turns them off.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { startTarget } from '../../examples/target/server.mjs';
import { ensureCodeServer, installExtension, startCodeServer, type RunningCodeServer } from '../../scripts/codeServer';
import {
  answerRunQuestions,
  copyExamples,
  E2E_OUTPUT,
  openFile,
  openWorkbench,
  PACKAGED_VSIX,
  processesMentioning,
  requirePackagedVsix,
  runCommand,
  screenshot,
  SCREENSHOTS_DIR,
  setTheme,
  stepIn,
  tearDown,
  waitForCodeLens,
  waitUntil,
  webviewFrame,
  type Workbench,
} from './workbench';

const LOGS_OUT = path.join(E2E_OUTPUT, 'annotations-logs');
/** What an annotation reads like: `42.0 req/s · p95 180 ms · 0.0% failed`. */
const ANNOTATION = /[\d.,]+ req\/s · p95 [–\d.,]+ ms · [<\d.,]+% failed/;
/** How soon after the panel's first tick the annotations must show (the issue asks for 2 s; margin for a loaded machine). */
const APPEAR_WITHIN_MS = 5_000;

const UNTRACED_LOCUSTFILE = 'untraced_locustfile.py';
/** One request whose name the code says, one whose name is picked at run time (no line can explain it). */
const untracedLocustfile = (host: string) => `import random

from locust import HttpUser, constant, task

PATHS = ["/products", "/health"]


class Mixed(HttpUser):
    host = "${host}"
    wait_time = constant(0.1)

    @task
    def known(self):
        self.client.get("/")

    @task
    def built(self):
        self.client.get(random.choice(PATHS))
`;

let target: Awaited<ReturnType<typeof startTarget>> | undefined;
let scratch: string | undefined;
let server: RunningCodeServer | undefined;
let workbench: Workbench | undefined;
let settingsFile = '';

before(
  async () => {
    requirePackagedVsix();
    await mkdir(SCREENSHOTS_DIR, { recursive: true });
    await rm(LOGS_OUT, { recursive: true, force: true });
    const codeServer = await ensureCodeServer();
    // The name marks every process started for this test: scripts/test.sh looks for leftovers by it.
    scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-e2e-annotations-'));
    const extensionsDir = path.join(scratch, 'extensions');
    const workspace = path.join(scratch, 'examples');
    await copyExamples(workspace);
    target = await startTarget({ port: 0, quiet: true });
    for (const name of ['locustfile.py', 'thresholds.py', 'locust.conf']) {
      const file = path.join(workspace, name);
      await writeFile(file, (await readFile(file, 'utf8')).replaceAll('http://127.0.0.1:8080', target.url));
    }
    await writeFile(path.join(workspace, UNTRACED_LOCUSTFILE), untracedLocustfile(target.url));
    settingsFile = path.join(workspace, '.vscode', 'settings.json');
    await mkdir(path.dirname(settingsFile), { recursive: true });
    await writeSettings({ 'locustStudio.liveAnnotations.enabled': true });
    await installExtension(codeServer, PACKAGED_VSIX, extensionsDir);
    server = await startCodeServer({ workspace, extensionsDir, userDataDir: path.join(scratch, 'user-data'), codeServer, settings: { 'workbench.colorTheme': 'Default Light Modern' } });
  },
  { timeout: 15 * 60_000 },
);

after(() => tearDown({ server, target, scratch, logsOut: LOGS_OUT }));

const step = stepIn(() => workbench);

/** The workspace settings: small open-ended runs at 0.5 s ticks, records in the folder, plus `extra`. */
async function writeSettings(extra: Record<string, unknown>): Promise<void> {
  await writeFile(
    settingsFile,
    JSON.stringify(
      {
        'locustStudio.defaultUsers': 4,
        'locustStudio.defaultSpawnRate': 4,
        'locustStudio.defaultRunTime': '',
        'locustStudio.statsInterval': 0.5,
        'locustStudio.runFolder': '${workspaceFolder}/.locust-studio/runs',
        ...extra,
      },
      null,
      2,
    ),
  );
}

/** The locustfile's editor (the first group; the panel opens beside it). */
function editor(page: Page): Locator {
  return page.locator('.editor-instance .monaco-editor', { has: page.locator('.view-lines') }).first();
}

/** Gutter marks of the annotations in the editor: elements whose background is the mark's icon. */
async function gutterMarks(page: Page): Promise<number> {
  const marks = await editor(page)
    .locator('.margin *')
    .evaluateAll((els) => els.filter((el) => getComputedStyle(el).backgroundImage.includes('request-alarm')).length);
  return marks;
}

/** The annotations' texts as the editor renders them: an after-line decoration is a span's CSS `::after` content. */
async function annotations(page: Page): Promise<string[]> {
  const contents = await editor(page)
    .locator('.view-lines .view-line span')
    .evaluateAll((spans) => spans.map((span) => getComputedStyle(span, '::after').content).filter((c) => c && c !== 'none' && c !== 'normal'));
  return contents.flatMap((content) => ANNOTATION.exec(content)?.[0] ?? []);
}

/**
 * Moves the mouse over (or clicks) the code of the line that contains `code`, by coordinates: letting playwright scroll a
 * whole (very wide) view line into view would scroll the editor sideways.
 */
async function pointAt(page: Page, code: string, click = false): Promise<void> {
  const box = await editor(page).locator('.view-line', { hasText: code }).first().boundingBox();
  assert.ok(box, `the line of ${code} is shown`);
  const editorBox = await editor(page).boundingBox();
  const x = (editorBox?.x ?? box.x) + 120;
  const y = box.y + box.height / 2;
  if (click) await page.mouse.click(x, y);
  else await page.mouse.move(x, y);
}

test('annotations appear on the request lines soon after the first tick and change with the numbers', { timeout: 5 * 60_000 }, async (t) => {
  assert.ok(server, 'code-server did not start');
  workbench = await openWorkbench(server.url, { screenshotsDir: SCREENSHOTS_DIR, failureName: t.name });
  await step(t, async (page) => {
    await openFile(page, 'locustfile.py');
    await (await waitForCodeLens(page, 'Run load test', 90_000)).click();
    await answerRunQuestions(page, ['', '', '', '']);
    const panel = webviewFrame(page);
    await panel.locator('table.stats tbody tr').first().waitFor({ state: 'visible', timeout: 90_000 });
    const firstTick = Date.now();
    await waitUntil(async () => (await annotations(page)).length > 0, 60_000, 'an annotation in the editor');
    const latency = Date.now() - firstTick;
    t.diagnostic(`annotations showed ${latency} ms after the panel's first row`);
    assert.ok(latency <= APPEAR_WITHIN_MS, `annotations took ${latency} ms after the first tick`);
    // Every request the example makes is on a line of its own: /products, /products/[id], /products?q=[term], /.
    await waitUntil(async () => (await annotations(page)).length === 4, 60_000, 'an annotation on each of the 4 request lines');
    const before = (await annotations(page)).join('\n');
    await waitUntil(async () => (await annotations(page)).join('\n') !== before, 30_000, 'the annotations to follow the ticks');
    // The task lenses: each task's share of requests.
    const lens = await waitForCodeLens(page, 'of requests', 30_000);
    assert.match((await lens.textContent()) ?? '', /[\d.]+% of requests · no failures/);
    await screenshot(page, 'annotations-1-live-light');
    // The hover over a request line: the endpoint's row and a sparkline.
    await pointAt(page, 'self.client.get("/products")');
    const hover = page.locator('.monaco-hover', { hasText: 'req/s of GET /products' });
    await hover.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await hover.textContent()) ?? '', /Requests.*Failures.*p95/s);
    await screenshot(page, 'annotations-2-hover-light');
    await page.keyboard.press('Escape');
  });
});

test('Show in Run Panel selects the line\'s endpoint; a row picked in the panel reveals its line', { timeout: 3 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    const panel = webviewFrame(page);
    // The cursor on the `/` request (the last one), then the command.
    await pointAt(page, 'self.client.get("/")', true);
    await runCommand(page, 'Locust Studio: Show in Run Panel');
    await panel.locator('table.stats tbody tr.selected', { has: panel.locator('td', { hasText: /^\/$/ }) }).waitFor({ state: 'visible', timeout: 30_000 });
    // The other way: a row clicked in the panel selects its request line in the editor (which keeps its place beside).
    await panel.locator('table.stats tbody tr', { has: panel.locator('td', { hasText: /^\/products\/\[id\]$/ }) }).first().click();
    await editor(page).locator('.margin-view-overlays .active-line-number', { hasText: /^26$/ }).waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'annotations-3-show-in-panel-light');
  });
});

test('in the dark theme too; the setting turns them off, and they clear when the run ends', { timeout: 3 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    await setTheme(page, 'Dark Modern');
    await waitUntil(async () => (await annotations(page)).length > 0, 30_000, 'annotations in the dark theme');
    await screenshot(page, 'annotations-4-live-dark');
    await writeSettings({ 'locustStudio.liveAnnotations.enabled': false });
    await waitUntil(async () => (await annotations(page)).length === 0, 30_000, 'the annotations to go when turned off');
    await page.locator('.monaco-editor .codelens-decoration', { hasText: 'of requests' }).first().waitFor({ state: 'detached', timeout: 30_000 });
    await screenshot(page, 'annotations-5-off-dark');
    await writeSettings({ 'locustStudio.liveAnnotations.enabled': true });
    await waitUntil(async () => (await annotations(page)).length > 0, 30_000, 'the annotations back when turned on');
    const panel = webviewFrame(page);
    await panel.locator('vscode-button', { hasText: 'Stop' }).click();
    await panel.locator('.state', { hasText: 'stopped' }).waitFor({ state: 'visible', timeout: 60_000 });
    await waitUntil(async () => (await annotations(page)).length === 0, 30_000, 'the annotations to clear when the run ends');
    await waitUntil(() => Promise.resolve(processesMentioning('locust_studio_launch').filter((l) => l.includes(scratch!)).length === 0), 30_000, 'Locust to exit');
  });
});

test('a line whose endpoint fails or breaks a threshold gets a gutter mark (examples/thresholds.py: /error fails)', { timeout: 4 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'thresholds.py');
    await (await waitForCodeLens(page, 'Run load test', 60_000)).click();
    await answerRunQuestions(page, ['', '', '', '']);
    // /error always answers 500: its line says so and is marked; /products breaks no threshold and has no failure.
    await waitUntil(async () => (await annotations(page)).some((a) => /· 100\.0% failed$/.test(a)), 60_000, 'the /error line annotated as failing');
    await waitUntil(async () => (await gutterMarks(page)) === 1, 30_000, 'one gutter mark (the /error line)');
    await screenshot(page, 'annotations-6-gutter-dark');
    await setTheme(page, 'Light Modern');
    await screenshot(page, 'annotations-7-gutter-light');
    const panel = webviewFrame(page);
    await panel.locator('vscode-button', { hasText: 'Stop' }).click();
    await panel.locator('.state', { hasText: 'stopped' }).waitFor({ state: 'visible', timeout: 60_000 });
    await waitUntil(async () => (await gutterMarks(page)) === 0 && (await annotations(page)).length === 0, 30_000, 'marks and annotations gone with the run');
  });
});

test('endpoints no line explains are listed as such (a lens and a list), never put on a wrong line', { timeout: 4 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, UNTRACED_LOCUSTFILE);
    await (await waitForCodeLens(page, 'Run load test', 60_000)).click();
    await answerRunQuestions(page, ['', '', '', '']);
    const lens = await waitForCodeLens(page, '2 endpoints of the run not traced to a line', 60_000);
    // Only the "/" line has numbers: the names built by random.choice are on no line.
    await waitUntil(async () => (await annotations(page)).length === 1, 30_000, 'one annotated line');
    await lens.click();
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'GET /health' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.deepEqual((await rows.locator('.label-name').allTextContents()).sort(), ['GET /health', 'GET /products']);
    await screenshot(page, 'annotations-8-untraced-light');
    await rows.filter({ hasText: 'GET /health' }).first().click();
    const panel = webviewFrame(page);
    await panel.locator('table.stats tbody tr.selected', { has: panel.locator('td', { hasText: /^\/health$/ }) }).waitFor({ state: 'visible', timeout: 30_000 });
    await panel.locator('vscode-button', { hasText: 'Stop' }).click();
    await panel.locator('.state', { hasText: 'stopped' }).waitFor({ state: 'visible', timeout: 60_000 });
    await waitUntil(async () => (await annotations(page)).length === 0, 30_000, 'annotations gone with the run');
  });
});
