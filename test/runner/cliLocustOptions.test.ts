// The bundled CLI with options newer Locust has, on every Locust of the matrix: --workers takes Locust's own --processes where
// its parser has it (else a master and workers started here), --profile names the run where Locust has it and is refused
// before anything starts where not; the record says which interpreter, Locust and profile the run used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadRunRecord } from '../../runner/runRecord';
import { cliAgainstTarget, onlyRecord, runCli } from '../helpers/cliProcess';
import { LOCUSTS, locustOptions, requireLocust, titled } from './support';

const fixture = cliAgainstTarget('cli-locust-options');

const LOCUSTFILE = `
from locust import HttpUser, constant, task

class Browser(HttpUser):
    wait_time = constant(0.05)

    @task
    def products(self):
        self.client.get("/products")
`;

for (const locust of LOCUSTS) {
  test(titled(locust, 'cli run --workers 2 [--profile]: the mode and profile the interpreter’s Locust has, in the record'), { timeout: 120_000 }, async () => {
    requireLocust(locust);
    const options = locustOptions(locust);
    const hasProfile = options.has('--profile');
    const dir = await fixture.workdir(`workers-${locust.version}`, LOCUSTFILE);
    const common = ['run', 'locustfile.py', '-u', '2', '-r', '2', '-t', '3s', '-H', fixture.url, '--python', locust.python, '--workers', '2', '--record-dir', 'records'];

    if (!hasProfile) {
      const refused = await runCli([...common, '--profile', 'checkout-v2'], { cwd: dir });
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /--profile: .* has Locust .*, which has no --profile option/);
      assert.equal(existsSync(path.join(dir, 'records')), false, 'nothing started, nothing recorded');
    }

    const result = await runCli([...common, ...(hasProfile ? ['--profile', 'checkout-v2'] : [])], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const record = await loadRunRecord(await onlyRecord(path.join(dir, 'records')));
    assert.equal(record.meta.outcome, 'finished');
    assert.equal(record.meta.runnerKind, 'master');
    assert.equal(record.options.mode, options.has('--processes') ? 'processes' : 'distributed');
    assert.equal(record.options.workers, 2);
    assert.deepEqual(record.meta.interpreter, { path: locust.python, locustVersion: locust.version, source: 'option' });
    if (hasProfile) {
      assert.equal(record.options.profile, 'checkout-v2');
      assert.equal(record.meta.profile, 'checkout-v2', 'Locust’s own environment holds the profile (hello)');
    } else {
      assert.equal(record.meta.profile, undefined, 'a Locust without profiles says none');
    }
    assert.ok(record.total && record.total.requests > 0);
  });
}
