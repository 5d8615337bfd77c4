// Request sites in the model from sources: which calls are requests, and the statistics name Locust gives each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pythonParser } from '../../server/parser';
import { buildModel } from '../../server/locustfileModel';
import { DocumentAnalyses } from '../../server/documentAnalysis';
import type { RequestSite } from '../../protocol/model';

async function sites(text: string): Promise<RequestSite[]> {
  const tree = (await pythonParser()).parse(text);
  assert.ok(tree);
  try {
    return buildModel(tree, 'file:///t.py', 1).requests;
  } finally {
    tree.delete();
  }
}

const named = (list: RequestSite[]) => list.map((s) => `${s.method ?? '?'} ${s.name ?? '?'}`);

test('the verb helpers, request() and rest(): method and name as the statistics show them, name= over the path', async () => {
  const found = await sites(
    [
      'from locust import HttpUser, FastHttpUser, TaskSet, task',
      '',
      'class Shop(HttpUser):',
      '    @task',
      '    def browse(self):',
      '        self.client.get("/products")',
      '        self.client.post("/cart", json={"id": 1}, name="add to cart")',
      '        self.client.put(url="/cart/1")',
      '        self.client.patch("/cart/1", name=None)',
      '        self.client.delete(\'/cart/1\')',
      '        self.client.head("/health")',
      '        self.client.options("/")',
      '        self.client.request("PURGE", "/cache")',
      '        self.client.request(method="post", url="/login", name="login")',
      '',
      'class Api(FastHttpUser):',
      '    @task',
      '    def items(self):',
      '        with self.rest("GET", "/api/items") as response:',
      '            pass',
      '        self.client.rest("POST", path="/api/items")',
      '',
      'class Flow(TaskSet):',
      '    @task',
      '    def step(self):',
      '        self.user.client.get("/step")',
      '',
      'def index(user):',
      '    user.client.get("/index")',
      '',
    ].join('\n'),
  );
  assert.deepEqual(named(found), [
    'GET /products',
    'POST add to cart',
    'PUT /cart/1',
    'PATCH /cart/1',
    'DELETE /cart/1',
    'HEAD /health',
    'OPTIONS /',
    'PURGE /cache',
    'post login',
    'GET /api/items',
    'POST /api/items',
    'GET /step',
    'GET /index',
  ]);
});

test('the range is the whole call, across lines', async () => {
  const found = await sites(
    ['from locust import HttpUser, task', 'class U(HttpUser):', '    @task', '    def t(self):', '        x = self.client.post(', '            "/a",', '        )', ''].join('\n'),
  );
  assert.deepEqual(found.map((s) => s.range), [{ start: { line: 4, character: 12 }, end: { line: 6, character: 9 } }]);
});

test('names Locust only knows at run time are null: variables, f-strings, concatenations, params=, absolute URLs, **kwargs', async () => {
  const found = await sites(
    [
      'from locust import HttpUser, task',
      'class U(HttpUser):',
      '    @task',
      '    def t(self):',
      '        item = 3',
      '        self.client.get(f"/items/{item}")',
      '        self.client.get("/items/" + str(item))',
      '        self.client.get(PATH)',
      '        self.client.get("/search", params={"q": "x"})',
      '        self.client.get("/search", params={"q": "x"}, name="/search")',
      '        self.client.get("https://example.com/x")',
      '        self.client.get("/x", **options)',
      '        self.client.get(f"/items/{item}", name=f"/items/{kind}")',
      '        self.client.get(f"/items/{item}", name="/items/[id]")',
      '        self.client.request(verb, "/y")',
      '        self.client.get("/caf\\u00e9", name=r"/raw\\d")',
      '        self.client.get(f"/plain")',
      '',
    ].join('\n'),
  );
  assert.deepEqual(named(found), [
    'GET ?',
    'GET ?',
    'GET ?',
    'GET ?',
    'GET /search',
    'GET ?',
    'GET ?',
    'GET ?',
    'GET /items/[id]',
    '? /y',
    'GET /raw\\d',
    'GET /plain',
  ]);
  assert.equal((await sites('class U:\n  def t(self):\n    self.client.get("/caf\\u00e9")\n'))[0]?.name, '/café');
});

test('rename_request names what it encloses, unless the request names itself', async () => {
  const found = await sites(
    [
      'from locust import HttpUser, task',
      'class U(HttpUser):',
      '    @task',
      '    def t(self):',
      '        with self.client.rename_request("/blog/[id]"):',
      '            for i in range(3):',
      '                self.client.get(f"/blog/{i}")',
      '            self.client.get("/blog/x", name="own")',
      '        self.client.get("/after")',
      '        with open("log") as log:',
      '            self.client.get("/before-nested")',
      '            with self.client.rename_request("nested"):',
      '                self.client.get("/inner")',
      '',
    ].join('\n'),
  );
  assert.deepEqual(named(found), ['GET /blog/[id]', 'GET own', 'GET /after', 'GET /before-nested', 'GET nested']);
});

test('events.request.fire reports a request of its own type and name', async () => {
  const found = await sites(
    [
      'from locust import User, events, task',
      'class Socket(User):',
      '    @task',
      '    def echo(self):',
      '        self.environment.events.request.fire(request_type="WS", name="echo", response_time=1, response_length=0, exception=None, context={})',
      '        events.request.fire(request_type="WS", name=self.topic, response_time=1, response_length=0)',
      '',
    ].join('\n'),
  );
  assert.deepEqual(named(found), ['WS echo', 'WS ?']);
});

test('look-alikes are not requests: comments, strings, other clients, attributes that are not called', async () => {
  const found = await sites(
    [
      'import requests',
      'from locust import HttpUser, task',
      'class U(HttpUser):',
      '    """Calls self.client.get("/doc") in the docs only, e.g.:',
      '',
      '    self.client.get("/doc/example")',
      '    """',
      '    @task',
      '    def t(self):',
      '        # self.client.get("/commented")',
      '        requests.get("/elsewhere")',
      '        self.client.headers.update({"a": "b"})',
      '        getter = self.client.get',
      '        print("self.client.get(\'/in-a-string\')")',
      '        self.client.get("/real")',
      '',
    ].join('\n'),
  );
  assert.deepEqual(named(found), ['GET /real']);
});

test('an edit inside a request path gives a new model with the new name; an edit in a comment reuses the last one', async () => {
  const text = ['from locust import HttpUser, task', 'class U(HttpUser):', '    @task', '    def t(self):', '        # note', '        self.client.get("/one")', ''].join('\n');
  const analyses = new DocumentAnalyses();
  analyses.openDocument('file:///a.py', 'python', 1, text);
  const first = await analyses.analysisOf('file:///a.py');
  assert.deepEqual(named(first?.model.requests ?? []), ['GET /one']);
  analyses.changeDocument('file:///a.py', 2, [{ range: { start: { line: 4, character: 14 }, end: { line: 4, character: 14 } }, text: 's' }]);
  const second = await analyses.analysisOf('file:///a.py');
  assert.equal(second?.model.requests, first?.model.requests, 'a comment changes no request: the model is reused');
  analyses.changeDocument('file:///a.py', 3, [{ range: { start: { line: 5, character: 29 }, end: { line: 5, character: 29 } }, text: 'x' }]);
  const third = await analyses.analysisOf('file:///a.py');
  assert.deepEqual(named(third?.model.requests ?? []), ['GET /onex']);
  analyses.forget('file:///a.py');
});

test('the oracle fixture: the names Locust 2.12 listed for it in its statistics, and its thresholds', async () => {
  // `locust -f thresholds_and_requests.py --headless --csv` named its rows GET /cart, POST /checkout, GET /health,
  // GET /items/[id], GET /search?q=[term], WS echo; the model oracle test checks that Locust imports the file.
  const text = await readFile(path.join(__dirname, '..', 'fixtures', 'locustfiles', 'thresholds_and_requests.py'), 'utf8');
  const tree = (await pythonParser()).parse(text);
  assert.ok(tree);
  try {
    const model = buildModel(tree, 'file:///fixture.py', 1);
    assert.deepEqual(named(model.requests).sort(), ['GET /cart', 'GET /health', 'GET /items/[id]', 'GET /search?q=[term]', 'POST /checkout', 'WS echo']);
    assert.deepEqual(model.thresholds.map((t) => t.parsed?.ok), [true, true, true, true, true]);
  } finally {
    tree.delete();
  }
});
