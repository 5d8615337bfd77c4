// Benchmarks of the runner against plain Locust (overhead), tick freshness, and master + 2 workers vs one process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BridgeMessage } from '../protocol/runner';
import { freePort, launchRun, startRun, type RunOptions } from '../runner/locustRun';
import { parse } from 'csv-parse/sync';

const PYTHON = '/usr/bin/python3';
/** Interleaved rounds per User kind (override with BENCH_OVERHEAD_ROUNDS): a single pair is noisier than the effect. */
const OVERHEAD_ROUNDS = Math.max(1, Number(process.env.BENCH_OVERHEAD_ROUNDS) || 6);
/** Locustfiles of the overhead bench, and the stats interval our runner uses for each (ManyNames: the panel's fastest). */
const OVERHEAD_KINDS: Record<string, number | undefined> = { HttpUser: undefined, FastHttpUser: undefined, ManyNames: 0.25 };
const OVERHEAD_SECONDS = Math.max(2, Number(process.env.BENCH_OVERHEAD_SECONDS) || 6);
/** BENCH_RUNNER_ONLY=overhead|freshness|scale runs only that part. */
const ONLY = process.env.BENCH_RUNNER_ONLY;
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
  // 200 request names: what each tick costs the gevent loop grows with the endpoints that changed (run at 0.25 s ticks).
  ManyNames: `from locust import task, constant
from locust.contrib.fasthttp import FastHttpUser
class ManyNames(FastHttpUser):
    wait_time = constant(0)
    n = 0
    @task
    def item(self):
        ManyNames.n += 1
        self.client.get("/", name=f"/item/{ManyNames.n % 200}")
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
/** Linear-interpolated quantile (0..1) of `xs`. */
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}

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

/**
 * Samples a process's CPU seconds every 100 ms until stopped (the process is reaped at exit, so the latest reading is
 * what is left). `mark()` when the test starts: `used` is then the CPU of the test alone, without Python's start-up
 * (importing Locust costs most of a CPU-second, the same for every side, which would only dilute the difference).
 */
function cpuSampler(pid: number | undefined) {
  let last = 0;
  let atMark: number | undefined;
  let markedAt: number | undefined;
  let reading = false;
  const read = () => {
    if (pid === undefined || reading) return;
    reading = true;
    cpuSeconds(pid).then(
      (cpu) => ((last = cpu), (reading = false)),
      () => (reading = false),
    );
  };
  const timer = setInterval(read, 100);
  read();
  return {
    get used() {
      return last - (atMark ?? 0);
    },
    /** Wall seconds since the mark (since `started` without one). */
    wall: (started: number) => (performance.now() - (markedAt ?? started)) / 1000,
    mark: () => {
      if (atMark !== undefined || pid === undefined) return;
      atMark = last;
      markedAt = performance.now();
      void cpuSeconds(pid).then((cpu) => (atMark = cpu), () => undefined);
    },
    stop: () => clearInterval(timer),
  };
}

/** Locust logs this as a test starts (2.12 to 2.4x). */
const TEST_STARTS = /Ramping to \d+ users/;

/** What one side of a round measured: Locust's own Requests/s and request count, and its process's CPU seconds. */
interface Measured {
  rps: number;
  requests: number;
  cpu: number;
  wall: number;
  /** Our runner only: the share of the Locust process's CPU that the bridge's own loops took (from the final message). */
  bridgeShare?: number;
}

/**
 * Locust's own final summary, the last "Aggregated" row of the statistics table it logs when it quits (request count
 * and Requests/s): the same reference for every side. Not its `--csv` file: Locust 2.12 rewrites that once a second but
 * not at exit, so plain Locust's CSV misses up to the last second (the bridge repairs ours), which skewed the ratio.
 */
function finalSummary(output: string): { rps: number; requests: number } {
  const rows = output.split('\n').filter((line) => /^\s*Aggregated\s+\d+\s+\d+\(/.test(line) && line.includes('|'));
  const last = rows.at(-1);
  const m = last && /^\s*Aggregated\s+(\d+)\s+\d+\([\d.]+%\)\s+\|[^|]*\|\s+([\d.]+)/.exec(last);
  if (!m) throw new Error(`no final Aggregated row in Locust's output:\n${output.slice(-2000)}`);
  return { requests: Number(m[1]), rps: Number(m[2]) };
}

/** Plain `python3 -m locust --headless` (stdout discarded; its log, with the final summary, read), in its own process group. */
async function plainLocust(dir: string, file: string, host: string, seconds: number): Promise<Measured> {
  const started = performance.now();
  const child = spawn(
    PYTHON,
    ['-m', 'locust', `--locustfile=${file}`, '--headless', `--host=${host}`, '--users=10', '--spawn-rate=100', `--run-time=${seconds}s`],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let log = '';
  const cpu = cpuSampler(child.pid);
  child.stderr.on('data', (d: Buffer) => {
    log += d.toString();
    if (TEST_STARTS.test(log)) cpu.mark();
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  cpu.stop();
  if (code !== 0 && code !== 1) throw new Error(`plain locust exited with ${code}`);
  return { ...finalSummary(log), cpu: cpu.used, wall: cpu.wall(started) };
}

/** Our runner; with `measure`, Locust's final summary from its log (as for plain Locust) and its CPU. */
async function ourLocust(options: RunOptions, measure = false): Promise<Measured | undefined> {
  const started = performance.now();
  const run = options.mode === 'distributed' ? await launchRun(options) : startRun(options);
  let log = '';
  const cpu = cpuSampler(run.pid);
  if (measure) {
    run.on('log', (line) => {
      log += `${line}\n`;
      if (TEST_STARTS.test(line)) cpu.mark();
    });
  }
  const exit = await run.exit;
  cpu.stop();
  if (exit.code !== 0 && exit.code !== 1) throw new Error(`runner exited with ${exit.code ?? exit.signal ?? exit.spawnError}`);
  if (!measure) return undefined;
  const cost = run.final?.cost;
  return {
    ...finalSummary(log),
    cpu: cpu.used,
    wall: cpu.wall(started),
    ...(cost && cost.processCpuSeconds > 0 && { bridgeShare: cost.bridgeCpuSeconds / cost.processCpuSeconds }),
  };
}

function summary(xs: number[]): string {
  return `median ${fmt(median(xs))} over ${xs.length} rounds (min ${fmt(Math.min(...xs))}, quartiles ${fmt(quantile(xs, 0.25))}–${fmt(quantile(xs, 0.75))}, max ${fmt(Math.max(...xs))})`;
}

/**
 * Requests/s of our runner ÷ plain Locust, interleaved (the order rotates each round, so a drifting machine favours
 * nobody), summarised as the median of per-round ratios with their spread. On a shared 2-core machine the wall-clock
 * ratio swings with whatever else runs, so the bench also reports requests per CPU-second of the Locust process (what
 * the bridge itself costs Locust, whatever the neighbours do) and how much of a core each side got.
 * BENCH_COMPARE_BRIDGE=<dir> adds a third side: our runner with the bridge (and launcher) in <dir>, e.g. an older one.
 */
async function benchOverhead(dir: string, host: string, targetPid: number): Promise<void> {
  const compare = process.env.BENCH_COMPARE_BRIDGE;
  console.log(`\nrunner overhead: requests/s of our runner ÷ plain locust --headless (10 users, no wait, ${OVERHEAD_SECONDS} s each, Locust's own final summary)`);
  if (compare) console.log(`  with a third side, "base": our runner with the bridge in ${compare}`);
  for (const [kind, statsInterval] of Object.entries(OVERHEAD_KINDS)) {
    const file = path.join(dir, `${kind}.py`);
    if (statsInterval !== undefined) console.log(`  ${kind}: our runner ticks every ${statsInterval} s`);
    const sides: ('ours' | 'plain' | 'base')[] = compare ? ['ours', 'plain', 'base'] : ['ours', 'plain'];
    const ratios: Record<string, number[]> = {};
    const add = (key: string, value: number) => (ratios[key] ??= []).push(value);
    const targetCpu: number[] = [];
    const share: Record<string, number[]> = {};
    const bridgeShares: number[] = [];
    for (let round = 0; round < OVERHEAD_ROUNDS; round++) {
      const order = sides.map((_, i) => sides[(i + round) % sides.length]!);
      const got: Partial<Record<(typeof sides)[number], Measured>> = {};
      for (const who of order) {
        const cpuBefore = await cpuSeconds(targetPid);
        const started = performance.now();
        const options: RunOptions = { python: PYTHON, locustfile: file, cwd: dir, host, users: 10, spawnRate: 100, runTime: `${OVERHEAD_SECONDS}s`, statsInterval };
        if (statsInterval === undefined) delete options.statsInterval;
        if (who === 'plain') got.plain = await plainLocust(dir, file, host, OVERHEAD_SECONDS);
        else got[who] = await ourLocust(who === 'base' ? { ...options, bridgeDir: compare } : options, true);
        targetCpu.push(((await cpuSeconds(targetPid)) - cpuBefore) / ((performance.now() - started) / 1000));
        (share[who] ??= []).push(got[who]!.cpu / got[who]!.wall);
        if (who === 'ours' && got.ours?.bridgeShare !== undefined) bridgeShares.push(got.ours.bridgeShare);
      }
      const perCpu = (m: Measured) => m.requests / m.cpu;
      const line = [`  ${kind} round ${round + 1} (${order.join(', ')}):`];
      for (const who of sides) line.push(`${who} ${fmt(got[who]!.rps, 0)} req/s (${fmt(got[who]!.cpu / got[who]!.wall, 2)} core)`);
      for (const who of sides.filter((w) => w !== 'plain')) {
        add(`${who} rps`, got[who]!.rps / got.plain!.rps);
        add(`${who} per CPU`, perCpu(got[who]!) / perCpu(got.plain!));
        line.push(`${who}/plain ${fmt(got[who]!.rps / got.plain!.rps)} (per CPU-s ${fmt(perCpu(got[who]!) / perCpu(got.plain!))})`);
      }
      console.log(line.join('  '));
    }
    for (const who of sides.filter((w) => w !== 'plain')) {
      console.log(`  ${kind} ${who}/plain requests/s: ${summary(ratios[`${who} rps`]!)} (goal ≥ 0.98)`);
      console.log(`  ${kind} ${who}/plain requests per CPU-second of Locust: ${summary(ratios[`${who} per CPU`]!)}`);
    }
    // The bridge's own CPU, measured inside the process: what it takes from Locust, whatever the neighbours do.
    if (bridgeShares.length) {
      const b = median(bridgeShares);
      console.log(
        `  ${kind}: the bridge's own loops took ${fmt(b * 100, 2)} % of the Locust process's CPU (median; max ${fmt(Math.max(...bridgeShares) * 100, 2)} %)` +
          ` → expected ours/plain ≥ ${fmt(1 - Math.max(...bridgeShares))} on a quiet machine (goal ≥ 0.98: ${1 - Math.max(...bridgeShares) >= 0.98 ? 'goal met' : 'goal missed'})`,
      );
    }
    const busiest = Math.max(...targetCpu);
    console.log(
      `  ${kind}: share of a core the Locust process got, median: ${sides.map((w) => `${w} ${fmt(median(share[w]!), 2)}`).join(', ')}` +
        ` (below ~0.95: something else competed for the CPU); demo target CPU up to ${fmt(busiest * 100, 0)} % of a core` +
        `${busiest > 0.9 ? ' — the Node target is the bottleneck here' : ''}`,
    );
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
      // Timed from the send (what a user sees: the click to the tick that shows it). Set before sending, so that a tick
      // arriving together with the ack is timed too.
      const shown = new Promise<void>((resolve) => (pendingUsers = { users, since: Date.now(), resolve }));
      const ack = await run.send({ type: 'setUsers', users, spawnRate: 100 });
      if (!ack.ok) throw new Error(`setUsers refused: ${ack.error}`);
      await shown;
    }
  } finally {
    await run.stop();
  }
  console.log(`  request completed → tick: median ${median(requestLag)} ms, max ${Math.max(...requestLag)} ms over ${requestLag.length} requests (goal ≤ 1500 ms)`);
  console.log(`  setUsers sent → tick with the new user count: ${usersLag.join(', ')} ms; max ${Math.max(...usersLag)} ms (goal ≤ 1500 ms)`);
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
    if (!ONLY || ONLY === 'overhead') await benchOverhead(dir, target.url, target.child.pid!);
    if (!ONLY || ONLY === 'freshness') await benchFreshness(dir);
    if (!ONLY || ONLY === 'scale') await benchScale(dir);
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
