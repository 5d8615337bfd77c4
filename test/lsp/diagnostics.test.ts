// The bundled server's diagnostics and quick fixes over JSON-RPC: legacy API, likely mistakes, and fixes that real Locust accepts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import { REPO_ROOT, startLanguageServer, type LspSession } from '../helpers/lspClient';
import { watchDiagnostics, type DiagnosticsWaiter } from './diagnosticsWaiter';
import { applyEdits } from './textEdits';

const run = promisify(execFile);
const EXAMPLES = path.join(REPO_ROOT, 'examples');
const LOCUST_PYTHON = '/usr/bin/python3';

let lsp: LspSession;
let diagnostics: DiagnosticsWaiter;
before(async () => {
  lsp = await startLanguageServer();
  diagnostics = watchDiagnostics(lsp.connection);
});
after(async () => {
  await lsp.close();
});

async function openAndDiagnose(uri: string, text: string): Promise<Diagnostic[]> {
  const published = diagnostics.next(uri, 1);
  await lsp.open(uri, text);
  return published;
}

async function codeActions(uri: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
  return lsp.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: diagnostic.range,
    context: { diagnostics: [diagnostic] },
  });
}

/** Imports a locustfile with the real Locust and returns its runnable User classes (`--list`). */
async function locustList(file: string): Promise<string[]> {
  const { stdout } = await run(LOCUST_PYTHON, ['-m', 'locust', '-f', file, '--list'], { cwd: path.dirname(file), timeout: 60_000 });
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\w+$/.test(l));
}

test('legacy_0x.py: every legacy API use is reported on its line, with a quick fix', async () => {
  const uri = pathToFileURL(path.join(EXAMPLES, 'legacy_0x.py')).href;
  const found = await openAndDiagnose(uri, await readFile(path.join(EXAMPLES, 'legacy_0x.py'), 'utf8'));
  const byLine = found.map((d) => `${d.range.start.line + 1}:${String(d.code)}`).sort();
  const expected = [
    '12:legacy-HttpLocust',
    '12:legacy-TaskSequence',
    '12:legacy-seq_task',
    '19:legacy-request_success',
    '32:legacy-self.locust',
    '36:legacy-TaskSequence',
    '37:legacy-seq_task',
    '41:legacy-seq_task',
    '46:legacy-HttpLocust',
    '48:legacy-task_set',
    '49:legacy-min_wait',
    '50:legacy-max_wait',
    '53:legacy-HttpLocust',
    '55:legacy-task_set',
    '56:legacy-min_wait',
    '57:legacy-max_wait',
    '61:legacy-hatch_rate',
    '62:legacy-hatch_rate',
  ].sort();
  assert.deepEqual(byLine, expected);
  for (const d of found) {
    assert.ok(typeof d.message === 'string' && d.message.length > 30, `message says what and how: ${JSON.stringify(d.message)}`);
    const actions = await codeActions(uri, d);
    assert.ok(actions.some((a) => a.edit?.changes?.[uri]?.length), `a fix for ${String(d.code)} at line ${d.range.start.line + 1}`);
  }
  const minWait = found.find((d) => d.code === 'legacy-min_wait' && d.range.start.line === 48);
  const fix = (await codeActions(uri, minWait!)).find((a) => a.isPreferred);
  assert.ok(fix?.edit?.changes?.[uri]?.some((e) => e.newText === 'wait_time = between(1, 3)'), JSON.stringify(fix));
});

test('the "update every legacy use" fix turns legacy_0x.py into a file Locust 2 imports, with no diagnostics left', async () => {
  const source = await readFile(path.join(EXAMPLES, 'legacy_0x.py'), 'utf8');
  const uri = 'file:///virtual/legacy_fixed_check.py';
  const found = await openAndDiagnose(uri, source);
  const first = found.find((d) => d.code === 'legacy-HttpLocust');
  const fixAll = (await codeActions(uri, first!)).find((a) => /every legacy/.test(a.title));
  assert.ok(fixAll?.edit?.changes?.[uri], 'a fix-all action');
  const fixed = applyEdits(source, fixAll.edit.changes[uri]);

  // Before: Locust 2 refuses the file; after: it lists both User classes.
  const folder = await mkdtemp(path.join(tmpdir(), 'locust-studio-fix-'));
  try {
    await writeFile(path.join(folder, 'legacy.py'), source);
    await assert.rejects(locustList(path.join(folder, 'legacy.py')));
    await writeFile(path.join(folder, 'fixed.py'), fixed);
    assert.deepEqual((await locustList(path.join(folder, 'fixed.py'))).sort(), ['CheckoutUser', 'WebsiteUser']);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  const after = await openAndDiagnose('file:///virtual/after_fix.py', fixed);
  assert.deepEqual(after.map((d) => d.message), []);
});

test('every other example produces no warning or error', async () => {
  const files = (await readdir(EXAMPLES)).filter((f) => f.endsWith('.py') && f !== 'legacy_0x.py');
  assert.ok(files.length >= 9);
  for (const file of files) {
    const uri = pathToFileURL(path.join(EXAMPLES, file)).href;
    const found = await openAndDiagnose(uri, await readFile(path.join(EXAMPLES, file), 'utf8'));
    const serious = found.filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning);
    assert.deepEqual(serious.map((d) => `${file}:${d.range.start.line + 1} ${JSON.stringify(d.message)}`), []);
  }
});

const MISTAKES = `from locust import HttpUser, SequentialTaskSet, TaskSet, LoadTestShape, task, between

class Empty(HttpUser):
    wait_time = between(1, 2)

class Loud(HttpUser):
    weight = 0

    @task(0)
    def zero(self):
        self.interrupt()

    @task(1.5)
    def fraction(self):
        with self.client.get("/x", name="x") as response:
            response.failure("nope")

class Steps(SequentialTaskSet):
    @task(3)
    def first(self):
        pass

class Shape(LoadTestShape):
    pass

@task
def orphan(user):
    pass

class Helper:
    @task
    def never(self):
        pass
`;

test('likely mistakes: each reported with what is wrong and how to fix it', async () => {
  const uri = 'file:///virtual/mistakes.py';
  const found = await openAndDiagnose(uri, MISTAKES);
  const summary = found.map((d) => `${d.range.start.line + 1}:${String(d.code)}:${d.severity}`).sort();
  assert.deepEqual(
    summary,
    [
      '3:user-without-tasks:2',
      '3:no-host:3',
      '6:no-host:3',
      '7:weight-not-positive-integer:1',
      '9:weight-not-positive-integer:1',
      '11:interrupt-in-user:1',
      '13:weight-not-positive-integer:1',
      '16:missing-catch-response:2',
      '19:weight-in-sequential:2',
      '23:shape-without-tick:1',
      '26:task-outside-user:2',
      '31:task-outside-user:2',
    ].sort(),
  );
  const byCode = (code: string) => found.find((d) => d.code === code)!;
  /** The first fix offered for exactly this diagnostic (others may share its range). */
  const fixFor = async (code: string) => (await codeActions(uri, byCode(code))).find((a) => a.diagnostics?.[0]?.code === code);
  const catchFix = await fixFor('missing-catch-response');
  const fixedCatch = applyEdits(MISTAKES, catchFix?.edit?.changes?.[uri] ?? []);
  assert.match(fixedCatch, /self\.client\.get\("\/x", name="x", catch_response=True\) as response/);
  const hostFix = await fixFor('no-host');
  assert.match(applyEdits(MISTAKES, hostFix?.edit?.changes?.[uri] ?? []), /class Empty\(HttpUser\):\n {4}host = "http:\/\/127\.0\.0\.1:8080"\n {4}wait_time/);
  const tickFix = await fixFor('shape-without-tick');
  assert.match(applyEdits(MISTAKES, tickFix?.edit?.changes?.[uri] ?? []), /class Shape\(LoadTestShape\):\n {4}pass\n\n {4}def tick\(self\):/);
});

test('a host set at module level after the class (`FastHttpUser.host = …`, `Shop.host = …`) is a host: no "no-host"', async () => {
  const base = 'from locust import FastHttpUser, task\n\nclass Shop(FastHttpUser):\n    @task\n    def home(self):\n        self.client.get("/")\n';
  assert.deepEqual((await openAndDiagnose('file:///virtual/host_unset.py', base)).map((d) => d.code), ['no-host'], 'without it, the class has no host');
  for (const [name, line] of [['host_on_base', 'FastHttpUser.host = "http://127.0.0.1:8089"'], ['host_on_class', 'Shop.host = "http://127.0.0.1:8089"']]) {
    assert.deepEqual(await openAndDiagnose(`file:///virtual/${name}.py`, `${base}\n${line}\n`), [], line);
  }
});

test('diagnostics follow edits (debounced) and are cleared on close', async () => {
  const uri = 'file:///virtual/edits.py';
  const text = 'from locust import HttpUser, task\n\nclass U(HttpUser):\n    host = "http://127.0.0.1:8080"\n    @task\n    def a(self):\n        pass\n';
  assert.deepEqual(await openAndDiagnose(uri, text), []);
  const changed = diagnostics.next(uri, 3);
  // Two quick edits: only the last version's diagnostics matter. Replace `@task` by `@task(0)` in two keystrokes.
  await lsp.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: { line: 4, character: 9 }, end: { line: 4, character: 9 } }, text: '(' }],
  });
  await lsp.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 3 },
    contentChanges: [{ range: { start: { line: 4, character: 10 }, end: { line: 4, character: 10 } }, text: '0)' }],
  });
  const after = await changed;
  assert.deepEqual(after.map((d) => [d.code, d.range.start.line, d.range.start.character]), [['weight-not-positive-integer', 4, 10]]);
  const cleared = diagnostics.next(uri);
  await lsp.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  assert.deepEqual(await cleared, []);
});

const LEGACY_LISTENERS = `from locust import HttpUser, events, task


@events.request_success.add_listener
def on_success(request_type, name, response_time, response_length):
    """Prints each success."""
    print("OK", request_type, name, response_time, response_length)


@events.request_failure.add_listener
def on_failure(request_type, name, response_time, response_length, exception):
    print("FAIL", request_type, name, exception)


@events.request_success.add_listener
@events.request_failure.add_listener
def on_any(request_type, name, **extra):
    print("ANY", request_type, name)
`;

/** Imports a locustfile with the real Locust, fires `events.request` for one success and one failure, and returns what the listeners printed. */
async function fireRequestEvents(file: string): Promise<{ stdout: string; stderr: string }> {
  const script = [
    'import importlib.util, sys',
    'from locust import events',
    'spec = importlib.util.spec_from_file_location("fixed", sys.argv[1])',
    'spec.loader.exec_module(importlib.util.module_from_spec(spec))',
    'base = dict(request_type="GET", name="/x", response_time=5, response_length=10, response=None, context={}, start_time=0.0, url="http://h/x")',
    'events.request.fire(exception=None, **base)',
    'events.request.fire(exception=RuntimeError("boom"), **base)',
  ].join('\n');
  return run(LOCUST_PYTHON, ['-c', script, file], { cwd: path.dirname(file), timeout: 60_000 });
}

test('@events.request_success/request_failure.add_listener: reported, and the quick fix makes each handler an events.request listener that still gets only its requests', async () => {
  const uri = 'file:///virtual/legacy_listeners.py';
  const found = await openAndDiagnose(uri, LEGACY_LISTENERS);
  const legacy = found.filter((d) => d.code === 'legacy-request_success' || d.code === 'legacy-request_failure');
  assert.deepEqual(
    legacy.map((d) => `${d.range.start.line + 1}:${d.range.start.character}:${String(d.code)}`),
    ['4:8:legacy-request_success', '10:8:legacy-request_failure', '15:8:legacy-request_success', '16:8:legacy-request_failure'],
  );
  const preferred = async (d: Diagnostic) => (await codeActions(uri, d)).find((a) => a.isPreferred && a.diagnostics?.[0]?.code === d.code);

  const success = await preferred(legacy[0]!);
  assert.equal(success?.title, 'Listen to events.request instead');
  assert.equal(
    applyEdits(LEGACY_LISTENERS, success?.edit?.changes?.[uri] ?? []),
    LEGACY_LISTENERS.replace(
      '@events.request_success.add_listener\ndef on_success(request_type, name, response_time, response_length):\n    """Prints each success."""\n',
      '@events.request.add_listener\ndef on_success(request_type, name, response_time, response_length, **kwargs):\n    """Prints each success."""\n    if kwargs.get("exception") is not None:\n        return\n',
    ),
  );
  const failure = await preferred(legacy[1]!);
  assert.equal(
    applyEdits(LEGACY_LISTENERS, failure?.edit?.changes?.[uri] ?? []),
    LEGACY_LISTENERS.replace(
      '@events.request_failure.add_listener\ndef on_failure(request_type, name, response_time, response_length, exception):\n',
      '@events.request_failure.add_listener\ndef on_failure(request_type, name, response_time, response_length, exception):\n'.replace('request_failure', 'request').replace('exception):', 'exception, **kwargs):') +
        '    if exception is None:\n        return\n',
    ),
  );
  // Listening to both old hooks: one events.request listener, no filter, whichever of the two diagnostics is fixed.
  const both = LEGACY_LISTENERS.replace(
    '@events.request_success.add_listener\n@events.request_failure.add_listener\ndef on_any',
    '@events.request.add_listener\ndef on_any',
  );
  for (const d of legacy.slice(2)) assert.equal(applyEdits(LEGACY_LISTENERS, (await preferred(d))?.edit?.changes?.[uri] ?? []), both);

  // All fixes together, run by the real Locust: no deprecation warning, and each handler sees exactly the requests it saw before.
  const fixAll = (await codeActions(uri, legacy[0]!)).find((a) => /every legacy/.test(a.title));
  const fixed = applyEdits(LEGACY_LISTENERS, fixAll?.edit?.changes?.[uri] ?? []);
  assert.doesNotMatch(fixed, /request_(success|failure)/);
  const folder = await mkdtemp(path.join(tmpdir(), 'locust-studio-listeners-'));
  try {
    await writeFile(path.join(folder, 'legacy.py'), LEGACY_LISTENERS);
    await writeFile(path.join(folder, 'fixed.py'), fixed);
    const expected = 'OK GET /x 5 10\nANY GET /x\nFAIL GET /x boom\nANY GET /x\n';
    const before = await fireRequestEvents(path.join(folder, 'legacy.py'));
    assert.equal(before.stdout, expected, 'the legacy file prints the same on Locust 2.12 (through its deprecated hooks)');
    assert.match(before.stderr, /request_success event deprecated/);
    const after = await fireRequestEvents(path.join(folder, 'fixed.py'));
    assert.equal(after.stdout, expected);
    assert.doesNotMatch(after.stderr, /deprecated|Uncaught exception/);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  const remaining = await openAndDiagnose('file:///virtual/legacy_listeners_fixed.py', fixed);
  assert.deepEqual(remaining.filter((d) => String(d.code).startsWith('legacy-')), []);
});

test('a file that starts with blank lines is diagnosed like any other (the tree starts after them)', async () => {
  const body = 'from locust import HttpLocust, task\n\nclass U(HttpLocust):\n    host = "http://127.0.0.1:8080"\n    hatch_rate = 2\n\n    @task\n    def a(self):\n        self.locust.x()\n';
  const uri = 'file:///virtual/leading_blank_lines.py';
  const found = await openAndDiagnose(uri, `\n\n  \n${body}`);
  assert.deepEqual(
    found.map((d) => `${d.range.start.line}:${d.range.start.character}:${String(d.code)}`).sort(),
    ['3:19:legacy-HttpLocust', '5:8:legacy-HttpLocust', '7:4:legacy-hatch_rate', '11:13:legacy-self.locust'].sort(),
  );
  const rename = (await codeActions(uri, found.find((d) => d.code === 'legacy-HttpLocust')!)).find((a) => a.isPreferred);
  assert.equal(applyEdits(`\n\n  \n${body}`, rename?.edit?.changes?.[uri] ?? []), `\n\n  \n${body.replaceAll('HttpLocust', 'HttpUser')}`);
});

test('a LoadTestShape that inherits tick() from a base shape of the file: no "shape-without-tick", and a "Run shape" lens', async () => {
  const uri = 'file:///virtual/inherited_tick.py';
  const text = [
    'from locust import HttpUser, LoadTestShape, task',
    '',
    'class Visitor(HttpUser):',
    '    host = "http://127.0.0.1:8080"',
    '    @task',
    '    def home(self):',
    '        self.client.get("/")',
    '',
    'class BaseShape(LoadTestShape):',
    '    def tick(self):',
    '        return None',
    '',
    'class Ramp(BaseShape):',
    '    time_limit = 30',
    '',
    'class Bare(LoadTestShape):',
    '    time_limit = 30',
    '',
  ].join('\n');
  const found = await openAndDiagnose(uri, text);
  // Only the shape with no tick anywhere is reported.
  assert.deepEqual(found.map((d) => `${d.range.start.line}:${String(d.code)}`), ['15:shape-without-tick']);
  const lenses = await lsp.connection.sendRequest<{ command?: { title: string; arguments?: { shape?: string }[] } }[]>('textDocument/codeLens', { textDocument: { uri } });
  const shapes = lenses.filter((l) => l.command?.title === '$(play) Run shape').map((l) => l.command?.arguments?.[0]?.shape);
  assert.deepEqual(shapes, ['BaseShape', 'Ramp']);
});

test('min_wait or max_wait alone: the fix keeps the 0.x default for the other bound while the range stays valid, else uses the given bound', async () => {
  const cases: [string, string][] = [
    ['    min_wait = 2000\n', 'wait_time = between(2, 2)'],
    ['    max_wait = 500\n', 'wait_time = between(0.5, 0.5)'],
    ['    min_wait = 250\n', 'wait_time = between(0.25, 1)'],
    ['    max_wait = 3_000\n', 'wait_time = between(1, 3)'],
    ['    min_wait = 1000\n', 'wait_time = between(1, 1)'],
    ['    min_wait = MIN_MS\n', 'wait_time = between((MIN_MS) / 1000, (MIN_MS) / 1000)'],
  ];
  for (const [index, [assignment, replacement]] of cases.entries()) {
    const uri = `file:///virtual/one_bound_${index}.py`;
    const text = `from locust import HttpUser, between, task\n\nclass U(HttpUser):\n    host = "http://127.0.0.1:8080"\n${assignment}\n    @task\n    def a(self):\n        pass\n`;
    const found = await openAndDiagnose(uri, text);
    const legacy = found.find((d) => String(d.code).startsWith('legacy-m'));
    assert.ok(legacy, `${assignment.trim()}: ${JSON.stringify(found)}`);
    const fix = (await codeActions(uri, legacy)).find((a) => a.isPreferred);
    const fixed = applyEdits(text, fix?.edit?.changes?.[uri] ?? []);
    assert.match(fixed, new RegExp(`\\n {4}${replacement.replace(/[()]/g, '\\$&')}\\n`), `${assignment.trim()} → ${fixed}`);
  }
});
