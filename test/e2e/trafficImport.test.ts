// End-to-end: the packaged VSIX in code-server — the Explorer's "New Locustfile from Traffic…" on a curl file writes and opens
// a locustfile, and its "Run task once" offer runs the generated task (login in on_start included) against the demo target.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startTarget } from '../../examples/target/server.mjs';
import { DEBIAN_PYTHON } from '../../scripts/locustVersions';
import { ensureCodeServer, installExtension, startCodeServer, type RunningCodeServer } from '../../scripts/codeServer';
import {
  E2E_OUTPUT,
  fileSafe,
  openWorkbench,
  PACKAGED_VSIX,
  requirePackagedVsix,
  runCommand,
  screenshot,
  stepIn,
  tearDown,
  webviewFrame,
  type Workbench,
} from './workbench';
import { REPO_ROOT } from '../helpers/lspClient';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'traffic', 'shopFlow.curl');
const FIXTURE_HOST = 'http://127.0.0.1:8080';
/** This file's screenshots start with `traffic-` (failures: `failure-<test name>`); its logs go here. */
const LOGS_OUT = path.join(E2E_OUTPUT, 'traffic-logs');
const TEST_NAMES = ['the Explorer\'s "New Locustfile from Traffic…" on a curl file opens a locustfile whose "Run task once" passes against the target'] as const;

let target: Awaited<ReturnType<typeof startTarget>> | undefined;
let scratch: string | undefined;
let workspace = '';
let server: RunningCodeServer | undefined;
let workbench: Workbench | undefined;

before(
  async () => {
    await mkdir(E2E_OUTPUT, { recursive: true });
    for (const name of readdirSync(E2E_OUTPUT)) {
      if (/^traffic-.*\.png$/.test(name) || TEST_NAMES.some((test) => name === `${fileSafe(`failure-${test}`)}.png`)) await rm(path.join(E2E_OUTPUT, name), { force: true });
    }
    await rm(LOGS_OUT, { recursive: true, force: true });
    requirePackagedVsix();
    const codeServer = await ensureCodeServer();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-e2e-'));
    const extensionsDir = path.join(scratch, 'extensions');
    await installExtension(codeServer, PACKAGED_VSIX, extensionsDir);
    target = await startTarget({ port: 0, quiet: true });
    workspace = path.join(scratch, 'recordings');
    await mkdir(path.join(workspace, '.vscode'), { recursive: true });
    await writeFile(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'locustStudio.python': DEBIAN_PYTHON }, null, 2));
    await writeFile(path.join(workspace, 'shop.curl'), (await readFile(FIXTURE, 'utf8')).replaceAll(FIXTURE_HOST, target.url));
    // The generated file reads the password from the environment, as its header says: the extension host inherits this.
    process.env['LOCUST_PASSWORD'] = 'secret-pass';
    server = await startCodeServer({ workspace, extensionsDir, userDataDir: path.join(scratch, 'user-data'), codeServer });
  },
  { timeout: 15 * 60_000 },
);

after(() => tearDown({ server, target, scratch, logsOut: LOGS_OUT }));

const step = stepIn(() => workbench);

test(TEST_NAMES[0], { timeout: 6 * 60_000 }, async (t) => {
  assert.ok(server, 'code-server did not start');
  workbench = await openWorkbench(server.url, { screenshotsDir: E2E_OUTPUT, failureName: t.name });
  await step(t, async (page) => {
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'shop.curl' }).first();
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    // The menu is made when it opens: until the workbench has read the extension's contributions, the entry is not in it.
    const entry = page.locator('.monaco-menu .action-label', { hasText: 'New Locustfile from Traffic…' });
    const deadline = Date.now() + 90_000;
    for (;;) {
      await row.click({ button: 'right' });
      try {
        await entry.waitFor({ state: 'visible', timeout: 5_000 });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await page.keyboard.press('Escape');
      }
    }
    // A click that lands while the menu is still laying itself out is lost: the menu stays open. Then again, by keyboard.
    await entry.click();
    await entry.waitFor({ state: 'hidden', timeout: 5_000 }).catch(async () => {
      await entry.hover();
      await page.keyboard.press('Enter');
      await entry.waitFor({ state: 'hidden', timeout: 10_000 });
    });
    // Options: none (an HttpUser without static assets and other hosts).
    const quickInput = page.locator('.quick-input-widget');
    await quickInput.getByText('Keep static assets').waitFor({ state: 'visible', timeout: 30_000 });
    await page.keyboard.press('Enter');
    // The save dialog (code-server's own, a quick input) proposes locustfile_shop.py beside the recording.
    await quickInput.locator('input').and(page.locator(':focus')).waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.value?.endsWith('locustfile_shop.py'), undefined, { timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active[data-resource-name="locustfile_shop.py"]').waitFor({ state: 'visible', timeout: 30_000 });
    const written = await readFile(path.join(workspace, 'locustfile_shop.py'), 'utf8');
    assert.match(written, /def on_start\(self\):/);
    const offer = page.locator('.notifications-toasts .notification-toast', { hasText: 'locustfile_shop.py: 5 requests from curl' });
    await offer.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'traffic-1-generated');
    await offer.locator('.monaco-button', { hasText: 'Run task once' }).click();
    // The task ran with its on_start: the login, the token, the order and reading it back, none failed.
    const done = page.locator('.notifications-toasts .notification-toast', { hasText: /RecordedUser\.post_api_orders: \d+ requests?, 0 failed/ });
    await done.waitFor({ state: 'visible', timeout: 90_000 });
    const panel = webviewFrame(page);
    await panel.locator('tr', { hasText: '/api/orders/' }).filter({ hasText: '200' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'traffic-2-task-once');
    await runCommand(page, 'Preferences: Toggle between Light/Dark Themes');
    await page.locator('.monaco-workbench.vs-dark').waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'traffic-3-task-once-dark');
  });
});
