// Kills the owner of a run (the Node process that started Locust) with SIGKILL in each phase of the run, many times, and counts the processes it leaves behind.
// Usage: node --import tsx scripts/killCycles.ts [cycles per phase, default 30] [Locust label filter]. test/runner/orphans.test.ts runs a few cycles.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startTarget } from '../examples/target/server.mjs';
import { locustMatrix } from './locustVersions';
import { locustOffers, resolveInterpreter } from '../runner/python';

const REPO = path.resolve(__dirname, '..');
const OWNER = path.join(REPO, 'test', 'fixtures', 'orphans', 'owner.ts');
/** Carried by the owner and every process it starts (it is inherited): how leftovers are found, never by name. */
export const CYCLE_MARK_ENV = 'STUDIO_KILL_CYCLE_MARK';
/** How long after the owner's death a process of its run still counts as merely slow to end, not left behind. */
export const LEFTOVER_DEADLINE_MS = 10_000;
/** How long the owner may take to bring its run to the phase asked for. */
const PHASE_TIMEOUT_MS = 30_000;

export type Mode = 'local' | 'distributed' | 'processes';
export type Phase = 'starting' | 'waitingForWorkers' | 'spawning' | 'running' | 'stopping';

/**
 * The phases of a run in each mode (a local run has no wait for workers; Locust's --processes forks its workers after
 * importing the locustfile, so a slow import cannot hold up only the workers there).
 */
export const PHASES: Record<Mode, Phase[]> = {
  local: ['starting', 'spawning', 'running', 'stopping'],
  distributed: ['starting', 'waitingForWorkers', 'spawning', 'running', 'stopping'],
  processes: ['starting', 'spawning', 'running', 'stopping'],
};

/**
 * A user that stops slowly (its on_stop takes 60 s: Locust's stop waits for it, so the run stays in its stopping phase),
 * and, when the owner asks for it, workers that take 60 s to import the locustfile (the master waits for them).
 */
const LOCUSTFILE = `
import os, sys, time
import gevent
from locust import HttpUser, constant, task

if "--worker" in sys.argv and os.environ.get("SLOW_WORKERS"):
    time.sleep(60)

class Slow(HttpUser):
    wait_time = constant(0.2)

    @task
    def products(self):
        self.client.get("/products")

    def on_stop(self):
        gevent.sleep(60)
`;

/** The line of the owner that says the run reached `phase`, and what the run is asked to do to get there. */
function plan(phase: Phase, mode: Mode): { line: RegExp; users: number; spawnRate: number; stopAt?: string; slowWorkers?: boolean } {
  switch (phase) {
    case 'starting':
      return { line: /^spawned /m, users: 2, spawnRate: 10 };
    case 'waitingForWorkers':
      return { line: /^hello master$/m, users: 2, spawnRate: 10, slowWorkers: true };
    case 'spawning':
      return { line: /^state spawning$/m, users: 100, spawnRate: mode === 'local' ? 2 : 4 };
    case 'running':
      return { line: /^state running$/m, users: 2, spawnRate: 10 };
    case 'stopping':
      return { line: /^state stopping$/m, users: 2, spawnRate: 10, stopAt: 'running' };
  }
}

/** Live processes (not zombies) that carry `mark` in their environment. */
export async function markedProcesses(mark: string): Promise<number[]> {
  const found: number[] = [];
  const needle = `${CYCLE_MARK_ENV}=${mark}`;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const [environ, stat] = await Promise.all([readFile(`/proc/${entry}/environ`, 'latin1').catch(() => ''), readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')]);
    if (!environ.split('\0').includes(needle)) continue;
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
    found.push(Number(entry));
  }
  return found;
}

export interface CycleResult {
  python: string;
  mode: Mode;
  phase: Phase;
  /** Whether the run reached the phase before its owner was killed. */
  reached: boolean;
  /** Processes of the run alive when the owner died (the owner itself not counted). */
  processesAtKill: number;
  /** Processes still alive LEFTOVER_DEADLINE_MS after the owner's death (then killed by this script). */
  leftovers: number;
  /** Milliseconds from the owner's death until the last process of its run was gone (the deadline when some were left). */
  msToClean: number;
}

/** One cycle: start an owner, wait for the phase, SIGKILL the owner, watch its run's processes go. */
export async function killCycle({ python, mode, phase, host, dir }: { python: string; mode: Mode; phase: Phase; host: string; dir: string }): Promise<CycleResult> {
  const mark = randomUUID();
  const step = plan(phase, mode);
  const cwd = path.join(dir, mark);
  await mkdir(cwd, { recursive: true });
  await writeFile(path.join(cwd, 'locustfile.py'), LOCUSTFILE);
  const options = {
    python,
    locustfile: path.join(cwd, 'locustfile.py'),
    cwd,
    host,
    users: step.users,
    spawnRate: step.spawnRate,
    mode,
    workers: 2,
    statsInterval: 0.25,
    ...(step.stopAt && { stopAt: step.stopAt }),
  };
  const env = { ...process.env, [CYCLE_MARK_ENV]: mark, ...(step.slowWorkers && { SLOW_WORKERS: '1' }) };
  // From the repository, where `--import tsx` resolves; Locust itself runs in `cwd`.
  const owner = spawn(process.execPath, ['--import', 'tsx', OWNER, JSON.stringify(options)], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => owner.once('exit', () => resolve()));
  let output = '';
  const reached = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), PHASE_TIMEOUT_MS);
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      if (step.line.test(output)) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    owner.stdout.on('data', look);
    owner.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    void exited.then(() => resolve(false));
  });
  const atKill = (await markedProcesses(mark)).filter((pid) => pid !== owner.pid).length;
  owner.kill('SIGKILL');
  await exited;
  const killedAt = Date.now();
  let left = await markedProcesses(mark);
  while (left.length > 0 && Date.now() - killedAt < LEFTOVER_DEADLINE_MS) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    left = await markedProcesses(mark);
  }
  const msToClean = Date.now() - killedAt;
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  await rm(cwd, { recursive: true, force: true });
  return { python, mode, phase, reached, processesAtKill: atKill, leftovers: left.length, msToClean };
}

/**
 * The orphan figures: `cycles` kill -9 cycles of the owner per phase, local, distributed and --processes, on Debian's and the newest
 * Locust (or those whose label contains `only`), one line each. `npm run bench` runs it (BENCH_KILL_CYCLES, default 30).
 */
export async function benchKillCycles(cycles = 30, only?: string): Promise<void> {
  if (cycles <= 0) return;
  const locusts = locustMatrix().filter((l) => l.role !== 'middle' && (!only || l.label.includes(only)));
  const target = await startTarget({ port: 0, quiet: true });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-kill-cycles-'));
  try {
    console.log('locust\tmode\tphase\tcycles\treached\tprocesses at kill (mean)\tleftovers\tms to clean (median / max)');
    for (const locust of locusts) {
      // Locust's own --processes where its parser has it (asked of Locust, as a run does).
      const processes = locustOffers(await resolveInterpreter(locust.python), 'processes');
      for (const mode of ['local', 'distributed', ...(processes ? ['processes' as const] : [])] as const) {
        for (const phase of PHASES[mode]) {
          const results: CycleResult[] = [];
          for (let i = 0; i < cycles; i++) results.push(await killCycle({ python: locust.python, mode, phase, host: target.url, dir }));
          const times = results.map((r) => r.msToClean).sort((a, b) => a - b);
          const mean = results.reduce((sum, r) => sum + r.processesAtKill, 0) / results.length;
          console.log(
            [locust.label, mode, phase, cycles, results.filter((r) => r.reached).length, mean.toFixed(1), results.reduce((sum, r) => sum + r.leftovers, 0), `${times[Math.floor(times.length / 2)]} / ${times.at(-1)}`].join('\t'),
          );
        }
      }
    }
  } finally {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void benchKillCycles(Number(process.argv[2] ?? 30), process.argv[3]);
