// Import failures read from the real runner's log: syntax errors, missing modules and errors in a helper module point at the right file and line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { launchRun } from '../../runner/locustRun';
import { findImportFailure } from '../../runner/importFailure';
import { liveGroupMembers, locustsFor, requireLocust, titled, type LocustUnderTest } from './support';

let scratch: string;
before(async () => (scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-import-'))));
after(async () => rm(scratch, { recursive: true, force: true }));

/** Runs Locust through our runner on `files` (the first is the locustfile) and returns its log and the locustfile's path. */
async function failingRun(locust: LocustUnderTest, name: string, files: Record<string, string>): Promise<{ log: string; locustfile: string }> {
  const dir = path.join(scratch, locust.version, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
  const locustfile = path.join(dir, Object.keys(files)[0]!);
  // No target is needed: the file never gets as far as sending a request.
  const run = await launchRun({ python: locust.python, locustfile, cwd: dir, users: 1, runTime: '1s', host: 'http://127.0.0.1:9' });
  const lines: string[] = [];
  run.on('log', (line) => lines.push(line));
  const exit = await run.exit;
  assert.notEqual(exit.code, 0, 'Locust exits non-zero');
  if (run.pid !== undefined) assert.deepEqual(await liveGroupMembers(run.pid), []);
  return { log: lines.join('\n'), locustfile };
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'a syntax error: the locustfile, its line, the caret column and SyntaxError'), () => syntaxError(locust));
}

async function syntaxError(locust: LocustUnderTest) {
  requireLocust(locust);
  const { log, locustfile } = await failingRun(locust, 'syntax', {
    'locustfile.py': 'from locust import HttpUser, task\n\nclass U(HttpUser):\n    @task\n    def t(self):\n        self.client.get("/",\n\n',
  });
  const failure = findImportFailure(log, locustfile);
  assert.ok(failure, log);
  assert.equal(failure.file, locustfile);
  assert.equal(failure.line, 6);
  assert.equal(failure.column, 16, 'the caret is under the unclosed parenthesis');
  assert.match(failure.message, /^SyntaxError: '\(' was never closed$/);
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'a missing module: the import line and ModuleNotFoundError'), () => missingModule(locust));
}

async function missingModule(locust: LocustUnderTest) {
  requireLocust(locust);
  const { log, locustfile } = await failingRun(locust, 'missing', { 'locustfile.py': 'import os\nfrom locust import HttpUser\nimport no_such_module_xyz\n' });
  assert.deepEqual(findImportFailure(log, locustfile), {
    file: locustfile,
    line: 3,
    message: "ModuleNotFoundError: No module named 'no_such_module_xyz'",
  });
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'an error raised in a helper module the locustfile imports: the locustfile’s line is preferred, the helper is found alone'), () => helperError(locust));
}

async function helperError(locust: LocustUnderTest) {
  requireLocust(locust);
  const { log, locustfile } = await failingRun(locust, 'helper', {
    'locustfile.py': 'from locust import HttpUser\n\nimport helpers\n',
    'helpers.py': 'X = 1\nraise RuntimeError("bad <config> & more")\n',
  });
  assert.deepEqual(findImportFailure(log, locustfile), { file: locustfile, line: 3, message: 'RuntimeError: bad <config> & more' });
  assert.deepEqual(findImportFailure(log), { file: path.join(path.dirname(locustfile), 'helpers.py'), line: 2, message: 'RuntimeError: bad <config> & more' });
}

test('text without a traceback into user code gives nothing', () => {
  assert.equal(findImportFailure('[2026-01-01] INFO/locust.main: Starting Locust 2.12.1\nAll users spawned'), undefined);
  assert.equal(findImportFailure('Traceback (most recent call last):\n  File "/usr/lib/python3/dist-packages/locust/main.py", line 1, in <module>\nValueError: x'), undefined);
});
