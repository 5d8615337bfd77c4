// Runs a real Locust through the bridge launcher and exposes its channel, logs and exit as typed events and promises.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import * as v from 'valibot';
import { MAX_BRIDGE_LINE_BYTES, parseBridgeLine, RunnerCommandSchema, type BridgeMessage, type RunnerCommand } from '../protocol/runner';
import { LineSplitter } from './lineSplitter';

export const LAUNCHER_FILE = 'locust_studio_launch.py';
/** The channel's fd in the child: stdio index 3, an extra 'pipe' (a bidirectional socket on Unix). */
const CHANNEL_FD = 3;
/** Log lines longer than this are cut: a runaway print must not cost unbounded memory. */
const MAX_LOG_LINE_BYTES = 64 * 1024;
/** The bridge's word for "run without the locustfile's LoadTestShape". */
const NO_SHAPE = '-';

/** After Locust exited, how long its pipes may take to drain before the run is declared over anyway. */
const DRAIN_MS = 2_000;

export interface RunOptions {
  python: string;
  locustfile: string;
  cwd?: string;
  /** User classes to run; all of them when empty. */
  userClasses?: string[];
  /**
   * The locustfile's LoadTestShape subclass to run, by class name (Locust alone takes the first one it finds). An unknown
   * name ends the run with an `error` message naming the shapes there are, and exit code 1. `null`: no shape at all,
   * even when the locustfile has one (the users, spawn rate and run time given drive the run: "Run load test").
   */
  shapeClass?: string | null;
  host?: string;
  users?: number;
  spawnRate?: number;
  /** Locust's syntax: 30s, 5m, 1h30m. */
  runTime?: string;
  tags?: string[];
  excludeTags?: string[];
  /** Passed to Locust as they are, after the options above. */
  extraArgs?: string[];
  /** Seconds between statistics ticks (the bridge's default is 1, its minimum 0.25). */
  statsInterval?: number;
  csvPrefix?: string;
  /** The child's environment; defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  /** Where locust_studio_launch.py and the bridge are; found next to this module by default. */
  bridgeDir?: string;
  /** `distributed`: a master plus `workers` local worker processes (start it with `launchRun`). Default `local`. */
  mode?: 'local' | 'distributed';
  /** Worker processes of a distributed run; defaults to the number of cores. */
  workers?: number;
  /** The master's port on 127.0.0.1 for a distributed run; a free one by default. */
  masterPort?: number;
}

export type LogStream = 'stdout' | 'stderr';
export type AckMessage = Extract<BridgeMessage, { type: 'ack' }>;
export type HelloMessage = Extract<BridgeMessage, { type: 'hello' }>;
export type FinalMessage = Extract<BridgeMessage, { type: 'final' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A command as callers write it: `send` assigns the id. */
export type RunnerCommandInput = DistributiveOmit<RunnerCommand, 'id'>;

export interface RunExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the interpreter could not be started at all (then code and signal are null). */
  spawnError?: string;
}

export type LocustRunEvents = {
  /** A valid bridge message, in channel order. */
  message: [message: BridgeMessage];
  /** One line the user's code or Locust printed. */
  log: [line: string, stream: LogStream];
  /** A channel line that is not a valid bridge message; it was dropped. */
  protocolError: [reason: string, line: string];
};

interface PendingAck {
  resolve(ack: AckMessage): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Resolves when `promise` does or after `ms`, whichever is first, leaving no timer behind. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Runs that may still have processes, killed if this process exits first (nothing may outlive the window). */
const liveRuns = new Set<LocustRun>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const run of liveRuns) run.kill();
  });
}

/** Where the Python side lives: `python/` beside the bundle (dist/), or runner/python beside the sources. */
export function defaultBridgeDir(): string {
  const candidates = [path.join(__dirname, 'python'), path.join(__dirname, '..', 'runner', 'python')];
  return candidates.find((dir) => existsSync(path.join(dir, LAUNCHER_FILE))) ?? candidates[0]!;
}

/** Locust's command line for a run. Only options that were set are passed, so locust.conf and LOCUST_* still apply. */
export function buildLocustArgs(options: RunOptions): string[] {
  // `--name=value` throughout: a value that starts with "-" must not be taken for an option.
  const args = [`--locustfile=${options.locustfile}`];
  // Right after the locustfile: Locust's user classes are positional, and an nargs="*" option before them would eat them.
  if (options.userClasses?.length) args.push(...options.userClasses);
  args.push('--headless');
  if (options.host) args.push(`--host=${options.host}`);
  if (options.users !== undefined) args.push(`--users=${options.users}`);
  if (options.spawnRate !== undefined) args.push(`--spawn-rate=${options.spawnRate}`);
  if (options.runTime) args.push(`--run-time=${options.runTime}`);
  if (options.csvPrefix) args.push(`--csv=${options.csvPrefix}`);
  if (options.extraArgs?.length) args.push(...options.extraArgs);
  // Last: each takes every value up to the next option.
  if (options.tags?.length) args.push('--tags', ...options.tags);
  if (options.excludeTags?.length) args.push('--exclude-tags', ...options.excludeTags);
  return args;
}

/** Worker processes a distributed run gets when the caller does not say. */
export function defaultWorkerCount(): number {
  return Math.max(1, os.availableParallelism());
}

/** The master's extra arguments in a distributed run: bound to loopback only, waiting for its workers. */
export function masterArgs(options: RunOptions, port: number): string[] {
  const workers = options.workers ?? defaultWorkerCount();
  return ['--master', '--master-bind-host=127.0.0.1', `--master-bind-port=${port}`, `--expect-workers=${workers}`];
}

/** A worker's command line: the same locustfile, classes and tags as the master; the load itself comes from the master. */
export function workerArgs(options: RunOptions, port: number): string[] {
  const args = [`--locustfile=${options.locustfile}`];
  if (options.userClasses?.length) args.push(...options.userClasses);
  args.push('--worker', '--master-host=127.0.0.1', `--master-port=${port}`);
  if (options.tags?.length) args.push('--tags', ...options.tags);
  if (options.excludeTags?.length) args.push('--exclude-tags', ...options.excludeTags);
  return args;
}

function childEnv(options: RunOptions, withChannel: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), PYTHONUNBUFFERED: '1' };
  delete env['LOCUST_STUDIO_CHANNEL_FD'];
  if (withChannel) env['LOCUST_STUDIO_CHANNEL_FD'] = String(CHANNEL_FD);
  // Our log view decodes UTF-8; a C locale would otherwise make Python escape or choke on non-ASCII output.
  env['PYTHONIOENCODING'] ??= 'utf-8';
  if (options.statsInterval !== undefined) env['LOCUST_STUDIO_STATS_INTERVAL'] = String(options.statsInterval);
  // Read by the bridge at init; only the process with the channel (the one that runs the test) has a bridge that does.
  delete env['LOCUST_STUDIO_SHAPE_CLASS'];
  if (options.shapeClass) env['LOCUST_STUDIO_SHAPE_CLASS'] = options.shapeClass;
  // Not a Python name, so no class can be called this: the bridge reads it as "no shape".
  else if (options.shapeClass === null) env['LOCUST_STUDIO_SHAPE_CLASS'] = NO_SHAPE;
  return env;
}

function spawnLauncher(options: RunOptions, args: string[], withChannel: boolean): ChildProcess {
  const bridgeDir = options.bridgeDir ?? defaultBridgeDir();
  return spawn(options.python, [path.join(bridgeDir, LAUNCHER_FILE), ...args], {
    cwd: options.cwd,
    env: childEnv(options, withChannel),
    stdio: withChannel ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that stopping the run reaches everything the locustfile started too.
    detached: true,
    windowsHide: true,
  });
}

/** Starts a local run (synchronously). A distributed run needs a free port first: use `launchRun` for it. */
export function startRun(options: RunOptions): LocustRun {
  if (options.mode === 'distributed') {
    if (options.masterPort === undefined) throw new Error('a distributed run needs masterPort, or start it with launchRun');
    const port = options.masterPort;
    const master = spawnLauncher(options, [...buildLocustArgs(options), ...masterArgs(options, port)], true);
    const count = options.workers ?? defaultWorkerCount();
    // The bridge on every worker too (it repairs the version handshake and lowers the report interval), without a channel.
    const workers = Array.from({ length: count }, () => spawnLauncher(options, workerArgs(options, port), false));
    return new LocustRun(master, workers);
  }
  return new LocustRun(spawnLauncher(options, buildLocustArgs(options), true));
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it; a small race with other processes remains). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a run in either mode; a distributed one gets a free master port unless it names one. */
export async function launchRun(options: RunOptions): Promise<LocustRun> {
  if (options.mode === 'distributed' && options.masterPort === undefined) return startRun({ ...options, masterPort: await freePort() });
  return startRun(options);
}

/** One Locust run. Made by `startRun`; the constructor only wires up an already spawned launcher. */
export class LocustRun extends EventEmitter<LocustRunEvents> {
  /** Settles once Locust has exited and its pipes have drained (so `final` is in by then, if it was sent). */
  readonly exit: Promise<RunExit>;
  readonly pid: number | undefined;

  private readonly channel: Duplex | undefined;
  private readonly pending = new Map<number, PendingAck>();
  private nextId = 1;
  private lastHello: HelloMessage | undefined;
  private lastFinal: FinalMessage | undefined;
  private lastState: string | undefined;
  /** Set when the process is gone: from then on its pid may belong to someone else and is never signalled. */
  private exited = false;
  private exitResult: RunExit | undefined;
  private resolveExit!: (exit: RunExit) => void;
  private readonly processGone: Promise<void>;
  private markProcessGone!: () => void;
  private stopping: Promise<void> | undefined;
  private openStreams = 0;
  private readonly streamsClosed: Promise<void>;
  private markStreamsClosed!: () => void;
  private finished = false;
  /** Worker processes of a distributed run; each leads a process group of its own. */
  private readonly workers: ChildProcess[];
  private readonly workersGone: Promise<void>;

  constructor(child: ChildProcess, workers: ChildProcess[] = []) {
    super();
    this.pid = child.pid;
    this.workers = workers;
    this.workersGone = Promise.all(
      workers.map((worker) => new Promise<void>((resolve) => (worker.exitCode !== null || worker.signalCode !== null ? resolve() : worker.once('exit', () => resolve())))),
    ).then(() => undefined);
    this.exit = new Promise((resolve) => (this.resolveExit = resolve));
    this.processGone = new Promise((resolve) => (this.markProcessGone = resolve));
    this.streamsClosed = new Promise((resolve) => (this.markStreamsClosed = resolve));
    this.channel = child.stdio[CHANNEL_FD] as Duplex | undefined;

    this.readLines(child.stdout, MAX_LOG_LINE_BYTES, (line) => this.emit('log', line, 'stdout'), (bytes, head) =>
      this.emit('log', `${head}… [line of ${bytes} bytes cut]`, 'stdout'),
    );
    this.readLines(child.stderr, MAX_LOG_LINE_BYTES, (line) => this.emit('log', line, 'stderr'), (bytes, head) =>
      this.emit('log', `${head}… [line of ${bytes} bytes cut]`, 'stderr'),
    );
    this.readLines(this.channel, MAX_BRIDGE_LINE_BYTES, (line) => this.onChannelLine(line), (bytes, head) =>
      this.emit('protocolError', `line of ${bytes} bytes exceeds the limit of ${MAX_BRIDGE_LINE_BYTES}`, head),
    );

    workers.forEach((worker, i) => {
      const prefix = `[worker ${i + 1}] `;
      for (const [stream, name] of [[worker.stdout, 'stdout'], [worker.stderr, 'stderr']] as const) {
        this.readLines(stream, MAX_LOG_LINE_BYTES, (line) => this.emit('log', prefix + line, name), (bytes, head) =>
          this.emit('log', `${prefix}${head}… [line of ${bytes} bytes cut]`, name),
        );
      }
      worker.on('error', (error) => this.emit('log', `${prefix}cannot start: ${error.message}`, 'stderr'));
      worker.on('exit', (code, signal) => {
        // Workers leave when the master quits (it tells them to); only one leaving on its own during the run matters.
        if (this.exited || this.stopping || this.lastState === 'quitting' || this.lastState === 'stopped') return;
        // A worker that dies on its own leaves a master waiting for it forever (--expect-workers): end the run.
        this.emit('log', `${prefix}exited (${signal ?? `code ${code}`}) while the run was on; stopping the run`, 'stderr');
        void this.stop();
      });
    });
    child.on('error', (error) => {
      // Without a pid the interpreter never started; any later error (a failed kill) changes nothing here.
      if (this.pid === undefined) this.finish({ code: null, signal: null, spawnError: error.message });
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      this.exitResult = { code, signal };
      this.markProcessGone();
      void this.settle(this.exitResult);
    });
    if (this.pid !== undefined) {
      liveRuns.add(this);
      installExitHook();
    }
  }

  /** The bridge's `hello`, once it has arrived. */
  get hello(): HelloMessage | undefined {
    return this.lastHello;
  }

  /** The last `final` message: Locust's final statistics, taken when it quit. */
  get final(): FinalMessage | undefined {
    return this.lastFinal;
  }

  /** Sends a command; resolves with its ack (which may say ok: false), rejects on timeout or when Locust exits first. */
  send(command: RunnerCommandInput, { timeoutMs = 10_000 }: { timeoutMs?: number } = {}): Promise<AckMessage> {
    const id = this.nextId++;
    const checked = v.safeParse(RunnerCommandSchema, { ...command, id });
    if (!checked.success) return Promise.reject(new Error(`invalid command: ${v.summarize(checked.issues)}`));
    const channel = this.channel;
    if (this.exited || this.exitResult || !channel || !channel.writable) {
      return Promise.reject(new Error(`cannot send ${command.type}: Locust is not running`));
    }
    return new Promise<AckMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no ack for ${command.type} (id ${id}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      channel.write(`${JSON.stringify(checked.output)}\n`, (error) => {
        if (!error) return;
        const entry = this.pending.get(id);
        if (!entry) return;
        this.pending.delete(id);
        clearTimeout(entry.timer);
        reject(new Error(`cannot send ${command.type}: ${error.message}`));
      });
    });
  }

  /**
   * Ends the run: `quit` first (Locust stops, reports its final statistics and exits), SIGTERM to the process group
   * if it has not exited after `graceMs`, SIGKILL after `termGraceMs` more. Resolves with the exit.
   */
  stop({ graceMs = 10_000, termGraceMs = 3_000 }: { graceMs?: number; termGraceMs?: number } = {}): Promise<RunExit> {
    if (!this.exited && !this.stopping) {
      this.stopping = (async () => {
        this.send({ type: 'quit' }, { timeoutMs: graceMs }).catch(() => undefined);
        if (await this.exitsWithin(graceMs)) return;
        this.signalGroup('SIGTERM');
        if (await this.exitsWithin(termGraceMs)) return;
        this.signalGroup('SIGKILL');
      })();
    }
    return this.exit;
  }

  /** Kills the whole process group (and every worker's) at once, without waiting for final statistics. */
  kill(): void {
    this.signalGroup('SIGKILL');
    this.signalWorkers('SIGKILL');
  }

  /** Process ids of a distributed run's workers (each one leads its own process group). */
  get workerPids(): number[] {
    return this.workers.map((worker) => worker.pid).filter((pid): pid is number => pid !== undefined);
  }

  private onChannelLine(line: string): void {
    if (line.trim() === '') return;
    const parsed = parseBridgeLine(line);
    if (!parsed.ok) {
      this.emit('protocolError', parsed.error, line.length > 200 ? `${line.slice(0, 200)}…` : line);
      return;
    }
    const message = parsed.message;
    if (message.type === 'hello') this.lastHello = message;
    else if (message.type === 'final') this.lastFinal = message;
    else if (message.type === 'state' || message.type === 'tick') this.lastState = message.state;
    this.emit('message', message);
    if (message.type === 'ack') {
      const entry = this.pending.get(message.id);
      if (entry) {
        this.pending.delete(message.id);
        clearTimeout(entry.timer);
        entry.resolve(message);
      }
    }
  }

  private readLines(
    stream: NodeJS.ReadableStream | Duplex | null | undefined,
    maxLineBytes: number,
    onLine: (line: string) => void,
    onOversized: (bytes: number, head: string) => void,
  ): void {
    if (!stream) return;
    const splitter = new LineSplitter({ maxLineBytes, onLine, onOversized });
    this.openStreams++;
    let closed = false;
    const done = () => {
      if (closed) return;
      closed = true;
      splitter.end();
      if (--this.openStreams === 0) this.markStreamsClosed();
    };
    stream.on('data', (chunk: Buffer | string) => splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    stream.on('end', done);
    stream.on('close', done);
    // EPIPE and the like: the process is going away, which 'exit' reports.
    stream.on('error', () => undefined);
  }

  private async exitsWithin(ms: number): Promise<boolean> {
    await within(this.processGone, ms);
    return this.exited;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.exited || this.pid === undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: already gone.
    }
    // A SIGTERMed master quits its workers itself; SIGKILL leaves them orphaned, so they go too.
    if (signal !== 'SIGKILL') return;
    this.signalWorkers(signal);
  }

  /** Signals the process group of every worker still running (an exited one's pid may belong to someone else). */
  private signalWorkers(signal: NodeJS.Signals): void {
    for (const worker of this.workers) {
      if (worker.pid === undefined || worker.exitCode !== null || worker.signalCode !== null) continue;
      try {
        process.kill(-worker.pid, signal);
      } catch {
        // ESRCH: already gone.
      }
    }
  }

  /**
   * Locust exited: kill what is left of its process group (whatever the locustfile started), then end the run once the
   * pipes drained, so that `final` is in; a stuck holder of a pipe must not hold up the run's end, hence the bound.
   */
  private async settle(exit: RunExit): Promise<void> {
    try {
      // While members remain, the group id stays theirs (Linux does not reuse it), so signalling -pid is safe here.
      process.kill(-this.pid!, 'SIGKILL');
    } catch {
      // ESRCH: nothing left, the usual case.
    }
    // The master told its workers to quit as it did; one that has not gone after the drain time is killed with its group.
    await within(this.workersGone, DRAIN_MS);
    for (const worker of this.workers) {
      // Also once the worker itself exited: its group may still hold what its locustfile started (same reasoning as
      // for the master's group above).
      try {
        if (worker.pid !== undefined) process.kill(-worker.pid, 'SIGKILL');
      } catch {
        // ESRCH
      }
    }
    await within(this.streamsClosed, DRAIN_MS);
    this.finish(exit);
  }

  private finish(exit: RunExit): void {
    if (this.finished) return;
    this.finished = true;
    this.exitResult ??= exit;
    if (!this.exited) {
      this.exited = true;
      this.markProcessGone();
    }
    liveRuns.delete(this);
    for (const [id, entry] of this.pending) {
      clearTimeout(entry.timer);
      entry.reject(new Error(`Locust exited before acknowledging command ${id}`));
    }
    this.pending.clear();
    this.channel?.destroy();
    this.resolveExit(exit);
  }
}
