// The model's side of the panel's "Current ratio": User class shares among the classes a run starts, task shares within each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonParser } from '../../server/parser';
import { buildModel } from '../../server/locustfileModel';
import { modelRatioRows } from '../../runner/taskRatios';

const LOCUSTFILE = `from locust import HttpUser, TaskSet, task


class Browse(TaskSet):
    @task(3)
    def list(self):
        pass

    @task
    def stop(self):
        self.interrupt()


class Shopper(HttpUser):
    weight = 3
    tasks = {Browse: 1}

    @task(3)
    def checkout(self):
        pass


class Admin(HttpUser):
    @task
    def health(self):
        pass
`;

async function model() {
  const tree = (await pythonParser()).parse(LOCUSTFILE);
  assert.ok(tree);
  return buildModel(tree, 'file:///t.py', 1);
}

test('every runnable class by weight, its tasks within it and a TaskSet\'s tasks within the TaskSet', async () => {
  const rows = modelRatioRows(await model(), []);
  assert.deepEqual(rows.map((r) => [r.user, r.path.join('/'), r.task, r.share]), [
    ['Shopper', '', null, 0.75],
    ['Shopper', '', 'checkout', 0.75],
    ['Shopper', '', 'Browse', 0.25],
    ['Shopper', 'Browse', 'list', 0.75],
    ['Shopper', 'Browse', 'stop', 0.25],
    ['Admin', '', null, 0.25],
    ['Admin', '', 'health', 1],
  ]);
});

test('a run of one class out of two gives it every user', async () => {
  const rows = modelRatioRows(await model(), ['Admin']);
  assert.deepEqual(rows.map((r) => [r.user, r.task, r.share]), [['Admin', null, 1], ['Admin', 'health', 1]]);
});
