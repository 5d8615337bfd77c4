// A locustfile's own command-line arguments, read by the language server's model and chosen as the run questions choose
// them, reach a real Locust: the statistics show the values the locustfile read from environment.parsed_options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonParser } from '../../server/parser';
import { buildModel } from '../../server/locustfileModel';
import { mergeDefaults, runOptionsFor } from '../../runner/runChoices';
import { locustsFor, requireLocust, runsAgainstTarget, titled } from './support';

const LOCUSTFILE = `
from locust import HttpUser, constant, events, task

@events.init_command_line_parser.add_listener
def _(parser):
    parser.add_argument("--target-env", choices=["dev", "staging"], default="dev", help="Where to send traffic")
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--verbose-checks", action="store_true")

class Shopper(HttpUser):
    wait_time = constant(0.1)

    @task
    def browse(self):
        o = self.environment.parsed_options
        self.client.get("/products", name=f"/products env={o.target_env} batch={o.batch_size} verbose={o.verbose_checks}")
`;

const runs = runsAgainstTarget('custom-args');

for (const locust of locustsFor('full')) {
  test(titled(locust, 'the locustfile’s own arguments, chosen for the run, reach Locust (the requests are named by them)'), { timeout: 60_000 }, async () => {
    requireLocust(locust);
    const tree = (await pythonParser()).parse(LOCUSTFILE);
    assert.ok(tree);
    const declared = buildModel(tree, 'file:///locustfile.py', 1).customArguments ?? [];
    tree.delete();
    assert.deepEqual(declared.map((a) => a.flag), ['--target-env', '--batch-size', '--verbose-checks']);
    const choices = mergeDefaults({ users: 1, spawnRate: 1, runTime: '2s', customArgs: { '--target-env': 'staging', '--batch-size': '7', '--verbose-checks': 'true' } });
    const options = runOptionsFor({ locustfile: 'locustfile.py', userClasses: [] }, choices, { python: locust.python, statsInterval: 0.25, workers: 0 }, declared);
    const { run, messages, logs } = await runs.start(`args-${locust.version}`, LOCUSTFILE, {
      python: locust.python,
      users: options.users,
      spawnRate: options.spawnRate,
      runTime: options.runTime,
      extraArgs: options.extraArgs,
    });
    const exit = await run.exit;
    assert.equal(exit.code, 0, `Locust ran (${JSON.stringify(exit)}):\n${logs.slice(-10).map((l) => l.line).join('\n')}`);
    const final = messages.find((m) => m.type === 'final');
    assert.ok(final?.type === 'final', 'final statistics');
    const names = final.endpoints.map((e) => e.name);
    assert.deepEqual(names, ['/products env=staging batch=7 verbose=True']);
  });
}
