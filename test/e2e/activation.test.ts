// End-to-end: the packaged VSIX in a real VS Code (code-server) on a copy of examples/ — activation, the language server's
// code lens, the run panel, and a real Locust run against the demo target started from the lens and stopped from the panel.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startTarget } from '../../examples/target/server.mjs';
import { freePort } from '../../runner/locustRun';
import { ensureCodeServer, installExtension, startCodeServer, type RunningCodeServer } from '../../scripts/codeServer';
import {
  answerRunQuestions,
  E2E_OUTPUT,
  fileSafe,
  openFile,
  openWorkbench,
  PACKAGED_VSIX,
  processesMentioning,
  requirePackagedVsix,
  runCommand,
  screenshot,
  stepIn,
  tearDown,
  waitForCodeLens,
  waitUntil,
  webviewFrame,
  type Workbench,
} from './workbench';
import { REPO_ROOT } from '../helpers/lspClient';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const EXTENSION_ID = 'locust-studio.locust-studio';
/** This file's screenshots start with `activation-` (failures: `failure-<test name>`); its logs go here. */
const LOGS_OUT = path.join(E2E_OUTPUT, 'activation-logs');
const TEST_NAMES = [
  'the VSIX installs into code-server and the workbench opens the examples folder',
  'opening locustfile.py shows the "Run load test" code lens',
  '"Locust Studio: Open Run Panel" shows the run panel with "No run yet"',
  '"Run load test" on the lens streams a real Locust run into the panel, and Stop ends it',
  '"Run task once" on a task runs it against the target and reports its requests',
  '"Debug task" stops at a breakpoint in the task with the built-in adapter, then continues to the end',
  'after "Developer: Reload Window" the panel shows the last run again from its record',
  'a locustfile with a syntax error: the run fails with a diagnostic at the line Python names',
  'VS Code\'s own activation time of the extension is measured and printed',
  '"Attach to Running Locust…" follows a Locust web UI into the panel, and Stop leaves the remote test running',
  '"Run Load Test Again" (and the panel\'s "Run again") repeat the last run without asking; the status bar follows it; a second run asks first',
] as const;

let target: Awaited<ReturnType<typeof startTarget>> | undefined;

const BROKEN_LOCUSTFILE = `from locust import HttpUser, constant, task


class BrokenUser(HttpUser):
    wait_time = constant(1)

    @task
    def index(self):
        self.client.get("/",

`;

let scratch: string | undefined;
let server: RunningCodeServer | undefined;
let workbench: Workbench | undefined;
let extensionsDir = '';

before(
  async () => {
    // Only this run's pictures and logs: stale ones from an earlier run would mislead.
    await mkdir(E2E_OUTPUT, { recursive: true });
    for (const name of readdirSync(E2E_OUTPUT)) {
      if (/^activation-.*\.png$/.test(name) || TEST_NAMES.some((test) => name === `${fileSafe(`failure-${test}`)}.png`)) {
        await rm(path.join(E2E_OUTPUT, name), { force: true });
      }
    }
    await rm(LOGS_OUT, { recursive: true, force: true });
    requirePackagedVsix();
    if (!existsSync(path.join(EXAMPLES, 'locustfile.py'))) {
      throw new Error(`No ${path.relative(REPO_ROOT, path.join(EXAMPLES, 'locustfile.py'))}: the e2e test opens a copy of examples/.`);
    }
    const codeServer = await ensureCodeServer();
    // The name marks every process started for this test (code-server's arguments carry it): scripts/test.sh looks for leftovers by it.
    scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-e2e-'));
    extensionsDir = path.join(scratch, 'extensions');
    await installExtension(codeServer, PACKAGED_VSIX, extensionsDir);
    // A copy: VS Code and the extension may write into the folder (.vscode state, run records); the repo's examples stay untouched.
    const workspace = path.join(scratch, 'examples');
    await cp(EXAMPLES, workspace, {
      recursive: true,
      filter: (source) => !/[/\\](node_modules|__pycache__|\.locust-studio)$/.test(source),
    });
    // The demo target on a free port.
    target = await startTarget({ port: 0, quiet: true });
    // The copy points at it instead of the demo's 8080: the locustfile's `host` and locust.conf's (which wins).
    for (const name of ['locustfile.py', 'locust.conf']) {
      const file = path.join(workspace, name);
      await writeFile(file, (await readFile(file, 'utf8')).replaceAll('http://127.0.0.1:8080', target.url));
    }
    // Small, open-ended runs: the test stops them from the panel.
    const settingsFile = path.join(workspace, '.vscode', 'settings.json');
    const settings = JSON.parse(await readFile(settingsFile, 'utf8').catch(() => '{}')) as Record<string, unknown>;
    Object.assign(settings, {
      'locustStudio.defaultUsers': 4,
      'locustStudio.defaultSpawnRate': 4,
      'locustStudio.defaultRunTime': '',
      'locustStudio.statsInterval': 0.5,
      // Records where the test can read them, to compare the panel's final numbers with the record's.
      'locustStudio.runFolder': '${workspaceFolder}/.locust-studio/runs',
    });
    // A locustfile Python cannot compile (line 9: the call is never closed), for the import-failure scenario.
    await writeFile(path.join(workspace, 'broken_locustfile.py'), BROKEN_LOCUSTFILE);
    await mkdir(path.dirname(settingsFile), { recursive: true });
    await writeFile(settingsFile, JSON.stringify(settings, null, 2));
    server = await startCodeServer({
      workspace,
      extensionsDir,
      userDataDir: path.join(scratch, 'user-data'),
      codeServer,
    });
  },
  { timeout: 15 * 60_000 },
);

after(() => tearDown({ server, target, scratch, logsOut: LOGS_OUT }));

const step = stepIn(() => workbench);

test(TEST_NAMES[0], { timeout: 3 * 60_000 }, async (t) => {
  assert.ok(server, 'code-server did not start');
  const installed = readdirSync(extensionsDir).filter((name) => name.startsWith(`${EXTENSION_ID}-`));
  assert.equal(installed.length, 1, `expected ${EXTENSION_ID} in ${extensionsDir}, found: ${readdirSync(extensionsDir).join(', ')}`);
  workbench = await openWorkbench(server.url, { screenshotsDir: E2E_OUTPUT, failureName: t.name });
  await step(t, async (page) => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'locustfile.py' }).first().waitFor({ state: 'visible' });
    await screenshot(page, 'activation-1-workbench');
  });
});

test(TEST_NAMES[1], { timeout: 3 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    await openFile(page, 'locustfile.py');
    // The lens comes from our language server: it proves activation, the client and the bundled server.
    const lens = await waitForCodeLens(page, 'Run load test', 90_000);
    assert.match((await lens.textContent()) ?? '', /Run load test/);
    await screenshot(page, 'activation-2-code-lens');
  });
});

test(TEST_NAMES[2], { timeout: 3 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    await runCommand(page, 'Locust Studio: Open Run Panel');
    await webviewFrame(page).getByText('No run yet').waitFor({ state: 'visible', timeout: 60_000 });
    await screenshot(page, 'activation-3-run-panel');
  });
});

test(TEST_NAMES[3], { timeout: 3 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    // From a clean editor area: the run opens its panel beside the locustfile by itself.
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'locustfile.py');
    await (await waitForCodeLens(page, 'Run load test', 60_000)).click();
    // The questions: 3 users instead of the prefilled 4, then the other defaults, then "Start the run".
    await answerRunQuestions(page, ['3', '', '', '']);
    const panel = webviewFrame(page);
    await panel.locator('.metrics dd', { hasText: '/ 3' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await panel.locator('.state', { hasText: 'running' }).waitFor({ state: 'visible', timeout: 60_000 });
    // Live ticks: the aggregated request count shown in the panel keeps growing while the run goes on.
    const totalRequests = panel.locator('table.stats tfoot td').nth(2);
    await totalRequests.waitFor({ state: 'visible', timeout: 30_000 });
    const first = await countIn(totalRequests);
    await waitUntil(async () => (await countIn(totalRequests)) > first, 30_000, 'the request count to grow with new ticks');
    await panel.locator('table.stats tbody tr', { hasText: '/products' }).first().waitFor({ state: 'visible' });
    // Current ratio: the language server's model of the file (browse_products has weight 5 of 11) beside the run's users.
    const ratioRows = panel.locator('section.ratio tbody tr');
    await ratioRows.filter({ hasText: 'browse_products' }).filter({ hasText: '45.5%' }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.deepEqual(await ratioRows.first().locator('td').allTextContents(), ['ShopVisitor', '100%', '100%']);
    await screenshot(page, 'activation-4-run-live');
    assert.ok(ours('locust_studio_launch').length > 0, 'a real Locust runs');

    // Change users from the panel: 5 users at 5/s; the header's target follows Locust's ack, the count follows the ticks.
    await panel.locator('#users-input input').fill('5');
    await panel.locator('#spawn-rate-input input').fill('5');
    await panel.locator('vscode-button', { hasText: 'Apply' }).click();
    await panel.locator('.metrics dd', { hasText: '5 / 5' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'activation-4b-users-changed');

    await panel.locator('vscode-button', { hasText: 'Stop' }).click();
    await panel.locator('.state', { hasText: 'stopped' }).waitFor({ state: 'visible', timeout: 30_000 });
    await panel.locator('.control-status', { hasText: /^Stopped$/ }).waitFor({ state: 'visible', timeout: 30_000 });
    // Nothing stale once stopped: the status bar and the table show no current rate, the panel offers to run again.
    const stoppedStatus = page.locator('#workbench\\.parts\\.statusbar').getByText(/Stopped · [\d,]+ requests · [<\d.,]+% failed/);
    await stoppedStatus.waitFor({ state: 'visible', timeout: 30_000 });
    const columns = await panel.locator('table.stats thead th').allTextContents();
    assert.equal(await panel.locator('table.stats tfoot td').nth(columns.indexOf('Current RPS')).textContent(), '–', 'no current RPS after the stop');
    await panel.locator('vscode-button', { hasText: 'Run again' }).waitFor({ state: 'visible', timeout: 15_000 });
    const final = await countIn(totalRequests);
    assert.ok(final >= first && final > 0, `final request count ${final} after ${first}`);
    // locustfile.py calls only healthy endpoints of the demo target.
    assert.equal(await countIn(panel.locator('table.stats tfoot td').nth(3)), 0, 'no request failed');
    await waitUntil(() => Promise.resolve(ours('locust_studio_launch').length === 0), 15_000, 'Locust to exit');
    await screenshot(page, 'activation-5-run-stopped');

    // The panel's final numbers are the run record's: the aggregated row and every endpoint's requests and failures.
    const record = await newestRecord();
    const recorded = JSON.parse(await readFile(path.join(record, 'final.json'), 'utf8')) as RecordedFinal;
    assert.equal(final, recorded.total.requests, 'aggregated requests: panel = record');
    for (const endpoint of recorded.endpoints) {
      const row = panel.locator('table.stats tbody tr', { has: panel.locator('td', { hasText: new RegExp(`^${escapeRegExp(endpoint.name)}$`) }) });
      const cells = row.first().locator('td');
      assert.equal(await countIn(cells.nth(2)), endpoint.requests, `${endpoint.name}: requests in the panel = record`);
      assert.equal(await countIn(cells.nth(3)), endpoint.failures, `${endpoint.name}: failures in the panel = record`);
    }
    const options = JSON.parse(await readFile(path.join(record, 'options.json'), 'utf8')) as { users?: number };
    assert.equal(options.users, 3, 'the record keeps the options the run started with');
  });
});

test(TEST_NAMES[10], { timeout: 3 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    const panel = webviewFrame(page);
    const previous = records()[0];
    await runCommand(page, 'Locust Studio: Run Load Test Again');
    // No question: the run starts at once, with the last answers.
    await panel.locator('.state', { hasText: /spawning|running/ }).waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await page.locator('.quick-input-widget').isVisible(), false, 'no input box was shown');
    const status = page.locator('#workbench\\.parts\\.statusbar').getByText(/\d+ users · [\d.,]+ req\/s · [<\d.,]+% failed/);
    await waitUntil(async () => /^[1-9]\d* users/.test(((await status.textContent().catch(() => '')) ?? '').trim()), 30_000, 'the status bar to show the running users');

    // A second run while this one runs: VS Code asks first, and Cancel leaves the first one running.
    await (await waitForCodeLens(page, 'Run load test', 30_000)).click();
    const dialog = page.locator('.monaco-dialog-box', { hasText: 'A load test is running' });
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'activation-5b-second-run-asks');
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
    assert.ok(ours('locust_studio_launch').length > 0, 'the first run goes on');

    // The status bar item brings the panel back after it was closed; Stop there ends the run.
    await runCommand(page, 'View: Close All Editors');
    await panel.locator('.state').waitFor({ state: 'detached', timeout: 15_000 });
    await status.click();
    await panel.locator('.state', { hasText: /spawning|running/ }).waitFor({ state: 'visible', timeout: 30_000 });
    // The reopened panel controls the run as before (the reload scenario later finds this change in the record).
    await panel.locator('#users-input input').fill('5');
    await panel.locator('vscode-button', { hasText: 'Apply' }).click();
    await panel.locator('.metrics dd', { hasText: '/ 5' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await panel.locator('vscode-button', { hasText: 'Stop' }).click();
    await panel.locator('.state', { hasText: 'stopped' }).waitFor({ state: 'visible', timeout: 30_000 });
    await waitUntil(() => Promise.resolve(ours('locust_studio_launch').length === 0), 15_000, 'Locust to exit');
    const record = await newestRecord();
    assert.notEqual(record, previous, 'a new record for the repeated run');
    const options = JSON.parse(await readFile(path.join(record, 'options.json'), 'utf8')) as { users?: number };
    assert.equal(options.users, 3, 'Run Again used the last answers (3 users)');

    // The panel's own "Run again" does the same, without a question; the run it starts is stopped from the panel.
    await panel.locator('vscode-button', { hasText: 'Run again' }).click();
    await panel.locator('.state', { hasText: /spawning|running/ }).waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await page.locator('.quick-input-widget').isVisible(), false, 'no input box was shown');
    await screenshot(page, 'activation-5c-panel-run-again');
    // Users changed from the panel again (the reload scenario later finds this change in this newest record).
    await panel.locator('#users-input input').fill('5');
    await panel.locator('vscode-button', { hasText: 'Apply' }).click();
    await panel.locator('.control-status', { hasText: 'Users now 5' }).waitFor({ state: 'visible', timeout: 30_000 });
    await panel.locator('.metrics dd', { hasText: '/ 5' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await panel.locator('vscode-button', { hasText: 'Stop' }).click();
    await panel.locator('.state', { hasText: 'stopped' }).waitFor({ state: 'visible', timeout: 30_000 });
    await waitUntil(() => Promise.resolve(ours('locust_studio_launch').length === 0), 15_000, 'Locust to exit');
    assert.notEqual(await newestRecord(), record, 'a new record for the run started from the panel');
  });
});

test(TEST_NAMES[4], { timeout: 2 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'locustfile.py');
    // The first task lens sits on `browse_products`, which makes one GET /products.
    await (await waitForCodeLens(page, 'Run task once', 60_000)).click();
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'ShopVisitor.browse_products: 1 request, 0 failed' });
    await toast.waitFor({ state: 'visible', timeout: 60_000 });
    // The panel's single-task view lists the request the task made.
    const panel = webviewFrame(page);
    await panel.getByText('ShopVisitor.browse_products').first().waitFor({ state: 'visible', timeout: 30_000 });
    await panel.locator('tr', { hasText: '/products' }).filter({ hasText: '200' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'activation-6-task-once');
    assert.equal(ours('locust_studio_task').length, 0, 'the task process is gone');
    await dismissNotifications(page);
  });
});

test(TEST_NAMES[5], { timeout: 3 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'locustfile.py');
    // A breakpoint on line 21, `self.client.get("/products")` in browse_products: before its request is made.
    await goToLine(page, 21);
    await runCommand(page, 'Debug: Toggle Breakpoint');
    await page.locator('.monaco-editor .codicon-debug-breakpoint').first().waitFor({ state: 'visible', timeout: 15_000 });
    await (await waitForCodeLens(page, 'Debug task', 60_000)).click();
    // Paused: the editor marks the top stack frame, the Call Stack says why, and the task has made no request yet.
    await page.locator('.monaco-editor .codicon-debug-stackframe').first().waitFor({ state: 'visible', timeout: 60_000 });
    await page.getByText(/Paused on breakpoint/i).first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await page.locator('.monaco-editor .debug-top-stack-frame-line').count() > 0, true, 'the paused line is highlighted');
    await screenshot(page, 'activation-7-debug-paused');
    assert.ok(ours('locust_studio_task').length > 0, 'the task waits at the breakpoint');

    await runCommand(page, 'Debug: Continue');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'ShopVisitor.browse_products: 1 request, 0 failed' });
    await toast.waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30_000 });
    await screenshot(page, 'activation-8-debug-done');
    await waitUntil(() => Promise.resolve(ours('locust_studio_task').length === 0), 15_000, 'the task process to exit');
    // The breakpoint stays for the user, but not for the next scenarios.
    await runCommand(page, 'Remove All Breakpoints');
    await dismissNotifications(page);
  });
});

test(TEST_NAMES[6], { timeout: 4 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    // The panel is open (it shows the debugged task); the load test it showed is the first scenario's, recorded on disk.
    await runCommand(page, 'Locust Studio: Open Run Panel');
    // A reload is a new document: its time origin changes.
    const origin = await page.evaluate<number>('performance.timeOrigin');
    await runCommand(page, 'Developer: Reload Window');
    await waitUntil(async () => (await page.evaluate<number>('performance.timeOrigin').catch(() => origin)) !== origin, 60_000, 'the window to reload');
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
    const panel = webviewFrame(page);
    await panel.locator('.state').first().waitFor({ state: 'visible', timeout: 90_000 });
    const record = newestCompleteRecord();
    const recorded = JSON.parse(await readFile(path.join(record, 'final.json'), 'utf8')) as RecordedFinal;
    const total = panel.locator('table.stats tfoot td').nth(2);
    await waitUntil(async () => (await countIn(total)) === recorded.total.requests, 30_000, `the restored panel to show ${recorded.total.requests} requests`);
    // The change of users made from the panel during that run was recorded too.
    await panel.locator('.metrics dd', { hasText: '/ 5' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'activation-10-restored-after-reload');
  });
});

test(TEST_NAMES[7], { timeout: 3 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'broken_locustfile.py');
    await runCommand(page, 'Locust Studio: Run Load Test');
    await answerRunQuestions(page, ['1', '', '1s', '']);
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /could not import broken_locustfile\.py \(line 9\)/ });
    await toast.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match((await toast.textContent()) ?? '', /SyntaxError: '\(' was never closed/);
    // The Problems view lists it at line 9 (column 24: the unclosed parenthesis).
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'Locust could not import this file' }).first();
    await problem.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await problem.textContent()) ?? '', /\[Ln 9, Col 24\]/);
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, 'activation-9-import-error');
    await dismissNotifications(page);
  });
});

test(TEST_NAMES[8], { timeout: 2 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    await runCommand(page, 'Developer: Show Running Extensions');
    const row = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'Locust Studio' }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await row.locator('.activation-time').textContent()) ?? '';
    const ms = Number(/(\d+)\s*ms/.exec(text)?.[1]);
    assert.ok(Number.isFinite(ms), `an activation time in "${text}"`);
    console.log(`[e2e] VS Code measured the activation of Locust Studio: ${text.trim()} (Developer: Show Running Extensions)`);
    await screenshot(page, 'activation-11-running-extensions');
    // VS Code 1.139 shows this editor as a modal over the workbench: close it, or it swallows the next test's keys.
    await page.keyboard.press('Escape');
    await row.waitFor({ state: 'hidden', timeout: 15_000 });
  });
});

/** Processes of this test (their command line names the workspace copy) that mention `text`; other test runs on the machine are not ours. */
function ours(text: string): string[] {
  return processesMentioning(text).filter((line) => scratch !== undefined && line.includes(scratch));
}

/** The final statistics a run record keeps (final.json: the bridge's `final` message). */
interface RecordedFinal {
  total: { requests: number; failures: number };
  endpoints: { method: string; name: string; requests: number; failures: number }[];
}

/** The run records of the workspace copy, newest first (their folder names start with the start time). */
function records(): string[] {
  const base = path.join(scratch!, 'examples', '.locust-studio', 'runs');
  return readdirSync(base)
    .filter((name) => existsSync(path.join(base, name, 'options.json')))
    .sort()
    .reverse()
    .map((name) => path.join(base, name));
}

async function newestRecord(): Promise<string> {
  const [newest] = records();
  assert.ok(newest, 'a run record was written');
  await waitUntil(() => Promise.resolve(existsSync(path.join(newest, 'final.json'))), 15_000, 'the record to have final.json');
  return newest;
}

/** The newest record that holds final statistics (a run that failed to import has none). */
function newestCompleteRecord(): string {
  const found = records().find((dir) => existsSync(path.join(dir, 'final.json')));
  assert.ok(found, 'a record with final statistics');
  return found;
}

/** Moves the cursor of the active editor to a line through "Go to Line" (Ctrl+G). */
async function goToLine(page: Page, line: number): Promise<void> {
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
}

/** Clears the notification toasts, so the next scenario's toasts are the only ones. */
async function dismissNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function countIn(cell: { textContent(): Promise<string | null> }): Promise<number> {
  return Number(((await cell.textContent()) ?? '').replace(/[^\d]/g, '') || '0');
}

test(TEST_NAMES[9], { timeout: 3 * 60_000 }, async (t) => {
  // A Locust of its own with its web UI on 127.0.0.1, swarming against the demo target: what "elsewhere" looks like.
  const webPort = await freePort();
  const remote = spawn('/usr/bin/python3', ['-m', 'locust', '-f', 'locustfile.py', '--web-host', '127.0.0.1', '--web-port', String(webPort), '-H', target!.url], {
    cwd: path.join(scratch!, 'examples'),
    stdio: 'ignore',
    detached: true,
  });
  const url = `http://127.0.0.1:${webPort}`;
  try {
    await waitUntil(() => fetch(`${url}/stats/requests`).then((r) => r.ok, () => false), 30_000, 'the remote web UI');
    const swarm = await fetch(`${url}/swarm`, { method: 'POST', body: new URLSearchParams({ user_count: '2', spawn_rate: '2', host: target!.url }) });
    assert.equal(swarm.status, 200);
    await step(t, async (page) => {
      await runCommand(page, 'Locust Studio: Attach to Running Locust…');
      await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Attach to a running Locust' }).waitFor({ state: 'visible', timeout: 30_000 });
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.fill(url);
      await page.keyboard.press('Enter');
      const panel = webviewFrame(page);
      // The panel's title names what it follows: the web UI's address.
      await panel.locator('h1, h2, .title', { hasText: `127.0.0.1:${webPort}` }).first().waitFor({ state: 'visible', timeout: 60_000 });
      const totalRequests = panel.locator('table.stats tfoot td').nth(2);
      await totalRequests.waitFor({ state: 'visible', timeout: 30_000 });
      const first = await countIn(totalRequests);
      await waitUntil(async () => (await countIn(totalRequests)) > first, 30_000, 'the attached request count to grow');
      await screenshot(page, 'activation-12-attached');
      await panel.locator('vscode-button', { hasText: 'Stop' }).click();
      await panel.locator('.state', { hasText: 'stopped' }).waitFor({ state: 'visible', timeout: 30_000 });
      // Following stopped; the remote test did not.
      const stats = (await (await fetch(`${url}/stats/requests`)).json()) as { state: string };
      assert.equal(stats.state, 'running');
    });
  } finally {
    try {
      process.kill(-remote.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});
