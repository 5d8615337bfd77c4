// Benchmarks of the runner against plain Locust (overhead), tick freshness, and master + 2 workers vs one process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BridgeMessage } from '../protocol/runner';
import { freePort, launchRun, startRun, type RunOptions } from '../runner/locustRun';
import { parse } from 'csv-parse/sync';

const PYTHON = '/usr/bin/python3';
const OVERHEAD_ROUNDS = 4;
const OVERHEAD_SECONDS = 6;
const SCALE_ROUNDS = 2;
const SCALE_SECONDS = 6;

const LOCUSTFILES: Record<string, string> = {
  HttpUser: `from locust import HttpUser, task, constant
class NoWait(HttpUser):
    wait_time = constant(0)
    @task
    def home(self):
        self.client.get("/")
`,
  FastHttpUser: `from locust import task, constant
from locust.contrib.fasthttp import FastHttpUser
class NoWait(FastHttpUser):
    wait_time = constant(0)
    @task
    def home(self):
        self.client.get("/")
`,
  // Each task fires a request whose name is its completion time (epoch ms): the tick that first shows it dates it.
  fresh: `import time
from locust import User, task, constant
class Fresh(User):
    wait_time = constant(0.2)
    @task
    def mark(self):
        self.environment.events.request.fire(request_type="FRESH", name=str(int(time.time() * 1000)), response_time=1,
                                             response_length=0, exception=None, context={})
`,
  // CPU-bound: ~2 ms of Python per request and no I/O, so one process is limited to one core.
  cpu: `import time
from locust import User, task, constant
class Burn(User):
    wait_time = constant(0)
    @task
    def burn(self):
        start = time.perf_counter()
        x = 0
        for i in range(20000):
            x += i * i
        self.environment.events.request.fire(request_type="CPU", name="burn", response_time=(time.perf_counter() - start) * 1000,
                                             response_length=0, exception=None, context={})
`,
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
const fmt = (x: number, d = 3) => x.toFixed(d);

/** Locust's own Requests/s of the Aggregated row of its `_stats.csv`: the same reference for both sides. */
async function csvRps(prefix: string): Promise<number> {
  const table: string[][] = parse(await readFile(`${prefix}_stats.csv`, 'utf8'), { relax_column_count: true });
  const [header, ...rows] = table;
  const col = header!.indexOf('Requests/s');
  const total = rows.find((r) => r[1] === 'Aggregated');
  if (!total || col < 0) throw new Error(`${prefix}_stats.csv has no Aggregated Requests/s`);
  return Number(total[col]);
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The demo target in a Node process of its own, so that neither Locust nor this bench shares its event loop. */
async function startTargetProcess(): Promise<{ url: string; child: ChildProcess; close(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'examples', 'target', 'server.mjs'), '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`demo target exited (${code})`)));
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) resolve();
    });
  });
  child.stdout.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Plain `python3 -m locust --headless`, its output discarded, in its own process group. */
async function plainLocust(dir: string, file: string, host: string, seconds: number, prefix: string): Promise<void> {
  const child = spawn(
    PYTHON,
    ['-m', 'locust', `--locustfile=${file}`, '--headless', `--host=${host}`, '--users=10', '--spawn-rate=100', `--run-time=${seconds}s`, `--csv=${prefix}`],
    { cwd: dir, stdio: 'ignore', detached: true },
  );
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0 && code !== 1) throw new Error(`plain locust exited with ${code}`);
}

async function ourLocust(options: RunOptions): Promise<void> {
  const run = options.mode === 'distributed' ? await launchRun(options) : startRun(options);
  const exit = await run.exit;
  if (exit.code !== 0 && exit.code !== 1) throw new Error(`runner exited with ${exit.code ?? exit.signal ?? exit.spawnError}`);
}

async function benchOverhead(dir: string, host: string, targetPid: number): Promise<void> {
  console.log(`\nrunner overhead: requests/s of our runner ÷ plain locust --headless (10 users, no wait, ${OVERHEAD_SECONDS} s each, Locust's own --csv)`);
  for (const kind of ['HttpUser', 'FastHttpUser']) {
    const file = path.join(dir, `${kind}.py`);
    const ratios: number[] = [];
    const targetCpu: number[] = [];
    for (let round = 0; round < OVERHEAD_ROUNDS; round++) {
      const rps: Record<'ours' | 'plain', number> = { ours: 0, plain: 0 };
      // Alternate which goes first: a drifting machine then favours neither.
      const order: ('ours' | 'plain')[] = round % 2 === 0 ? ['ours', 'plain'] : ['plain', 'ours'];
      for (const who of order) {
        const prefix = path.join(dir, `${kind}-${round}-${who}`);
        const cpuBefore = await cpuSeconds(targetPid);
        const started = performance.now();
        if (who === 'plain') await plainLocust(dir, file, host, OVERHEAD_SECONDS, prefix);
        else
          await ourLocust({ python: PYTHON, locustfile: file, cwd: dir, host, users: 10, spawnRate: 100, runTime: `${OVERHEAD_SECONDS}s`, csvPrefix: prefix });
        targetCpu.push(((await cpuSeconds(targetPid)) - cpuBefore) / ((performance.now() - started) / 1000));
        rps[who] = await csvRps(prefix);
      }
      ratios.push(rps.ours / rps.plain);
      console.log(`  ${kind} round ${round + 1} (${order.join(' first, ')}): ours ${fmt(rps.ours, 0)} req/s, plain ${fmt(rps.plain, 0)} req/s, ratio ${fmt(rps.ours / rps.plain)}`);
    }
    const busiest = Math.max(...targetCpu);
    console.log(`  ${kind}: median ratio ${fmt(median(ratios))} (goal ≥ 0.98); demo target CPU up to ${fmt(busiest * 100, 0)} % of a core${busiest > 0.9 ? ' — the Node target is the bottleneck here' : ''}`);
  }
}

async function benchFreshness(dir: string): Promise<void> {
  console.log('\ntick freshness at the default 1 s interval');
  const run = startRun({ python: PYTHON, locustfile: path.join(dir, 'fresh.py'), cwd: dir, users: 2, spawnRate: 100, runTime: '20s' });
  const requestLag: number[] = [];
  const usersLag: number[] = [];
  const seen = new Set<string>();
  let pendingUsers: { users: number; since: number; resolve(): void } | undefined;
  run.on('message', (m: BridgeMessage) => {
    if (m.type !== 'tick') return;
    const now = Date.now();
    for (const e of m.endpoints) {
      if (e.method === 'FRESH' && !seen.has(e.name)) {
        seen.add(e.name);
        requestLag.push(now - Number(e.name));
      }
    }
    if (pendingUsers && m.userCount === pendingUsers.users) {
      usersLag.push(now - pendingUsers.since);
      pendingUsers.resolve();
      pendingUsers = undefined;
    }
  });
  try {
    await new Promise<void>((resolve) => run.on('message', (m) => m.type === 'tick' && m.userCount === 2 && resolve()));
    for (let i = 0; i < 6; i++) {
      const users = i % 2 === 0 ? 4 : 2;
      // Timed from the ack: the moment the runner has applied the change.
      const shown = new Promise<void>((resolve) => (pendingUsers = { users, since: Number.POSITIVE_INFINITY, resolve }));
      await run.send({ type: 'setUsers', users, spawnRate: 100 });
      if (pendingUsers) pendingUsers.since = Date.now();
      else usersLag.push(0);
      await shown;
    }
  } finally {
    await run.stop();
  }
  console.log(`  request completed → tick: median ${median(requestLag)} ms, max ${Math.max(...requestLag)} ms over ${requestLag.length} requests (goal ≤ 1500 ms)`);
  console.log(`  setUsers ack → tick with the new user count: ${usersLag.join(', ')} ms; max ${Math.max(...usersLag)} ms (goal ≤ 1500 ms)`);
}

async function benchScale(dir: string): Promise<void> {
  console.log(`\nscale: requests/s of master + 2 workers ÷ one process, CPU-bound user, ${SCALE_SECONDS} s each`);
  const ratios: number[] = [];
  for (let round = 0; round < SCALE_ROUNDS; round++) {
    const rps = { one: 0, two: 0 };
    const order: ('one' | 'two')[] = round % 2 === 0 ? ['one', 'two'] : ['two', 'one'];
    for (const who of order) {
      const prefix = path.join(dir, `scale-${round}-${who}`);
      await ourLocust({
        python: PYTHON,
        locustfile: path.join(dir, 'cpu.py'),
        cwd: dir,
        users: 10,
        spawnRate: 100,
        runTime: `${SCALE_SECONDS}s`,
        csvPrefix: prefix,
        ...(who === 'two' ? { mode: 'distributed' as const, workers: 2 } : {}),
      });
      rps[who] = await csvRps(prefix);
    }
    ratios.push(rps.two / rps.one);
    console.log(`  round ${round + 1}: one process ${fmt(rps.one, 0)} req/s, master + 2 workers ${fmt(rps.two, 0)} req/s, ratio ${fmt(rps.two / rps.one)}`);
  }
  console.log(`  median ratio ${fmt(median(ratios))} (goal ≥ 1.6 on ${os.cpus().length} cores)`);
}

export async function benchRunner(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-runner-'));
  const target = await startTargetProcess();
  try {
    for (const [name, text] of Object.entries(LOCUSTFILES)) await writeFile(path.join(dir, `${name}.py`), text);
    const started = performance.now();
    await benchOverhead(dir, target.url, target.child.pid!);
    await benchFreshness(dir);
    await benchScale(dir);
    console.log(`\nrunner benchmarks took ${fmt((performance.now() - started) / 1000, 0)} s`);
  } finally {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchRunner().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
