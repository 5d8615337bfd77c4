// End-to-end: workers on other hosts from the editor, in a real VS Code (code-server) with the packaged VSIX. The
// workspace's settings name two hosts (network namespaces with an sshd each, test/helpers/sshHosts.ts) and the master's
// address; Run Load Test starts the workers there, the panel's Workers view shows each one's host, "Copy the Worker
// Command" puts the run's exact worker command on the clipboard, and Stop leaves nothing on either host.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureCodeServer, installExtension, startCodeServer, type RunningCodeServer } from '../../scripts/codeServer';
import { createSshNetwork, type SshNetwork } from '../helpers/sshHosts';
import { E2E_OUTPUT, openFile, openWorkbench, runCommand, screenshot, stepIn, tearDown, webviewFrame, type Workbench } from './workbench';

const ROOT = path.resolve(__dirname, '..', '..');
const VSIX = process.env['LOCUST_STUDIO_VSIX'] ?? path.join(ROOT, 'dist', 'locust-studio.vsix');
const SCREENSHOTS = path.join(ROOT, 'test-output', 'screenshots');
const LOGS_OUT = path.join(E2E_OUTPUT, 'remote-workers-logs');
/** The demo target's port inside each worker namespace (its own loopback). */
const TARGET_PORT = 18_089;
const TEST_NAMES = ['Run Load Test with worker hosts: the Workers view names each host; Copy the Worker Command (palette and panel); Stop leaves nothing there'] as const;

const LOCUSTFILE = `from locust import HttpUser, constant, task
from endpoints import HOME


class Remote(HttpUser):
    wait_time = constant(0.1)

    @task
    def home(self):
        self.client.get(HOME)
`;

let scratch: string | undefined;
let server: RunningCodeServer | undefined;
let workbench: Workbench | undefined;
let network: SshNetwork | undefined;
const cleanups: (() => Promise<void>)[] = [];

before(
  async () => {
    if (!existsSync(VSIX)) throw new Error('No VSIX: run `npm run package` first (the e2e test installs the packaged extension).');
    const codeServer = await ensureCodeServer();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-e2e-remote-'));
    network = await createSshNetwork({ after: (fn) => cleanups.push(fn) }, 2);
    await Promise.all(network.hosts.map((h) => h.startTarget(TARGET_PORT)));
    const workspace = path.join(scratch, 'workspace');
    await mkdir(path.join(workspace, '.vscode'), { recursive: true });
    await writeFile(path.join(workspace, 'locustfile.py'), LOCUSTFILE);
    await writeFile(path.join(workspace, 'endpoints.py'), 'HOME = "/"\n');
    await writeFile(
      path.join(workspace, '.vscode', 'settings.json'),
      JSON.stringify(
        {
          'locustStudio.python': '/usr/bin/python3',
          'locustStudio.defaultUsers': 4,
          'locustStudio.defaultSpawnRate': 4,
          'locustStudio.defaultRunTime': '',
          'locustStudio.statsInterval': 0.5,
          'locustStudio.runFolder': '${workspaceFolder}/.locust-studio/runs',
          'locustStudio.workerHosts': network.hosts.map((h) => h.target),
          'locustStudio.masterBind': network.masterAddress,
          'locustStudio.workerPython': '/usr/bin/python3',
          'locustStudio.sshConfig': network.sshConfig,
        },
        null,
        2,
      ),
    );
    const extensionsDir = path.join(scratch, 'extensions');
    await installExtension(codeServer, VSIX, extensionsDir);
    server = await startCodeServer({ workspace, extensionsDir, userDataDir: path.join(scratch, 'user-data'), codeServer });
  },
  { timeout: 15 * 60_000 },
);

after(async () => {
  await tearDown({ server, target: undefined, scratch, logsOut: LOGS_OUT });
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const step = stepIn(() => workbench);

test(TEST_NAMES[0], { timeout: 6 * 60_000 }, async (t) => {
  assert.ok(server && network, 'code-server did not start');
  workbench = await openWorkbench(server.url, { screenshotsDir: SCREENSHOTS, failureName: t.name });
  await workbench.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin });
  await step(t, async (page) => {
    await openFile(page, 'locustfile.py');
    await runCommand(page, 'Locust Studio: Run Load Test');
    // The questions as a user answers them; the confirmation says where the workers run.
    const widget = page.locator('.quick-input-widget');
    for (const [i, answer] of ['', '', '', `http://127.0.0.1:${TARGET_PORT}`].entries()) {
      await widget.locator('.quick-input-title', { hasText: `(${i + 1}/5)` }).waitFor({ state: 'visible', timeout: 30_000 });
      if (answer) await widget.locator('.quick-input-box input').fill(answer);
      await page.keyboard.press('Enter');
    }
    const start = widget.locator('.quick-input-list .monaco-list-row', { hasText: 'Start the run' });
    await start.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await start.textContent()) ?? '', new RegExp(`workers on ${network!.hosts.map((h) => h.target).join(', ').replaceAll('.', '\\.')}`));
    await start.click();
    const panel = webviewFrame(page);
    // Each worker's row names its host (its reports carry it to the master).
    for (const host of network!.hosts) await panel.locator('.workers-view td', { hasText: host.target }).waitFor({ state: 'visible', timeout: 120_000 });
    await panel.locator('.state', { hasText: 'running' }).waitFor({ state: 'visible', timeout: 60_000 });
    await screenshot(page, 'remote-workers-1-workers-view');

    await runCommand(page, 'Locust Studio: Copy the Worker Command');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'copied' });
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, new RegExp(`^locust --locustfile=locustfile\\.py --worker --master-host=${network!.masterAddress.replaceAll('.', '\\.')} --master-port=\\d+$`));
    assert.ok(((await toast.textContent()) ?? '').includes(copied), 'the notification shows what was copied');
    await screenshot(page, 'remote-workers-2-copied');
    // The panel's button asks the host for the same command.
    await runCommand(page, 'Notifications: Clear All Notifications');
    await page.evaluate(() => navigator.clipboard.writeText(''));
    await panel.locator('.workers-bar vscode-button', { hasText: 'Copy worker command' }).click();
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'copied' }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), copied, 'the panel’s button copies the same command');

    await runCommand(page, 'Locust Studio: Stop Load Test');
    await panel.locator('.state', { hasText: 'stopped' }).waitFor({ state: 'visible', timeout: 90_000 });
    for (const host of network!.hosts) assert.deepEqual(await host.settled(), [], `no process left in ${host.namespace}`);
    assert.deepEqual(await network!.sshClientsSettled(), [], 'no ssh left on this machine');
  });
});
