// The model of a MarkovTaskSet: its states and transitions in every decorator form, as Locust's metaclass reads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonParser } from '../../server/parser';
import { buildModel } from '../../server/locustfileModel';
import { outgoingShares, reachableStates } from '../../server/markovChain';

async function model(text: string) {
  const tree = (await pythonParser()).parse(text);
  assert.ok(tree);
  return buildModel(tree, 'file:///t.py', 1);
}

const SHOP = [
  'from locust import HttpUser, MarkovTaskSet, transition, transitions',
  'import locust',
  '',
  'class Shop(MarkovTaskSet):',
  '    def helper(self): pass',
  '',
  '    @transition("cart", 2)',
  '    @transition(func_name="home")',
  '    def home(self): pass',
  '',
  '    @transitions({"home": 1, "checkout": 3})',
  '    def cart(self): pass',
  '',
  '    @transitions(["home", ("cart", 2)])',
  '    def checkout(self): pass',
  '',
  '    @locust.transition("home", weight=-1)',
  '    @transition("home", weight=5)',
  '    @transitions(weights={})',
  '    def leave(self): pass',
  '',
  'class Buyer(HttpUser):',
  '    tasks = [Shop]',
].join('\n');

test('states are the decorated methods in order; every decorator form gives its transitions and weights', async () => {
  const m = await model(SHOP);
  const shop = m.taskSets.find((s) => s.name === 'Shop');
  assert.ok(shop?.markov);
  assert.equal(shop.markov.start, 'home');
  assert.deepEqual(shop.tasks, [], 'Locust collects no tasks in a MarkovTaskSet');
  assert.deepEqual(
    shop.markov.states.map((s) => [s.name, s.transitions.map((t) => [t.to, t.weight])]),
    [
      ['home', [['cart', 2], ['home', 1]]],
      ['cart', [['home', 1], ['checkout', 3]]],
      ['checkout', [['home', 1], ['cart', 2]]],
      // The decorator above is applied last: its weight replaces the one below.
      ['leave', [['home', -1]]],
    ],
  );
  const home = shop.markov.states[0]!;
  assert.deepEqual(home.range.start, { line: 6, character: 4 });
  assert.deepEqual(home.transitions[0]!.range, { start: { line: 6, character: 16 }, end: { line: 6, character: 22 } });
  assert.deepEqual(home.transitions[0]!.weightRange, { start: { line: 6, character: 24 }, end: { line: 6, character: 25 } });
  assert.equal(home.transitions[1]!.weightRange, null, 'a default weight has no range');
  assert.deepEqual(m.users[0]!.taskSets.map((s) => s.name), ['Shop']);
});

test('shares count drawn weights only, and reachability follows them from the start state', async () => {
  const shop = (await model(SHOP)).taskSets[0]!.markov!;
  assert.deepEqual(outgoingShares(shop.states[0]!), [{ to: 'cart', share: 2 / 3 }, { to: 'home', share: 1 / 3 }]);
  assert.deepEqual(outgoingShares(shop.states[3]!), [], 'a weight below 1 is never drawn');
  assert.deepEqual([...reachableStates(shop)].sort(), ['cart', 'checkout', 'home']);
});

test('an ordinary TaskSet has no chain; a subclass of a MarkovTaskSet of the file has one of its own body only', async () => {
  const m = await model(
    [
      'from locust import TaskSet, task',
      'from locust.user.markov_taskset import MarkovTaskSet as M, transition',
      'class Plain(TaskSet):',
      '    @task',
      '    def a(self): pass',
      'class Base(M):',
      '    abstract = True',
      '    @transition("a")',
      '    def a(self): pass',
      'class Child(Base):',
      '    @transition("b")',
      '    def b(self): pass',
    ].join('\n'),
  );
  assert.deepEqual(
    m.taskSets.map((s) => [s.name, s.markov && s.markov.states.map((st) => st.name)]),
    [
      ['Plain', null],
      ['Base', ['a']],
      ['Child', ['b']],
    ],
  );
});

test('a transition whose target or weight is not a literal: the target is left out, the weight is unknown', async () => {
  const m = await model(
    ['from locust import MarkovTaskSet, transition, transitions', 'W = 2', 'class S(MarkovTaskSet):', '    @transitions({NAME: 1, "s": W})', '    def s(self): pass'].join('\n'),
  );
  assert.deepEqual(m.taskSets[0]!.markov!.states[0]!.transitions.map((t) => [t.to, t.weight]), [['s', null]]);
  assert.deepEqual(outgoingShares(m.taskSets[0]!.markov!.states[0]!), [{ to: 's', share: null }]);
});
