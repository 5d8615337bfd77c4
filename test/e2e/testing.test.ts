// End-to-end: the packaged VSIX in code-server on a copy of examples/ — VS Code's Testing view lists thresholds.py's
// THRESHOLDS, runs them as a real (short) Locust run against the demo target, and shows which held, which failed and by how much.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startTarget } from '../../examples/target/server.mjs';
import { parseRunMeta, type RunMeta } from '../../protocol/runRecord';
import { ensureCodeServer, installExtension, startCodeServer, type RunningCodeServer } from '../../scripts/codeServer';
import {
  E2E_OUTPUT,
  fileSafe,
  openWorkbench,
  PACKAGED_VSIX,
  processesMentioning,
  requirePackagedVsix,
  screenshot,
  showTestingView,
  stepIn,
  tearDown,
  testExplorerRow,
  waitUntil,
  webviewFrame,
  type Workbench,
} from './workbench';
import { REPO_ROOT } from '../helpers/lspClient';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const LOCUSTFILE = 'thresholds.py';
/** examples/thresholds.py's THRESHOLDS against the demo target: these hold… */
const HOLDS = ['p95 < 2s', 'GET /products: fail_ratio < 1%'];
/** …and this one fails: a quarter of the file's requests go to /error, which always answers 500. */
const FAILS = 'fail_ratio < 1%';
/** The run the Testing view starts: small and short (settings below; the demo's locust.conf sets only the host). */
const RUN = { users: 5, spawnRate: 5, runTime: '6s' };
/** This file's screenshots start with `testing-` (failures: `failure-<test name>`); its logs go here. */
const LOGS_OUT = path.join(E2E_OUTPUT, 'testing-logs');
const TEST_NAMES = [
  'the Testing view lists thresholds.py with one test per threshold, not yet run',
  'running thresholds.py from the Testing view runs the load test without asking and marks each threshold as the record\'s verdict says',
  'the failed threshold\'s peek opens at its line and shows the measured value of the record',
] as const;

let target: Awaited<ReturnType<typeof startTarget>> | undefined;
let scratch: string | undefined;
let server: RunningCodeServer | undefined;
let workbench: Workbench | undefined;
/** meta.json of the run the Testing view started: the second test reads it, the third compares the peek with it. */
let meta: RunMeta | undefined;

before(
  async () => {
    // Only this run's pictures and logs: stale ones from an earlier run would mislead.
    await mkdir(E2E_OUTPUT, { recursive: true });
    for (const name of readdirSync(E2E_OUTPUT)) {
      if (/^testing-.*\.png$/.test(name) || TEST_NAMES.some((test) => name === `${fileSafe(`failure-${test}`)}.png`)) {
        await rm(path.join(E2E_OUTPUT, name), { force: true });
      }
    }
    await rm(LOGS_OUT, { recursive: true, force: true });
    requirePackagedVsix();
    if (!existsSync(path.join(EXAMPLES, LOCUSTFILE))) throw new Error(`No examples/${LOCUSTFILE}: this test runs its thresholds.`);
    const codeServer = await ensureCodeServer();
    // The name marks every process started for this test (code-server's arguments carry it): scripts/test.sh looks for leftovers by it.
    scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-e2e-testing-'));
    const extensionsDir = path.join(scratch, 'extensions');
    await installExtension(codeServer, PACKAGED_VSIX, extensionsDir);
    // A copy: VS Code and the extension write into the folder (run records); the repo's examples stay untouched.
    const workspace = path.join(scratch, 'examples');
    await cp(EXAMPLES, workspace, { recursive: true, filter: (source) => !/[/\\](node_modules|__pycache__|\.locust-studio)$/.test(source) });
    target = await startTarget({ port: 0, quiet: true });
    // The copy points at the demo target on its free port instead of the demo's 8080: locust.conf's host (which the
    // Testing view takes, so it has nothing to ask) and the User class's.
    for (const name of [LOCUSTFILE, 'locust.conf']) {
      const file = path.join(workspace, name);
      await writeFile(file, (await readFile(file, 'utf8')).replaceAll('http://127.0.0.1:8080', target.url));
    }
    const settingsFile = path.join(workspace, '.vscode', 'settings.json');
    const settings = JSON.parse(await readFile(settingsFile, 'utf8').catch(() => '{}')) as Record<string, unknown>;
    Object.assign(settings, {
      'locustStudio.defaultUsers': RUN.users,
      'locustStudio.defaultSpawnRate': RUN.spawnRate,
      'locustStudio.defaultRunTime': RUN.runTime,
      'locustStudio.statsInterval': 0.5,
      // Records where the test can read them, to compare the Testing view with the recorded verdict.
      'locustStudio.runFolder': '${workspaceFolder}/.locust-studio/runs',
    });
    await mkdir(path.dirname(settingsFile), { recursive: true });
    await writeFile(settingsFile, JSON.stringify(settings, null, 2));
    server = await startCodeServer({ workspace, extensionsDir, userDataDir: path.join(scratch, 'user-data'), codeServer });
  },
  { timeout: 15 * 60_000 },
);

after(() => tearDown({ server, target, scratch, logsOut: LOGS_OUT }));

const step = stepIn(() => workbench);

test(TEST_NAMES[0], { timeout: 4 * 60_000 }, async (t) => {
  assert.ok(server, 'code-server did not start');
  workbench = await openWorkbench(server.url, { screenshotsDir: E2E_OUTPUT, failureName: t.name });
  await step(t, async (page) => {
    await showTestingView(page);
    // The controller lists the file once the view asks (the language server reads its THRESHOLDS); the other examples
    // declare none, so they are not listed.
    const file = testExplorerRow(page, LOCUSTFILE, 'Not yet run');
    await file.waitFor({ state: 'visible', timeout: 90_000 });
    if ((await file.getAttribute('aria-expanded')) === 'false') await file.locator('.monaco-tl-twistie').click();
    for (const label of [...HOLDS, FAILS]) await testExplorerRow(page, label, 'Not yet run').waitFor({ state: 'visible', timeout: 30_000 });
    const rows = await page.locator('.test-explorer .monaco-list-row').evaluateAll((found) => found.map((row) => row.getAttribute('aria-label')));
    const expected = [LOCUSTFILE, ...HOLDS, FAILS].map((label) => `${label} (Not yet run)`);
    assert.deepEqual(rows, expected, 'the file, then its thresholds in source order, and nothing else');
    await screenshot(page, 'testing-1-explorer');
  });
});

test(TEST_NAMES[1], { timeout: 4 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    assert.deepEqual(records(), [], 'no run yet');
    const file = testExplorerRow(page, LOCUSTFILE);
    // The row's run button shows while the pointer is over it.
    await file.hover();
    await file.locator('.action-label[aria-label="Run Test"]').click();

    // The run starts at once: locust.conf names the host and the settings the rest, so nothing is asked (no input box,
    // no dialog); the run panel opens beside and follows it.
    const panel = webviewFrame(page);
    const questions = [page.locator('.quick-input-widget'), page.locator('.monaco-dialog-box').first()];
    await waitUntil(async () => {
      for (const question of questions) if (await question.isVisible()) throw new Error(`the Testing view asked: ${await question.innerText()}`);
      return panel.locator('.state', { hasText: /spawning|running|stopped/ }).isVisible();
    }, 60_000, 'the run panel to show the run');

    // The verdict comes when the run ends by itself (its run time): the file failed, two thresholds passed, one failed.
    const ended = ['Passed', 'Failed', 'Errored', 'Skipped'].map((state) => testExplorerRow(page, LOCUSTFILE, state)).reduce((a, b) => a.or(b));
    await ended.waitFor({ state: 'visible', timeout: 120_000 });
    const fileLabel = (await ended.getAttribute('aria-label')) ?? '';
    assert.match(fileLabel, new RegExp(`^${escapeRegExp(LOCUSTFILE)} \\(Failed\\)`), `the file fails (one threshold fails on purpose); its row reads "${fileLabel}"`);
    await panel.locator('.state', { hasText: 'stopped' }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await panel.locator('h2').innerText(), LOCUSTFILE, 'the panel shows the file the Testing view ran');
    await waitUntil(() => Promise.resolve(ours('locust_studio_launch').length === 0), 15_000, 'Locust to exit');

    // The record of that run: its options are the settings' (nothing asked) and its verdict agrees with every row.
    const [record, ...others] = records();
    assert.ok(record, 'the run was recorded');
    assert.deepEqual(others, [], 'one run');
    await waitUntil(async () => (meta = await readMeta(record))?.verdict !== undefined, 15_000, 'the record to hold the verdict');
    const options = JSON.parse(await readFile(path.join(record, 'options.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual({ users: options.users, spawnRate: options.spawnRate, runTime: options.runTime, host: options.host }, { ...RUN, host: target!.url });
    const verdict = meta!.verdict!;
    assert.equal(meta!.outcome, 'finished');
    assert.deepEqual(meta!.thresholds, [...HOLDS, FAILS], 'judged by the file\'s THRESHOLDS');
    assert.equal(verdict.outcome, 'failed');
    const states = Object.fromEntries(verdict.thresholds.map((status) => [status.text, status.state]));
    assert.deepEqual(states, { ...Object.fromEntries(HOLDS.map((text) => [text, 'passed'])), [FAILS]: 'failed' });
    for (const status of verdict.thresholds) {
      await testExplorerRow(page, status.text, status.state === 'passed' ? 'Passed' : 'Failed').waitFor({ state: 'visible', timeout: 5_000 });
    }
    await screenshot(page, 'testing-2-results');
  });
});

test(TEST_NAMES[2], { timeout: 2 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    const failed = meta?.verdict?.thresholds.find((status) => status.text === FAILS);
    assert.ok(failed?.value, 'the record measured the failed threshold (see the previous test)');
    // The value as a user reads it, written out here rather than with the extension's own formatting.
    const measured = `fail_ratio = ${(failed.value * 100).toFixed(2)} %, limit < 1.00 %`;
    assert.ok(failed.value > 0.01, `${measured}: the failure is real`);

    // Selecting the failed test opens the locustfile at that threshold with VS Code's failure peek.
    await testExplorerRow(page, FAILS, 'Failed').click();
    const peek = page.locator('.peekview-widget', { has: page.locator('.peekview-title .dirname', { hasText: new RegExp(`^${escapeRegExp(FAILS)}$`) }) });
    await peek.waitFor({ state: 'visible', timeout: 30_000 });
    const message = peek.locator('.test-output-peek-message-container .view-lines');
    await message.waitFor({ state: 'visible', timeout: 15_000 });
    // The peek's editor writes spaces as no-break spaces.
    const text = (await message.innerText()).replace(/\u00a0/g, ' ');
    assert.ok(text.includes(measured), `the peek says "${measured}"; it shows:\n${text}`);

    // The cursor sits on the threshold's line in thresholds.py.
    const source = await readFile(path.join(scratch!, 'examples', LOCUSTFILE), 'utf8');
    const line = source.split('\n').findIndex((text) => text.trim() === `"${FAILS}",`) + 1;
    assert.ok(line > 0, `"${FAILS}" in ${LOCUSTFILE}`);
    await page.locator('.tabs-container .tab.active[data-resource-name="thresholds.py"]').waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('#workbench\\.parts\\.statusbar').getByText(new RegExp(`^Ln ${line}, Col \\d+$`)).waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, 'testing-3-failure-peek');
  });
});

/** Processes of this test (their command line names the workspace copy); other test runs on the machine are not ours. */
function ours(text: string): string[] {
  return processesMentioning(text).filter((line) => scratch !== undefined && line.includes(scratch));
}

/** The run records of the workspace copy, newest first (their folder names start with the start time). */
function records(): string[] {
  const base = path.join(scratch!, 'examples', '.locust-studio', 'runs');
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((name) => existsSync(path.join(base, name, 'options.json')))
    .sort()
    .reverse()
    .map((name) => path.join(base, name));
}

/** meta.json of a record, validated as the extension reads it; undefined while it is not there yet. */
async function readMeta(record: string): Promise<RunMeta | undefined> {
  const text = await readFile(path.join(record, 'meta.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = parseRunMeta(JSON.parse(text));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

