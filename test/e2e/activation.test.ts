// End-to-end: the packaged VSIX in a real VS Code (code-server) on a copy of examples/ — activation, the language server's
// code lens, the run panel, and a real Locust run against the demo target started from the lens and stopped from the panel.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { startTarget } from '../../examples/target/server.mjs';
import { ensureCodeServer, groupMembers, installExtension, startCodeServer, type RunningCodeServer } from '../../scripts/codeServer';
import {
  E2E_OUTPUT,
  closeAll,
  fileSafe,
  openFile,
  openWorkbench,
  runCommand,
  screenshot,
  waitForCodeLens,
  webviewFrame,
  withFailureScreenshot,
  type Workbench,
} from './workbench';

const ROOT = path.resolve(__dirname, '..', '..');
const VSIX = path.join(ROOT, 'dist', 'locust-studio.vsix');
const EXAMPLES = path.join(ROOT, 'examples');
const EXTENSION_ID = 'locust-studio.locust-studio';
/** This file's screenshots start with `activation-` (failures: `failure-<test name>`); its logs go here. */
const LOGS_OUT = path.join(E2E_OUTPUT, 'activation-logs');
const TEST_NAMES = [
  'the VSIX installs into code-server and the workbench opens the examples folder',
  'opening locustfile.py shows the "Run load test" code lens',
  '"Locust Studio: Open Run Panel" shows the run panel with "No run yet"',
  '"Run load test" on the lens streams a real Locust run into the panel, and Stop ends it',
  '"Run task once" on a task runs it against the target and reports its requests',
] as const;

let target: Awaited<ReturnType<typeof startTarget>> | undefined;

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
    if (!existsSync(VSIX)) {
      throw new Error(`No VSIX at ${path.relative(ROOT, VSIX)}: run \`npm run package\` first (the e2e test installs the packaged extension).`);
    }
    if (!existsSync(path.join(EXAMPLES, 'locustfile.py'))) {
      throw new Error(`No ${path.relative(ROOT, path.join(EXAMPLES, 'locustfile.py'))}: the e2e test opens a copy of examples/.`);
    }
    const codeServer = await ensureCodeServer();
    // The name marks every process started for this test (code-server's arguments carry it): scripts/test.sh looks for leftovers by it.
    scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-e2e-'));
    extensionsDir = path.join(scratch, 'extensions');
    await installExtension(codeServer, VSIX, extensionsDir);
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
    });
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

after(async () => {
  await closeAll();
  await target?.close();
  if (server) {
    const { pid, logDir } = server;
    await server.stop();
    // VS Code's and code-server's logs outlive the temporary folder, next to the screenshots.
    await cp(logDir, LOGS_OUT, { recursive: true }).catch(() => undefined);
    assert.deepEqual(groupMembers(pid), [], `code-server's process group ${pid} is still alive`);
  }
  if (scratch) {
    const leftovers = processesMentioning(scratch);
    assert.deepEqual(leftovers, [], `processes started for this test are still running:\n${leftovers.join('\n')}`);
    await rm(scratch, { recursive: true, force: true });
  }
});

/** Runs a step with the workbench page; a failure keeps a screenshot named after the test. */
function step(t: TestContext, fn: (page: Page) => Promise<void>): Promise<void> {
  return withFailureScreenshot(workbench?.page, t.name, async () => {
    assert.ok(workbench, 'the workbench did not open (see the first failure)');
    await fn(workbench.page);
  });
}

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
    await screenshot(page, 'activation-4-run-live');
    assert.ok(processesMentioning('locust_studio_launch').length > 0, 'a real Locust runs');

    await panel.locator('vscode-button', { hasText: 'Stop' }).click();
    await panel.locator('.state', { hasText: 'stopped' }).waitFor({ state: 'visible', timeout: 30_000 });
    const final = await countIn(totalRequests);
    assert.ok(final >= first && final > 0, `final request count ${final} after ${first}`);
    // locustfile.py calls only healthy endpoints of the demo target.
    assert.equal(await countIn(panel.locator('table.stats tfoot td').nth(3)), 0, 'no request failed');
    await waitUntil(() => Promise.resolve(processesMentioning('locust_studio_launch').length === 0), 15_000, 'Locust to exit');
    await screenshot(page, 'activation-5-run-stopped');
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
    await screenshot(page, 'activation-6-task-once');
    assert.equal(processesMentioning('locust_studio_task').length, 0, 'the task process is gone');
  });
});

/** Answers the run's input boxes in order (an empty answer keeps the prefilled value), then starts the run. */
async function answerRunQuestions(page: Page, answers: string[]): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  for (const [i, answer] of answers.entries()) {
    await widget.locator('.quick-input-title', { hasText: `(${i + 1}/${answers.length})` }).waitFor({ state: 'visible', timeout: 30_000 });
    if (answer) await widget.locator('.quick-input-box input').fill(answer);
    await page.keyboard.press('Enter');
  }
  await widget.locator('.quick-input-list .monaco-list-row', { hasText: 'Start the run' }).click();
}

async function countIn(cell: { textContent(): Promise<string | null> }): Promise<number> {
  return Number(((await cell.textContent()) ?? '').replace(/[^\d]/g, '') || '0');
}

/** Polls a condition about something outside the page (the panel's text, the process table) until it holds. */
async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Processes whose command line mentions `text` (Linux /proc). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (args.includes(text)) found.push(`${entry} ${args.slice(0, 200)}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
