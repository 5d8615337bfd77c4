// The locustfile model from sources (tree-sitter wasm from node_modules): imports, classes and tasks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonParser } from '../../server/parser';
import { buildModel } from '../../server/locustfileModel';

async function model(text: string) {
  const tree = (await pythonParser()).parse(text);
  assert.ok(tree);
  return buildModel(tree, 'file:///t.py', 1);
}

test('a file that does not import locust has no User classes, even with look-alike names', async () => {
  const m = await model('class HttpUser: pass\nclass Mine(HttpUser):\n    pass\n');
  assert.equal(m.isLocustfile, false);
  assert.deepEqual(m.users, []);
});

test('star imports, FastHttpUser from contrib, shapes with and without tick', async () => {
  const m = await model(
    [
      'from locust import *',
      'from locust.contrib.fasthttp import FastHttpUser as Fast',
      'class A(Fast):',
      '    @task(weight=4)',
      '    def a(self): pass',
      'class Steps(LoadTestShape):',
      '    def tick(self): return None',
      'class NoTick(LoadTestShape):',
      '    pass',
    ].join('\n'),
  );
  assert.deepEqual(m.users.map((u) => [u.name, u.base, u.tasks.map((t) => t.weight)]), [['A', 'Fast', [4]]]);
  assert.deepEqual(m.shapes.map((s) => [s.name, s.hasTick]), [['Steps', true], ['NoTick', false]]);
});

test('a half-typed task in the middle of a class keeps the tasks around it, and the class after it', async () => {
  const m = await model(
    [
      'from locust import HttpUser, task',
      'class U(HttpUser):',
      '    @task',
      '    def a(self): pass',
      '    @task(',
      '    @task(2)',
      '    def c(self): pass',
      'class V(HttpUser):',
      '    @task',
      '    def d(self): pass',
      '',
    ].join('\n'),
  );
  assert.equal(m.users[0]?.name, 'U');
  const names = m.users[0]?.tasks.map((t) => t.name) ?? [];
  assert.ok(names.includes('a'), `tasks: ${names.join(', ')}`);
  assert.ok(names.includes('c'), `the task after the broken decorator survives; tasks: ${names.join(', ')}`);
  assert.deepEqual(m.users.slice(1).map((u) => [u.name, u.tasks.map((t) => t.name)]), [['V', ['d']]]);
});
