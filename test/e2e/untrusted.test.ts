// End-to-end in Restricted Mode: the VSIX in code-server on an untrusted copy of examples/ — language features work, nothing can run.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureCodeServer, groupMembers, installExtension, startCodeServer, type RunningCodeServer } from '../../scripts/codeServer';
import {
  closeAll,
  copyExamples,
  E2E_OUTPUT,
  openFile,
  openQuickInput,
  openWorkbench,
  PACKAGED_VSIX,
  processesMentioning,
  requirePackagedVsix,
  runCommand,
  screenshot,
  withFailureScreenshot,
  type Workbench,
} from './workbench';


let scratch: string | undefined;
let server: RunningCodeServer | undefined;
let workbench: Workbench | undefined;

before(
  async () => {
    requirePackagedVsix();
    const codeServer = await ensureCodeServer();
    // The name marks every process started for this test: scripts/test.sh looks for leftovers by it.
    scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-e2e-untrusted-'));
    const extensionsDir = path.join(scratch, 'extensions');
    await installExtension(codeServer, PACKAGED_VSIX, extensionsDir);
    const workspace = path.join(scratch, 'examples');
    await copyExamples(workspace);
    server = await startCodeServer({ workspace, extensionsDir, userDataDir: path.join(scratch, 'user-data'), codeServer, workspaceTrust: 'restricted' });
  },
  { timeout: 15 * 60_000 },
);

after(async () => {
  await closeAll();
  if (server) {
    const { pid } = server;
    await server.stop();
    assert.deepEqual(groupMembers(pid), [], `code-server's process group ${pid} is still alive`);
  }
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('an untrusted workspace: diagnostics from the language server, no run or debug lens, no run command, no Locust started', { timeout: 5 * 60_000 }, async (t) => {
  assert.ok(server, 'code-server did not start');
  workbench = await openWorkbench(server.url, { screenshotsDir: E2E_OUTPUT, failureName: t.name });
  const { page } = workbench;
  await withFailureScreenshot(page, t.name, async () => {
    // Restricted Mode is on: VS Code says so in the status bar.
    await page.locator('#workbench\\.parts\\.statusbar').getByText('Restricted Mode').waitFor({ state: 'visible', timeout: 60_000 });
    // Language features work: the legacy API in legacy_0x.py is flagged by our server.
    await openFile(page, 'legacy_0x.py');
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'HttpLocust' }).first();
    await problem.waitFor({ state: 'visible', timeout: 90_000 });

    // locustfile.py has User classes and tasks: in a trusted folder it shows lenses within seconds (see activation.test.ts).
    await openFile(page, 'locustfile.py');
    // A positive signal that our server has this document: its hover over `HttpUser` in the class line.
    const base = page.locator('.monaco-editor .view-line', { hasText: 'class ShopVisitor(HttpUser)' }).locator('span', { hasText: /^HttpUser$/ }).first();
    await base.hover();
    await page.locator('.monaco-hover', { hasText: 'records every request in the statistics' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.keyboard.press('Escape');
    // The client asked for code lenses when the editor opened; in an untrusted folder none of them is shown.
    const lenses = page.locator('.monaco-editor .codelens-decoration a');
    assert.equal(await lenses.filter({ hasText: /Run load test|Run task once|Debug task|Run shape/ }).count(), 0, 'no run or debug lens');

    // The run commands are disabled: the palette does not offer them.
    await openQuickInput(page, 'F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill('>Locust Studio: Run');
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name');
    // Commands that stay available (Open Run Panel, Show Log) are listed: the list is complete once one shows.
    await rows.filter({ hasText: /^Locust Studio: Open Run Panel$/ }).first().waitFor({ state: 'visible', timeout: 15_000 });
    const offered = await rows.allTextContents();
    assert.ok(!offered.some((label) => /^Locust Studio: Run (Load Test|Load Test Again)$/.test(label)), `the palette offered: ${JSON.stringify(offered)}`);
    await page.keyboard.press('Escape');
    await screenshot(page, 'untrusted-1-restricted-mode');
    assert.deepEqual(processesMentioning('locust_studio_'), [], 'no Locust or task process started');
  });
});
