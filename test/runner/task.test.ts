// The single-task shim through runTask against the demo target: requests, nested TaskSets, exceptions, failures, bad
// input, and "Debug task" under debugpy driven by a DAP client of our own (breakpoint hit at the task's line).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../runner/locustRun';
import { runTask, type TaskResult, type TaskRun, type TaskRunOptions } from '../../runner/taskRun';
import { startTarget } from '../../examples/target/server.mjs';
import { liveGroupMembers, locustRunsTestFunctions, locustsFor, PYTHON, requireLocust, titled, WAIT_MS, type LocustUnderTest } from './support';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'task');

let target: Awaited<ReturnType<typeof startTarget>>;
let scratch: string;
const runs: TaskRun[] = [];

before(async () => {
  [target, scratch] = await Promise.all([startTarget({ port: 0, quiet: true }), mkdtemp(path.join(os.tmpdir(), 'locust-studio-task-'))]);
});

after(async () => {
  for (const run of runs) run.cancel();
  await Promise.all(runs.map((run) => run.done));
  await target?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** Rejects after `ms` with `what` in the message; the timer never outlives the promise. */
async function bounded<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts a task run and records its logs, for failure messages. */
function start(options: Omit<TaskRunOptions, 'python'> & { python?: string }) {
  const run = runTask({ python: PYTHON, host: target.url, ...options });
  runs.push(run);
  const logs: string[] = [];
  run.on('log', (line) => logs.push(line));
  return { run, logs };
}

/** Waits for the run to end and checks nothing of it is left running. */
async function finish(run: TaskRun, logs: string[]): Promise<TaskResult> {
  const result = await bounded(run.done, `task run to end; log:\n${logs.join('\n')}`);
  assert.ok(run.pid !== undefined);
  assert.deepEqual(await liveGroupMembers(run.pid), [], 'no process of the task run is left');
  return result;
}

for (const locust of locustsFor('smoke')) {
  test(titled(locust, 'auth_on_start: on_start login, the task, on_stop logout, each with status, URL and timing'), () => taskOnce(locust));
}

async function taskOnce(locust: LocustUnderTest) {
  requireLocust(locust);
  const { run, logs } = start({ python: locust.python, locustfile: path.join(ROOT, 'examples', 'auth_on_start.py'), userClass: 'Shopper', task: 'view_cart' });
  const streamed: string[] = [];
  run.on('request', (r) => streamed.push(`${r.method} ${r.name}`));
  const result = await finish(run, logs);
  assert.equal(result.ok, true, `${JSON.stringify(result.exception)}\n${logs.join('\n')}`);
  assert.equal(result.exit.code, 0);
  assert.equal(result.exception, undefined);
  assert.deepEqual(result.requests.map((r) => `${r.method} ${r.name}`), ['POST /login', 'GET /cart', 'POST /logout']);
  assert.deepEqual(streamed, ['POST /login', 'GET /cart', 'POST /logout'], 'each request was also an event, in order');
  const before = Date.now() / 1000;
  for (const r of result.requests) {
    assert.equal(r.status, 200);
    assert.equal(r.failure, null);
    assert.equal(r.url, `${target.url}${r.name}`);
    assert.ok(r.responseTimeMs > 0 && r.responseTimeMs < WAIT_MS, `time ${r.responseTimeMs}`);
    assert.ok(r.responseLength > 0);
    assert.ok(r.startTime > before - 60 && r.startTime <= before, 'start time is epoch seconds of this run');
  }
  assert.ok(result.taskDone && result.taskDone.durationMs > 0);
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'a task two TaskSets deep: every on_start and on_stop around it, interrupt() ends it normally'), () => nestedTaskSets(locust));
}

async function nestedTaskSets(locust: LocustUnderTest) {
  requireLocust(locust);
  const { run, logs } = start({ python: locust.python, locustfile: path.join(FIXTURES, 'nested.py'), userClass: 'NestedUser', taskSet: ['Outer', 'Inner'], task: 'view_product' });
  const result = await finish(run, logs);
  assert.equal(result.ok, true, `${JSON.stringify(result.exception)}\n${logs.join('\n')}`);
  assert.deepEqual(result.requests.map((r) => r.name), ['outer on_start', 'inner on_start', '/products/[id]', 'inner on_stop', 'outer on_stop']);
  const product = result.requests[2]!;
  assert.equal(product.url, `${target.url}/products/3`);
  assert.equal(product.status, 200);
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'the examples TaskSet flow: a SequentialTaskSet task runs inside its TaskSet'), () => sequentialFlow(locust));
}

async function sequentialFlow(locust: LocustUnderTest) {
  requireLocust(locust);
  const { run, logs } = start({ python: locust.python, locustfile: path.join(ROOT, 'examples', 'taskset_flows.py'), userClass: 'WebShopUser', taskSet: ['CheckoutFlow'], task: 'login' });
  const result = await finish(run, logs);
  assert.equal(result.ok, true, logs.join('\n'));
  assert.deepEqual(result.requests.map((r) => `${r.method} ${r.name} ${r.status}`), ['POST /login 200']);
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'a task that raises: an exception message whose traceback names the locustfile and line'), () => taskRaises(locust));
}

async function taskRaises(locust: LocustUnderTest) {
  requireLocust(locust);
  const locustfile = path.join(FIXTURES, 'failing.py');
  const { run, logs } = start({ python: locust.python, locustfile, userClass: 'FailingUser', task: 'raises' });
  const seen: string[] = [];
  run.on('exception', (e) => seen.push(e.message));
  const result = await finish(run, logs);
  assert.equal(result.ok, false);
  assert.equal(result.exit.code, 1);
  assert.deepEqual(seen, ['ValueError: boom from the task']);
  assert.equal(result.exception?.where, 'task');
  const line = (await readFile(locustfile, 'utf8')).split('\n').findIndex((l) => l.includes('raise ValueError')) + 1;
  assert.match(result.exception.traceback, new RegExp(`File "${locustfile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}", line ${line}, in raises`));
  assert.deepEqual(result.requests.map((r) => `${r.name} ${r.status}`), ['/health 200'], 'the request before the raise is reported');
  assert.equal(result.taskDone?.ok, false);
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'a failing request: status 500 and Locust failure text, the task still ends normally'), () => failingRequest(locust));
}

async function failingRequest(locust: LocustUnderTest) {
  requireLocust(locust);
  const { run, logs } = start({ python: locust.python, locustfile: path.join(FIXTURES, 'failing.py'), userClass: 'FailingUser', task: 'bad_request' });
  const result = await finish(run, logs);
  assert.equal(result.ok, true, 'a failed request is not an exception');
  assert.equal(result.requests.length, 1);
  const [request] = result.requests;
  assert.equal(request!.status, 500);
  assert.equal(request!.url, `${target.url}/error`);
  assert.match(request!.failure ?? '', /500 Server Error.*\/error/);
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'a refused connection: no status, the failure text names the error'), () => refusedConnection(locust));
}

async function refusedConnection(locust: LocustUnderTest) {
  requireLocust(locust);
  const closed = await freePort();
  const { run, logs } = start({ python: locust.python, locustfile: path.join(FIXTURES, 'failing.py'), userClass: 'FailingUser', task: 'bad_request', host: `http://127.0.0.1:${closed}` });
  const result = await finish(run, logs);
  assert.equal(result.ok, true);
  assert.equal(result.requests.length, 1);
  assert.equal(result.requests[0]!.status, null);
  assert.match(result.requests[0]!.failure ?? '', /Connection refused|ConnectionRefused/);
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'a locustfile with a syntax error: the message has its file and line'), () => syntaxError(locust));
}

async function syntaxError(locust: LocustUnderTest) {
  requireLocust(locust);
  const locustfile = path.join(scratch, 'broken.py');
  await writeFile(locustfile, 'from locust import HttpUser\n\nclass Broken(HttpUser)\n    pass\n');
  const { run, logs } = start({ python: locust.python, locustfile, userClass: 'Broken', task: 'x' });
  const result = await finish(run, logs);
  assert.equal(result.exit.code, 2);
  assert.equal(result.exception?.where, 'shim');
  assert.match(result.exception.message, /^Cannot import .*broken\.py: SyntaxError/);
  assert.match(result.exception.traceback, /broken\.py", line 3/);
}

test('an interpreter that cannot run the shim: the result says why instead of ending silently', async () => {
  const locustfile = path.join(FIXTURES, 'nested.py');
  const missing = runTask({ python: path.join(scratch, 'no-such-python'), locustfile, userClass: 'NestedUser', task: 'x' });
  runs.push(missing);
  const notStarted = await bounded(missing.done, 'a missing interpreter');
  assert.equal(notStarted.ok, false);
  assert.match(notStarted.exit.spawnError ?? '', /ENOENT/);
  assert.match(notStarted.exception?.message ?? '', /ended without a result \(spawn .*ENOENT/);

  // An interpreter that exits at once without a word on the channel (as one without debugpy does).
  const { run, logs } = start({ python: '/bin/false', locustfile, userClass: 'NestedUser', task: 'x' });
  const silent = await finish(run, logs);
  assert.equal(silent.ok, false);
  assert.equal(silent.exit.code, 1);
  assert.equal(silent.exception?.where, 'shim');
  assert.match(silent.exception.message, /ended without a result \(exit code 1\)/);
});

for (const locust of locustsFor('full')) {
  test(titled(locust, 'bad input gets a clear message and a non-zero exit'), () => badInput(locust));
}

async function badInput(locust: LocustUnderTest) {
  requireLocust(locust);
  const locustfile = path.join(FIXTURES, 'nested.py');
  const cases: [Omit<TaskRunOptions, 'python'>, RegExp][] = [
    [{ locustfile, userClass: 'Nope', task: 'x' }, /^No User class named Nope in .*nested\.py \(User classes: NestedUser\)$/],
    [{ locustfile, userClass: 'NestedUser', taskSet: ['Outer', 'Missing'], task: 'x' }, /^No TaskSet named Missing in Outer's tasks/],
    [{ locustfile, userClass: 'NestedUser', taskSet: ['Outer', 'Inner'], task: 'missing' }, /^No task named missing in Inner/],
    [{ locustfile: path.join(FIXTURES, 'absent.py'), userClass: 'U', task: 'x' }, /^Locustfile not found: /],
  ];
  for (const [options, message] of cases) {
    const { run, logs } = start({ python: locust.python, ...options });
    const result = await finish(run, logs);
    assert.equal(result.exit.code, 2, logs.join('\n'));
    assert.equal(result.ok, false);
    assert.equal(result.exception?.where, 'shim');
    assert.match(result.exception.message, message);
  }
}

/** A DAP client over TCP: Content-Length framed JSON, requests matched to responses, events waited for. */
class DapClient {
  private buffer = Buffer.alloc(0);
  private seq = 1;
  private readonly pending = new Map<number, (response: DapMessage) => void>();
  private readonly events: DapMessage[] = [];
  private readonly eventWaiters = new Set<{ accepts(e: DapMessage): boolean; resolve(e: DapMessage): void }>();
  readonly log: string[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  /** Connects once debugpy listens: it opens the port a moment after the interpreter starts, so refusals are retried. */
  static async connect(port: number, ms = WAIT_MS): Promise<DapClient> {
    const deadline = Date.now() + ms;
    for (;;) {
      try {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
          s.once('error', reject);
        });
        return new DapClient(socket);
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  request(command: string, args: Record<string, unknown> = {}): Promise<DapMessage> {
    const seq = this.seq++;
    const body = Buffer.from(JSON.stringify({ seq, type: 'request', command, arguments: args }), 'utf8');
    this.socket.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
    return bounded(
      new Promise<DapMessage>((resolve) => this.pending.set(seq, resolve)),
      `DAP ${command} response; traffic:\n${this.log.slice(-20).join('\n')}`,
    ).then((response) => {
      if (!response.success) throw new Error(`DAP ${command} failed: ${response.message}`);
      return response;
    });
  }

  event(name: string, accepts: (e: DapMessage) => boolean = () => true): Promise<DapMessage> {
    const earlier = this.events.find((e) => e.event === name && accepts(e));
    if (earlier) return Promise.resolve(earlier);
    return bounded(
      new Promise<DapMessage>((resolve) => this.eventWaiters.add({ accepts: (e) => e.event === name && accepts(e), resolve })),
      `DAP ${name} event; traffic:\n${this.log.slice(-20).join('\n')}`,
    );
  }

  eventCount(name: string): number {
    return this.events.filter((e) => e.event === name).length;
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString('ascii'))?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')) as DapMessage;
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.log.push(`${message.type} ${message.command ?? message.event ?? ''} ${JSON.stringify(message.body ?? {}).slice(0, 200)}`);
      if (message.type === 'response') {
        this.pending.get(message.request_seq!)?.(message);
        this.pending.delete(message.request_seq!);
      } else if (message.type === 'event') {
        this.events.push(message);
        for (const waiter of this.eventWaiters) {
          if (!waiter.accepts(message)) continue;
          this.eventWaiters.delete(waiter);
          waiter.resolve(message);
        }
      }
    }
  }
}

interface DapMessage {
  seq: number;
  type: 'request' | 'response' | 'event';
  command?: string;
  event?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  body?: Record<string, unknown>;
}

for (const locust of locustsFor('smoke')) {
  test(titled(locust, 'Debug task: debugpy waits for the client, stops at breakpoints in on_start and in the task, continues to the end'), () => debugBreakpoints(locust));
}

async function debugBreakpoints(locust: LocustUnderTest) {
  requireLocust(locust);
  const locustfile = path.join(scratch, 'debug_me.py');
  await copyFile(path.join(FIXTURES, 'debug_me.py'), locustfile);
  const lines = (await readFile(locustfile, 'utf8')).split('\n');
  const onStartLine = lines.findIndex((l) => l.includes('# ON_START BREAKPOINT')) + 1;
  const taskLine = lines.findIndex((l) => l.includes('# BREAKPOINT')) + 1;
  assert.ok(onStartLine > 0 && taskLine > onStartLine);
  const port = await freePort();
  const { run, logs } = start({ python: locust.python, locustfile, userClass: 'DebugUser', task: 'step', debug: { port } });
  const requests: string[] = [];
  run.on('request', (r) => requests.push(r.name));
  const ready = await bounded(once(run, 'debugReady') as Promise<[{ port: number }]>, 'debugReady from the shim');
  assert.equal(ready[0].port, port);

  // The shim said debugpy listens: the first connection attempt must succeed (no retries).
  const dap = await DapClient.connect(port, -1);
  try {
    await dap.request('initialize', { clientID: 'locust-studio-test', adapterID: 'debugpy', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    // debugpy answers attach only after configurationDone; the breakpoints go in between, after `initialized`.
    const attached = dap.request('attach', { justMyCode: true, gevent: true, subProcess: false });
    await dap.event('initialized');
    const set = await dap.request('setBreakpoints', { source: { path: locustfile }, breakpoints: [{ line: onStartLine }, { line: taskLine }] });
    assert.equal((set.body?.['breakpoints'] as unknown[]).length, 2);
    await dap.request('configurationDone');
    await attached;

    /** Waits for the n-th `stopped` event and checks where it stopped; returns its thread. */
    async function stoppedAt(n: number, line: number, name: string): Promise<number> {
      let seen = 0;
      const stopped = await dap.event('stopped', () => ++seen === n);
      assert.equal(stopped.body?.['reason'], 'breakpoint', dap.log.join('\n'));
      const threadId = stopped.body?.['threadId'] as number;
      const trace = await dap.request('stackTrace', { threadId, startFrame: 0, levels: 1 });
      const [frame] = trace.body?.['stackFrames'] as { line: number; name: string; source: { path: string } }[];
      assert.equal(frame!.line, line);
      assert.equal(frame!.name, name);
      assert.equal(path.resolve(frame!.source.path), locustfile);
      return threadId;
    }

    const first = await stoppedAt(1, onStartLine, 'on_start');
    assert.deepEqual(requests, [], 'paused before on_start sent anything');
    await dap.request('continue', { threadId: first });
    const second = await stoppedAt(2, taskLine, 'step');
    // Paused in the task: on_start's request is in, the task's own is not yet.
    assert.deepEqual(requests, ['debug on_start']);
    await dap.request('continue', { threadId: second });

    const result = await finish(run, logs);
    assert.equal(result.ok, true, logs.join('\n'));
    assert.deepEqual(result.requests.map((r) => `${r.name} ${r.status}`), ['debug on_start 200', '/products/[id] 200', 'after breakpoint 200 200']);
    assert.equal(dap.eventCount('stopped'), 2, 'no other stop (e.g. in a gevent greenlet switch)');
    // Without GEVENT_SUPPORT pydevd prints "It seems that the gevent monkey-patching is being used" on every switch.
    assert.deepEqual(logs.filter((l) => /gevent|frozen modules/i.test(l)), [], 'debugpy runs in gevent mode, without warnings');
  } finally {
    dap.close();
  }
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'cancel() ends a paused debug run and its whole process group'), () => cancelDebug(locust));
}

async function cancelDebug(locust: LocustUnderTest) {
  requireLocust(locust);
  const port = await freePort();
  const { run, logs } = start({ python: locust.python, locustfile: path.join(FIXTURES, 'debug_me.py'), userClass: 'DebugUser', task: 'step', debug: { port } });
  // Waiting for a client forever: only cancel can end it. Connecting proves debugpy (and its adapter) are up first.
  await bounded(once(run, 'debugReady'), 'debugReady from the shim');
  const dap = await DapClient.connect(port, -1);
  run.cancel();
  const result = await finish(run, logs);
  dap.close();
  assert.equal(result.exit.signal, 'SIGKILL');
  assert.equal(result.ok, false);
  assert.deepEqual(result.requests, []);
}

for (const locust of locustsFor('full')) {
  test(titled(locust, 'Debug task without debugpy: a message naming the install command, no process left'), () => withoutDebugpy(locust));
}

async function withoutDebugpy(locust: LocustUnderTest) {
  requireLocust(locust);
  // A `debugpy` package that fails to import stands in for an interpreter that lacks it.
  const fake = path.join(scratch, `no-debugpy-${locust.version}`);
  await mkdir(path.join(fake, 'debugpy'), { recursive: true });
  await writeFile(path.join(fake, 'debugpy', '__init__.py'), 'raise ImportError("No module named debugpy (simulated)")\n');
  const port = await freePort();
  const { run, logs } = start({
    python: locust.python,
    locustfile: path.join(FIXTURES, 'debug_me.py'),
    userClass: 'DebugUser',
    task: 'step',
    debug: { port },
    env: { ...process.env, PYTHONPATH: fake },
  });
  let ready = false;
  run.on('debugReady', () => (ready = true));
  const result = await finish(run, logs);
  assert.equal(ready, false);
  assert.equal(result.exit.code, 2);
  assert.equal(result.exception?.where, 'shim');
  assert.match(result.exception.message, /^debugpy is not installed for .*python.* Install it with: .* -m pip install debugpy/);
  assert.match(result.exception.message, /apt-get install python3-debugpy/);
}

// A pytest-style locustfile: "Run test once" runs one test function once, as Locust's own PytestUser runs it, with a real session
// (HttpSession, FastHttpSession) bound to the host; a Locust that cannot run such files says so.
for (const locust of locustsFor('smoke')) test(titled(locust, 'a pytest-style test function once: its session\'s requests, a failing assert, or why this Locust cannot'), async () => {
  requireLocust(locust);
  const locustfile = path.join(FIXTURES, 'pytest_style.py');
  const once = async (name: string) => {
    const { run, logs } = start({ python: locust.python, locustfile, userClass: name, task: name });
    const streamed: string[] = [];
    run.on('request', (r) => streamed.push(`${r.method} ${r.name} ${r.status} ${r.failure === null ? 'ok' : 'failed'}`));
    const result = await finish(run, logs);
    return { result, streamed, logs };
  };
  if (!(await locustRunsTestFunctions(locust.python))) {
    const { result, streamed } = await once('test_browse');
    assert.equal(result.ok, false);
    assert.deepEqual(streamed, []);
    assert.equal(result.exception?.where, 'shim');
    assert.match(result.exception?.message ?? '', /has no User classes, and this Locust cannot run pytest-style locustfiles/);
    return;
  }
  const browse = await once('test_browse');
  assert.equal(browse.result.ok, true, `${JSON.stringify(browse.result.exception)}\n${browse.logs.join('\n')}`);
  assert.deepEqual(browse.streamed, ['GET / 200 ok', 'GET /products 200 ok']);
  assert.ok(browse.result.requests.every((r) => r.url.startsWith(target.url)), JSON.stringify(browse.result.requests));

  const fast = await once('test_fast');
  assert.equal(fast.result.ok, true, JSON.stringify(fast.result.exception));
  assert.deepEqual(fast.streamed, ['GET /api/items 200 ok']);

  const broken = await once('test_broken');
  assert.equal(broken.result.ok, false);
  assert.deepEqual(broken.streamed, ['GET / 200 ok', 'GET /missing-page 404 failed']);
  assert.equal(broken.result.exception?.where, 'task');
  assert.match(broken.result.exception?.message ?? '', /^AssertionError: the page is missing/);
  assert.match(broken.result.exception?.traceback ?? '', /pytest_style\.py", line \d+, in test_broken/);

  const unknown = await once('test_nothing');
  assert.equal(unknown.result.exception?.where, 'shim');
  assert.match(unknown.result.exception?.message ?? '', /No test function named test_nothing in .*pytest_style\.py \(test functions: test_broken, test_browse, test_fast\)/);
});
