// Shared by the runner tests: the Locusts they run on, a demo target with a scratch folder for runs, follow a run's messages, wait for one, read Locust's CSV files and
// printed summary, find leftover processes; a locustfile with two load shapes.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BridgeMessage } from '../../protocol/runner';
import { startRun, type LocustRun, type RunOptions } from '../../runner/locustRun';
import { startTarget } from '../../examples/target/server.mjs';
import { parse } from 'csv-parse/sync';
import { DEBIAN_PYTHON, locustMatrix, type LocustInstall } from '../../scripts/locustVersions';

/** Debian's python3-locust, under the system interpreter (TOOLCHAIN.md): what tests not run on the matrix use. */
export const PYTHON = DEBIAN_PYTHON;

/**
 * A Locust the runner tests run on. `depth` says which of them: `full` runs every matrix test (Debian's and the newest),
 * `smoke` only those marked as the smoke subset (a local and a distributed exact run, attach, a task once, a breakpoint).
 */
export interface LocustUnderTest extends LocustInstall {
  depth: 'full' | 'smoke';
}

/** Every Locust of the matrix (pinned in scripts/locustVersions.ts; setup.sh installs the PyPI ones). */
export const LOCUSTS: readonly LocustUnderTest[] = locustMatrix().map((install) => ({ ...install, depth: install.role === 'middle' ? 'smoke' : 'full' }));

/** The Locusts a test runs on: all of them for the smoke subset, else those that run the full layer. */
export function locustsFor(scope: 'smoke' | 'full'): readonly LocustUnderTest[] {
  return scope === 'smoke' ? LOCUSTS : LOCUSTS.filter((locust) => locust.depth === 'full');
}

/** A test title that names the Locust it runs on. */
export function titled(locust: LocustUnderTest, title: string): string {
  return `${locust.label}: ${title}`;
}

/**
 * Fails (never skips) when a matrix Locust is not installed: a missing environment must not pass as a green run.
 * Call at the start of a test, or in a `before` hook.
 */
export function requireLocust(locust: LocustUnderTest): void {
  assert.ok(existsSync(locust.python), `${locust.label} is not installed at ${locust.python}: run scripts/setup.sh`);
}

const optionsByPython = new Map<string, ReadonlySet<string>>();

/** The command-line options a Locust offers, as its `--help` lists them: how a test asks Locust what it supports. */
export function locustOptions(locust: LocustUnderTest): ReadonlySet<string> {
  let options = optionsByPython.get(locust.python);
  if (!options) {
    const help = execFileSync(locust.python, ['-m', 'locust', '--help'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    options = new Set(help.match(/--[a-z][a-z0-9-]*/g) ?? []);
    assert.ok(options.has('--headless'), `${locust.label} --help lists its options`);
    optionsByPython.set(locust.python, options);
  }
  return options;
}
export const WAIT_MS = 20_000;

/** Two shapes that cannot be mistaken for each other: the first holds 1 user for a minute, the second 3 users for 3 s. */
export const TWO_SHAPES = `
from locust import HttpUser, LoadTestShape, constant, task

class Visitor(HttpUser):
    wait_time = constant(0.1)

    @task
    def health(self):
        self.client.get("/health")

class FirstShape(LoadTestShape):
    def tick(self):
        return (1, 10) if self.get_run_time() < 60 else None

class SecondShape(LoadTestShape):
    def tick(self):
        return (3, 10) if self.get_run_time() < 3 else None
`;

export type Tick = Extract<BridgeMessage, { type: 'tick' }>;
export const isTick = (m: BridgeMessage): m is Tick => m.type === 'tick';

/** Records what a run says, and waits for a message that satisfies a predicate (never a fixed sleep). */
export function follow(run: LocustRun) {
  const messages: BridgeMessage[] = [];
  const logs: { line: string; stream: string }[] = [];
  const protocolErrors: string[] = [];
  const waiters = new Set<{ accepts(m: BridgeMessage): boolean; resolve(m: BridgeMessage): void }>();
  run.on('message', (message) => {
    messages.push(message);
    for (const waiter of waiters) {
      if (waiter.accepts(message)) {
        waiters.delete(waiter);
        waiter.resolve(message);
      }
    }
  });
  run.on('log', (line, stream) => logs.push({ line, stream }));
  run.on('protocolError', (reason, line) => protocolErrors.push(`${reason}: ${line}`));

  function next<T extends BridgeMessage>(what: string, accepts: (m: BridgeMessage) => m is T, ms = WAIT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => fail(`timed out waiting for ${what}`), ms);
      const waiter = {
        accepts,
        resolve: (m: BridgeMessage) => {
          clearTimeout(timer);
          resolve(m as T);
        },
      };
      function fail(reason: string) {
        if (!waiters.delete(waiter)) return;
        clearTimeout(timer);
        reject(new Error(`${reason}; last log lines:\n${logs.slice(-15).map((l) => l.line).join('\n')}`));
      }
      waiters.add(waiter);
      void run.exit.then(() => fail(`Locust exited while waiting for ${what}`));
    });
  }
  return { messages, logs, protocolErrors, next };
}

/** Rows of a CSV file as Locust writes it (quoted names may hold commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  return parse(text, { relax_column_count: true, skip_empty_lines: true });
}

/** Rows of a Locust `_stats.csv` as `{ "GET /x": "requests/failures" }` in file order, plus the header. */
export async function statsCsvCounts(file: string): Promise<{ header: string[]; order: string[]; counts: Record<string, string> }> {
  const [header, ...rows] = parseCsv(await readFile(file, 'utf8'));
  assert.ok(header, `${file} has a header`);
  return {
    header,
    order: rows.map((r) => `${r[0]} ${r[1]}`),
    counts: Object.fromEntries(rows.map((r) => [`${r[0]} ${r[1]}`, `${r[2]}/${r[3]}`])),
  };
}

/**
 * `{ "GET /x": "requests/failures" }` (Aggregated row included, its Type empty) from the final summary table Locust prints
 * at exit: the last "Type Name # reqs # fails" table among `lines`.
 */
export function countsFromSummary(lines: string[]): Record<string, string> {
  let start = -1;
  lines.forEach((l, i) => {
    if (/^Type\s+Name\s+# reqs\s+# fails/.test(l)) start = i;
  });
  assert.ok(start >= 0, 'Locust printed its final summary');
  const counts: Record<string, string> = {};
  for (const line of lines.slice(start + 2)) {
    const row = /^(\S*)\s+(.*?)\s+(\d+)\s+(\d+)\(\d+\.\d+%\)\s+\|/.exec(line);
    if (!row) {
      if (line.startsWith('---')) continue;
      break;
    }
    counts[`${row[1]} ${row[2]}`] = `${row[3]}/${row[4]}`;
  }
  return counts;
}

/** Live (non-zombie) members of a process group, from /proc. */
export async function liveGroupMembers(pgid: number): Promise<string[]> {
  const live: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') live.push(`${entry} ${stat.slice(0, stat.lastIndexOf(')') + 1)}`);
  }
  return live;
}

/**
 * For a test file whose runs load a demo target of its own: registers the hooks that start the target and a scratch
 * folder, and that afterwards kill and await every run, close the target and remove the folder. `start` writes the
 * locustfile into a folder of its own (`name`) and starts a run of it against the target at 0.25 s ticks.
 */
export function runsAgainstTarget(prefix: string) {
  let target: Awaited<ReturnType<typeof startTarget>>;
  let scratch: string;
  const runs: LocustRun[] = [];
  before(async () => {
    [target, scratch] = await Promise.all([startTarget({ port: 0, quiet: true }), mkdtemp(path.join(os.tmpdir(), `locust-studio-${prefix}-`))]);
  });
  after(async () => {
    for (const run of runs) run.kill();
    await Promise.all(runs.map((run) => run.exit));
    await target?.close();
    await rm(scratch, { recursive: true, force: true });
  });
  return {
    /** The folder a run named `name` runs in (its locustfile, and Locust's own files such as --csv). */
    folder: (name: string) => path.join(scratch, name),
    async start(name: string, locustfileText: string, options: Partial<RunOptions> = {}) {
      const cwd = path.join(scratch, name);
      await mkdir(cwd, { recursive: true });
      const locustfile = path.join(cwd, 'locustfile.py');
      await writeFile(locustfile, locustfileText);
      const run = startRun({ python: PYTHON, locustfile, cwd, host: target.url, statsInterval: 0.25, ...options });
      runs.push(run);
      return { run, ...follow(run) };
    },
  };
}

const exported = new Map<string, Promise<boolean>>();

/** Whether this Locust exports `name` (MarkovTaskSet: 2.38+), asked of Locust itself, never read from a version string. */
export function locustExports(python: string, name: string): Promise<boolean> {
  const key = `${python}\0${name}`;
  let known = exported.get(key);
  if (!known) {
    known = new Promise<boolean>((resolve) => {
      execFile(python, ['-c', `import locust; locust.${name}`], { timeout: 30_000 }, (error) => resolve(!error));
    });
    exported.set(key, known);
  }
  return known;
}

/** Whether this Locust can run pytest-style locustfiles (its loader collects test functions), asked of Locust itself. */
export function locustRunsTestFunctions(python: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    execFile(python, ['-c', 'from locust.util.load_locustfile import load_locustfile_pytest'], { timeout: 30_000 }, (error) => resolve(!error));
  });
}
