// Screenshots of the run panel in a real VS Code (code-server, 1600×1000): beside the editor and maximised, light and dark, busy and stopped.
// Run after `npm run package`: node --import tsx scripts/panelShots.ts → test-output/shots/*.png. Loads only the demo target on 127.0.0.1.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startTarget } from '../examples/target/server.mjs';
import { ensureCodeServer, installExtension, startCodeServer, type RunningCodeServer } from './codeServer';
import { closeAll, openFile, openWorkbench, runCommand, waitForCodeLens, webviewFrame } from '../test/e2e/workbench';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'test-output', 'shots');
const VIEWPORT = { width: 1600, height: 1000 };
/** Samples to wait for before the busy pictures: enough for the rolling windows and the heatmap to tell their story. */
const BUSY_SAMPLES = 45;

/** A low-rate run mixing a fast endpoint and a 300 ms one: the case where 1 s percentiles jump and 10 s ones read. */
const MIXED = (host: string) => `from locust import HttpUser, constant, task


class Visitor(HttpUser):
    host = "${host}"
    wait_time = constant(1)

    @task(4)
    def health(self):
        self.client.get("/health")

    @task(1)
    def slow(self):
        self.client.get("/slow?ms=300", name="/slow")
`;

const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern' } as const;

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-e2e-shots-'));
  const target = await startTarget({ port: 0, quiet: true });
  let server: RunningCodeServer | undefined;
  try {
    const codeServer = await ensureCodeServer();
    const extensionsDir = path.join(scratch, 'extensions');
    await installExtension(codeServer, path.join(ROOT, 'dist', 'locust-studio.vsix'), extensionsDir);
    const workspace = path.join(scratch, 'workspace');
    await mkdir(path.join(workspace, '.vscode'), { recursive: true });
    await writeFile(path.join(workspace, 'mixed.py'), MIXED(target.url));
    const settingsFile = path.join(workspace, '.vscode', 'settings.json');
    const settings = (theme: keyof typeof THEMES) =>
      writeFile(settingsFile, JSON.stringify({
        'locustStudio.defaultUsers': 3, 'locustStudio.defaultSpawnRate': 3, 'locustStudio.defaultRunTime': '', 'workbench.colorTheme': THEMES[theme],
      }, null, 2));
    await settings('light');
    server = await startCodeServer({ workspace, extensionsDir, userDataDir: path.join(scratch, 'user-data'), codeServer });
    const { page } = await openWorkbench(server.url, { screenshotsDir: OUT, viewport: VIEWPORT });
    const panel = webviewFrame(page);
    const theme = async (name: keyof typeof THEMES) => {
      await settings(name);
      await page.locator(`.monaco-workbench.${name === 'dark' ? 'vs-dark' : 'vs'}`).waitFor({ timeout: 30_000 });
      await panel.locator(`body.vscode-${name}`).waitFor({ timeout: 30_000 });
    };
    const shot = async (name: string) => {
      await page.screenshot({ path: path.join(OUT, `${name}.png`) });
      console.log(`[shots] ${name}.png`);
    };
    const chartTab = async (label: string) => {
      const tab = panel.locator('.chart-tabs button', { hasText: label });
      if (await tab.isVisible()) await tab.click();
    };

    await openFile(page, 'mixed.py');
    await (await waitForCodeLens(page, 'Run load test', 90_000)).click();
    await answerDefaults(page);
    await panel.locator('.state', { hasText: 'running' }).waitFor({ timeout: 90_000 });
    // Samples are counted, not seconds: a loaded machine takes as long as it takes.
    for (;;) {
      const points = Number(await panel.locator('figure[data-chart="requests"]').getAttribute('data-points'));
      if (points >= BUSY_SAMPLES) break;
      await page.waitForTimeout(1000);
    }
    for (const name of ['light', 'dark'] as const) {
      await theme(name);
      await chartTab('Response times');
      await shot(`beside-busy-times-${name}`);
      await chartTab('Latency distribution');
      await shot(`beside-busy-heatmap-${name}`);
    }
    await runCommand(page, 'View: Toggle Maximize Editor Group');
    for (const name of ['dark', 'light'] as const) {
      await theme(name);
      await shot(`maximised-busy-${name}`);
    }
    await panel.locator('vscode-button', { hasText: 'Stop' }).click();
    await panel.locator('.state', { hasText: 'stopped' }).waitFor({ timeout: 60_000 });
    for (const name of ['light', 'dark'] as const) {
      await theme(name);
      await shot(`maximised-stopped-${name}`);
    }
    await runCommand(page, 'View: Toggle Maximize Editor Group');
    await chartTab('Response times');
    for (const name of ['dark', 'light'] as const) {
      await theme(name);
      await shot(`beside-stopped-${name}`);
    }
  } finally {
    await closeAll();
    await server?.stop();
    await target.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The run questions with their defaults (Enter on each), then "Start the run". */
async function answerDefaults(page: Page): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  for (let step = 1; step <= 4; step++) {
    await widget.locator('.quick-input-title', { hasText: `(${step}/5)` }).waitFor({ timeout: 60_000 });
    await page.keyboard.press('Enter');
  }
  await widget.locator('.quick-input-list .monaco-list-row', { hasText: 'Start the run' }).click();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
