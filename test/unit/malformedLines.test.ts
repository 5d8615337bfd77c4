// Malformed channel lines are counted by the run session, the first few written out in full (its log and the record's
// locust.log), never dropped without a trace (a real child process: a Python stand-in for the launcher writes junk to the channel).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CHANNEL_FD_ENV } from '../../runner/childProcess';
import { LAUNCHER_FILE } from '../../runner/locustRun';
import { MALFORMED_LINES_LOGGED, RunSession } from '../../runner/runSession';

/** Any Python does: the stand-in imports nothing but the standard library. */
const PYTHON = '/usr/bin/python3';
const JUNK = 8;

let scratch: string;

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-malformed-'));
  await writeFile(
    path.join(scratch, LAUNCHER_FILE),
    `
import os
fd = int(os.environ[${JSON.stringify(CHANNEL_FD_ENV)}])
for i in range(${JUNK}):
    os.write(fd, ("junk %d {not json\\n" % i).encode())
os.write(fd, b'{"type":"error","message":"a valid one after the junk"}\\n')
`,
  );
});

after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

test('malformed channel lines: counted in the end, the first few in the log and the record’s locust.log, the channel goes on', { timeout: 30_000 }, async () => {
  const session = await RunSession.launch(
    { python: PYTHON, locustfile: 'unused.py', bridgeDir: scratch, cwd: scratch },
    { record: { baseDir: path.join(scratch, 'records') } },
  );
  const errors: string[] = [];
  const logs: string[] = [];
  const messages: string[] = [];
  session.on('protocolError', (_reason, line) => errors.push(line));
  session.on('log', (line) => logs.push(line));
  session.on('change', (_change, message) => messages.push(message.type));
  const end = await session.ended;
  assert.equal(end.malformedLines, JUNK);
  assert.equal(errors.length, JUNK, 'every one is still an event');
  assert.deepEqual(messages, ['error'], 'the valid line after the junk arrived');
  const logged = logs.filter((line) => line.startsWith('malformed line from the bridge ignored'));
  assert.equal(logged.length, MALFORMED_LINES_LOGGED);
  assert.ok(MALFORMED_LINES_LOGGED < JUNK, 'the test sends more than are written out');
  for (let i = 0; i < MALFORMED_LINES_LOGGED; i++) assert.ok(logged[i]!.endsWith(`: junk ${i} {not json`), logged[i]);
  assert.ok(logs.includes('further malformed lines from the bridge are only counted'));
  const locustLog = await readFile(path.join(end.recordDir!, 'locust.log'), 'utf8');
  for (let i = 0; i < MALFORMED_LINES_LOGGED; i++) assert.match(locustLog, new RegExp(`^! malformed line from the bridge ignored \\(.*\\): junk ${i} \\{not json$`, 'm'));
  assert.doesNotMatch(locustLog, new RegExp(`junk ${MALFORMED_LINES_LOGGED} `), 'later ones are only counted');
});
