// The bundled server on the language of newer Locusts over JSON-RPC: contrib User classes and their clients, `raise StopTest`,
// pytest-style locustfiles (lenses, and the warning when they sit beside User classes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SymbolKind, type CodeLens, type CompletionItem, type CompletionList, type DocumentSymbol, type Hover, type MarkupContent } from 'vscode-languageserver';
import { languageServerFixture } from './diagnosticsWaiter';
import { DocumentModelRequest, LensCommand, type DocumentModelResult, type RunTarget } from '../../protocol/lsp';
import { CONTRIB_USERS } from '../../server/contribUsers';
import { applyEdits } from './textEdits';

const server = languageServerFixture('newer');
const open = (text: string) => server.open(text);

function positionOf(text: string, needle: string, offset = 0): { line: number; character: number } {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `${needle} not found`);
  const before = text.slice(0, index + offset);
  return { line: before.split('\n').length - 1, character: before.length - before.lastIndexOf('\n') - 1 };
}

async function hover(uri: string, text: string, needle: string, offset = 1): Promise<string> {
  const result = await server.lsp.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, needle, offset) });
  return (result?.contents as MarkupContent | undefined)?.value ?? '';
}

async function complete(uri: string, position: { line: number; character: number }): Promise<CompletionItem[]> {
  const result = await server.lsp.connection.sendRequest<CompletionItem[] | CompletionList | null>('textDocument/completion', { textDocument: { uri }, position });
  return Array.isArray(result) ? result : (result?.items ?? []);
}

/** Opens `before + after` and completes at the seam. */
async function completeIn(before: string, after = ''): Promise<{ items: CompletionItem[]; text: string }> {
  const { uri } = await open(before + after);
  const lines = before.split('\n');
  return { items: await complete(uri, { line: lines.length - 1, character: lines.at(-1)!.length }), text: before + after };
}

async function modelOf(uri: string): Promise<NonNullable<DocumentModelResult>> {
  const model = await server.lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri });
  assert.ok(model, uri);
  return model;
}

async function lensesOf(uri: string): Promise<{ line: number; title: string; command: string; target: RunTarget }[]> {
  const lenses = (await server.lsp.connection.sendRequest<CodeLens[] | null>('textDocument/codeLens', { textDocument: { uri } })) ?? [];
  return lenses.map((lens) => ({ line: lens.range.start.line, title: lens.command!.title, command: lens.command!.command, target: lens.command!.arguments![0] as RunTarget }));
}

const CONTRIB = `import locust.contrib.socketio
from locust import task, constant
from locust.contrib.mqtt import MqttUser
from locust.contrib.milvus import MilvusUser as Vectors
from locust.contrib.postgres import *


class Sensor(MqttUser):
    host = "127.0.0.1"
    wait_time = constant(1)

    @task(3)
    def report(self):
        self.client.publish("sensors/1", b"21.5")

    @task
    def listen(self):
        self.client.subscribe("commands/#")


class Search(Vectors):
    @task
    def find(self):
        self.search([[0.1, 0.2]], "vector", 5)


class Chat(locust.contrib.socketio.SocketIOUser):
    @task
    def say(self):
        self.sio.emit("message", "hi")


class Sql(PostgresUser):
    conn_string = "postgresql://127.0.0.1/shop"

    @task
    def select(self):
        self.client.execute_query("SELECT 1")
`;

test('contrib User classes are User bases of the model, whichever way they are imported', async () => {
  const { uri, found } = await open(CONTRIB);
  const model = await modelOf(uri);
  assert.deepEqual(
    model.users.map((u) => [u.name, u.base, u.abstract, u.tasks.map((t) => `${t.name}:${t.weight}`)]),
    [
      ['Sensor', 'MqttUser', false, ['report:3', 'listen:1']],
      ['Search', 'Vectors', false, ['find:1']],
      ['Chat', 'locust.contrib.socketio.SocketIOUser', false, ['say:1']],
      ['Sql', 'PostgresUser', false, ['select:1']],
    ],
  );
  assert.equal(model.users.find((u) => u.name === 'Sensor')?.waitTime?.kind, 'constant');
  // Not HTTP users: no "no host" notice, and nothing else to say about this file.
  assert.deepEqual(found.map((d) => d.code), []);
  const lenses = await lensesOf(uri);
  assert.deepEqual(lenses.filter((l) => l.title === '$(play) Run load test').map((l) => l.target.userClasses), [['Sensor'], ['Search'], ['Chat'], ['Sql']]);
  assert.ok(lenses.some((l) => l.title === '$(run) Run task once' && l.target.task === 'report'), JSON.stringify(lenses));
});

test('the same names are not User bases when imported from where Locust does not define them', async () => {
  const { uri } = await open(`from locust import task\nfrom locust.contrib.dns import MqttUser\nfrom mqtt_lib import MqttUser as Other\n\n\nclass A(MqttUser):\n    @task\n    def t(self):\n        pass\n\n\nclass B(Other):\n    @task\n    def t(self):\n        pass\n`);
  assert.deepEqual((await modelOf(uri)).users, []);
});

test('hover on a contrib User class and on its client\'s methods (SocketIOUser\'s self.sio, Milvus\'s own methods); not HttpUser\'s help', async () => {
  const { uri } = await open(CONTRIB);
  assert.match(await hover(uri, CONTRIB, 'MqttUser):'), /class MqttUser\(User\)[\s\S]*paho-mqtt/);
  assert.match(await hover(uri, CONTRIB, 'Vectors):'), /class MilvusUser\(User\)/, 'an alias');
  assert.match(await hover(uri, CONTRIB, 'SocketIOUser):'), /self\.sio/);
  assert.match(await hover(uri, CONTRIB, 'publish('), /self\.client\.publish\(topic, payload=None, qos=0[\s\S]*broker/);
  assert.match(await hover(uri, CONTRIB, 'subscribe('), /self\.client\.subscribe\(topic/);
  assert.match(await hover(uri, CONTRIB, 'search(['), /self\.search\(data, anns_field, limit[\s\S]*recall/);
  assert.match(await hover(uri, CONTRIB, 'emit('), /self\.sio\.emit\(event, data=None[\s\S]*WSE/);
  assert.match(await hover(uri, CONTRIB, 'execute_query('), /self\.client\.execute_query\(query\)/);
  // A task of a contrib User: the class hover summarises it like any User class.
  assert.match(await hover(uri, CONTRIB, 'Sensor', 1), /\| report \| 3 \| 75 % \|/);
  const http = `from locust import task\nfrom locust.contrib.mqtt import MqttUser\n\n\nclass S(MqttUser):\n    @task\n    def t(self):\n        self.client.get("/")\n`;
  const other = await open(http);
  assert.equal(await hover(other.uri, http, 'get('), '', 'an MQTT client has no get');
});

test('completion on a contrib User\'s client offers its methods, and its own recorded methods after self.', async () => {
  const head = CONTRIB.slice(0, CONTRIB.indexOf('class Search'));
  const mqtt = await completeIn(`${head}    @task\n    def more(self):\n        self.client.`);
  assert.deepEqual(mqtt.items.map((i) => i.label), Object.keys(CONTRIB_USERS.MqttUser.clientMethods));
  assert.match((mqtt.items[0]?.documentation as MarkupContent).value, /publish/);
  const sio = await completeIn(`import locust.contrib.socketio\nfrom locust import task\n\n\nclass Chat(locust.contrib.socketio.SocketIOUser):\n    @task\n    def say(self):\n        self.sio.`);
  assert.deepEqual(sio.items.map((i) => i.label), ['connect', 'emit', 'send', 'call', 'on', 'disconnect']);
  const milvus = await completeIn(`from locust import task\nfrom locust.contrib.milvus import MilvusUser\n\n\nclass V(MilvusUser):\n    @task\n    def find(self):\n        self.`);
  assert.deepEqual(milvus.items.map((i) => i.label), ['insert', 'upsert', 'search', 'hybrid_search', 'query', 'delete']);
  // No HTTP verbs for a client that has none; an HttpUser keeps them.
  const dns = await completeIn(`from locust import task\nfrom locust.contrib.dns import DNSUser\n\n\nclass D(DNSUser):\n    @task\n    def q(self):\n        self.client.`);
  assert.ok(dns.items.some((i) => i.label === 'udp') && !dns.items.some((i) => i.label === 'get'), dns.items.map((i) => i.label).join(' '));
  const http = await completeIn(`from locust import HttpUser, task\n\n\nclass H(HttpUser):\n    @task\n    def q(self):\n        self.client.`);
  assert.ok(http.items.some((i) => i.label === 'get'));
  // Other completions still work in a contrib User's body.
  const wait = await completeIn(`from locust.contrib.mqtt import MqttUser\nfrom locust import constant\n\n\nclass S(MqttUser):\n    wait_time = `);
  assert.ok(wait.items.some((i) => i.label === 'between'));
});

const STOP = `from locust import HttpUser, task
from locust.exception import StopTest


class Api(HttpUser):
    host = "http://127.0.0.1:8080"

    @task
    def check(self):
        if self.client.get("/health").status_code != 200:
            raise StopTest()
`;

test('raise StopTest: known to hover, not flagged; completion offers it and imports it when the file does not yet', async () => {
  const { uri, found } = await open(STOP);
  assert.deepEqual(found.map((d) => d.code), []);
  assert.match(await hover(uri, STOP, 'StopTest()'), /raise StopTest[\s\S]*ends the whole test/);
  assert.match(await hover(uri, STOP, 'StopTest\n'), /raise StopTest/, 'on its import');
  const dotted = `import locust.exception\nfrom locust import User, task\n\n\nclass U(User):\n    @task\n    def t(self):\n        raise locust.exception.StopTest\n`;
  const other = await open(dotted);
  assert.match(await hover(other.uri, dotted, 'StopTest\n'), /ends the whole test/);

  const imported = await completeIn(`${STOP}\n    @task\n    def other(self):\n        raise St`);
  assert.deepEqual(imported.items.map((i) => [i.label, i.additionalTextEdits?.length ?? 0]), [['StopTest', 0]]);
  const bare = `from locust import HttpUser, task\nimport random\n\n\nclass Api(HttpUser):\n    @task\n    def check(self):\n        raise `;
  const missing = await completeIn(bare);
  const item = missing.items[0];
  assert.equal(item?.label, 'StopTest');
  assert.match(applyEdits(bare, item.additionalTextEdits ?? []), /^from locust import HttpUser, task\nimport random\nfrom locust\.exception import StopTest\n\n\nclass Api/);
});

const PYTEST = `from locust.contrib.fasthttp import FastHttpSession


def test_browse(session):
    session.get("/")


def test_fast(fastsession: FastHttpSession):
    fastsession.get("/")


def helper(session):
    session.get("/help")
`;

test('a pytest-style locustfile: its test functions in the model, a lens to run the file and each function, and one to run a function once', async () => {
  const { uri, found } = await open(PYTEST);
  assert.deepEqual(found.map((d) => d.code), []);
  const model = await modelOf(uri);
  assert.deepEqual(model.testFunctions?.map((f) => [f.name, f.fixtures, f.range.start.line]), [
    ['test_browse', ['session'], 3],
    ['test_fast', ['fastsession'], 7],
  ]);
  const lenses = await lensesOf(uri);
  assert.deepEqual(
    lenses.map((l) => [l.line, l.title, l.command, l.target.userClasses, l.target.task ?? null]),
    [
      [0, '$(play) Run load test (all 2 test functions)', LensCommand.runLoadTest, [], null],
      [3, '$(play) Run load test', LensCommand.runLoadTest, ['test_browse'], null],
      [3, '$(run) Run test once', LensCommand.runTaskOnce, ['test_browse'], 'test_browse'],
      [7, '$(play) Run load test', LensCommand.runLoadTest, ['test_fast'], null],
      [7, '$(run) Run test once', LensCommand.runTaskOnce, ['test_fast'], 'test_fast'],
    ],
  );
  const symbols = await server.lsp.connection.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual(symbols.map((s) => [s.name, s.detail, s.kind, s.selectionRange.start.line]), [
    ['test_browse', 'test function · session', SymbolKind.Function, 3],
    ['test_fast', 'test function · fastsession', SymbolKind.Function, 7],
  ]);
  // A file that does not import locust is a plain pytest file: no lenses.
  const plain = await open(PYTEST.replace('from locust.contrib.fasthttp import FastHttpSession\n', ''));
  assert.deepEqual(await lensesOf(plain.uri), []);
});

test('test functions beside User classes: each is flagged (Locust ignores them), unless a User lists it as a task', async () => {
  const mixed = `from locust import HttpUser, task


class Api(HttpUser):
    host = "http://127.0.0.1:8080"
    tasks = [test_listed]

    @task
    def home(self):
        self.client.get("/")


def test_listed(user):
    user.client.get("/listed")


@some_marker
def test_checkout(session):
    session.get("/checkout")
`;
  const { uri, found } = await open(mixed);
  assert.deepEqual(
    found.map((d) => [d.code, d.range.start.line, d.range.start.character, d.severity]),
    [['test-function-ignored', 17, 4, 2]],
  );
  assert.match(found[0]!.message as string, /Locust ignores the test function `test_checkout`[\s\S]*no User classes, and this one has `Api`/);
  // Lenses stay the User classes' ones.
  assert.ok((await lensesOf(uri)).every((l) => l.target.userClasses.length === 0 || l.target.userClasses[0] === 'Api'));
});
