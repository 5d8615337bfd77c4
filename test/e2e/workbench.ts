// Drives a real VS Code workbench (code-server) in headless Chromium for the end-to-end tests: palette, quick open, code lenses, webviews, screenshots.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/browser';
import { REPO_ROOT } from '../helpers/lspClient';
import { groupMembers, type RunningCodeServer } from '../../scripts/codeServer';

/** The git-ignored folder where e2e screenshots (and copies of code-server's logs) are kept. */
export const E2E_OUTPUT = path.join(REPO_ROOT, 'test-output', 'e2e');
/** Where the e2e tests that show the workbench to people (light and dark) put their screenshots. */
export const SCREENSHOTS_DIR = path.join(REPO_ROOT, 'test-output', 'screenshots');
/** The packaged extension; LOCUST_STUDIO_VSIX names another copy (one that a parallel `npm run package` cannot replace midway). */
export const PACKAGED_VSIX = process.env['LOCUST_STUDIO_VSIX'] ?? path.join(REPO_ROOT, 'dist', 'locust-studio.vsix');

/** Fails the test file at once, with what to do, when the extension was not packaged (the e2e tests install the VSIX). */
export function requirePackagedVsix(): void {
  if (!existsSync(PACKAGED_VSIX)) throw new Error(`No VSIX at ${path.relative(REPO_ROOT, PACKAGED_VSIX)}: run \`npm run package\` first (the e2e tests install the packaged extension).`);
}

/** Copies examples/ into a scratch workspace, without what running them leaves (node_modules, caches, run records). */
export function copyExamples(workspace: string): Promise<void> {
  return cp(path.join(REPO_ROOT, 'examples'), workspace, { recursive: true, filter: (source) => !/[/\\](node_modules|__pycache__|\.locust-studio)$/.test(source) });
}

export interface Workbench {
  page: Page;
  context: BrowserContext;
  screenshotsDir: string;
  /** Closes this browser and removes its profile. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Default `test-output/e2e`. */
  screenshotsDir?: string;
  /** Milliseconds for the workbench and the extension host to come up. Default 90 s (2 cores, cold code-server). */
  timeoutMs?: number;
  viewport?: { width: number; height: number };
  /**
   * What "ready" means beyond the workbench itself, e.g. a status bar item or a code lens of the extension under
   * test. The default waits for the Explorer to list the folder's files, which needs the connection to code-server's
   * server side, where the extension host runs.
   */
  ready?: (page: Page, timeoutMs: number) => Promise<void>;
  /** If the workbench never gets ready, a screenshot `failure-<failureName>.png` is kept. Default `open-workbench`. */
  failureName?: string;
}

const screenshotDirs = new WeakMap<Page, string>();
const open = new Set<Workbench>();

/**
 * Opens the workbench URL in a fresh headless Chromium profile and waits until the workbench is usable:
 * `.monaco-workbench` rendered, the status bar present, and `options.ready` (default: the Explorer lists the folder).
 */
export async function openWorkbench(url: string, options: OpenOptions = {}): Promise<Workbench> {
  const screenshotsDir = path.resolve(options.screenshotsDir ?? E2E_OUTPUT);
  mkdirSync(screenshotsDir, { recursive: true });
  const timeout = options.timeoutMs ?? 90_000;
  // A profile of our own (not playwright's) so a leftover browser is recognisable by its command line.
  const profile = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-chromium-'));
  const context = await chromium
    .launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: options.viewport ?? { width: 1440, height: 900 },
    })
    .catch(async (error: unknown) => {
      await rm(profile, { recursive: true, force: true });
      throw error;
    });
  const workbench: Workbench = {
    page: context.pages()[0] ?? (await context.newPage()),
    context,
    screenshotsDir,
    async close() {
      open.delete(workbench);
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
  open.add(workbench);
  const { page } = workbench;
  screenshotDirs.set(page, screenshotsDir);
  try {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
    await page.locator('#workbench\\.parts\\.statusbar').waitFor({ state: 'visible', timeout });
    await (options.ready ?? explorerListsFiles)(page, timeout);
  } catch (error) {
    const file = await screenshot(page, `failure-${options.failureName ?? 'open-workbench'}`).catch(() => undefined);
    await workbench.close();
    if (file && error instanceof Error) error.message += `\n(screenshot: ${file})`;
    throw error;
  }
  return workbench;
}

/**
 * In code-server the remote indicator (`status.host`) is a bare icon with no "connected" text, so it tells nothing.
 * Files listed in the Explorer do: they come over the same connection as the extension host.
 */
async function explorerListsFiles(page: Page, timeout: number): Promise<void> {
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout });
}

/** Closes every workbench browser opened by this process. */
export async function closeAll(): Promise<void> {
  await Promise.all([...open].map((workbench) => workbench.close()));
}

/** The quick input (command palette, quick open) box. */
function quickInput(page: Page): { widget: Locator; input: Locator; rows: Locator } {
  const widget = page.locator('.quick-input-widget');
  return {
    widget,
    input: widget.locator('.quick-input-box input'),
    rows: widget.locator('.quick-input-list .monaco-list-row'),
  };
}

/**
 * Opens the quick input with a key, replaces its text, waits for the row whose label matches and clicks it.
 * Clicking the row (instead of Enter) makes sure the wanted entry is chosen, not whatever fuzzy matching ranks first.
 */
async function pickFromQuickInput(page: Page, key: string, text: string, rowLabel: string | RegExp, timeout: number): Promise<void> {
  const { input, rows } = quickInput(page);
  await openQuickInput(page, key, timeout);
  await input.fill(text);
  const row = rows.filter({ has: page.locator('.label-name', { hasText: rowLabel }) }).first();
  try {
    await row.waitFor({ state: 'visible', timeout });
  } catch (error) {
    const shown = await rows.locator('.label-name').allTextContents().catch(() => []);
    await page.keyboard.press('Escape');
    throw new Error(`no entry ${String(rowLabel)} for "${text}"; the list showed: ${JSON.stringify(shown)}`, { cause: error });
  }
  await row.click();
  // The palette closes, or makes room for the input box the command opens (Attach asks for a URL): the row goes either way.
  await row.waitFor({ state: 'hidden', timeout });
}

/**
 * Runs a command by its palette title (`Category: Title`, e.g. "Locust Studio: Open Run Panel") through F1.
 * The title is matched exactly against the palette row's label.
 */
export async function runCommand(page: Page, title: string, timeout = 30_000): Promise<void> {
  await closeQuickInput(page);
  await pickFromQuickInput(page, 'F1', `>${title}`, new RegExp(`^${escapeRegExp(title)}$`), timeout);
}

/** The language mode the status bar shows once VS Code knows a file's language, by file extension. */
const LANGUAGE_MODES: Record<string, string> = { '.py': 'Python' };

/**
 * Opens a workspace file by its path relative to the folder through quick open (Ctrl+P), and waits for its editor
 * and, for the file kinds in LANGUAGE_MODES, for its language mode: in a workbench that has just started, a file can
 * open as plain text before the built-in language extensions are read, and commands shown only for Python
 * (`editorLangId == python`) are missing from the palette until then.
 */
export async function openFile(page: Page, relativePath: string, timeout = 30_000): Promise<void> {
  const base = path.posix.basename(relativePath);
  await closeQuickInput(page);
  await pickFromQuickInput(page, 'Control+P', relativePath, new RegExp(`^${escapeRegExp(base)}$`), timeout);
  await page.locator(`.tabs-container .tab.active[data-resource-name="${base}"]`).waitFor({ state: 'visible', timeout });
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout });
  const mode = LANGUAGE_MODES[path.posix.extname(base)];
  if (mode) await page.locator('#status\\.editor\\.mode').getByText(mode, { exact: true }).waitFor({ state: 'visible', timeout });
}

/** Waits for a code lens whose text contains `text` in a visible editor, and returns it. */
export async function waitForCodeLens(page: Page, text: string, timeout = 60_000): Promise<Locator> {
  const lens = page.locator('.monaco-editor .codelens-decoration a', { hasText: text }).first();
  await lens.waitFor({ state: 'visible', timeout });
  return lens;
}

/**
 * The document inside the (single) visible extension webview. VS Code nests it: an outer `iframe.webview` (gets
 * `.ready` once loaded) hosts `#active-frame`, which holds the extension's HTML.
 */
export function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Saves `<screenshotsDir>/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = screenshotDirs.get(page) ?? E2E_OUTPUT;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${fileSafe(name)}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Runs `fn`; if it throws, keeps a screenshot named `failure-<name>` before rethrowing. */
export async function withFailureScreenshot<T>(page: Page | undefined, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (page) {
      const file = await screenshot(page, `failure-${name}`).catch(() => undefined);
      if (file && error instanceof Error) error.message += `\n(screenshot: ${file})`;
    }
    throw error;
  }
}

/**
 * Presses `key` until the quick input shows: a key pressed while the workbench moves focus (an editor opening, a view
 * taking focus) can be lost, so it is pressed again after a short wait for the widget, up to the timeout.
 */
export async function openQuickInput(page: Page, key: string, timeout = 30_000): Promise<void> {
  const { widget } = quickInput(page);
  const deadline = Date.now() + timeout;
  for (;;) {
    await page.keyboard.press(key);
    try {
      await widget.waitFor({ state: 'visible', timeout: Math.min(5_000, Math.max(1, deadline - Date.now())) });
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
  }
}

/** Closes a quick input left open (a failed step, a notification's picker) so the next key opens a fresh one. */
async function closeQuickInput(page: Page): Promise<void> {
  const { widget } = quickInput(page);
  if (await widget.isVisible()) {
    await page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden', timeout: 5000 });
  }
}

/** A test or step name as a file name: each run of characters other than letters, digits, '_' and '.' becomes one '-'. */
export function fileSafe(name: string): string {
  return name.replace(/[^\w.]+/g, '-').replace(/^-+|-+$/g, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Processes whose command line mentions `text` (Linux /proc). */
export function processesMentioning(text: string): string[] {
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

/**
 * A row of the Testing view's Test Explorer by its test's label, optionally in a state. VS Code 1.139 names each row
 * `<label> (<state>)` in its aria-label, plus `, in <duration>` once it ran; the states read Not yet run, Queued,
 * Running, Passed, Failed, Errored, Skipped. A test with a description is named by its description instead.
 */
export function testExplorerRow(page: Page, label: string, state?: string): Locator {
  const prefix = state === undefined ? `${label} (` : `${label} (${state})`;
  return page.locator(`.test-explorer .monaco-list-row[aria-label^="${prefix.replace(/["\\]/g, '\\$&')}"]`);
}

/**
 * Opens the Testing view from the activity bar, as a user does: code-server 1.139 offers "Testing: Focus on Test
 * Explorer View" in the palette only once the view has been shown.
 */
export async function showTestingView(page: Page, timeout = 30_000): Promise<void> {
  const explorer = page.locator('.test-explorer');
  // Clicking the icon of the view already shown would close the side bar.
  if (await explorer.isVisible()) return;
  await page.locator('.part.activitybar .action-label[aria-label^="Testing"]').click({ timeout });
  await explorer.waitFor({ state: 'visible', timeout });
}

/**
 * Ends what an e2e test file started: its pages, the demo target, code-server (whose logs are kept in `logsOut`, beside
 * the screenshots) and its scratch folder. Fails when a process of theirs is left behind.
 */
export async function tearDown({ server, target, scratch, logsOut }: { server: RunningCodeServer | undefined; target: { close(): Promise<void> } | undefined; scratch: string | undefined; logsOut: string }): Promise<void> {
  await closeAll();
  await target?.close();
  if (server) {
    const { pid, logDir } = server;
    await server.stop();
    await cp(logDir, logsOut, { recursive: true }).catch(() => undefined);
    assert.deepEqual(groupMembers(pid), [], `code-server's process group ${pid} is still alive`);
  }
  if (scratch) {
    const leftovers = processesMentioning(scratch);
    assert.deepEqual(leftovers, [], `processes started for this test are still running:\n${leftovers.join('\n')}`);
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A test step with the workbench page (`current()` once it is open); a failure keeps a screenshot named after the test. */
export function stepIn(current: () => Workbench | undefined) {
  return (t: TestContext, fn: (page: Page) => Promise<void>): Promise<void> =>
    withFailureScreenshot(current()?.page, t.name, async () => {
      const workbench = current();
      assert.ok(workbench, 'the workbench did not open (see the first failure)');
      await fn(workbench.page);
    });
}

/** Answers the run's input boxes in order (an empty answer keeps the prefilled value), then starts the run. */
export async function answerRunQuestions(page: Page, answers: string[]): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  // The questions, then the confirmation: each step says where it is, the confirmation counted too.
  const steps = answers.length + 1;
  for (const [i, answer] of answers.entries()) {
    await widget.locator('.quick-input-title', { hasText: `(${i + 1}/${steps})` }).waitFor({ state: 'visible', timeout: 30_000 });
    if (answer) await widget.locator('.quick-input-box input').fill(answer);
    await page.keyboard.press('Enter');
  }
  await widget.locator('.quick-input-title', { hasText: `(${steps}/${steps})` }).waitFor({ state: 'visible', timeout: 30_000 });
  await widget.locator('.quick-input-list .monaco-list-row', { hasText: 'Start the run' }).click();
}

/** Switches the color theme as a user does ("Preferences: Color Theme") and waits for the workbench to follow. */
export async function setTheme(page: Page, theme: 'Light Modern' | 'Dark Modern'): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-box input').fill(theme);
  await widget.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first().click();
  await page.locator(theme === 'Dark Modern' ? '.monaco-workbench.vs-dark' : '.monaco-workbench.vs').waitFor({ state: 'attached', timeout: 30_000 });
}

/** Polls a condition about something outside the page (the panel's text, the process table) until it holds. */
export async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
