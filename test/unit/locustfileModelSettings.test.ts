// The locustfile model from sources: class settings inherited through the file's classes, wait times, on_start/on_stop,
// top-level TaskSets and event listeners, also across edits that reuse the earlier reading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonParser } from '../../server/parser';
import { buildModel } from '../../server/locustfileModel';
import { DocumentAnalyses } from '../../server/documentAnalysis';
import type { LocustfileModel, WaitTimeInfo } from '../../protocol/model';

async function model(text: string): Promise<LocustfileModel> {
  const tree = (await pythonParser()).parse(text);
  assert.ok(tree);
  try {
    return buildModel(tree, 'file:///t.py', 1);
  } finally {
    tree.delete();
  }
}

function user(m: LocustfileModel, name: string) {
  const found = m.users.find((u) => u.name === name);
  assert.ok(found, `User class ${name} in ${m.users.map((u) => u.name).join(', ')}`);
  return found;
}

const wait = (w: WaitTimeInfo | null) => (w ? [w.kind, w.args] : null);

test('weight, fixed_count and host come from the nearest base class of the file that sets them; abstract does not', async () => {
  const m = await model(
    [
      'from locust import HttpUser, task',
      'class Base(HttpUser):',
      '    abstract = True',
      '    host = "http://base"',
      '    weight = 3',
      'class Middle(Base):',
      '    fixed_count = 2',
      'class Child(Middle):',
      '    @task',
      '    def a(self): pass',
      'class Own(Base):',
      '    host = "http://own"',
      '    weight = 1',
      'class Unknown(Base):',
      '    host = HOST_FROM_ELSEWHERE',
    ].join('\n'),
  );
  assert.deepEqual(
    m.users.map((u) => [u.name, u.abstract, u.host, u.weight, u.fixedCount]),
    [
      ['Base', true, 'http://base', 3, null],
      ['Middle', false, 'http://base', 3, 2],
      ['Child', false, 'http://base', 3, 2],
      ['Own', false, 'http://own', 1, null],
      // Set, but not to a literal: the base's value does not show through.
      ['Unknown', false, null, 3, null],
    ],
  );
});

test("a shape inherits tick() from a base shape or a mixin of the file; one without it anywhere has none", async () => {
  const m = await model(
    [
      'from locust import LoadTestShape',
      'class BaseShape(LoadTestShape):',
      '    def tick(self):',
      '        return None',
      'class Ramp(BaseShape):',
      '    time_limit = 30',
      'class Ticking:',
      '    def tick(self): return None',
      'class Mixed(Ticking, LoadTestShape):',
      '    pass',
      'class Plain(LoadTestShape):',
      '    pass',
    ].join('\n'),
  );
  assert.deepEqual(m.shapes.map((s) => [s.name, s.hasTick]), [['BaseShape', true], ['Ramp', true], ['Mixed', true], ['Plain', false]]);
});

test("attributes follow Python's method resolution order: mixins first, a diamond's shared base last", async () => {
  const m = await model(
    [
      'from locust import HttpUser, task, constant, between',
      'class Root(HttpUser):',
      '    abstract = True',
      '    host = "http://root"',
      '    wait_time = constant(9)',
      'class Left(Root):',
      '    abstract = True',
      'class Right(Root):',
      '    abstract = True',
      '    host = "http://right"',
      '    wait_time = between(1, 2)',
      'class Diamond(Left, Right):',
      '    pass',
      'class Mixin:',
      '    weight = 7',
      'class WithMixin(Mixin, Root):',
      '    pass',
    ].join('\n'),
  );
  // Depth first would find Root's host through Left; C3 puts Right before Root.
  assert.deepEqual([user(m, 'Diamond').host, wait(user(m, 'Diamond').waitTime)], ['http://right', ['between', [1, 2]]]);
  assert.deepEqual([user(m, 'WithMixin').weight, user(m, 'WithMixin').host], [7, 'http://root']);
  // The inherited wait time points at the assignment in the base class.
  assert.equal(user(m, 'Diamond').waitTime?.range.start.line, 10);
});

test('a base-class cycle (which Python rejects) still gives a model', async () => {
  const m = await model(['from locust import HttpUser', 'class A(B):', '    host = "http://a"', 'class B(A):', '    weight = 2'].join('\n'));
  assert.deepEqual(m.users, []);
  const n = await model(['from locust import HttpUser', 'class A(A, HttpUser):', '    host = "http://a"'].join('\n'));
  assert.deepEqual(n.users.map((u) => u.host), ['http://a']);
});

test('wait_time: each of Locust\'s functions with literal arguments, keywords and aliases; anything else is "other"', async () => {
  const m = await model(
    [
      'import locust',
      'from locust import HttpUser, between, constant, constant_pacing as pacing, constant_throughput',
      'RATE = 2',
      'class A(HttpUser):',
      '    wait_time = between(0.5, 1_000)',
      'class B(HttpUser):',
      '    wait_time = between(max_wait=3, min_wait=1)',
      'class C(HttpUser):',
      '    wait_time = constant(0)',
      'class D(HttpUser):',
      '    wait_time = pacing(2.5)',
      'class E(HttpUser):',
      '    wait_time = constant_throughput(RATE)',
      'class F(HttpUser):',
      '    wait_time = locust.between(1, 2,)',
      'class G(HttpUser):',
      '    wait_time = lambda self: 1',
      'class H(HttpUser):',
      '    def wait_time(self):',
      '        return 1',
      'class I(HttpUser):',
      '    def wait_time(self):',
      '        return 1',
      '    wait_time = constant(3)',
      'class J(HttpUser):',
      '    wait_time = between(1)',
      'class K(HttpUser):',
      '    pass',
      'class L(HttpUser):',
      '    wait_time = between(',
      '        1,  # seconds',
      '        2,',
      '    )',
    ].join('\n'),
  );
  assert.deepEqual(
    m.users.map((u) => [u.name, wait(u.waitTime)]),
    [
      ['A', ['between', [0.5, 1000]]],
      ['B', ['between', [1, 3]]],
      ['C', ['constant', [0]]],
      ['D', ['constant_pacing', [2.5]]],
      ['E', ['constant_throughput', null]],
      ['F', ['between', [1, 2]]],
      ['G', ['other', null]],
      ['H', ['other', null]],
      // The later statement wins, as in Python.
      ['I', ['constant', [3]]],
      // A call Python would reject: the kind, no arguments.
      ['J', ['between', null]],
      ['K', null],
      ['L', ['between', [1, 2]]],
    ],
  );
  assert.deepEqual(user(m, 'A').waitTime?.range, { start: { line: 4, character: 4 }, end: { line: 4, character: 35 } });
  assert.deepEqual(user(m, 'H').waitTime?.range, { start: { line: 18, character: 4 }, end: { line: 19, character: 16 } });
});

test('wait_time read from the tree (a class with a syntax error) equals the reading of the same lines without the error', async () => {
  const lines = ['from locust import HttpUser, task, constant_throughput as ct', 'class U(HttpUser):', '    wait_time = ct(task_runs_per_second=0.5)', '    @task', '    def a(self): pass'];
  const clean = await model(lines.join('\n'));
  const broken = await model([...lines.slice(0, 3), '    x = = 1', ...lines.slice(3)].join('\n'));
  assert.deepEqual(wait(user(clean, 'U').waitTime), ['constant_throughput', [0.5]]);
  assert.deepEqual(user(broken, 'U').waitTime, user(clean, 'U').waitTime);
  assert.deepEqual(user(broken, 'U').tasks.map((t) => t.name), ['a']);
});

test('on_start and on_stop: the method ranges, own or inherited, on User classes and TaskSets', async () => {
  const m = await model(
    [
      'from locust import HttpUser, TaskSet, task, constant',
      'class Base(HttpUser):',
      '    abstract = True',
      '    def on_start(self):',
      '        pass',
      'class U(Base):',
      '    @task',
      '    def a(self): pass',
      '    async def on_stop(self):',
      '        pass',
      'class Flow(TaskSet):',
      '    wait_time = constant(1)',
      '    def on_stop(self): pass',
      '    @task',
      '    def b(self): pass',
    ].join('\n'),
  );
  const u = user(m, 'U');
  assert.deepEqual(u.onStart, { start: { line: 3, character: 4 }, end: { line: 4, character: 12 } });
  assert.deepEqual(u.onStop, { start: { line: 8, character: 4 }, end: { line: 9, character: 12 } });
  assert.equal(user(m, 'Base').onStop, null);
  const flow = m.taskSets[0];
  assert.deepEqual([flow?.name, flow?.onStart, flow?.onStop?.start.line, wait(flow?.waitTime ?? null)], ['Flow', null, 12, ['constant', [1]]]);
});

test('TaskSets at module level are in the model whether or not a User class reaches them; nested ones only through their User', async () => {
  const m = await model(
    [
      'from locust import HttpUser, TaskSet, SequentialTaskSet, task',
      'class Used(TaskSet):',
      '    @task',
      '    def a(self): pass',
      'class Orphan(SequentialTaskSet):',
      '    @task',
      '    def b(self): pass',
      'class U(HttpUser):',
      '    tasks = [Used]',
      '    class Inner(TaskSet):',
      '        @task',
      '        def c(self): pass',
    ].join('\n'),
  );
  assert.deepEqual(m.taskSets.map((s) => [s.name, s.sequential, s.tasks.map((t) => t.name)]), [
    ['Used', false, ['a']],
    ['Orphan', true, ['b']],
  ]);
  assert.deepEqual(user(m, 'U').taskSets.map((s) => s.name), ['Used', 'Inner']);
});

test('event listeners: decorators and calls on locust\'s events (aliases, locust.events), not on other objects or inside classes', async () => {
  const m = await model(
    [
      'import locust',
      'from locust import events as ev, HttpUser',
      'import other',
      '@ev.init.add_listener',
      'def on_init(environment, **kw): pass',
      '',
      '@locust.events.test_start.add_listener',
      '@ev.test_stop.add_listener',
      'def edges(**kw): pass',
      '@other.events.init.add_listener',
      'def not_locust(**kw): pass',
      'ev.request.add_listener(on_init)',
      'locust.events.quitting.add_listener(lambda **kw: None)',
      'other.add_listener(on_init)',
      'class U(HttpUser):',
      '    @ev.init.add_listener',
      '    def inside(self): pass',
    ].join('\n'),
  );
  assert.deepEqual(
    m.listeners.map((l) => [l.event, l.function, l.range.start.line, l.range.end.line]),
    [
      ['init', 'on_init', 3, 4],
      ['test_start', 'edges', 6, 8],
      ['test_stop', 'edges', 6, 8],
      ['request', 'on_init', 11, 11],
      ['quitting', null, 12, 12],
    ],
  );
  assert.deepEqual((await model('import os\n@events.init.add_listener\ndef f(**kw): pass\n')).listeners, []);
});

test('edits reuse the reading of untouched classes, yet inherited settings follow a changed base and listeners move with the text', async () => {
  const text = [
    'from locust import HttpUser, task, between, events',
    'class Base(HttpUser):',
    '    abstract = True',
    '    host = "http://one"',
    '    wait_time = between(1, 2)',
    '',
    'class Child(Base):',
    '    @task',
    '    def a(self): pass',
    '',
    '@events.init.add_listener',
    'def on_init(**kw): pass',
    '',
  ].join('\n');
  const analyses = new DocumentAnalyses();
  const uri = 'file:///edit.py';
  analyses.openDocument(uri, 'python', 1, text);
  await analyses.analysisOf(uri);
  // "one" → "two" in the base's host, and a line inserted at the top.
  analyses.changeDocument(uri, 2, [
    { range: { start: { line: 3, character: 19 }, end: { line: 3, character: 22 } }, text: 'two' },
    { range: { start: { line: 4, character: 27 }, end: { line: 4, character: 28 } }, text: '5' },
    { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# a comment\n' },
  ]);
  const edited = (await analyses.analysisOf(uri))?.model;
  assert.equal(analyses.incrementalParses, 1);
  const child = edited?.users.find((u) => u.name === 'Child');
  assert.deepEqual([child?.host, wait(child?.waitTime ?? null), child?.waitTime?.range.start.line], ['http://two', ['between', [1, 5]], 5]);
  assert.deepEqual(edited?.listeners.map((l) => [l.event, l.range.start.line]), [['init', 11]]);
  const fresh = await model(analyses.document(uri)?.getText() ?? '');
  assert.deepEqual({ ...edited, version: 1, uri: '' }, { ...fresh, uri: '' });
  analyses.forget(uri);
});
