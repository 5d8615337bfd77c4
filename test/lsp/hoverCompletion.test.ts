// The bundled server's hover, completion and incremental edits over JSON-RPC, including half-typed code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletionItem, CompletionList, Hover, MarkupContent } from 'vscode-languageserver';
import { startLanguageServer, type LspSession } from '../helpers/lspClient';
import { DocumentModelRequest, type DocumentModelResult } from '../../protocol/lsp';

const FILE = `from locust import HttpUser, TaskSet, task, tag, between, events
import locust


@events.test_start.add_listener
def started(environment, **kwargs):
    pass


class Shopper(HttpUser):
    wait_time = between(1, 2)

    @tag("smoke")
    @task(3)
    def browse(self):
        self.client.get("/products", name="/products")

    @locust.task
    def cart(self):
        self.client.post("/cart", json={})
`;
const URI = 'file:///virtual/hover.py';

let lsp: LspSession;
before(async () => {
  lsp = await startLanguageServer();
  await lsp.open(URI, FILE);
});
after(async () => {
  await lsp.close();
});

/** Position of the `nth` occurrence of `needle` in `text`, plus `offset` characters. */
function positionOf(text: string, needle: string, offset = 0, nth = 0): { line: number; character: number } {
  let index = -1;
  for (let i = 0; i <= nth; i++) index = text.indexOf(needle, index + 1);
  assert.ok(index >= 0, `${needle} not found`);
  const before = text.slice(0, index + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}

async function hoverText(needle: string, offset = 1, nth = 0): Promise<string> {
  const hover = await lsp.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: URI }, position: positionOf(FILE, needle, offset, nth) });
  return (hover?.contents as MarkupContent | undefined)?.value ?? '';
}

test('hover explains locust names with their signature, in markdown', async () => {
  assert.match(await hoverText('HttpUser', 1, 1), /class HttpUser\(User\)[\s\S]*self\.client/);
  assert.match(await hoverText('between(1'), /between\(min_wait: float, max_wait: float\)[\s\S]*random number of seconds/);
  assert.match(await hoverText('@task(3)', 2), /@task\(weight: int = 1\)/);
  assert.match(await hoverText('@tag', 2), /@tag\(\*tags: str\)[\s\S]*--tags/);
  assert.match(await hoverText('locust.task', 8), /@task/, 'module-qualified decorator');
  assert.match(await hoverText('test_start', 1), /events\.test_start[\s\S]*test starts/);
  assert.match(await hoverText('client.get', 8), /self\.client\.get\(url[\s\S]*GET request/);
  assert.match(await hoverText('name="/products"', 1), /Row under which the request appears/);
});

test('hover on a User class of the file summarises its tasks and shares, and its wait time', async () => {
  const text = await hoverText('class Shopper', 7);
  assert.match(text, /class Shopper\(HttpUser\)/);
  assert.match(text, /\| browse \| 3 \| 75 % \| smoke \|/);
  assert.match(text, /\| cart \| 1 \| 25 % \|/);
  assert.match(text, /Waits `between\(1, 2\)` after each task\./);
});

test('hover on a name locust does not know returns nothing', async () => {
  assert.equal(await hoverText('environment', 1), '');
});

async function completeAt(uri: string, position: { line: number; character: number }): Promise<string[]> {
  const result = await lsp.connection.sendRequest<CompletionItem[] | CompletionList | null>('textDocument/completion', { textDocument: { uri }, position });
  const items = Array.isArray(result) ? result : (result?.items ?? []);
  return items.map((i) => i.label);
}

/** Opens `before + after` and completes at the seam between them. */
async function completeIn(name: string, before: string, after = ''): Promise<string[]> {
  const uri = `file:///virtual/complete_${name}.py`;
  await lsp.open(uri, before + after);
  const lines = before.split('\n');
  return completeAt(uri, { line: lines.length - 1, character: lines.at(-1)!.length });
}

const HEAD = 'from locust import HttpUser, task, events\n\nclass U(HttpUser):\n';

test('completion: self.client methods, then their keyword arguments', async () => {
  const methods = await completeIn('methods', `${HEAD}    @task\n    def a(self):\n        self.client.`);
  for (const m of ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request']) assert.ok(methods.includes(m), m);
  const keywords = await completeIn('keywords', `${HEAD}    @task\n    def a(self):\n        self.client.get("/x", `);
  for (const k of ['name=', 'catch_response=', 'json=', 'headers=', 'params=', 'data=', 'timeout=', 'allow_redirects=']) assert.ok(keywords.includes(k), k);
  const rest = await completeIn('keywords_rest', `${HEAD}    @task\n    def a(self):\n        self.client.post(\n            "/x",\n            name="x",\n            `);
  assert.ok(rest.includes('json=') && !rest.includes('name='), `already written keywords are not offered again: ${rest.join(' ')}`);
  assert.deepEqual(await completeIn('not_in_call', `${HEAD}    @task\n    def a(self):\n        x = (1, `), []);
});

test('completion: wait_time functions, events hooks, @task and @tag', async () => {
  assert.deepEqual((await completeIn('wait', `${HEAD}    wait_time = `)).sort(), ['between', 'constant', 'constant_pacing', 'constant_throughput']);
  const hooks = await completeIn('events', `${HEAD.replace('class U(HttpUser):\n', '')}@events.`);
  for (const h of ['request', 'init', 'test_start', 'test_stop', 'quitting']) assert.ok(hooks.includes(h), h);
  assert.deepEqual((await completeIn('decorator', `${HEAD}    @`)).sort(), ['tag', 'task', 'task(weight)']);
});

test('a half-typed task in the middle of a class and at its end: completion still works, the other tasks stay in the model', async () => {
  const middle = `${HEAD}    @task(2)\n    def first(self):\n        pass\n\n    @task\n    def half(self):\n        self.client.`;
  const rest = '\n\n    @task(5)\n    def last(self):\n        pass\n';
  assert.ok((await completeIn('half_middle', middle, rest)).includes('get'));
  const modelMiddle = await lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri: 'file:///virtual/complete_half_middle.py' });
  const tasks = modelMiddle?.users[0]?.tasks.map((t) => `${t.name}:${t.weight}`) ?? [];
  assert.ok(tasks.includes('first:2') && tasks.includes('last:5'), tasks.join(', '));

  const end = `${HEAD}    @task(2)\n    def first(self):\n        pass\n\n    @task(`;
  await lsp.open('file:///virtual/half_end.py', end);
  const modelEnd = await lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri: 'file:///virtual/half_end.py' });
  assert.deepEqual(modelEnd?.users.map((u) => [u.name, u.tasks.map((t) => t.name)]), [['U', ['first']]]);
  assert.deepEqual(await completeIn('half_end_decorator', `${HEAD}    @task(2)\n    def first(self):\n        pass\n\n    @`), ['task', 'task(weight)', 'tag']);
});

test('incremental edits (typing a new task character by character) give the same model as opening the final text', async () => {
  const uri = 'file:///virtual/incremental.py';
  const start = `${HEAD.replace('task, events', 'task, tag, events')}    @task\n    def a(self):\n        pass\n`;
  await lsp.open(uri, start);
  const typed = '\n    @tag("é😀")\n    @task(7)\n    def b(self):\n        self.client.get("/b")\n';
  let text = start;
  let version = 1;
  for (const ch of typed) {
    const lines = text.split('\n');
    const position = { line: lines.length - 1, character: lines.at(-1)!.length };
    await lsp.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: ++version },
      contentChanges: [{ range: { start: position, end: position }, text: ch }],
    });
    text += ch;
    // Ask for lenses after each keystroke, so each edit re-parses on top of the previous (edited) tree.
    await lsp.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
  }
  // And a replacement in the middle: `@task` of `a` becomes `@task(4)`.
  const taskLine = text.split('\n').indexOf('    @task');
  await lsp.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: ++version },
    contentChanges: [{ range: { start: { line: taskLine, character: 5 }, end: { line: taskLine, character: 9 } }, text: 'task(4)' }],
  });
  text = text.replace('    @task\n', '    @task(4)\n');
  const incremental = await lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri });
  await lsp.open('file:///virtual/incremental_fresh.py', text, version);
  const fresh = await lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri: 'file:///virtual/incremental_fresh.py' });
  assert.deepEqual(incremental?.users, fresh?.users);
  assert.deepEqual(incremental?.users[0]?.tasks.map((t) => [t.name, t.weight, t.tags]), [
    ['a', 4, []],
    ['b', 7, ['é😀']],
  ]);
});

const ATTRIBUTES = `from locust import HttpUser, TaskSet, LoadTestShape, task, between


class Flow(TaskSet):
    wait_time = between(2, 4)
    host = "http://ignored"
    tasks = []


class Shopper(HttpUser):
    abstract = False
    host = "http://127.0.0.1:8080"
    weight = 3
    fixed_count = 2
    tasks = [Flow]
    min_wait = 1000
    max_wait = 3000
    task_set = Flow

    def wait_time(self):
        weight = 1
        return weight


class Shape(LoadTestShape):
    weight = 1

    def tick(self):
        return None


class Plain:
    host = "x"
`;
const ATTRIBUTES_URI = 'file:///virtual/attributes.py';

async function attributeHover(needle: string, nth = 0): Promise<string> {
  const hover = await lsp.connection.sendRequest<Hover | null>('textDocument/hover', {
    textDocument: { uri: ATTRIBUTES_URI },
    position: positionOf(ATTRIBUTES, needle, needle.length - needle.trimStart().length + 1, nth),
  });
  return (hover?.contents as MarkupContent | undefined)?.value ?? '';
}

test('hover on class attributes of User classes, TaskSets and shapes: signature line, what Locust does with it, what replaced the 0.x ones', async () => {
  await lsp.open(ATTRIBUTES_URI, ATTRIBUTES);
  const firstLine = (text: string) => text.split('\n')[1];
  assert.equal(firstLine(await attributeHover('    wait_time = ')), 'wait_time = between(min, max)  # or constant(s), constant_pacing(s), constant_throughput(n): seconds');
  assert.match(await attributeHover('    wait_time = '), /pauses after each task, in seconds[\s\S]*inside that TaskSet\.$/);
  assert.equal(firstLine(await attributeHover('    abstract')), 'abstract: bool = False');
  assert.match(await attributeHover('    abstract'), /never starts users of it/);
  assert.equal(firstLine(await attributeHover('    host', 1)), 'host: str | None = None');
  assert.match(await attributeHover('    host', 1), /Base URL[\s\S]*--host/);
  assert.doesNotMatch(await attributeHover('    host', 1), /no effect/);
  assert.equal(firstLine(await attributeHover('    weight')), 'weight: int = 1');
  assert.match(await attributeHover('    weight'), /relative to the weights of the other User classes/);
  assert.equal(firstLine(await attributeHover('    fixed_count')), 'fixed_count: int = 0');
  assert.match(await attributeHover('    fixed_count'), /exactly this many users/);
  assert.match(firstLine(await attributeHover('    tasks', 1)) ?? '', /^tasks: list\[/);
  assert.match(await attributeHover('    tasks', 1), /a dict of each one to its weight/);
  assert.match(await attributeHover('    min_wait'), /milliseconds[\s\S]*Replaced in Locust 1\.0 by `wait_time = between\(min, max\)`, in seconds\. Locust 2 does not read it/);
  assert.match(await attributeHover('    max_wait'), /Replaced in Locust 1\.0 by `wait_time = between\(min, max\)`/);
  assert.match(await attributeHover('    task_set'), /Replaced in Locust 1\.0 by `tasks = \[SomeTaskSet\]`/);
  assert.match(await attributeHover('wait_time(self)'), /^```python\nwait_time = between/, 'a wait_time method is the same attribute');
});

test('hover on class attributes: where Locust does not read one it says so, and nothing outside locust classes or on locals', async () => {
  assert.match(await attributeHover('    wait_time = '), /^(?![\s\S]*no effect)/, 'wait_time works in a TaskSet');
  assert.match(await attributeHover('    host'), /Locust reads `host` only on User classes: in a TaskSet it has no effect\.$/);
  assert.match(await attributeHover('    weight', 2), /Locust reads `weight` only on User classes: in a LoadTestShape it has no effect\.$/);
  assert.equal(await attributeHover('weight = 1'), '', 'a local variable inside a method');
  assert.equal(await attributeHover('    host', 2), '', 'a class that is not a locust class');
});

test('edits above and inside classes of a long file: lenses and model move with the text and equal a fresh parse', async () => {
  const uri = 'file:///virtual/shifting.py';
  const classes = Array.from({ length: 30 }, (_, i) => `class U${i}(HttpUser):\n    @task(${i + 1})\n    def t${i}(self):\n        self.client.get("/${i}")\n`);
  let text = `${HEAD.split('\n')[0]}\n\n${classes.join('\n')}`;
  await lsp.open(uri, text);
  await lsp.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
  let version = 1;
  const edit = async (line: number, character: number, endLine: number, endCharacter: number, newText: string) => {
    const lines = text.split('\n');
    const offset = (l: number, c: number) => lines.slice(0, l).reduce((sum, x) => sum + x.length + 1, 0) + c;
    text = text.slice(0, offset(line, character)) + newText + text.slice(offset(endLine, endCharacter));
    await lsp.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: ++version },
      contentChanges: [{ range: { start: { line, character }, end: { line: endLine, character: endCharacter } }, text: newText }],
    });
  };
  // Two lines inserted above every class, a weight changed in the middle, a class renamed, a task removed at the end.
  await edit(1, 0, 1, 0, '# moved\n\n');
  await lsp.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
  const weightLine = text.split('\n').indexOf('    @task(15)');
  await edit(weightLine, 10, weightLine, 12, '99');
  await edit(text.split('\n').indexOf('class U20(HttpUser):'), 7, text.split('\n').indexOf('class U20(HttpUser):'), 8, 'X');
  const lastTask = text.split('\n').indexOf('    @task(30)');
  await edit(lastTask, 4, lastTask, 13, 'tag("x")');
  const lenses = await lsp.connection.sendRequest<{ range: { start: { line: number } }; command?: { title: string } }[]>('textDocument/codeLens', { textDocument: { uri } });
  const incremental = await lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri });
  await lsp.open('file:///virtual/shifting_fresh.py', text, version);
  const fresh = await lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri: 'file:///virtual/shifting_fresh.py' });
  assert.deepEqual(incremental?.users, fresh?.users);
  const users = incremental?.users ?? [];
  assert.equal(users.find((u) => u.name === 'U14')?.tasks[0]?.weight, 99);
  assert.ok(users.some((u) => u.name === 'UX0') && !users.some((u) => u.name === 'U20'));
  assert.deepEqual(users.find((u) => u.name === 'U29')?.tasks, []);
  assert.equal(users[0]?.range.start.line, text.split('\n').indexOf('class U0(HttpUser):'));
  const runLenses = lenses.filter((l) => l.command?.title === '$(play) Run load test').map((l) => l.range.start.line);
  assert.deepEqual(runLenses, users.map((u) => u.range.start.line));
});
