// The bundled server over JSON-RPC checks locust.conf and pyproject.toml [tool.locust] keys against the options a real Locust lists
// (sent as the extension sends them): an unknown key gets a warning with "did you mean" and a quick fix, the locustfile's own
// arguments are known keys, nothing is said before the options are known, and real Locust agrees (it refuses the key, accepts the fix).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver';
import { LocustOptionsNotification, type LocustOptionsParams } from '../../protocol/lsp';
import { resolveInterpreter, type Interpreter } from '../../runner/python';
import { DEBIAN_PYTHON, locustMatrix } from '../../scripts/locustVersions';
import { startLanguageServer, type LspSession } from '../helpers/lspClient';
import { watchDiagnostics, type DiagnosticsWaiter } from './diagnosticsWaiter';
import { applyEdits } from './textEdits';

const run = promisify(execFile);
const NEWEST = locustMatrix().find((l) => l.role === 'newest')!;

/** A locustfile with an argument of its own (a valid settings key too). */
const LOCUSTFILE = `
from locust import HttpUser, events, task

@events.init_command_line_parser.add_listener
def _(parser):
    parser.add_argument("--target-env", default="staging")

class Shopper(HttpUser):
    @task
    def home(self):
        self.client.get("/")
`;

const CONF = ['[locust]', 'host = http://127.0.0.1:9', 'userz = 3', 'spawn_rate = 2', '--run-time = 5s', 'headless', 'target-env = prod', 'processes = 2', ''].join('\n');

let lsp: LspSession;
let diagnostics: DiagnosticsWaiter;
let dir: string;
let newest: Interpreter;
let debian: Interpreter;

before(async () => {
  [lsp, dir, newest, debian] = await Promise.all([startLanguageServer(), mkdtemp(path.join(tmpdir(), 'locust-studio-conf-')), resolveInterpreter(NEWEST.python), resolveInterpreter(DEBIAN_PYTHON)]);
  diagnostics = watchDiagnostics(lsp.connection);
  await writeFile(path.join(dir, 'locustfile.py'), LOCUSTFILE);
});
after(async () => {
  await lsp.close();
  await rm(dir, { recursive: true, force: true });
});

function tell(interpreter: Interpreter): Promise<void> {
  const params: LocustOptionsParams = { interpreter: interpreter.path, locustVersion: interpreter.locustVersion, options: interpreter.options };
  return lsp.connection.sendNotification(LocustOptionsNotification.method, params);
}

const messageOf = (d: Diagnostic): string => (typeof d.message === 'string' ? d.message : d.message.value);

const keysOf = (found: Diagnostic[], text: string) =>
  found.map((d) => text.split('\n')[d.range.start.line]!.slice(d.range.start.character, d.range.end.character)).sort();

/** Locust's own verdict on the folder's settings: `--list` parses every option (the locustfile's own too) and exits. */
async function locustAccepts(python: string): Promise<{ ok: boolean; stderr: string }> {
  try {
    await run(python, ['-m', 'locust', '--list'], { cwd: dir, timeout: 60_000 });
    return { ok: true, stderr: '' };
  } catch (error) {
    return { ok: false, stderr: String((error as { stderr?: string }).stderr) };
  }
}

test('locust.conf: nothing before the options are known; then each unknown key, with did-you-mean, per the interpreter’s Locust', async () => {
  assert.ok(newest.options.includes('processes') && !debian.options.includes('processes'), 'the two Locusts differ in --processes');
  const file = path.join(dir, 'locust.conf');
  await writeFile(file, CONF);
  const uri = pathToFileURL(file).href;
  const first = diagnostics.next(uri, 1);
  await lsp.open(uri, CONF);
  assert.deepEqual(await first, [], 'no option list yet: no guess');

  const afterNewest = diagnostics.next(uri, 1);
  await tell(newest);
  const found = await afterNewest;
  assert.deepEqual(keysOf(found, CONF), ['spawn_rate', 'userz'], 'host, --run-time, headless, processes and the locustfile’s target-env are known');
  const userz = found.find((d) => messageOf(d).includes("option 'userz'"))!;
  assert.match(messageOf(userz), new RegExp(`^Locust ${NEWEST.version} has no option 'userz': did you mean 'users'\\? \\(.*interpreter ${newest.path}\\)$`));
  assert.match(messageOf(found.find((d) => messageOf(d).includes("option 'spawn_rate'"))!), /did you mean 'spawn-rate'\?/);
  assert.equal(userz.code, 'unknown-locust-option');

  // Real Locust agrees: it refuses the file as written.
  const refused = await locustAccepts(NEWEST.python);
  assert.equal(refused.ok, false);
  assert.match(refused.stderr, /unrecognized arguments: .*--userz/);

  const afterDebian = diagnostics.next(uri, 1);
  await tell(debian);
  assert.deepEqual(keysOf(await afterDebian, CONF), ['processes', 'spawn_rate', 'userz'], 'Debian’s 2.12.1 has no --processes');
});

test('locust.conf: the quick fix writes the option Locust takes, and real Locust accepts the fixed file', async () => {
  await tell(newest);
  const file = path.join(dir, 'locust.conf');
  const uri = pathToFileURL(file).href;
  const text = ['host = http://127.0.0.1:9', 'userz = 3', '--spawn-rat = 2', 'target-env = prod', ''].join('\n');
  const published = diagnostics.next(uri, 2);
  await lsp.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text }] });
  const found = await published;
  assert.deepEqual(keysOf(found, text), ['--spawn-rat', 'userz']);
  const edits: TextEdit[] = [];
  for (const diagnostic of found) {
    const actions = await lsp.connection.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
    assert.equal(actions.length, 1, `one fix for ${messageOf(diagnostic)}`);
    assert.equal(actions[0]!.isPreferred, true);
    edits.push(...actions[0]!.edit!.changes![uri]!);
  }
  const fixed = applyEdits(text, edits);
  assert.equal(fixed, ['host = http://127.0.0.1:9', 'users = 3', '--spawn-rate = 2', 'target-env = prod', ''].join('\n'));
  await writeFile(file, fixed);
  const accepted = await locustAccepts(NEWEST.python);
  assert.ok(accepted.ok, `Locust accepts the fixed locust.conf: ${accepted.stderr}`);
  await rm(file);
});

test('pyproject.toml [tool.locust]: keys of other tables are not Locust’s; an unknown one in its table is', async () => {
  await tell(newest);
  const file = path.join(dir, 'pyproject.toml');
  const text = ['[project]', 'name = "shop"', '', '[tool.locust]', 'users = 3', 'spawn-rat = 2', '"run-time" = "5s"', '', '[tool.other]', 'userz = 1', ''].join('\n');
  const uri = pathToFileURL(file).href;
  const published = diagnostics.next(uri, 1);
  await lsp.open(uri, text);
  const found = await published;
  assert.deepEqual(keysOf(found, text), ['spawn-rat']);
  assert.match(messageOf(found[0]!), /did you mean 'spawn-rate'\?/);
});

test('a locust.conf whose locustfile cannot be read gets no unknown-option diagnostic (its own arguments are unknown)', async () => {
  await tell(newest);
  const sub = path.join(dir, 'elsewhere');
  const uri = pathToFileURL(path.join(sub, 'locust.conf')).href;
  const published = diagnostics.next(uri, 1);
  await lsp.open(uri, 'locustfile = missing.py\nuserz = 3\n');
  assert.deepEqual(await published, []);
});
