// Runs a real Locust through the bridge launcher and exposes its channel, logs and exit as typed events and promises.
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import * as v from 'valibot';
import { parseBridgeLine, RunnerCommandSchema, type BridgeMessage, type RunnerCommand } from '../protocol/runner';
import {
  channelOf,
  DRAIN_MS,
  killOnNodeExit,
  onChildExit,
  readChannel,
  readLogLines,
  signalGroup,
  spawnInGroup,
  within,
  type LogStream,
  type RunExit,
} from './childProcess';
import { RemoteWorker, shellWord, type RemoteWorkerSettings } from './remoteWorkers';

export type { LogStream, RunExit } from './childProcess';

export const LAUNCHER_FILE = 'locust_studio_launch.py';
/**
 * After a worker process died mid-run, how long its master may take to notice (Locust's heartbeat: a worker is missing
 * after 3 beats, 1 s apart, are missed) before the run is stopped: its ticks then say what the master saw.
 */
export const WORKER_LOSS_NOTICE_MS = 6_000;
/**
 * How long workers on other hosts may take to leave once the master quit (each one's host then removes its folder) before
 * their ssh is ended; longer than DRAIN_MS, as a dropped connection takes ssh a few seconds to notice.
 */
export const REMOTE_WORKER_QUIT_MS = 10_000;
/** The master's address when the user chose none: this machine only. */
export const DEFAULT_MASTER_BIND = '127.0.0.1';
/** The bridge's word for "run without the locustfile's LoadTestShape". */
const NO_SHAPE = '-';

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
  /** `--profile`: names the run in Locust (newer Locust only: pass it where the interpreter's Locust has the option). */
  profile?: string;
  /** Options among extraArgs whose values are secrets (`is_secret` arguments): passed to Locust, never written to a record. */
  secretFlags?: string[];
  /** Seconds between statistics ticks (the bridge's default is 1, its minimum 0.25). */
  statsInterval?: number;
  csvPrefix?: string;
  /** The child's environment; defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  /** Where locust_studio_launch.py and the bridge are; found next to this module by default. */
  bridgeDir?: string;
  /**
   * `distributed`: a master plus `workers` local worker processes this runner starts; `processes`: Locust's own
   * `--processes`, one Locust that forks `workers` workers itself (where its parser has the option). Start either with
   * `launchRun`. Default `local`.
   */
  mode?: 'local' | 'distributed' | 'processes';
  /** Worker processes of a distributed run; defaults to the number of cores. With `processes`, absent: Locust's "all cores" (-1). */
  workers?: number;
  /** The master's port for a distributed run; a free one by default. */
  masterPort?: number;
  /**
   * The address the master of a distributed run binds to, which its workers reach it at; 127.0.0.1 unless the user
   * chose one (workers on other hosts need one they can reach).
   */
  masterBind?: string;
  /** Workers on other hosts, started through ssh (a distributed run then has no local workers unless `workers` says). */
  remoteWorkers?: RemoteWorkerSettings;
}

export type AckMessage = Extract<BridgeMessage, { type: 'ack' }>;
export type HelloMessage = Extract<BridgeMessage, { type: 'hello' }>;
export type FinalMessage = Extract<BridgeMessage, { type: 'final' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A command as callers write it: `send` assigns the id. */
export type RunnerCommandInput = DistributiveOmit<RunnerCommand, 'id'>;

export type LocustRunEvents = {
  /** A valid bridge message, in channel order. */
  message: [message: BridgeMessage];
  /** One line the user's code or Locust printed. */
  log: [line: string, stream: LogStream];
  /** A channel line that is not a valid bridge message; it was dropped. */
  protocolError: [reason: string, line: string];
  /**
   * A worker process of a distributed run exited on its own while the run was on: a local one stops the run, one on
   * another host does not (the run goes on with the others).
   */
  workerLost: [loss: WorkerExit];
  /** A worker on another host could not start (why is in `reason`); the run stops, or goes on if the user chose so. */
  workerFailed: [failure: { host: string; reason: string }];
};

/** A worker process that exited on its own mid-run: which one (1-based, of how many), its pid, and how it ended. */
export interface WorkerExit {
  worker: number;
  of: number;
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The SSH target of a worker on another host, and why it was lost. */
  host?: string;
  reason?: string;
}

interface PendingAck {
  resolve(ack: AckMessage): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
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
  if (options.profile) args.push(`--profile=${options.profile}`);
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

/** Local worker processes of a distributed run: as asked, else one per core, or none when workers run on other hosts. */
export function localWorkerCount(options: RunOptions): number {
  return options.workers ?? (options.remoteWorkers?.hosts.length ? 0 : defaultWorkerCount());
}

/**
 * The extra arguments of a `processes` run: Locust forks its workers and makes itself their master; the master binds to
 * loopback (its default is every interface) unless the user chose an address, on a port of ours, where the forked workers (which inherit these
 * options) connect.
 */
export function processesArgs(options: RunOptions, port: number): string[] {
  return [`--processes=${options.workers ?? ALL_CORES}`, `--master-bind-host=${options.masterBind ?? DEFAULT_MASTER_BIND}`, `--master-bind-port=${port}`, `--master-host=${options.masterBind ?? DEFAULT_MASTER_BIND}`, `--master-port=${port}`];
}

/** Locust's `--processes` value for "one worker per core". */
const ALL_CORES = -1;

/** The master's extra arguments in a distributed run: bound to loopback unless the user chose an address, waiting for its workers. */
export function masterArgs(options: RunOptions, port: number): string[] {
  const workers = localWorkerCount(options) + (options.remoteWorkers?.hosts.length ?? 0);
  return ['--master', `--master-bind-host=${options.masterBind ?? DEFAULT_MASTER_BIND}`, `--master-bind-port=${port}`, `--expect-workers=${workers}`];
}

/**
 * A worker's command line: the same locustfile, classes and tags as the master; the load itself comes from the master.
 * `locustfile`: where the worker finds it (a copy's name on another host, `-` to take it from the master).
 */
export function workerArgs(options: RunOptions, port: number, locustfile: string = options.locustfile): string[] {
  const args = [`--locustfile=${locustfile}`];
  if (options.userClasses?.length) args.push(...options.userClasses);
  args.push('--worker', `--master-host=${options.masterBind ?? DEFAULT_MASTER_BIND}`, `--master-port=${port}`);
  if (options.tags?.length) args.push('--tags', ...options.tags);
  if (options.excludeTags?.length) args.push('--exclude-tags', ...options.excludeTags);
  return args;
}

function childEnv(options: RunOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
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
  return spawnInGroup({
    command: options.python,
    args: [path.join(bridgeDir, LAUNCHER_FILE), ...args],
    cwd: options.cwd,
    env: childEnv(options),
    channel: withChannel,
  });
}

/**
 * The command that starts one more worker of a distributed run by hand (a container, a Kubernetes pod, a host without
 * ssh): `locust` with the run's locustfile (by its name: the worker has its own copy), classes, tags and the master.
 */
export function workerCommand(options: RunOptions, port: number): string {
  return ['locust', ...workerArgs(options, port, path.basename(options.locustfile))].map(shellWord).join(' ');
}

/** Starts a local run (synchronously). A distributed run needs a free port first: use `launchRun` for it. */
export function startRun(options: RunOptions): LocustRun {
  if (options.mode === 'processes') {
    if (options.masterPort === undefined) throw new Error('a run with --processes needs masterPort, or start it with launchRun');
    return new LocustRun(spawnLauncher(options, [...buildLocustArgs(options), ...processesArgs(options, options.masterPort)], true));
  }
  if (options.mode === 'distributed') {
    if (options.masterPort === undefined) throw new Error('a distributed run needs masterPort, or start it with launchRun');
    const port = options.masterPort;
    const master = spawnLauncher(options, [...buildLocustArgs(options), ...masterArgs(options, port)], true);
    const count = localWorkerCount(options);
    // The bridge on every worker too (it repairs the version handshake and lowers the report interval), without a channel.
    const workers = Array.from({ length: count }, () => spawnLauncher(options, workerArgs(options, port), false));
    const remote = options.remoteWorkers;
    const remoteWorkers = (remote?.hosts ?? []).map(
      (host) =>
        new RemoteWorker({
          host,
          settings: remote!,
          masterHost: options.masterBind ?? DEFAULT_MASTER_BIND,
          masterPort: port,
          locustfile: options.locustfile,
          bridgeDir: options.bridgeDir ?? defaultBridgeDir(),
          workerArgs: (locustfile) => workerArgs(options, port, locustfile),
        }),
    );
    const run = new LocustRun(master, workers, remoteWorkers, remote?.onFailure ?? 'stop');
    run.workerCommand = workerCommand(options, port);
    return run;
  }
  return new LocustRun(spawnLauncher(options, buildLocustArgs(options), true));
}

/** A TCP port free on `address` (127.0.0.1 by default) right now (the OS picks it; a small race with other processes remains). */
export function freePort(address = DEFAULT_MASTER_BIND): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, address, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a run in either mode; a distributed one gets a free master port unless it names one. */
export async function launchRun(options: RunOptions): Promise<LocustRun> {
  if ((options.mode === 'distributed' || options.mode === 'processes') && options.masterPort === undefined) return startRun({ ...options, masterPort: await freePort(options.masterBind) });
  return startRun(options);
}

/** One Locust run. Made by `startRun`; the constructor only wires up an already spawned launcher. */
export class LocustRun extends EventEmitter<LocustRunEvents> {
  /** Settles once Locust has exited and its pipes have drained (so `final` is in by then, if it was sent). */
  readonly exit: Promise<RunExit>;
  readonly pid: number | undefined;
  /** A distributed run's command for a worker started by hand (see `workerCommand`); undefined for a local run. */
  workerCommand: string | undefined;

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
  /** Settles once every pipe of the run (the master's and its workers') has ended. */
  private readonly streamsClosed: Promise<void>;
  private finished = false;
  /** Forgets this run in the kill-on-exit hook; set while it has processes. */
  private readonly releaseExitKill: (() => void) | undefined;
  /** Worker processes of a distributed run (local ones, then the ssh of each remote one); each leads a process group of its own. */
  private readonly workers: ChildProcess[];
  /** Workers on other hosts, after the local ones in `workers`. */
  private readonly remoteWorkers: RemoteWorker[];
  private readonly workersGone: Promise<void>;
  /** Remote workers that could not start (the master no longer waits for them when the run goes on without them). */
  private failedToStart = 0;
  /** A smaller number of workers the master is to wait for, sent once its bridge said hello. */
  private expectWorkersPending: number | undefined;
  /** Set while a lost worker's master has WORKER_LOSS_NOTICE_MS to notice before the run is stopped. */
  private lossStop: NodeJS.Timeout | undefined;
  /** Workers that left with status 0 mid-run, and the check that calls them lost unless their master stops by then. */
  private quietExits: { exit: WorkerExit; prefix: string }[] = [];
  private quietExitCheck: NodeJS.Timeout | undefined;

  constructor(child: ChildProcess, localWorkers: ChildProcess[] = [], remoteWorkers: RemoteWorker[] = [], private readonly onRemoteFailure: 'stop' | 'continue' = 'stop') {
    super();
    this.pid = child.pid;
    const workers = [...localWorkers, ...remoteWorkers.map((remote) => remote.process)];
    this.workers = workers;
    this.remoteWorkers = remoteWorkers;
    this.workersGone = Promise.all(
      workers.map((worker) => new Promise<void>((resolve) => (worker.exitCode !== null || worker.signalCode !== null ? resolve() : worker.once('exit', () => resolve())))),
    ).then(() => undefined);
    this.exit = new Promise((resolve) => (this.resolveExit = resolve));
    this.processGone = new Promise((resolve) => (this.markProcessGone = resolve));
    this.channel = channelOf(child);

    const streams = [
      readLogLines(child.stdout, (line) => this.emit('log', line, 'stdout')),
      readLogLines(child.stderr, (line) => this.emit('log', line, 'stderr')),
      readChannel(this.channel, parseBridgeLine, (message) => this.onMessage(message), (reason, line) => this.emit('protocolError', reason, line)),
    ];

    localWorkers.forEach((worker, i) => {
      const prefix = `[worker ${i + 1}] `;
      for (const [stream, name] of [[worker.stdout, 'stdout'], [worker.stderr, 'stderr']] as const) {
        streams.push(readLogLines(stream, (line) => this.emit('log', prefix + line, name)));
      }
      worker.on('error', (error) => this.emit('log', `${prefix}cannot start: ${error.message}`, 'stderr'));
      worker.on('exit', (code, signal) => {
        // Workers leave when the master quits (it tells them to); only one leaving on its own during the run matters.
        if (this.exited || this.stopping || this.lastState === 'quitting' || this.lastState === 'stopped') return;
        const exit: WorkerExit = { worker: i + 1, of: workers.length, pid: worker.pid, code, signal };
        if (code === 0 && signal === null && this.lastState !== undefined && this.lastState !== 'ready') {
          // Status 0 is how a worker leaves when its master tells it to quit: Debian's 2.12.1 master does so at the end of
          // the run time before the bridge's next look at its state says it is stopping. Lost only if the master does not
          // stop within the notice time.
          this.quietExits.push({ exit, prefix });
          this.quietExitCheck ??= setTimeout(() => this.loseQuietExits(), WORKER_LOSS_NOTICE_MS);
          return;
        }
        // A worker that dies on its own leaves a master waiting for it forever (--expect-workers): end the run, once the
        // master noticed (its ticks then show the worker missing) or after a bound.
        this.emit('log', `${prefix}exited (${signal ?? `code ${code}`}) while the run was on; stopping the run`, 'stderr');
        this.emit('workerLost', exit);
        if (this.lastState === undefined || this.lastState === 'ready') void this.stop();
        else this.lossStop ??= setTimeout(() => this.stopAfterLoss(), WORKER_LOSS_NOTICE_MS);
      });
    });
    remoteWorkers.forEach((remote, i) => this.followRemote(remote, localWorkers.length + i + 1, workers.length));
    streams.push(...remoteWorkers.map((remote) => remote.streamsClosed));
    this.streamsClosed = Promise.all(streams).then(() => undefined);
    onChildExit(child, (exit) => {
      if (exit.spawnError !== undefined) {
        this.finish(exit);
        return;
      }
      this.exited = true;
      this.exitResult = exit;
      this.markProcessGone();
      void this.settle(exit);
    });
    if (this.pid !== undefined) this.releaseExitKill = killOnNodeExit(() => this.kill());
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

  /** Workers that left with status 0 while their master went on running: lost after all. */
  private loseQuietExits(): void {
    this.quietExitCheck = undefined;
    const exits = this.quietExits.splice(0);
    if (this.exited || this.stopping || this.lastState === 'quitting' || this.lastState === 'stopped' || this.lastState === 'stopping') return;
    for (const { exit, prefix } of exits) {
      this.emit('log', `${prefix}exited (code 0) while the run was on; stopping the run`, 'stderr');
      this.emit('workerLost', exit);
    }
    if (exits.length) void this.stop();
  }

  /** Whether Locust is still before its test (starting, or its master waiting for workers). */
  private get beforeTest(): boolean {
    return this.lastState === undefined || this.lastState === 'ready';
  }

  private get ending(): boolean {
    return this.exited || this.stopping !== undefined || this.lastState === 'quitting' || this.lastState === 'stopped';
  }

  /**
   * A worker on another host: its output goes to the log; one that cannot start stops the run, or (when the user chose
   * so) leaves the master waiting for one worker fewer; one lost mid-run leaves the run going with the others.
   */
  private followRemote(remote: RemoteWorker, index: number, of: number): void {
    remote.on('log', (line, stream) => this.emit('log', line, stream));
    remote.on('probed', () => this.compareVersions(remote));
    remote.on('started', (shipping) =>
      this.emit('log', `[worker ${remote.host}] started (${shipping === 'fromMaster' ? 'the locustfile comes from the master' : 'the locustfile was copied'})`, 'stdout'),
    );
    remote.on('failed', (reason) => {
      if (this.ending) return;
      this.emit('log', `[worker ${remote.host}] could not start: ${reason}`, 'stderr');
      this.emit('workerFailed', { host: remote.host, reason });
      this.failedToStart++;
      const remaining = this.workers.length - this.failedToStart;
      if (this.onRemoteFailure === 'continue' && remaining > 0) {
        if (this.beforeTest) this.expectFewerWorkers(remaining);
      } else {
        void this.stop();
      }
    });
    remote.process.on('exit', (code, signal) => {
      // A worker leaves with status 0 only when its master told it to quit (the run ended); anything else is a loss.
      if (remote.state !== 'started' || this.ending || code === 0) return;
      const reason = remote.exitReason(code, signal);
      this.emit('log', `[worker ${remote.host}] lost while the run was on: ${reason}; the run goes on with the other workers`, 'stderr');
      this.emit('workerLost', { worker: index, of, pid: remote.process.pid, code, signal, host: remote.host, reason });
      // Nobody left to generate load: the run is over.
      if (this.workers.every((w) => w.exitCode !== null || w.signalCode !== null)) void this.stop();
    });
  }

  /** Says when a host runs another Locust than the master (once both are known); Locust itself decides whether it may join. */
  private compareVersions(remote: RemoteWorker): void {
    const master = this.lastHello?.locustVersion;
    const version = remote.locustVersion;
    if (!master || !version || version === master) return;
    this.emit('log', `[worker ${remote.host}] runs Locust ${version}, the master ${master}: the results may differ`, 'stderr');
  }

  /** Has the master wait for `workers` workers only (its bridge takes the command once it said hello). */
  private expectFewerWorkers(workers: number): void {
    this.expectWorkersPending = workers;
    if (this.lastHello) this.sendExpectWorkers();
  }

  private sendExpectWorkers(): void {
    const workers = this.expectWorkersPending;
    if (workers === undefined) return;
    this.expectWorkersPending = undefined;
    this.send({ type: 'expectWorkers', workers })
      .then((ack) => {
        if (!ack.ok && this.beforeTest) this.emit('log', `the master could not be told to wait for ${workers} worker(s): ${ack.error ?? '?'}`, 'stderr');
      })
      .catch(() => undefined);
  }

  private stopAfterLoss(): void {
    clearTimeout(this.lossStop);
    void this.stop();
  }

  private onMessage(message: BridgeMessage): void {
    // The master saw a worker go (missing heartbeats, or gone from its list): what it saw is in this tick; stop now.
    if (this.lossStop && message.type === 'tick' && message.workers && (message.workers.length < this.workers.length || message.workers.some((w) => w.state === 'missing'))) {
      queueMicrotask(() => this.stopAfterLoss());
    }
    if (message.type === 'hello') {
      this.lastHello = message;
      queueMicrotask(() => this.sendExpectWorkers());
      for (const remote of this.remoteWorkers) this.compareVersions(remote);
    }
    else if (message.type === 'final') this.lastFinal = message;
    else if (message.type === 'state' || message.type === 'tick') this.lastState = message.state;
    // The master is stopping: the workers that left quietly were told to.
    if (this.quietExitCheck && (this.lastState === 'stopping' || this.lastState === 'stopped' || this.lastState === 'quitting')) {
      clearTimeout(this.quietExitCheck);
      this.quietExitCheck = undefined;
      this.quietExits = [];
    }
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

  private async exitsWithin(ms: number): Promise<boolean> {
    await within(this.processGone, ms);
    return this.exited;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.exited) return;
    signalGroup(this.pid, signal);
    // A SIGTERMed master quits its workers itself; SIGKILL leaves them orphaned, so they go too.
    if (signal !== 'SIGKILL') return;
    this.signalWorkers(signal);
  }

  /** Signals the process group of every worker still running (an exited one's pid may belong to someone else). */
  private signalWorkers(signal: NodeJS.Signals): void {
    for (const worker of this.workers) {
      if (worker.exitCode === null && worker.signalCode === null) signalGroup(worker.pid, signal);
    }
  }

  /**
   * Locust exited: kill what is left of its process group (whatever the locustfile started), then end the run once the
   * pipes drained, so that `final` is in; a stuck holder of a pipe must not hold up the run's end, hence the bound.
   */
  private async settle(exit: RunExit): Promise<void> {
    // While members remain, the group id stays theirs (Linux does not reuse it), so signalling it is safe here.
    signalGroup(this.pid, 'SIGKILL');
    // The master told its workers to quit as it did; one that has not gone after the drain time is killed with its group.
    await within(this.workersGone, this.remoteWorkers.length ? REMOTE_WORKER_QUIT_MS : DRAIN_MS);
    // Also once a worker itself exited: its group may still hold what its locustfile started (same reasoning as for
    // the master's group above).
    for (const worker of this.workers) signalGroup(worker.pid, 'SIGKILL');
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
    this.releaseExitKill?.();
    clearTimeout(this.lossStop);
    clearTimeout(this.quietExitCheck);
    for (const [id, entry] of this.pending) {
      clearTimeout(entry.timer);
      entry.reject(new Error(`Locust exited before acknowledging command ${id}`));
    }
    this.pending.clear();
    this.channel?.destroy();
    this.resolveExit(exit);
  }
}
