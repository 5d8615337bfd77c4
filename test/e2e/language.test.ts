// End-to-end: the language of newer Locusts in a real VS Code (code-server) with the packaged VSIX — a MarkovTaskSet's outline and
// the hover on one of its states, the lenses of a pytest-style locustfile, and of User classes whose bases are in the project's package.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureCodeServer, installExtension, startCodeServer, type RunningCodeServer } from '../../scripts/codeServer';
import { E2E_OUTPUT, fileSafe, openFile, openWorkbench, runCommand, screenshot, stepIn, tearDown, waitForCodeLens, type Workbench } from './workbench';

const ROOT = path.resolve(__dirname, '..', '..');
const VSIX = path.join(ROOT, 'dist', 'locust-studio.vsix');
/** This file's screenshots start with `language-` (failures: `failure-<test name>`); its logs go here. */
const LOGS_OUT = path.join(E2E_OUTPUT, 'language-logs');
const TEST_NAMES = [
  'a MarkovTaskSet in the outline: its states under it, each with where it goes',
  'hover on a MarkovTaskSet state: the start state, where it goes and how likely, where it is reached from',
  'a pytest-style locustfile: "Run load test" over the file and each test function, "Run test once" over each',
  'User classes with bases in the project\'s package: their lenses, which follow an unsaved edit of the base in the editor beside',
] as const;

let scratch: string | undefined;
let server: RunningCodeServer | undefined;
let workbench: Workbench | undefined;

before(
  async () => {
    await mkdir(E2E_OUTPUT, { recursive: true });
    for (const name of readdirSync(E2E_OUTPUT)) {
      if (/^language-.*\.png$/.test(name) || TEST_NAMES.some((test) => name === `${fileSafe(`failure-${test}`)}.png`)) await rm(path.join(E2E_OUTPUT, name), { force: true });
    }
    await rm(LOGS_OUT, { recursive: true, force: true });
    if (!existsSync(VSIX)) throw new Error(`No VSIX at ${path.relative(ROOT, VSIX)}: run \`npm run package\` first (the e2e test installs the packaged extension).`);
    const codeServer = await ensureCodeServer();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-e2e-'));
    const extensionsDir = path.join(scratch, 'extensions');
    await installExtension(codeServer, VSIX, extensionsDir);
    const workspace = path.join(scratch, 'newer');
    await mkdir(path.join(workspace, '.vscode'), { recursive: true });
    await copyFile(path.join(ROOT, 'test', 'fixtures', 'locustfiles', 'markov.py'), path.join(workspace, 'markov.py'));
    await copyFile(path.join(ROOT, 'test', 'fixtures', 'task', 'pytest_style.py'), path.join(workspace, 'pytest_style.py'));
    await copyFile(path.join(ROOT, 'test', 'fixtures', 'model', 'project_bases.py'), path.join(workspace, 'project_bases.py'));
    await cp(path.join(ROOT, 'test', 'fixtures', 'model', 'shop_lib'), path.join(workspace, 'shop_lib'), { recursive: true });
    // Every level of the outline open, so the states show without clicks.
    await writeFile(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'outline.collapseItems': 'alwaysExpand' }, null, 2));
    server = await startCodeServer({ workspace, extensionsDir, userDataDir: path.join(scratch, 'user-data'), codeServer });
    workbench = await openWorkbench(server.url, { screenshotsDir: E2E_OUTPUT, failureName: 'language-open' });
  },
  { timeout: 15 * 60_000 },
);

after(() => tearDown({ server, target: undefined, scratch, logsOut: LOGS_OUT }));

const step = stepIn(() => workbench);

test(TEST_NAMES[0], { timeout: 3 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    await openFile(page, 'markov.py');
    // The lens proves the language server answers for this document.
    await waitForCodeLens(page, 'Run load test', 90_000);
    await runCommand(page, 'Explorer: Focus on Outline View');
    // The folder's section folded, so the outline has the sidebar's height (its list renders only the rows on screen).
    const folderHeader = page.locator('.pane-header[aria-expanded="true"]', { hasText: 'newer' });
    if ((await folderHeader.count()) > 0) await folderHeader.first().click();
    const outline = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Outline' }) }).locator('.monaco-list-row');
    // Shop's states with their transitions as the outline's details.
    const checkout = outline.filter({ hasText: /^checkout/ }).first();
    await checkout.waitFor({ state: 'visible', timeout: 60_000 });
    const rows = await outline.allTextContents();
    assert.ok(rows.some((row) => /^Shop.*MarkovTaskSet/.test(row)), rows.join(' | '));
    assert.ok(rows.some((row) => /^cart.*checkout/.test(row)), rows.join(' | '));
    assert.ok(rows.some((row) => /^Browse.*MarkovTaskSet/.test(row)), rows.join(' | '));
    await screenshot(page, 'language-1-markov-outline');
  });
});

test(TEST_NAMES[1], { timeout: 3 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    await openFile(page, 'markov.py');
    // `def home(self):` of Shop is line 13; its name starts at column 9.
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
    await page.keyboard.type('13:10');
    await page.keyboard.press('Enter');
    await runCommand(page, 'Show or Focus Hover');
    const hover = page.locator('.monaco-hover', { hasText: 'State of the MarkovTaskSet' }).first();
    await hover.waitFor({ state: 'visible', timeout: 60_000 });
    const text = (await hover.textContent()) ?? '';
    assert.match(text, /Shop\.home/);
    assert.match(text, /\(the start state\)/);
    assert.match(text, /→ cart 67 %/);
    assert.match(text, /→ home 33 %/);
    await screenshot(page, 'language-2-markov-hover');
  });
});

test(TEST_NAMES[2], { timeout: 3 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    await page.keyboard.press('Escape');
    await openFile(page, 'pytest_style.py');
    await waitForCodeLens(page, 'Run test once', 90_000);
    const lenses = await page.locator('.monaco-editor .codelens-decoration a').allTextContents();
    assert.equal(lenses.filter((text) => /Run test once/.test(text)).length, 3, lenses.join(' | '));
    assert.ok(lenses.some((text) => /Run load test \(all 3 test functions\)/.test(text)), lenses.join(' | '));
    await screenshot(page, 'language-3-pytest-lenses');
  });
});

test(TEST_NAMES[3], { timeout: 3 * 60_000 }, async (t) => {
  await step(t, async (page) => {
    await page.keyboard.press('Escape');
    await openFile(page, 'project_bases.py');
    // Buyer, Clerk and Express derive from shop_lib's ShopUser and Staff: each gets its lens, the file's lens counts them.
    await waitForCodeLens(page, 'Run load test (all 3 User classes)', 90_000);
    const lenses = await page.locator('.monaco-editor .codelens-decoration a').allTextContents();
    assert.equal(lenses.filter((text) => /^\s*Run load test\s*$/.test(text)).length, 3, lenses.join(' | '));
    // What is written in this file runs once from here (Buyer's buy, Express's Checkout entry); inherited tasks have their lenses in shop_lib.
    assert.equal(lenses.filter((text) => /Run task once/.test(text)).length, 2, lenses.join(' | '));
    await screenshot(page, 'language-4-project-bases');

    // shop_lib/flows.py beside it; Staff made no User there (not saved): Clerk is no User any more, in the editor on the left.
    await runCommand(page, 'View: Split Editor Right');
    await openFile(page, 'shop_lib/flows.py');
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
    await page.keyboard.type('32:13');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+Shift+ArrowRight');
    await page.keyboard.type('object');
    await waitForCodeLens(page, 'Run load test (all 2 User classes)', 60_000);
    const after = await page.locator('.monaco-editor .codelens-decoration a').allTextContents();
    assert.equal(after.filter((text) => /^\s*Run load test\s*$/.test(text)).length, 2, after.join(' | '));
    await screenshot(page, 'language-5-project-base-edited');
    // Undone and closed unsaved, so the fixture's copy stays as it was for whoever looks.
    await page.keyboard.press('Control+Z');
    await waitForCodeLens(page, 'Run load test (all 3 User classes)', 60_000);
  });
});
