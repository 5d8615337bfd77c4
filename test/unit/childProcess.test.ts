// The child-process core's rule for oversized lines, the same in a load test run and a single-task run (real child processes: a small Python stand-in for the launcher and the shim).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MAX_BRIDGE_LINE_BYTES } from '../../protocol/runner';
import { CHANNEL_FD_ENV, MAX_LOG_LINE_BYTES } from '../../runner/childProcess';
import { LAUNCHER_FILE, startRun } from '../../runner/locustRun';
import { runTask, TASK_SHIM_FILE } from '../../runner/taskRun';

/** Any Python does: the stand-in imports nothing but the standard library. */
const PYTHON = '/usr/bin/python3';
const LOG_BYTES = MAX_LOG_LINE_BYTES + 10;
const CHANNEL_BYTES = MAX_BRIDGE_LINE_BYTES + 1;

/** Writes a log line over the cap on stdout and stderr, then a channel line over the cap, each followed by a normal line. */
function standIn(lastMessage: object): string {
  return `
import os, sys
fd = int(os.environ[${JSON.stringify(CHANNEL_FD_ENV)}])
def channel(data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
sys.stdout.write("o" * ${LOG_BYTES} + "\\nafter on stdout\\n")
sys.stdout.flush()
sys.stderr.write("e" * ${LOG_BYTES} + "\\nafter on stderr\\n")
sys.stderr.flush()
channel(b"x" * ${CHANNEL_BYTES} + b"\\n")
channel(${JSON.stringify(`${JSON.stringify(lastMessage)}\n`)}.encode())
`;
}

let scratch: string;

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-child-'));
  await writeFile(path.join(scratch, LAUNCHER_FILE), standIn({ type: 'error', message: 'after the big one' }));
  await writeFile(path.join(scratch, TASK_SHIM_FILE), standIn({ type: 'taskDone', ok: true, durationMs: 1 }));
});

after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** What both kinds of run must have said about the stand-in's lines (logs in stream order: see byStream). */
function assertOversizedRule(logs: { line: string; stream: string }[], protocolErrors: string[]): void {
  assert.deepEqual(
    logs.map(({ line, stream }) => ({ line: line.replace(/^(.)\1{119}/, '$1×120'), stream })),
    [
      { line: `e×120… [line of ${LOG_BYTES} bytes cut]`, stream: 'stderr' },
      { line: 'after on stderr', stream: 'stderr' },
      { line: `o×120… [line of ${LOG_BYTES} bytes cut]`, stream: 'stdout' },
      { line: 'after on stdout', stream: 'stdout' },
    ],
    'an oversized log line is cut and kept, in its place among its stream’s lines',
  );
  assert.equal(protocolErrors.length, 1, protocolErrors.join('\n'));
  assert.match(protocolErrors[0]!, new RegExp(`^line of ${CHANNEL_BYTES} bytes exceeds the limit of ${MAX_BRIDGE_LINE_BYTES}: x{100}`));
}

/** Log lines in stream order (stderr first), each stream's own order kept: the two pipes are read independently. */
const byStream = (logs: { line: string; stream: string }[]) => [...logs].sort((a, b) => a.stream.localeCompare(b.stream));

test('a load test run: an oversized log line is cut and kept, an oversized channel line is a protocol error, and reading goes on', { timeout: 30_000 }, async () => {
  const run = startRun({ python: PYTHON, locustfile: 'unused.py', bridgeDir: scratch, cwd: scratch });
  const logs: { line: string; stream: string }[] = [];
  const protocolErrors: string[] = [];
  const messages: unknown[] = [];
  run.on('log', (line, stream) => logs.push({ line, stream }));
  run.on('protocolError', (reason, line) => protocolErrors.push(`${reason}: ${line}`));
  run.on('message', (message) => messages.push(message));
  assert.deepEqual(await run.exit, { code: 0, signal: null });
  assertOversizedRule(byStream(logs), protocolErrors);
  assert.deepEqual(messages, [{ type: 'error', message: 'after the big one' }], 'the channel goes on after the dropped line');
});

test('a single-task run: the same rule for the same lines', { timeout: 30_000 }, async () => {
  const run = runTask({ python: PYTHON, locustfile: path.join(scratch, 'unused.py'), userClass: 'User', task: 'task', shimDir: scratch });
  const logs: { line: string; stream: string }[] = [];
  const protocolErrors: string[] = [];
  run.on('log', (line, stream) => logs.push({ line, stream }));
  run.on('protocolError', (reason, line) => protocolErrors.push(`${reason}: ${line}`));
  const result = await run.done;
  assertOversizedRule(byStream(logs), protocolErrors);
  assert.deepEqual(result.taskDone, { type: 'taskDone', ok: true, durationMs: 1 }, 'the channel goes on after the dropped line');
  assert.equal(result.ok, true);
});
