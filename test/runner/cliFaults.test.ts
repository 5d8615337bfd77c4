// The CLI under faults, as users meet them: a record folder it cannot write, a disk that fills up mid-run, a Ctrl-C
// during the CSV export, and request names and messages full of terminal control characters.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadRunRecord } from '../../runner/runRecord';
import { cliAgainstTarget, onlyRecord, runCli } from '../helpers/cliProcess';
import { liveGroupMembers, parseCsv, PYTHON } from './support';

const fixture = cliAgainstTarget('cli-faults');

/**
 * A tmpfs of `size` at a new folder under the scratch folder (`ro`: read-only, where even root cannot write; the tests
 * run as root, locally and in CI), unmounted when the test ends: before the fixture removes the scratch folder.
 */
async function tmpfs(t: TestContext, name: string, size: string, { ro = false } = {}): Promise<string> {
  const dir = path.join(fixture.scratch, name);
  await mkdir(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${ro ? ',ro' : ''}`, 'tmpfs', dir]);
  t.after(() => {
    // A CLI still writing there would keep it busy: the test's own runs have ended by now.
    execFileSync('umount', [dir]);
  });
  return dir;
}

const STEADY = `
from locust import HttpUser, constant, task

class Steady(HttpUser):
    wait_time = constant(0.05)

    @task
    def products(self):
        self.client.get("/products")
`;

/** Anything but a line feed below 0x20, DEL, and the C1 controls: what must never reach the terminal raw. */
// eslint-disable-next-line no-control-regex -- the test looks for exactly these characters
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

test('cli run: a record folder that cannot be written is refused before Locust starts, with the reason and what to do, status 2', { timeout: 60_000 }, async (t) => {
  const dir = await fixture.workdir('refused', STEADY);
  await writeFile(path.join(dir, 'in-the-way'), 'a file, not a folder');
  const readOnly = await tmpfs(t, 'read-only', '64k', { ro: true });
  const cases: [string, RegExp][] = [
    ['/proc/x', /cannot write the run record under \/proc\/x: folders cannot be made there \(ENOENT/],
    ['in-the-way', /cannot write the run record under .*in-the-way: a file is in the way where a folder should be/],
    ['in-the-way/records', /cannot write the run record under .*in-the-way\/records: a file is in the way where a folder should be/],
    [path.join(readOnly, 'records'), /cannot write the run record under .*read-only\/records: it is on a read-only file system \(EROFS\)/],
  ];
  for (const [recordDir, reason] of cases) {
    const result = await runCli(['run', 'locustfile.py', '-u', '1', '-t', '2s', '-H', fixture.url, '--python', PYTHON, '--record-dir', recordDir], { cwd: dir });
    assert.equal(result.code, 2, `${recordDir}: status 2\n${result.stderr}`);
    assert.match(result.stderr, reason, recordDir);
    assert.match(result.stderr, /--record-dir.*--no-record/, `${recordDir}: says what to do`);
    assert.equal(result.stdout, '', `${recordDir}: nothing ran (no progress, no table)`);
    assert.equal(result.stderr.trim().split('\n').length, 1, `${recordDir}: one line, no noise\n${result.stderr}`);
  }
  assert.deepEqual(await readdir(readOnly), []);
  assert.equal(await readFile(path.join(dir, 'in-the-way'), 'utf8'), 'a file, not a folder', 'the file in the way is left alone');
});

/** Many endpoints that all change every tick: ticks of several kB each, which fill a tiny disk within a second or two. */
const MANY_NAMES = `
from locust import HttpUser, constant, task

class Many(HttpUser):
    wait_time = constant(0.01)

    @task
    def products(self):
        for i in range(40):
            self.client.get("/products", name=f"/products/{i}-" + "n" * 40)
`;

test('cli run: the disk fills up mid-run: recording stops, said once; the run goes on to its final table and status; nothing is left', { timeout: 60_000 }, async (t) => {
  const dir = await fixture.workdir('disk-full', MANY_NAMES);
  const disk = await tmpfs(t, 'tiny-disk', '64k');
  const result = await runCli(
    ['run', 'locustfile.py', '-u', '4', '-r', '4', '-t', '5s', '-H', fixture.url, '--python', PYTHON, '--interval', '0.25', '--record-dir', disk],
    { cwd: dir },
  );
  const said = result.stderr.match(/recording stopped: [^\n]*/g) ?? [];
  assert.equal(said.length, 1, `said once:\n${result.stderr}`);
  assert.match(said[0], /^recording stopped: no space left on the device \(ENOSPC\).*; the run goes on$/);
  assert.equal(result.code, 0, `the run's own status (no request failed)\n${result.stderr}`);
  const aggregated = /^\s+Aggregated\s+(\d+)\s+0 \(/m.exec(result.stdout);
  assert.ok(aggregated && Number(aggregated[1]) > 0, `the final table, from memory:\n${result.stdout}`);
  assert.match(result.stdout, /Run record: .* \(incomplete: recording stopped\)/);
  const record = await loadRunRecord(await onlyRecord(disk));
  assert.match(record.meta.recordStopped ?? '', /ENOSPC/, 'meta.json says the record is incomplete');
  assert.deepEqual(await liveGroupMembers(record.meta.pid!), []);
});

test('cli run --csv: Ctrl-C twice right after the run ended does not cut off the export', { timeout: 60_000 }, async () => {
  const dir = await fixture.workdir('late-ctrl-c', STEADY);
  let signalled = false;
  const result = await runCli(
    ['run', 'locustfile.py', '-u', '2', '-r', '2', '-t', '2s', '-H', fixture.url, '--python', PYTHON, '--interval', '0.5', '--record-dir', 'records', '--csv', 'out/run'],
    {
      cwd: dir,
      onOutput: (stdout, _stderr, child) => {
        // "Run record:" comes right before the export starts: an impatient user presses Ctrl-C twice then.
        if (!signalled && /^Run record: /m.test(stdout)) {
          signalled = true;
          child.kill('SIGINT');
          child.kill('SIGINT');
        }
      },
    },
  );
  assert.ok(signalled, result.stdout);
  assert.equal(result.code, 0, `the run's status, not a signal's\n${result.stderr}`);
  assert.match(result.stderr, /the run has ended; finishing its output/);
  assert.match(result.stdout, /^Exported: /m);
  const record = await loadRunRecord(await onlyRecord(path.join(dir, 'records')));
  const stats = parseCsv(await readFile(path.join(dir, 'out', 'run_stats.csv'), 'utf8'));
  assert.deepEqual(stats.at(-1)!.slice(1, 3), ['Aggregated', String(record.total!.requests)], 'the stats CSV is whole');
  const history = parseCsv(await readFile(path.join(dir, 'out', 'run_stats_history.csv'), 'utf8'));
  assert.equal(history.length, record.ticks.length + 1, 'one history row per tick');
  for (const file of ['run_failures.csv', 'run_exceptions.csv']) assert.ok(existsSync(path.join(dir, 'out', file)), file);
  const json = JSON.parse(await readFile(path.join(dir, 'out', 'run.json'), 'utf8')) as { total: { requests: number } };
  assert.equal(json.total.requests, record.total!.requests, 'the JSON is whole');
});

const HOSTILE = `
from locust import HttpUser, constant, task

EVIL = "\\x1b]0;pwned\\x07\\x1b[2J\\r\\nfake line\\x9b1m\\x00"

class Hostile(HttpUser):
    wait_time = constant(0.05)

    @task(3)
    def named(self):
        with self.client.get("/products", name="/evil" + EVIL, catch_response=True) as response:
            response.failure("bad" + EVIL)

    @task(1)
    def raises(self):
        raise ValueError("boom" + EVIL)
`;

test('cli run: control characters in names, failures, exceptions and Locust’s log reach the terminal as visible escapes only', { timeout: 60_000 }, async () => {
  const dir = await fixture.workdir('hostile', HOSTILE);
  const result = await runCli(
    ['run', 'locustfile.py', '-u', '2', '-r', '2', '-t', '3s', '-H', fixture.url, '--python', PYTHON, '--interval', '0.5', '--record-dir', 'records', '--verbose'],
    { cwd: dir },
  );
  assert.equal(result.code, 1, `Locust's status: requests failed\n${result.stderr}`);
  for (const [name, text] of [['stdout', result.stdout], ['stderr', result.stderr]] as const) {
    const raw = RAW_CONTROL.exec(text);
    assert.equal(raw, null, `${name} has a raw control character ${JSON.stringify(raw?.[0])} at ${raw?.index}: ${JSON.stringify(text.slice(Math.max(0, (raw?.index ?? 0) - 60), (raw?.index ?? 0) + 20))}`);
  }
  const shown = String.raw`\x1b]0;pwned\x07\x1b[2J\r\nfake line\x9b1m\x00`;
  assert.ok(result.stdout.includes(`/evil${shown}`.slice(0, 49)), `the table row shows the name's escapes:\n${result.stdout}`);
  assert.ok(result.stdout.includes(`bad${shown}`), 'the failure, escaped');
  assert.ok(result.stdout.includes(`boom${shown}`), 'the exception, escaped');
  assert.ok(result.stderr.includes(shown), 'Locust’s own log lines (--verbose), escaped');
  assert.doesNotMatch(result.stdout, /^fake line/m, 'no line of the table was broken');
});
