// End-to-end: the VSIX in code-server on a trusted folder whose locust.conf misspells an option: the interpreter's Locust (2.47.0)
// lists its options, the Problems view names the key with "did you mean", and the quick fix writes the option Locust takes.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureCodeServer, groupMembers, installExtension, startCodeServer, type RunningCodeServer } from '../../scripts/codeServer';
import { locustMatrix } from '../../scripts/locustVersions';
import { E2E_OUTPUT, closeAll, openFile, openWorkbench, runCommand, screenshot, setTheme, waitUntil, withFailureScreenshot } from './workbench';

const ROOT = path.resolve(__dirname, '..', '..');
const VSIX = path.join(ROOT, 'dist', 'locust-studio.vsix');
const NEWEST = locustMatrix().find((l) => l.role === 'newest')!;

const LOCUSTFILE = `from locust import HttpUser, events, task


@events.init_command_line_parser.add_listener
def _(parser):
    parser.add_argument("--target-env", default="staging")


class Shopper(HttpUser):
    @task
    def home(self):
        self.client.get("/")
`;
const CONF = '[locust]\nhost = http://127.0.0.1:9\nuserz = 3\ntarget-env = prod\nheadless\n';

let scratch: string | undefined;
let workspace = '';
let server: RunningCodeServer | undefined;

before(
  async () => {
    if (!existsSync(VSIX)) throw new Error('No VSIX: run `npm run package` first (the e2e test installs the packaged extension).');
    assert.ok(existsSync(NEWEST.python), `${NEWEST.label} is not installed: run scripts/setup.sh`);
    const codeServer = await ensureCodeServer();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-e2e-conf-'));
    const extensionsDir = path.join(scratch, 'extensions');
    await installExtension(codeServer, VSIX, extensionsDir);
    workspace = path.join(scratch, 'shop');
    await mkdir(workspace, { recursive: true });
    await writeFile(path.join(workspace, 'locustfile.py'), LOCUSTFILE);
    await writeFile(path.join(workspace, 'locust.conf'), CONF);
    server = await startCodeServer({ workspace, extensionsDir, userDataDir: path.join(scratch, 'user-data'), codeServer, settings: { 'locustStudio.python': NEWEST.python } });
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

test('locust.conf: an unknown key is a problem with did-you-mean from the interpreter’s Locust; the quick fix writes the option', { timeout: 5 * 60_000 }, async (t) => {
  assert.ok(server, 'code-server did not start');
  const { page } = await openWorkbench(server.url, { screenshotsDir: E2E_OUTPUT, failureName: t.name });
  await withFailureScreenshot(page, t.name, async () => {
    await openFile(page, 'locust.conf');
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: `Locust ${NEWEST.version} has no option 'userz'` }).first();
    await problem.waitFor({ state: 'visible', timeout: 120_000 });
    assert.match((await problem.textContent()) ?? '', /did you mean 'users'\?/);
    const rows = page.locator('.markers-panel .monaco-list-row', { hasText: 'has no option' });
    assert.equal(await rows.count(), 1, 'host, headless and the locustfile’s own target-env are known keys');
    for (const theme of ['Light Modern', 'Dark Modern'] as const) {
      await setTheme(page, theme);
      await screenshot(page, `locust-conf-unknown-option-${theme === 'Light Modern' ? 'light' : 'dark'}`);
    }

    // The quick fix from the Problems view's row: the light bulb's first (preferred) action.
    await problem.click();
    await runCommand(page, 'Quick Fix...');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: "Change to 'users'" }).first();
    await fix.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(page, 'locust-conf-quick-fix');
    await fix.click();
    await runCommand(page, 'File: Save');
    await waitUntil(async () => (await readFile(path.join(workspace, 'locust.conf'), 'utf8')).includes('users = 3'), 30_000, 'the fixed locust.conf on disk');
    assert.equal(await readFile(path.join(workspace, 'locust.conf'), 'utf8'), CONF.replace('userz', 'users'));
    await problem.waitFor({ state: 'detached', timeout: 30_000 });
  });
});
