// End-to-end: the Locust Runs view in a real VS Code (code-server) with the packaged VSIX, over records of real runs made by the
// CLI beforehand — the runs listed by locustfile, a baseline pinned (its marker shows), a run renamed, a comparison opened.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { startTarget } from '../../examples/target/server.mjs';
import { ensureCodeServer, installExtension, startCodeServer, type RunningCodeServer } from '../../scripts/codeServer';
import { CLI, runCli } from '../helpers/cliProcess';
import {
  answerRunQuestions,
  copyExamples,
  E2E_OUTPUT,
  fileSafe,
  openFile,
  openWorkbench,
  PACKAGED_VSIX,
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

/** Where this file's screenshots go (light and dark), and code-server's logs. */
const LOGS_OUT = path.join(E2E_OUTPUT, 'runs-logs');
const LOCUSTFILE = 'runs_locustfile.py';
const LIGHT = 'Light Modern';
const DARK = 'Dark Modern';
const TEST_NAMES = [
  'the Runs view lists the recorded runs under their locustfile, with their numbers',
  'Pin as Baseline marks the run (icon and "baseline"); Rename names it',
  'Compare with Baseline opens the comparison panel, titled by both runs, in light and dark themes',
  'a new run of the locustfile is compared live with its pinned baseline: the panel names it, Δ columns, the verdict kept in the record',
  'the run questions ask the locustfile’s own arguments (a pick for choices, a password box for a secret); Locust gets them, the record keeps no secret',
] as const;

/** A locustfile with arguments of its own (Locust's web UI shows them in its form), naming its requests by them. */
const ARGS_LOCUSTFILE = 'args_locustfile.py';
const ARGS_LOCUSTFILE_TEXT = `from locust import HttpUser, constant, events, task


@events.init_command_line_parser.add_listener
def _(parser):
    parser.add_argument("--target-env", choices=["dev", "staging", "prod"], default="dev", help="Environment the traffic is for")
    try:
        parser.add_argument("--api-key", is_secret=True, default="", help="API key (not remembered)")
    except TypeError:  # a Locust before is_secret (Debian's 2.12)
        parser.add_argument("--api-key", default="", help="API key (not remembered)")
    parser.add_argument("--batch-size", type=int, default=10, help="Items per request")


class Shopper(HttpUser):
    wait_time = constant(0.2)

    @task
    def browse(self):
        o = self.environment.parsed_options
        self.client.get("/products", name=f"/products {o.target_env} key={'yes' if o.api_key else 'no'}")
`;

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
    await mkdir(SCREENSHOTS_DIR, { recursive: true });
    for (const name of readdirSync(SCREENSHOTS_DIR)) {
      if (/^runs-.*\.png$/.test(name)) await rm(path.join(SCREENSHOTS_DIR, name), { force: true });
    }
    for (const name of TEST_NAMES) await rm(path.join(SCREENSHOTS_DIR, `${fileSafe(`failure-${name}`)}.png`), { force: true });
    await rm(LOGS_OUT, { recursive: true, force: true });
    requirePackagedVsix();
    assert.ok(existsSync(CLI), `${CLI} is missing: run \`npm run package\` first`);
    const codeServer = await ensureCodeServer();
    // The name marks every process started for this test: scripts/test.sh looks for leftovers by it.
    scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-e2e-runs-'));
    const extensionsDir = path.join(scratch, 'extensions');
    const workspace = path.join(scratch, 'examples');
    await copyExamples(workspace);
    await writeFile(path.join(workspace, LOCUSTFILE), RUNS_LOCUSTFILE);
    await writeFile(path.join(workspace, ARGS_LOCUSTFILE), ARGS_LOCUSTFILE_TEXT);
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
    await installExtension(codeServer, PACKAGED_VSIX, extensionsDir);
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

/**
 * Chooses `action` from the row's context menu until `effect` shows. A menu that closes before its entry is chosen
 * (the tree re-rendered under it) is opened again, as a user would; an action that ran is never repeated after its effect.
 */
async function contextAction(page: Page, row: Locator, action: string, effect: Locator): Promise<void> {
  const item = page.locator('.context-view .monaco-menu .action-item', { hasText: new RegExp(`^${action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).first();
  for (let attempt = 1; ; attempt++) {
    await row.click({ button: 'right' });
    await item.waitFor({ state: 'visible', timeout: 15_000 });
    // The menu lives in a shadow root whose host takes playwright's hit test, and ignores a synthetic click: the pointer
    // focuses the entry (as a user's hover does) and Enter chooses it.
    await item.hover({ force: true });
    await item.and(page.locator('.focused')).waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    await item.waitFor({ state: 'hidden', timeout: 15_000 });
    try {
      await effect.first().waitFor({ state: 'visible', timeout: 20_000 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
      console.log(`[e2e] "${action}" showed no effect after attempt ${attempt}: choosing it again`);
    }
  }
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
  workbench = await openWorkbench(server.url, { screenshotsDir: SCREENSHOTS_DIR, failureName: t.name });
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
    const pinned = runRows(page).filter({ has: page.locator('.codicon-pinned') });
    await contextAction(page, rows.nth(1), 'Pin as Baseline', pinned);
    assert.match((await pinned.getAttribute('aria-label')) ?? '', /: baseline · /);
    assert.equal(await runRows(page).filter({ has: page.locator('.codicon-pinned') }).count(), 1, 'one baseline');
    const history = JSON.parse(await readFile(path.join(path.dirname(records[0]!), 'history.json'), 'utf8')) as { baselines: Record<string, string> };
    assert.deepEqual(Object.values(history.baselines), [path.basename(records[0]!)], 'the older record is pinned in history.json');

    const input = page.locator('.quick-input-widget .quick-input-box input');
    await contextAction(page, pinned, 'Rename Run…', input);
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
    const tab = page.locator('.tabs-container .tab', { hasText: /^Compare: before the cache ↔ / });
    await contextAction(page, newest, 'Compare with Baseline', tab);
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

test(TEST_NAMES[3], { timeout: 4 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    assert.ok(target, 'the demo target runs');
    await openFile(page, LOCUSTFILE);
    // The file's lens: all User classes, as the CLI's runs were made (the baseline is per locustfile and User classes).
    await (await waitForCodeLens(page, 'Run load test', 60_000)).click();
    await answerRunQuestions(page, ['4', '4', '12s', target.url]);
    const panel = webviewFrame(page);
    const bar = panel.locator('.baseline-bar');
    await bar.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match((await bar.textContent()) ?? '', /Compared with the baseline “before the cache”/, 'the pinned run, by the name it was given');
    // Compared while it runs (every few seconds), the Δ columns beside what they compare.
    await panel.locator('.baseline-verdict', { hasText: /^so far: / }).waitFor({ state: 'visible', timeout: 60_000 });
    await panel.locator('table.stats th.delta', { hasText: 'Δ p95' }).waitFor({ state: 'visible', timeout: 15_000 });
    const headers = await panel.locator('table.stats thead th').evaluateAll((ths) => ths.map((th) => th.textContent));
    assert.equal(headers[headers.indexOf('95%ile (ms)') + 1], 'Δ p95');
    const row = panel.locator('table.stats tbody tr', { hasText: '/products' }).first();
    await waitUntil(async () => /[+−±]\d/.test((await row.locator('td.delta').nth(2).textContent()) ?? ''), 30_000, 'a Δ p95 for /products');
    await screenshot(page, 'runs-6-live-baseline-dark');
    // The end: the whole run compared; the panel says the same verdict as the record keeps.
    await panel.locator('.baseline-verdict').filter({ hasNotText: /^so far: |not compared yet/ }).waitFor({ state: 'visible', timeout: 60_000 });
    const runFolder = path.dirname(records[0]!);
    const newest = readdirSync(runFolder).filter((name) => !records.includes(path.join(runFolder, name)) && name !== 'torn-record' && name !== 'history.json').sort();
    assert.equal(newest.length, 1, `one new record: ${newest.join(', ')}`);
    const meta = JSON.parse(await readFile(path.join(runFolder, newest[0]!, 'meta.json'), 'utf8')) as { baseline?: { dir: string; verdict: string } };
    assert.equal(meta.baseline?.dir, records[0], 'compared with the pinned record');
    assert.equal(await bar.getAttribute('data-verdict'), meta.baseline?.verdict, 'the panel and the record say the same');
    // The Runs view says a regression against the baseline beside the run (and only then).
    const newRow = runRows(page).filter({ hasNot: page.locator('.codicon-pinned') }).first();
    await waitUntil(async () => !/running/.test((await newRow.getAttribute('aria-label')) ?? ''), 30_000, 'the new run listed as ended');
    const regressedNote = /regressed vs baseline/.test((await newRow.getAttribute('aria-label')) ?? '');
    assert.equal(regressedNote, meta.baseline?.verdict === 'regressed', (await newRow.getAttribute('aria-label')) ?? '');
    await setTheme(page, LIGHT);
    await screenshot(page, 'runs-7-live-baseline-light');
  });
});

test(TEST_NAMES[4], { timeout: 4 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    assert.ok(target, 'the demo target runs');
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, ARGS_LOCUSTFILE);
    await (await waitForCodeLens(page, 'Run load test', 60_000)).click();
    const widget = page.locator('.quick-input-widget');
    // The usual questions, then the last pick lists the file's arguments with their defaults and help.
    for (const [i, answer] of ['1', '1', '3s', target.url].entries()) {
      await widget.locator('.quick-input-title', { hasText: `(${i + 1}/5)` }).waitFor({ state: 'visible', timeout: 30_000 });
      await widget.locator('.quick-input-box input').fill(answer);
      await page.keyboard.press('Enter');
    }
    const row = (flag: string) => widget.locator('.quick-input-list .monaco-list-row', { hasText: flag });
    await row('--target-env').waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await row('--target-env').textContent()) ?? '', /dev \(default\).*Environment the traffic is for/);
    assert.match((await row('--api-key').textContent()) ?? '', /not set/);
    await screenshot(page, 'runs-8-custom-arguments-light');
    // A choice is picked from its list.
    await row('--target-env').click();
    await widget.locator('.quick-input-list .monaco-list-row', { hasText: 'staging' }).click();
    await row('--target-env').filter({ hasText: 'staging' }).waitFor({ state: 'visible', timeout: 30_000 });
    // A secret is typed into a password box and never shown.
    await row('--api-key').click();
    // The pick's filter box turns into the password box once the pick is replaced: wait for that, not for any input.
    const input = widget.locator('.quick-input-box input[type="password"]');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await widget.locator('.quick-input-box input[type="text"]:visible').count(), 0, 'no plain text box beside it');
    await input.fill('s3cr3t-e2e');
    await page.keyboard.press('Enter');
    await row('--api-key').filter({ hasText: '(set)' }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.doesNotMatch((await widget.textContent()) ?? '', /s3cr3t-e2e/);
    await widget.locator('.quick-input-list .monaco-list-row', { hasText: 'Start the run' }).click();
    // Locust got them: the requests are named by the values chosen.
    const panel = webviewFrame(page);
    await panel.locator('table.stats tbody tr', { hasText: '/products staging key=yes' }).waitFor({ state: 'visible', timeout: 90_000 });
    await panel.locator('.state', { hasText: /^stopped$/ }).waitFor({ state: 'visible', timeout: 60_000 });
    // The record keeps the arguments, the secret's value replaced.
    const runFolder = path.dirname(records[0]!);
    const newest = readdirSync(runFolder).filter((name) => /^\d{4}-/.test(name)).sort().at(-1)!;
    const options = JSON.parse(await readFile(path.join(runFolder, newest, 'options.json'), 'utf8')) as { extraArgs?: string[] };
    assert.deepEqual(options.extraArgs, ['--target-env', 'staging', '--api-key', '<secret>']);
    assert.doesNotMatch(await readFile(path.join(runFolder, newest, 'options.json'), 'utf8'), /s3cr3t-e2e/);
  });
});
