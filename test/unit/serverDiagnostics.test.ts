// Diagnostics and quick fixes from sources: legacy forms the example file does not show, and merging fixes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from 'vscode-languageserver';
import { pythonParser } from '../../server/parser';
import { analyzeTree } from '../../server/locustfileModel';
import { diagnosticsFor, type DiagnosticData } from '../../server/diagnostics';
import { codeActionsFor, mergeFixEdits } from '../../server/codeActions';
import { applyEdits } from '../lsp/textEdits';

async function diagnose(text: string, hostConfiguredElsewhere = true): Promise<Diagnostic[]> {
  const tree = (await pythonParser()).parse(text);
  assert.ok(tree);
  try {
    const { model, facts } = analyzeTree(tree, 'file:///t.py', 1);
    return diagnosticsFor(tree, model, facts, { hostConfiguredElsewhere });
  } finally {
    tree.delete();
  }
}

function firstFix(text: string, diagnostic: Diagnostic | undefined): string {
  const fix = (diagnostic?.data as DiagnosticData | undefined)?.fixes[0];
  assert.ok(fix, 'a fix');
  return applyEdits(text, fix.edits);
}

test('`locustio` imports are rewritten to `locust`, module-qualified uses included', async () => {
  const text = 'import locustio\nfrom locustio import HttpLocust\n\nclass U(locustio.HttpLocust):\n    pass\n';
  const found = await diagnose(text);
  const locustio = found.filter((d) => d.code === 'legacy-locustio');
  assert.equal(locustio.length, 2);
  assert.equal(firstFix(text, locustio[0]), 'import locust\nfrom locustio import HttpLocust\n\nclass U(locust.HttpLocust):\n    pass\n');
  assert.match(firstFix(text, locustio[1]), /^import locustio\nfrom locust import HttpLocust/);
  assert.ok(found.some((d) => d.code === 'legacy-HttpLocust'), 'the 0.x class name is reported too');
});

test('events.request_failure.add_listener(f) becomes an events.request listener that filters failures', async () => {
  const text = 'import locust\n\ndef failed(request_type, name, response_time, response_length, exception):\n    print(exception)\n\nlocust.events.request_failure.add_listener(failed)\n';
  const found = await diagnose(text);
  const fixed = firstFix(text, found.find((d) => d.code === 'legacy-request_failure'));
  assert.match(fixed, /@locust\.events\.request\.add_listener\ndef failed_listener\(request_type, name, response_time, response_length, exception, \*\*kwargs\):\n {4}if exception is not None:\n {8}failed\(request_type, name, response_time, response_length, exception\)\n$/);
});

test('seq_task is renamed to task when task is not imported yet, and min_wait alone keeps the 0.x default for max', async () => {
  const text = 'from locust import TaskSequence, seq_task, HttpUser\n\nclass S(TaskSequence):\n    @seq_task(1)\n    def a(self):\n        pass\n\nclass U(HttpUser):\n    min_wait = 250\n    tasks = [S]\n';
  const found = await diagnose(text);
  const seq = firstFix(text, found.find((d) => d.code === 'legacy-seq_task'));
  assert.match(seq, /^from locust import TaskSequence, task, HttpUser\n/);
  assert.match(seq, / {4}@task\n {4}def a/);
  const wait = firstFix(text, found.find((d) => d.code === 'legacy-min_wait'));
  assert.match(wait, /^from locust import TaskSequence, seq_task, HttpUser\nfrom locust import between\n/);
  assert.match(wait, / {4}wait_time = between\(0\.25, 1\)\n {4}tasks = \[S\]/);
});

test('hatch_rate as a keyword argument is renamed', async () => {
  const text = 'from locust import HttpUser\nenv.runner.start(10, hatch_rate=2)\n';
  const found = await diagnose(text);
  assert.equal(firstFix(text, found.find((d) => d.code === 'legacy-hatch_rate')), 'from locust import HttpUser\nenv.runner.start(10, spawn_rate=2)\n');
});

test('no diagnostics at all for a file that does not import locust', async () => {
  assert.deepEqual(await diagnose('class HttpLocust: pass\nmin_wait = 0\nhatch_rate = 1\n'), []);
});

test('host: no information when a User class or locust.conf sets it; a User inheriting a host from its base is fine', async () => {
  const base = 'from locust import HttpUser, task\n\nclass B(HttpUser):\n    abstract = True\n    host = "http://x"\n\nclass U(B):\n    @task\n    def a(self):\n        pass\n';
  assert.deepEqual(await diagnose(base, false), []);
  const none = base.replace('    host = "http://x"\n', '');
  assert.deepEqual((await diagnose(none, false)).map((d) => d.code), ['no-host']);
  assert.deepEqual(await diagnose(none, true), []);
});

test('fixes merged for "update every use" skip duplicates and conflicting edits; source.fixAll asks for exactly that', async () => {
  const text = 'from locust import HttpLocust\n\nclass A(HttpLocust):\n    min_wait = 1000\n    max_wait = 2000\n\nclass B(HttpLocust):\n    pass\n';
  const found = await diagnose(text);
  const edits = mergeFixEdits(found);
  const fixed = applyEdits(text, edits);
  assert.equal(fixed.match(/HttpUser/g)?.length, 3, fixed);
  assert.match(fixed, /wait_time = between\(1, 2\)\n\nclass B/);
  const sourceActions = codeActionsFor('file:///t.py', found, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, ['source.fixAll']);
  assert.deepEqual(sourceActions.map((a) => a.kind), ['source.fixAll']);
  assert.deepEqual(codeActionsFor('file:///t.py', [], { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, ['source.fixAll']), []);
});

test('hatch_rate only where Locust reads it: a runner start keyword, parsed options, a User attribute; not a local or another library', async () => {
  const text = [
    'from locust import User, task',
    'import other',
    'hatch_rate = 3',
    'other.configure(hatch_rate=hatch_rate)',
    'env.runner.start(10, hatch_rate=2)',
    'print(env.parsed_options.hatch_rate)',
    'class U(User):',
    '    hatch_rate = 1',
    '    @task',
    '    def a(self):',
    '        hatch_rate = 5',
  ].join('\n');
  const found = (await diagnose(text)).filter((d) => d.code === 'legacy-hatch_rate');
  assert.deepEqual(found.map((d) => `${d.range.start.line}:${d.range.start.character}`), ['4:21', '5:25', '7:4']);
});

test('no-host only for HTTP User classes; a base User class with tasks that others extend is flagged, with "Mark as abstract"', async () => {
  const text = 'from locust import User, HttpUser, task\n\nclass Plain(User):\n    @task\n    def a(self): pass\n\nclass Web(HttpUser):\n    @task\n    def b(self): pass\n\nclass MoreWeb(Web):\n    pass\n';
  const found = await diagnose(text, false);
  assert.deepEqual(found.filter((d) => d.code === 'no-host').map((d) => d.range.start.line), [6, 10]);
  const base = found.filter((d) => d.code === 'base-user-not-abstract');
  assert.deepEqual(base.map((d) => d.range.start.line), [6]);
  assert.match(firstFix(text, base[0]), /class Web\(HttpUser\):\n {4}abstract = True\n {4}@task/);
  // Once abstract, nothing is left to say.
  assert.deepEqual((await diagnose(firstFix(text, base[0]))).filter((d) => d.code === 'base-user-not-abstract'), []);
});

test('FastHttpLocust (from locust.contrib.fasthttp) is renamed; an import line never ends up listing a name twice', async () => {
  const text = 'from locust import HttpLocust, HttpUser, task\nfrom locust.contrib.fasthttp import FastHttpLocust\n\nclass A(HttpLocust):\n    pass\n\nclass B(FastHttpLocust):\n    pass\n';
  const found = await diagnose(text);
  assert.deepEqual(found.filter((d) => String(d.code).startsWith('legacy-')).map((d) => `${d.range.start.line}:${String(d.code)}`), [
    '0:legacy-HttpLocust',
    '1:legacy-FastHttpLocust',
    '3:legacy-HttpLocust',
    '6:legacy-FastHttpLocust',
  ]);
  const fixed = applyEdits(text, mergeFixEdits(found));
  assert.equal(fixed, 'from locust import HttpUser, task\nfrom locust.contrib.fasthttp import FastHttpUser\n\nclass A(HttpUser):\n    pass\n\nclass B(FastHttpUser):\n    pass\n');
});

test('events.request_success.fire / request_failure.fire become events.request.fire with the arguments by name', async () => {
  const text = 'from locust import events\nevents.request_success.fire(request_type="GET", name="/a", response_time=1, response_length=2)\nevents.request_failure.fire("GET", "/b", 3, 4, exc)\n';
  const found = await diagnose(text);
  const fixed = applyEdits(text, mergeFixEdits(found));
  assert.equal(
    fixed,
    'from locust import events\nevents.request.fire(request_type="GET", name="/a", response_time=1, response_length=2, exception=None, response=None, context={})\nevents.request.fire(request_type="GET", name="/b", response_time=3, response_length=4, exception=exc, response=None, context={})\n',
  );
});

test('@seq_task(n): in order, each becomes @task; out of order, the class lists its steps in the order of n', async () => {
  const text = 'from locust import SequentialTaskSet, seq_task, task\n\nclass InOrder(SequentialTaskSet):\n    @seq_task(1)\n    def a(self): pass\n\n    @seq_task(2)\n    def b(self): pass\n\nclass Shuffled(SequentialTaskSet):\n    @seq_task(3)\n    def c(self): pass\n\n    @seq_task(1)\n    def d(self): pass\n\n    @seq_task(2)\n    def e(self): pass\n';
  const found = await diagnose(text);
  const fixed = applyEdits(text, mergeFixEdits(found));
  assert.equal(
    fixed,
    'from locust import SequentialTaskSet, task\n\nclass InOrder(SequentialTaskSet):\n    @task\n    def a(self): pass\n\n    @task\n    def b(self): pass\n\nclass Shuffled(SequentialTaskSet):\n    def c(self): pass\n\n    def d(self): pass\n\n    def e(self): pass\n\n    tasks = [d, e, c]\n',
  );
});

test('functions listed through a module constant, and classes inside if/try blocks, are not "outside a User"', async () => {
  const text = 'from locust import User, task\n\n@task\ndef a(u): pass\n\nCOMMON = [a]\n\nclass U(User):\n    tasks = COMMON\n\ntry:\n    class V(User):\n        @task\n        def b(self): pass\nexcept ImportError:\n    pass\n';
  assert.deepEqual((await diagnose(text)).map((d) => d.code), []);
});
