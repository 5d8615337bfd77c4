// The model from sources on what Python allows beyond literals: `tasks` collections and names, weights from constants, unknown weights with
// their reasons, classes inside `if`/`try`/`with`, and a constant edited in an open document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonParser } from '../../server/parser';
import { buildModel } from '../../server/locustfileModel';
import { DocumentAnalyses } from '../../server/documentAnalysis';
import { taskShares, type TaskInfo } from '../../protocol/model';

async function model(text: string) {
  const tree = (await pythonParser()).parse(text);
  assert.ok(tree);
  try {
    return buildModel(tree, 'file:///t.py', 1);
  } finally {
    tree.delete();
  }
}

const weights = (tasks: TaskInfo[]) => tasks.map((t) => `${t.name}:${t.weight ?? '?'}`);

test('weights from constants: arithmetic, nested subscripts, conditional expressions, the binding above the class', async () => {
  const m = await model(
    [
      'from locust import User, task',
      'W = 2',
      'T = {"eu": {"r": W * 3}, "us": {"r": 1}}',
      'R = "eu"',
      'class A(User):',
      '    weight = W + 1',
      '    fixed_count = -(-W)',
      '    @task(T[R]["r"])',
      '    def r(self): pass',
      '    @task(weight=W ** 2 if R == "eu" else 0)',
      '    def s(self): pass',
      '    @task((7 // 2) % 2 + W)',
      '    def t(self): pass',
      'W = 100',
    ].join('\n'),
  );
  const user = m.users[0]!;
  assert.deepEqual([user.weight, user.fixedCount, user.unknownWeight, user.unknownFixedCount], [3, 2, null, null]);
  assert.deepEqual(weights(user.tasks), ['r:6', 's:4', 't:3']);
});

test('weights the running file decides are unknown, each with a reason; shares are then unknown for the whole list', async () => {
  const m = await model(
    [
      'import os',
      'from config import HEAVY',
      'from locust import User, task',
      'if os.getenv("BIG"):',
      '    N = 5',
      'else:',
      '    N = 1',
      'class A(User):',
      '    weight = HEAVY',
      '    @task(int(os.getenv("W", "1")))',
      '    def a(self): pass',
      '    @task(N)',
      '    def b(self): pass',
      '    @task(f"{N}")',
      '    def c(self): pass',
      '    @task(2.5)',
      '    def d(self): pass',
      '    @task(UNDEFINED)',
      '    def e(self): pass',
      '    @task(3)',
      '    def f(self): pass',
    ].join('\n'),
  );
  const user = m.users[0]!;
  assert.equal(user.weight, null);
  assert.match(user.unknownWeight?.reason ?? '', /`HEAVY` is imported from `config`/);
  assert.deepEqual(weights(user.tasks), ['a:?', 'b:?', 'c:?', 'd:?', 'e:?', 'f:3']);
  const reasons = user.tasks.map((t) => t.unknownWeight?.reason ?? null);
  assert.match(reasons[0]!, /calls `int\(…\)`, computed when the file runs/);
  assert.match(reasons[1]!, /`N` is set under `if os\.getenv\("BIG"\)`, which the model cannot evaluate/);
  assert.match(reasons[2]!, /f-string/);
  assert.match(reasons[3]!, /not a whole number \(a float\)/);
  assert.match(reasons[4]!, /`UNDEFINED` is not a constant this file sets/);
  assert.equal(reasons[5], null);
  assert.deepEqual(taskShares(user.tasks), [null, null, null, null, null, null]);
  assert.deepEqual(taskShares([{ weight: 1 }, { weight: 3 }]), [0.25, 0.75]);
});

test('tasks as sets, tuples, names, (task, weight) pairs and Other.tasks + [...]; a name cycle ends', async () => {
  const m = await model(
    [
      'from locust import User, TaskSet, task',
      'def a(u): pass',
      'def b(u): pass',
      'BASE = (a, b)',
      'class S(TaskSet):',
      '    tasks = {a: 2}',
      '    @task',
      '    def own(self): pass',
      'class T(TaskSet):',
      '    tasks = S.tasks + [b, (a, 3)]',
      'class U1(User):',
      '    tasks = {a, b, a}',
      'class U2(User):',
      '    tasks = BASE',
      'class U3(User):',
      '    PAIRS = [(a, 4), (b, 1)]',
      '    tasks = PAIRS',
      'class U4(User):',
      '    tasks = [T]',
      'X = Y',
      'Y = X',
      'class U5(User):',
      '    tasks = X',
    ].join('\n'),
  );
  const byName = new Map(m.users.map((u) => [u.name, u]));
  assert.deepEqual(weights(byName.get('U1')!.tasks).sort(), ['a:1', 'b:1']);
  assert.deepEqual(weights(byName.get('U2')!.tasks), ['a:1', 'b:1']);
  assert.deepEqual(weights(byName.get('U3')!.tasks), ['a:4', 'b:1']);
  assert.deepEqual(weights(byName.get('U4')!.taskSets.find((s) => s.name === 'T')!.tasks).sort(), ['a:2', 'a:3', 'b:1', 'own:1']);
  assert.deepEqual(byName.get('U5')!.tasks, []);
  // An entry's range is where it is written, in the module-level tuple.
  assert.equal(byName.get('U2')!.tasks[0]!.range.start.line, 3);
});

test('classes in if/else, try/except/else/finally and with blocks: the branch that runs, `__main__` never', async () => {
  const m = await model(
    [
      'from locust import User, task',
      'MODE = "b"',
      'if MODE == "a":',
      '    class A(User):',
      '        @task',
      '        def x(self): pass',
      'elif MODE == "b":',
      '    class B(User):',
      '        @task',
      '        def x(self): pass',
      'else:',
      '    class C(User):',
      '        @task',
      '        def x(self): pass',
      'try:',
      '    import json',
      'except ImportError:',
      '    class D(User):',
      '        @task',
      '        def x(self): pass',
      'else:',
      '    class E(User):',
      '        @task(2)',
      '        def x(self): pass',
      'with open(__file__):',
      '    if True:',
      '        class F(User):',
      '            @task',
      '            def x(self): pass',
      'if __name__ == "__main__":',
      '    class G(User):',
      '        @task',
      '        def x(self): pass',
      'import random',
      'if random.random() < 0.5:',
      '    class H(User):',
      '        @task',
      '        def x(self): pass',
      'else:',
      '    class H(User):',
      '        @task(5)',
      '        def y(self): pass',
    ].join('\n'),
  );
  assert.deepEqual(m.users.map((u) => `${u.name}:${weights(u.tasks).join(',')}`), ['B:x:1', 'E:x:2', 'F:x:1', 'H:x:1']);
  assert.equal(m.users[2]!.range.start.line, 26);
});

test('editing a constant in an open document changes the weights that use it (the reused model is not stale)', async () => {
  const text = 'from locust import User, task\nW = 2\n\nclass A(User):\n    @task(W)\n    def a(self):\n        pass\n';
  const analyses = new DocumentAnalyses();
  analyses.openDocument('file:///c.py', 'python', 1, text);
  assert.equal((await analyses.analysisOf('file:///c.py'))?.model.users[0]?.tasks[0]?.weight, 2);
  analyses.changeDocument('file:///c.py', 2, [{ range: { start: { line: 1, character: 4 }, end: { line: 1, character: 5 } }, text: '7' }]);
  assert.equal((await analyses.analysisOf('file:///c.py'))?.model.users[0]?.tasks[0]?.weight, 7);
  analyses.changeDocument('file:///c.py', 3, [{ range: { start: { line: 1, character: 4 }, end: { line: 1, character: 5 } }, text: 'int("3")' }]);
  assert.equal((await analyses.analysisOf('file:///c.py'))?.model.users[0]?.tasks[0]?.weight, null);
  analyses.forget('file:///c.py');
});

test('a name imported from another module is a task `tasks` may list, and a weight the model cannot know', async () => {
  const m = await model('from flows import Browse, HEAVY\nfrom locust import User\nclass A(User):\n    tasks = [Browse]\nclass B(User):\n    tasks = {Browse: HEAVY}\n');
  assert.deepEqual(weights(m.users[0]!.tasks), ['Browse:1']);
  assert.deepEqual(weights(m.users[1]!.tasks), ['Browse:?']);
  assert.match(m.users[1]!.tasks[0]!.unknownWeight?.reason ?? '', /`HEAVY` is imported from `flows`/);
});
