// End-to-end: the Locust Runs view in a real VS Code (code-server) with the packaged VSIX, over records of real runs made by the
// CLI beforehand — the runs listed by locustfile, a baseline pinned (its marker shows), a run renamed, a comparison opened.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { startTarget } from '../../examples/target/server.mjs';
import { ensureCodeServer, installExtension, startCodeServer, type RunningCodeServer } from '../../scripts/codeServer';
import { CLI, runCli } from '../helpers/cliProcess';
import { E2E_OUTPUT, fileSafe, openWorkbench, runCommand, screenshot, setTheme, stepIn, tearDown, waitUntil, webviewFrame, type Workbench } from './workbench';

const ROOT = path.resolve(__dirname, '..', '..');
/** The packaged extension; LOCUST_STUDIO_VSIX names another copy (one that a parallel `npm run package` cannot replace midway). */
const VSIX = process.env['LOCUST_STUDIO_VSIX'] ?? path.join(ROOT, 'dist', 'locust-studio.vsix');
/** Where this file's screenshots go (light and dark), and code-server's logs. */
const SCREENSHOTS = path.join(ROOT, 'test-output', 'screenshots');
const LOGS_OUT = path.join(E2E_OUTPUT, 'runs-logs');
const LOCUSTFILE = 'runs_locustfile.py';
const LIGHT = 'Light Modern';
const DARK = 'Dark Modern';
const TEST_NAMES = [
  'the Runs view lists the recorded runs under their locustfile, with their numbers',
  'Pin as Baseline marks the run (icon and "baseline"); Rename names it',
  'Compare with Baseline opens the comparison panel, titled by both runs, in light and dark themes',
] as const;

/** A locustfile that makes steady traffic to the demo target (bounded by the run time). */
const RUNS_LOCUSTFILE = `from locust import HttpUser, constant, task


class Shopper(HttpUser):
    wait_time = constant(0.05)

    @task(3)
    def products(self):
        self.client.get("/products")

    @task
    def home(self):
        self.client.get("/")
`;

let target: Awaited<ReturnType<typeof startTarget>> | undefined;
let scratch: string | undefined;
let server: RunningCodeServer | undefined;
let workbench: Workbench | undefined;
let records: string[] = [];

before(
  async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    for (const name of readdirSync(SCREENSHOTS)) {
      if (/^runs-.*\.png$/.test(name)) await rm(path.join(SCREENSHOTS, name), { force: true });
    }
    for (const name of TEST_NAMES) await rm(path.join(SCREENSHOTS, `${fileSafe(`failure-${name}`)}.png`), { force: true });
    await rm(LOGS_OUT, { recursive: true, force: true });
    if (!existsSync(VSIX)) throw new Error('No VSIX: run `npm run package` first (the e2e test installs the packaged extension).');
    assert.ok(existsSync(CLI), `${CLI} is missing: run \`npm run package\` first`);
    const codeServer = await ensureCodeServer();
    // The name marks every process started for this test: scripts/test.sh looks for leftovers by it.
    scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-e2e-runs-'));
    const extensionsDir = path.join(scratch, 'extensions');
    const workspace = path.join(scratch, 'examples');
    await cp(path.join(ROOT, 'examples'), workspace, { recursive: true, filter: (source) => !/[/\\](node_modules|__pycache__|\.locust-studio)$/.test(source) });
    await writeFile(path.join(workspace, LOCUSTFILE), RUNS_LOCUSTFILE);
    const runFolder = path.join(workspace, '.locust-studio', 'runs');
    await mkdir(path.join(workspace, '.vscode'), { recursive: true });
    await writeFile(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'locustStudio.runFolder': '${workspaceFolder}/.locust-studio/runs' }, null, 2));
    target = await startTarget({ port: 0, quiet: true });
    // Two real runs recorded by the runner (the CLI), one after the other: the second judged by a threshold it meets.
    for (const extra of [[], ['--threshold', 'fail_ratio < 50%']]) {
      const result = await runCli(
        ['run', LOCUSTFILE, '-u', '4', '-r', '4', '-t', '6s', '-H', target.url, '--python', '/usr/bin/python3', '--interval', '0.5', '--record-dir', runFolder, ...extra],
        { cwd: workspace },
      );
      assert.equal(result.code, 0, `the CLI run failed:\n${result.stdout}\n${result.stderr}`);
    }
    records = readdirSync(runFolder).sort().map((name) => path.join(runFolder, name));
    assert.equal(records.length, 2, 'two records');
    // A record torn by a crash: listed apart, with why, and left as it is.
    await mkdir(path.join(runFolder, 'torn-record'));
    await writeFile(path.join(runFolder, 'torn-record', 'meta.json'), '{"id": "torn", "startedAt": ');
    await installExtension(codeServer, VSIX, extensionsDir);
    const userDataDir = path.join(scratch, 'user-data');
    server = await startCodeServer({ workspace, extensionsDir, userDataDir, codeServer, settings: { 'workbench.colorTheme': `Default ${LIGHT}` } });
  },
  { timeout: 15 * 60_000 },
);

after(() => tearDown({ server, target, scratch, logsOut: LOGS_OUT }));

const step = stepIn(() => workbench);

/** The Locust Runs view's section in the Explorer. */
function runsView(page: Page): Locator {
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Locust Runs' }) });
}

/** A row of the Runs view by the start of its aria-label (`<label>: <description>`). */
function runRows(page: Page): Locator {
  return runsView(page).locator('.monaco-list-row[aria-level="2"]');
}

/** Opens a row's context menu and clicks an entry. */
async function contextAction(page: Page, row: Locator, action: string): Promise<void> {
  await row.click({ button: 'right' });
  const item = page.locator('.context-view .monaco-menu .action-item', { hasText: new RegExp(`^${action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).first();
  await item.waitFor({ state: 'visible', timeout: 15_000 });
  // The menu lives in a shadow root whose host takes playwright's hit test, and ignores a synthetic click: the pointer
  // focuses the entry (as a user's hover does) and Enter chooses it.
  await item.hover({ force: true });
  await item.and(page.locator('.focused')).waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
  await item.waitFor({ state: 'hidden', timeout: 15_000 });
}

/** Expands the Locust Runs section of the Explorer, as a user does, by its header. */
async function showRunsView(page: Page): Promise<void> {
  const header = page.locator('.pane-header', { hasText: 'Locust Runs' });
  await header.waitFor({ state: 'visible', timeout: 60_000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  await runsView(page).locator('.monaco-list').waitFor({ state: 'visible', timeout: 30_000 });
}

/** The folder's file tree collapsed and the side bar wider: the Runs view shows whole rows, as a user would arrange it. */
async function roomForRuns(page: Page): Promise<void> {
  const folders = page.locator('.pane-header[aria-expanded="true"]', { hasText: 'examples' });
  if (await folders.count()) await folders.first().click();
  const box = await page.locator('.part.sidebar').boundingBox();
  assert.ok(box, 'the side bar is shown');
  const y = box.y + box.height / 3;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + 620, y, { steps: 5 });
  await page.mouse.up();
}

/** Relative luminance (0 black … 1 white) of a CSS rgb()/rgba() colour, roughly: enough to tell a light page from a dark one. */
function luminance(colour: string): number {
  const [r = 0, g = 0, b = 0] = (colour.match(/[\d.]+/g) ?? []).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

test(TEST_NAMES[0], { timeout: 4 * 60_000 }, async (t) => {
  assert.ok(server, 'code-server did not start');
  workbench = await openWorkbench(server.url, { screenshotsDir: SCREENSHOTS, failureName: t.name });
  await step(t, async (page) => {
    await showRunsView(page);
    await roomForRuns(page);
    const view = runsView(page);
    await view.locator('.monaco-list-row', { hasText: LOCUSTFILE }).first().waitFor({ state: 'visible', timeout: 60_000 });
    const rows = runRows(page);
    await rows.nth(1).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await rows.count(), 2);
    // Each run: duration, users, requests/s, p95, failures; the second one's threshold verdict.
    const labels = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
    for (const label of labels) assert.match(label, /0:0\d · 4 users · [\d.]+ req\/s · p95 [\d.]+ ms · [\d.<]+% failed/, label);
    assert.match(labels[0]!, / · ✓$/, 'the newest run passed its threshold');
    assert.doesNotMatch(labels[1]!, /✓|✗/, 'the first run had no thresholds');
    await runsView(page).locator('.monaco-list-row', { hasText: '1 folder not listed' }).click();
    await runsView(page).locator('.monaco-list-row', { hasText: 'torn-record' }).filter({ hasText: 'meta.json is not valid JSON' }).waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, 'runs-1-listed-light');
  });
});

test(TEST_NAMES[1], { timeout: 3 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    const rows = runRows(page);
    // The older run (second row) becomes the baseline.
    await contextAction(page, rows.nth(1), 'Pin as Baseline');
    const pinned = runRows(page).filter({ has: page.locator('.codicon-pinned') });
    await pinned.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await pinned.getAttribute('aria-label')) ?? '', /: baseline · /);
    assert.equal(await runRows(page).filter({ has: page.locator('.codicon-pinned') }).count(), 1, 'one baseline');
    const history = JSON.parse(await readFile(path.join(path.dirname(records[0]!), 'history.json'), 'utf8')) as { baselines: Record<string, string> };
    assert.deepEqual(Object.values(history.baselines), [path.basename(records[0]!)], 'the older record is pinned in history.json');

    await contextAction(page, pinned, 'Rename Run…');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill('before the cache');
    await page.keyboard.press('Enter');
    await runRows(page).filter({ hasText: 'before the cache' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
    await screenshot(page, 'runs-2-baseline-light');
  });
});

test(TEST_NAMES[2], { timeout: 3 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    const newest = runRows(page).filter({ hasNot: page.locator('.codicon-pinned') }).first();
    await contextAction(page, newest, 'Compare with Baseline');
    const tab = page.locator('.tabs-container .tab', { hasText: /^Compare: before the cache ↔ / });
    await tab.waitFor({ state: 'visible', timeout: 60_000 });
    const report = webviewFrame(page);
    await report.locator('body h1, body h2').first().waitFor({ state: 'visible', timeout: 30_000 });
    // The report's own styles apply under the panel's policy (allowed by hash): the page is not unstyled.
    const font = await report.locator('body').evaluate((body) => getComputedStyle(body).fontFamily);
    assert.doesNotMatch(font, /^"?Times/, `styled page (font ${font})`);
    assert.ok(luminance(await report.locator('body').evaluate((body) => getComputedStyle(body).backgroundColor)) > 0.8, 'a light report in the light theme');
    await screenshot(page, 'runs-3-compare-light');
    await setTheme(page, DARK);
    // The page follows the editor's theme: its background turns dark (the theme's style sheet is allowed by the policy).
    await waitUntil(async () => luminance(await report.locator('body').evaluate((body) => getComputedStyle(body).backgroundColor)) < 0.2, 30_000, 'a dark report');
    await screenshot(page, 'runs-4-compare-dark');
    // The view in the dark theme too.
    await runCommand(page, 'View: Close All Editors');
    await runRows(page).first().waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, 'runs-5-listed-dark');
  });
});
