// End-to-end: the packaged VSIX in a real VS Code (code-server) on a copy of examples/ — activation, the language server's code lens, the run panel.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
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
] as const;

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
