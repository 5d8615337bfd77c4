// The bundled language server over JSON-RPC: code lenses, outline and the document model of a locustfile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeLens, DocumentSymbol } from 'vscode-languageserver';
import { startLanguageServer, type LspSession } from '../helpers/lspClient';
import { DocumentModelRequest, LensCommand, type DocumentModelResult, type RunTarget } from '../../protocol/lsp';

const LOCUSTFILE = `from locust import HttpUser as H, TaskSet, task, tag, between
import locust


class Browse(TaskSet):
    @task(2)
    def list_products(self):
        self.client.get("/products")

    @task
    def stop(self):
        self.interrupt()


class BaseUser(H):
    abstract = True
    host = "http://127.0.0.1:8080"


class Shopper(BaseUser):
    wait_time = between(1, 2)
    tasks = {Browse: 3}

    @tag("checkout", "slow")
    @locust.task(weight=5)
    def checkout(self):
        self.client.post("/cart", json={"productId": 1})


class Admin(locust.HttpUser):
    weight = 2
    @task
    def health(self):
        self.client.get("/health")
`;

let lsp: LspSession;
before(async () => {
  lsp = await startLanguageServer();
  await lsp.open('file:///work/locustfile.py', LOCUSTFILE);
});
after(async () => {
  await lsp.close();
});

test('code lenses of a one-class file: the file\'s lens says it runs the whole file, so the two do not look the same', async () => {
  const uri = 'file:///work/one_class.py';
  await lsp.open(uri, 'from locust import HttpUser, task\n\n\nclass Only(HttpUser):\n    @task\n    def home(self):\n        self.client.get("/")\n');
  const lenses = await lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  const titles = lenses.filter((l) => l.command?.command === LensCommand.runLoadTest).map((l) => `${l.range.start.line} ${l.command?.title}`);
  assert.deepEqual(titles, ['0 $(play) Run load test (whole file)', '3 $(play) Run load test']);
});

test('code lenses: one per runnable User class plus one for the whole file, none for abstract classes', async () => {
  const lenses = await lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', {
    textDocument: { uri: 'file:///work/locustfile.py' },
  });
  const runLenses = lenses.filter((l) => l.command?.command === LensCommand.runLoadTest);
  assert.equal(runLenses.length, 3, JSON.stringify(lenses));
  const targets = runLenses.map((l) => l.command?.arguments?.[0] as RunTarget);
  assert.deepEqual(targets.map((t) => t.userClasses), [[], ['Shopper'], ['Admin']]);
  assert.equal(runLenses[1]?.range.start.line, 19, 'lens sits on the `class Shopper` line');
  assert.match(runLenses[0]?.command?.title ?? '', /Run load test \(all 2 User classes\)/);
});

test('document model: aliases, base chains (settings inherited), weights, tags, wait times and task sets', async () => {
  const model = await lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri: 'file:///work/locustfile.py' });
  assert.ok(model);
  assert.deepEqual(
    model.users.map((u) => [u.name, u.abstract, u.host, u.weight, u.waitTime && [u.waitTime.kind, u.waitTime.args]]),
    [
      ['BaseUser', true, 'http://127.0.0.1:8080', null, null],
      ['Shopper', false, 'http://127.0.0.1:8080', null, ['between', [1, 2]]],
      ['Admin', false, null, 2, null],
    ],
  );
  assert.deepEqual(model.taskSets.map((s) => s.name), ['Browse']);
  const shopper = model.users[1];
  assert.deepEqual(shopper?.tasks.map((t) => [t.name, t.weight, t.tags]), [
    ['checkout', 5, ['checkout', 'slow']],
    ['Browse', 3, []],
  ]);
  assert.deepEqual(shopper?.taskSets.map((s) => [s.name, s.tasks.map((t) => `${t.name}:${t.weight}`)]), [
    ['Browse', ['list_products:2', 'stop:1']],
  ]);
});

test('outline: User classes with their tasks and task sets', async () => {
  const symbols = await lsp.connection.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', {
    textDocument: { uri: 'file:///work/locustfile.py' },
  });
  const shopper = symbols.find((s) => s.name === 'Shopper');
  assert.equal(shopper?.detail, 'BaseUser · wait between(1, 2)');
  // The TaskSet once, where the User class uses it, with its weight there and its own tasks inside.
  assert.deepEqual(shopper?.children?.map((c) => [c.name, c.detail, c.children?.map((t) => t.name)]), [
    ['checkout', 'weight 5 · tags: checkout, slow', undefined],
    ['Browse', 'TaskSet · weight 3', ['list_products', 'stop']],
  ]);
  // Browse is used by a User class, so it is not repeated at the top level.
  assert.deepEqual(symbols.map((s) => s.name), ['BaseUser', 'Shopper', 'Admin']);
});

const NESTED = `from locust import HttpUser, TaskSet, SequentialTaskSet, task, constant


class Pay(SequentialTaskSet):
    @task
    def card(self):
        pass


class Cart(TaskSet):
    wait_time = constant(1)
    tasks = {Pay: 2}

    @task
    def view(self):
        pass


class Shop(HttpUser):
    tasks = [Cart, Cart]

    @task(3)
    def home(self):
        pass

    class Help(TaskSet):
        @task
        def faq(self):
            pass


class Orphan(TaskSet):
    tasks = [Cart]
`;

test('outline: TaskSets nested under the User class or TaskSet that uses them, each once, the name as selection range', async () => {
  const uri = 'file:///work/nested.py';
  await lsp.open(uri, NESTED);
  const symbols = await lsp.connection.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  const tree = (list: DocumentSymbol[] | undefined): unknown[] => (list ?? []).map((s) => (s.children?.length ? [`${s.name} (${s.detail})`, tree(s.children)] : `${s.name} (${s.detail})`));
  assert.deepEqual(tree(symbols), [
    [
      'Shop (HttpUser)',
      [
        'home (weight 3)',
        // Listed twice in `tasks`: one entry, with both weights.
        ['Cart (TaskSet · weight 2 · wait constant(1))', ['view (weight 1)', ['Pay (SequentialTaskSet · weight 2)', ['card (weight 1)']]]],
        // Nested in the class but not one of its tasks: still under it.
        ['Help (TaskSet)', ['faq (weight 1)']],
      ],
    ],
    // A TaskSet no User class reaches stays at the top level, with what it uses.
    ['Orphan (TaskSet)', [['Cart (TaskSet · weight 1 · wait constant(1))', ['view (weight 1)', ['Pay (SequentialTaskSet · weight 2)', ['card (weight 1)']]]]]],
  ]);
  const shop = symbols[0]!;
  const home = shop.children?.[0];
  const cart = shop.children?.[1];
  // Selection: the name in `class Shop`, `class Cart`, `def home` (the range starts at the decorator).
  assert.deepEqual(shop.selectionRange, { start: { line: 18, character: 6 }, end: { line: 18, character: 10 } });
  assert.deepEqual(cart?.selectionRange, { start: { line: 9, character: 6 }, end: { line: 9, character: 10 } });
  assert.deepEqual([home?.range.start, home?.selectionRange], [
    { line: 21, character: 4 },
    { start: { line: 22, character: 8 }, end: { line: 22, character: 12 } },
  ]);
  // A task from a `tasks = {...}` entry: the key.
  const pay = cart?.children?.[1];
  assert.equal(pay?.name, 'Pay');
  assert.deepEqual(pay?.selectionRange, { start: { line: 3, character: 6 }, end: { line: 3, character: 9 } });
});

test('a half-typed class keeps the rest of the model, and the server keeps answering', async () => {
  const broken = `${LOCUSTFILE}\n\nclass Half(H):\n    @task\n    def x(self\n`;
  await lsp.open('file:///work/broken.py', broken);
  const model = await lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri: 'file:///work/broken.py' });
  assert.deepEqual(model?.users.map((u) => u.name).slice(0, 3), ['BaseUser', 'Shopper', 'Admin']);
  assert.equal(lsp.process.exitCode, null, `server exited: ${lsp.stderr()}`);
});

test('"Run task once" lenses: one per task, with the TaskSet path the task is reached through', async () => {
  const lenses = await lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', {
    textDocument: { uri: 'file:///work/locustfile.py' },
  });
  const taskTargets = lenses
    .filter((l) => l.command?.command === LensCommand.runTaskOnce)
    .map((l) => l.command?.arguments?.[0] as RunTarget)
    .map((t) => [t.userClasses.join(), [...(t.taskSet ?? []), t.task].join('.')]);
  assert.deepEqual(taskTargets.sort(), [
    ['Admin', 'health'],
    ['Shopper', 'Browse.list_products'],
    ['Shopper', 'Browse.stop'],
    ['Shopper', 'checkout'],
  ]);
});

test('"Debug task" lenses: one beside each "Run task once" lens, same range and same target', async () => {
  const lenses = await lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', {
    textDocument: { uri: 'file:///work/locustfile.py' },
  });
  const runOnce = lenses.filter((l) => l.command?.command === LensCommand.runTaskOnce);
  const debug = lenses.filter((l) => l.command?.command === LensCommand.debugTask);
  assert.equal(runOnce.length, 4);
  assert.deepEqual(
    debug.map((l) => [l.command?.title, l.range, l.command?.arguments]),
    runOnce.map((l) => ['$(debug-alt) Debug task', l.range, l.command?.arguments]),
  );
  assert.ok(runOnce.every((l) => l.command?.title === '$(run) Run task once'));
  const checkout = debug.find((l) => (l.command?.arguments?.[0] as RunTarget).task === 'checkout');
  assert.deepEqual(checkout?.command?.arguments, [
    {
      uri: 'file:///work/locustfile.py',
      userClasses: ['Shopper'],
      task: 'checkout',
      taskSet: [],
      range: { start: { line: 23, character: 4 }, end: { line: 26, character: 56 } },
      // Inherited from BaseUser.
      host: 'http://127.0.0.1:8080',
    },
  ]);
  assert.deepEqual(checkout?.range, { start: { line: 23, character: 4 }, end: { line: 23, character: 4 } });
});

const SHAPED = `from locust import HttpUser, LoadTestShape, task


class Visitor(HttpUser):
    host = "http://127.0.0.1:8080"

    @task
    def home(self):
        self.client.get("/")


class Ramp(LoadTestShape):
    def tick(self):
        return (10, 2) if self.get_run_time() < 30 else None


class Unfinished(LoadTestShape):
    time_limit = 30
`;

test('"Run shape" lens: above each LoadTestShape that defines tick(), running every User class under that shape', async () => {
  const uri = 'file:///work/shaped.py';
  await lsp.open(uri, SHAPED);
  const lenses = await lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  const shapeLenses = lenses.filter((l) => (l.command?.arguments?.[0] as RunTarget | undefined)?.shape !== undefined);
  assert.deepEqual(
    shapeLenses.map((l) => ({ range: l.range, title: l.command?.title, command: l.command?.command, arguments: l.command?.arguments })),
    [
      {
        range: { start: { line: 11, character: 0 }, end: { line: 11, character: 0 } },
        title: '$(play) Run shape',
        command: LensCommand.runLoadTest,
        arguments: [{ uri, userClasses: [], shape: 'Ramp', range: { start: { line: 11, character: 0 }, end: { line: 13, character: 60 } }, host: 'http://127.0.0.1:8080' }],
      },
    ],
  );
  // The plain "Run load test" lenses are still there, without a shape.
  const plain = lenses.filter((l) => l.command?.command === LensCommand.runLoadTest && (l.command.arguments?.[0] as RunTarget).shape === undefined);
  assert.deepEqual(plain.map((l) => (l.command?.arguments?.[0] as RunTarget).userClasses), [[], ['Visitor']]);
});

const HOSTS = `from locust import HttpUser, LoadTestShape, task


class Base(HttpUser):
    abstract = True
    host = "http://127.0.0.1:8080"


class Reader(Base):
    @task
    def read(self):
        pass


class Writer(Base):
    @task
    def write(self):
        pass


class Elsewhere(HttpUser):
    host = "http://localhost:9000"

    @task
    def other(self):
        pass


class Unset(HttpUser):
    @task
    def unset(self):
        pass


class Ramp(LoadTestShape):
    def tick(self):
        return None
`;

/** Each lens of a document as `title → userClasses/task: host` (host "-" when the target has none). */
async function lensHosts(uri: string): Promise<string[]> {
  const lenses = await lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  return lenses.map((l) => {
    const target = l.command?.arguments?.[0] as RunTarget;
    const what = [target.shape ?? target.userClasses.join(','), target.task].filter(Boolean).join('.');
    return `${l.command?.title ?? ''} ${what || '*'}: ${'host' in target ? target.host : '-'}`;
  });
}

test('lens targets carry the host the User class sets (own or inherited); the file and shape lenses only when every class agrees', async () => {
  const uri = 'file:///work/hosts.py';
  await lsp.open(uri, HOSTS);
  assert.deepEqual(await lensHosts(uri), [
    // Four runnable classes with three different hosts (one unset): no host for the whole file, nor for the shape.
    '$(play) Run load test (all 4 User classes) *: -',
    '$(play) Run load test Reader: http://127.0.0.1:8080',
    '$(play) Run load test Writer: http://127.0.0.1:8080',
    '$(play) Run load test Elsewhere: http://localhost:9000',
    '$(play) Run load test Unset: -',
    '$(play) Run shape Ramp: -',
    '$(run) Run task once Reader.read: http://127.0.0.1:8080',
    '$(debug-alt) Debug task Reader.read: http://127.0.0.1:8080',
    '$(run) Run task once Writer.write: http://127.0.0.1:8080',
    '$(debug-alt) Debug task Writer.write: http://127.0.0.1:8080',
    '$(run) Run task once Elsewhere.other: http://localhost:9000',
    '$(debug-alt) Debug task Elsewhere.other: http://localhost:9000',
    '$(run) Run task once Unset.unset: -',
    '$(debug-alt) Debug task Unset.unset: -',
  ]);
  // When every runnable class inherits the same host, the file and shape lenses carry it too.
  const agreeing = 'file:///work/hosts_agree.py';
  const start = HOSTS.indexOf('class Elsewhere');
  await lsp.open(agreeing, HOSTS.slice(0, start) + HOSTS.slice(HOSTS.indexOf('class Ramp')));
  const hosts = await lensHosts(agreeing);
  assert.deepEqual(hosts.slice(0, 4), [
    '$(play) Run load test (all 2 User classes) *: http://127.0.0.1:8080',
    '$(play) Run load test Reader: http://127.0.0.1:8080',
    '$(play) Run load test Writer: http://127.0.0.1:8080',
    '$(play) Run shape Ramp: http://127.0.0.1:8080',
  ]);
});

test('a weight the model cannot know: `?` in the hover and the outline, the reason in the hover, and an "ask Locust" lens on that User class only', async () => {
  const uri = 'file:///work/unknown_weights.py';
  const text = 'import os\nfrom locust import HttpUser, task\n\nRATIO = {"read": 3}\n\nclass Known(HttpUser):\n    @task(RATIO["read"])\n    def read(self):\n        pass\n\nclass Guess(HttpUser):\n    weight = int(os.getenv("GUESS_WEIGHT", "1"))\n\n    @task(int(os.getenv("W", "2")))\n    def a(self):\n        pass\n\n    @task\n    def b(self):\n        pass\n';
  await lsp.open(uri, text);
  const lenses = await lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  const ask = lenses.filter((l) => l.command?.command === LensCommand.showTaskRatios);
  assert.deepEqual(ask.map((l) => [l.range.start.line, (l.command?.arguments?.[0] as RunTarget).userClasses]), [[10, ['Guess']]]);
  const hover = await lsp.connection.sendRequest<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: 10, character: 8 } });
  const value = hover?.contents.value ?? '';
  assert.match(value, /\| a \| \? \| \? \|/);
  assert.match(value, /\| b \| 1 \| \? \|/);
  assert.match(value, /- `a`: `int\(os\.getenv\("W", "2"\)\)` calls `int\(…\)`, computed when the file runs\./);
  assert.match(value, /Weight `\?` among the User classes of the run: `int\(os\.getenv\("GUESS_WEIGHT", "1"\)\)` calls/);
  const known = await lsp.connection.sendRequest<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 8 } });
  assert.match(known?.contents.value ?? '', /\| read \| 3 \| 100 % \|/);
  const symbols = await lsp.connection.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  const guess = symbols.find((s) => s.name === 'Guess');
  assert.equal(guess?.detail, 'HttpUser · weight ?');
  assert.deepEqual(guess?.children?.map((c) => c.detail), ['weight ?', 'weight 1']);
});
