// The bundled CLI (dist/cli.js, built by `npm run build`) run as users run it: against the demo target, its progress,
// final table, record, CSV export and exit status; Ctrl-C; bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, cliAgainstTarget, onlyRecord, runCli } from '../helpers/cliProcess';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadRunRecord } from '../../runner/runRecord';
import { liveGroupMembers, PYTHON, statsCsvCounts, TWO_SHAPES, WAIT_MS } from './support';

const fixture = cliAgainstTarget('cli');

const LOCUSTFILE = `
from locust import HttpUser, constant, task

class Mixed(HttpUser):
    wait_time = constant(0.05)

    @task(3)
    def products(self):
        self.client.get("/products")

    @task(1)
    def error(self):
        self.client.get("/error")
`;

/** Runs the CLI (stdout is a pipe, so progress comes as plain lines); `onStdout` sees output as it comes. */
function cli(args: string[], { cwd = fixture.scratch, onStdout }: { cwd?: string; onStdout?: (text: string, child: ChildProcess) => void } = {}) {
  return runCli(args, { cwd, ...(onStdout && { onOutput: (stdout: string, _stderr: string, child: ChildProcess) => onStdout(stdout, child) }) });
}

async function cliHelp(): Promise<string> {
  return (await cli(['run', '--help'])).stdout;
}

const workdir = (name: string) => fixture.workdir(name, LOCUSTFILE);

test('cli run: progress lines, final table, record and CSV export equal to Locust’s own; exit status is Locust’s', { timeout: 60_000 }, async () => {
  const dir = await workdir('run');
  const result = await cli(
    [
      'run', 'locustfile.py', '--users', '4', '--spawn-rate', '4', '--run-time', '4s', '--host', fixture.url, '--python', PYTHON,
      '--interval', '0.5', '--record-dir', 'records', '--csv', 'export/ours', '--', '--csv=locust',
    ],
    { cwd: dir },
  );
  assert.equal(result.code, 1, `Locust exits 1 when requests failed (and so does the CLI)\n${result.stderr}`);
  assert.match(result.stdout, /^running\s+users\s+4\s+[\d.]+ req\/s\s+failures\s+[\d.]+%/m, 'a plain progress line');
  const aggregated = /^\s+Aggregated\s+(\d+)\s+(\d+) \(/m.exec(result.stdout);
  assert.ok(aggregated, `a final table:\n${result.stdout}`);

  const record = await loadRunRecord(await onlyRecord(path.join(dir, 'records')));
  assert.equal(record.meta.outcome, 'finished');
  assert.deepEqual(record.meta.exit, { code: 1, signal: null });
  assert.equal(record.meta.interpreter?.path, PYTHON);
  assert.equal(record.options.users, 4);
  assert.equal('spawnRate' in record.options && record.options.spawnRate, 4);
  assert.ok(!('tags' in record.options), 'options not given are not recorded');
  assert.deepEqual(record.options.extraArgs, ['--csv=locust']);
  assert.equal(`${record.total!.requests} ${record.total!.failures}`, `${aggregated[1]} ${aggregated[2]}`, 'the table shows the final totals');

  // The export the CLI wrote equals the CSV Locust itself wrote in the same run (passed through after "--").
  const ours = await statsCsvCounts(path.join(dir, 'export', 'ours_stats.csv'));
  const locust = await statsCsvCounts(path.join(dir, 'locust_stats.csv'));
  assert.deepEqual(ours.counts, locust.counts);
  assert.deepEqual(ours.order, locust.order);
  console.log('cli export vs Locust _stats.csv:', JSON.stringify(ours.counts));
});

test('cli run: Ctrl-C stops gracefully with final statistics and a finished record; nothing is left', { timeout: 60_000 }, async () => {
  const dir = await workdir('interrupt');
  let interrupted = false;
  const result = await cli(
    ['run', 'locustfile.py', '-u', '2', '-r', '2', '-t', '20s', '-H', fixture.url, '--python', PYTHON, '--interval', '0.25', '--record-dir', 'records'],
    {
      cwd: dir,
      onStdout: (text, child) => {
        // The first progress line means Locust runs: interrupt it as a user at the terminal would.
        if (!interrupted && /^running\s+users\s+2 /m.test(text)) {
          interrupted = true;
          child.kill('SIGINT');
        }
      },
    },
  );
  assert.ok(interrupted, `the run was seen running\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stderr, /stopping/);
  assert.match(result.stdout, /Aggregated/, 'final statistics after Ctrl-C');
  const record = await loadRunRecord(await onlyRecord(path.join(dir, 'records')));
  assert.equal(record.meta.outcome, 'finished');
  assert.ok(record.final);
  assert.equal(result.code, record.meta.exit!.code, 'the CLI exits with Locust’s status');
  assert.deepEqual(await liveGroupMembers(record.meta.pid!), []);
});

test('cli run --shape NAME: that LoadTestShape class runs (not the first in the file), and the record says so', { timeout: 60_000 }, async () => {
  const dir = path.join(fixture.scratch, 'shape');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'locustfile.py'), TWO_SHAPES);
  const result = await cli(['run', 'locustfile.py', '--shape', 'SecondShape', '-H', fixture.url, '--python', PYTHON, '--interval', '0.25', '--record-dir', 'records'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Aggregated/, 'the final table');
  const record = await loadRunRecord(await onlyRecord(path.join(dir, 'records')));
  assert.equal(record.options.shapeClass, 'SecondShape');
  assert.equal(record.meta.shape, 'SecondShape', 'the shape hello reported');
  assert.equal(record.meta.outcome, 'finished');
  assert.equal(Math.max(...record.ticks.map((t) => t.userCount)), 3, 'the second shape’s 3 users ran (the first one holds 1 for a minute)');
  assert.match(await cliHelp(), /--shape NAME/, 'the usage text documents it');
});

test('cli run: bad arguments and an interpreter without Locust get a clear message and status 2', { timeout: 60_000 }, async () => {
  const bad = await cli(['run', 'locustfile.py', '--users', 'many']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--users must be an integer/);
  const host = await cli(['run', 'locustfile.py', '--host', 'localhost:8080']);
  assert.equal(host.code, 2);
  assert.match(host.stderr, /--host must be an http\(s\) URL/);
  const unknown = await cli(['run', 'locustfile.py', '--userz', '3']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown option '--userz'/);
  const shape = await cli(['run', 'locustfile.py', '--shape', 'not a class']);
  assert.equal(shape.code, 2);
  assert.match(shape.stderr, /--shape must be the name of a LoadTestShape class, not "not a class"/);

  // Debian's Python with its site packages turned off: a real interpreter that cannot import locust.
  const noLocust = path.join(fixture.scratch, 'python-without-locust');
  await writeFile(noLocust, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`);
  await chmod(noLocust, 0o755);
  const dir = await workdir('no-locust');
  const result = await cli(['run', 'locustfile.py', '-u', '1', '-t', '2s', '-H', fixture.url, '--python', noLocust, '--record-dir', 'records'], { cwd: dir });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /cannot run Locust: ModuleNotFoundError: No module named 'locust'/);
  assert.match(result.stderr, /pip install locust/, 'the message names the install command');
  assert.equal(existsSync(path.join(dir, 'records')), false, 'no record for a run that never started');
});

test('cli run: an unknown User class is Locust’s error, shown with its words, and the record says it crashed', { timeout: WAIT_MS * 2 }, async () => {
  const dir = await workdir('unknown-class');
  const result = await cli(['run', 'locustfile.py', 'NoSuchUser', '-u', '1', '-t', '2s', '-H', fixture.url, '--python', PYTHON, '--record-dir', 'records'], { cwd: dir });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /Unknown User\(s\): NoSuchUser/);
  const record = await loadRunRecord(await onlyRecord(path.join(dir, 'records')));
  assert.equal(record.meta.outcome, 'crashed');
  assert.equal(record.final, undefined);
});

test('cli killed with SIGKILL mid-run: its record keeps the ticks so far, and Locust, left without its channel, quits', { timeout: 60_000 }, async () => {
  const dir = await workdir('cli-killed');
  let shown: number | undefined;
  const result = await cli(
    ['run', 'locustfile.py', '-u', '2', '-r', '2', '-t', '20s', '-H', fixture.url, '--python', PYTHON, '--interval', '0.25', '--record-dir', 'records'],
    {
      cwd: dir,
      onStdout: (text, child) => {
        const line = /^running\s.*requests (\d+)/m.exec(text);
        if (shown === undefined && line && Number(line[1]) > 0) {
          shown = Number(line[1]);
          child.kill('SIGKILL');
        }
      },
    },
  );
  assert.equal(result.signal, 'SIGKILL');
  const record = await loadRunRecord(await onlyRecord(path.join(dir, 'records')));
  assert.equal(record.meta.outcome, 'incomplete', 'nobody wrote an end: the record says so');
  assert.equal(record.unreadableLines, 0);
  assert.ok(record.ticks.length >= 1);
  // Each tick is on disk before its progress line is printed.
  assert.ok(record.ticks.at(-1)!.total.requests >= shown!, `the record has what was shown (${shown} requests)`);
  // The bridge sees its channel close and quits Locust: nothing may keep loading the target.
  const deadline = Date.now() + 15_000;
  while ((await liveGroupMembers(record.meta.pid!)).length > 0) {
    assert.ok(Date.now() < deadline, `Locust (pid ${record.meta.pid}) still runs 15 s after its runner died`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

test('cli run on a terminal: one progress line redrawn in place, then the table', { timeout: 60_000 }, async (t) => {
  const dir = await workdir('tty');
  const command = [process.execPath, CLI, 'run', 'locustfile.py', '-u', '2', '-r', '2', '-t', '3s', '-H', fixture.url, '--python', PYTHON, '--interval', '0.5', '--no-record']
    .map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  // util-linux `script` gives the CLI a pseudo-terminal as stdout; -e passes its exit status on.
  const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 1, `exit status is Locust's (the demo locustfile hits /error)\n${out}`);
  // The CLI redraws its line with "\r" + "erase line"; everything between two of those is one drawing of it.
  const CLEAR = '\r\x1b[2K';
  const parts = out.split(CLEAR);
  const redraws = parts.filter((part) => /^running\s+users\s+2\s/.test(part));
  assert.ok(redraws.length >= 3, `the progress line was redrawn in place ${redraws.length} times: ${JSON.stringify(out.slice(0, 1500))}`);
  assert.ok(
    parts.slice(1, -1).every((part) => !/[\r\n]/.test(part)),
    'no progress line scrolled: nothing but the line itself between two redraws',
  );
  assert.match(parts.at(-1)!, /^(?:\r\n)?Type\s+Name\s+# reqs/, 'the line is cleared before the table');
});
