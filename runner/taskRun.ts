// Runs one task of a locustfile once through the single-task shim (optionally under debugpy) and streams its requests.
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { parseTaskLine, type TaskMessage } from '../protocol/runner';
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
import { defaultBridgeDir } from './locustRun';

export const TASK_SHIM_FILE = 'locust_studio_task.py';
const STDERR_TAIL_LINES = 30;
/** Once the channel closed, how long stdout/stderr may still take to end (they are drained by then unless a child holds them). */
const OUTPUT_GRACE_MS = 250;

export type TaskRequest = Extract<TaskMessage, { type: 'request' }>;
export type TaskException = Extract<TaskMessage, { type: 'exception' }>;
export type TaskDone = Extract<TaskMessage, { type: 'taskDone' }>;
export type TaskDebugReady = Extract<TaskMessage, { type: 'debugReady' }>;

export interface TaskRunOptions {
  python: string;
  locustfile: string;
  userClass: string;
  task: string;
  /** Enclosing TaskSet classes, outermost first (each found among its parent's tasks). */
  taskSet?: string[];
  host?: string;
  /** Defaults to the locustfile's folder, as a load test runs. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Runs the shim under debugpy, listening on 127.0.0.1:port and waiting for a DAP client before any user code runs (`debugReady` says when it listens). */
  debug?: { port: number };
  /** Where locust_studio_task.py is; found next to this module by default. */
  shimDir?: string;
}

export interface TaskResult {
  /** True when on_start, the task and on_stop ran without an exception (a StopUser/interrupt counts as normal). */
  ok: boolean;
  requests: TaskRequest[];
  /** The first exception reported (user code, or the shim's own error such as an unknown User class). */
  exception?: TaskException;
  /** The shim's `taskDone`, when it got that far. */
  taskDone?: TaskDone;
  exit: RunExit;
}

export type TaskRunEvents = {
  request: [request: TaskRequest];
  exception: [exception: TaskException];
  /** A debug run's debugger listens: a DAP client may connect to 127.0.0.1:port now. */
  debugReady: [ready: TaskDebugReady];
  log: [line: string, stream: LogStream];
  /** A channel line that is not a valid task message; it was dropped. */
  protocolError: [reason: string, line: string];
};

/** The interpreter's arguments: the shim and what to run (and, for a debug run, the port its debugger listens on). */
export function buildTaskArgs(options: TaskRunOptions): string[] {
  const shim = path.join(options.shimDir ?? defaultBridgeDir(), TASK_SHIM_FILE);
  // `--name=value`: a value starting with "-" must not be taken for an option.
  const shimArgs = [`--locustfile=${options.locustfile}`, `--user-class=${options.userClass}`, `--task=${options.task}`];
  if (options.taskSet?.length) shimArgs.push(`--taskset=${options.taskSet.join('.')}`);
  if (options.host) shimArgs.push(`--host=${options.host}`);
  // Under a debugger the shim itself starts debugpy (whose adapter runs from this same interpreter) and reports when it
  // listens, so a client connects at once instead of retrying against a port that is not open yet.
  if (options.debug) shimArgs.push(`--debug-port=${options.debug.port}`);
  return [shim, ...shimArgs];
}

function taskEnv(options: TaskRunOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  if (options.debug) {
    // debugpy must know the program switches greenlets, or breakpoints in a task are missed or stop in the wrong one.
    env['GEVENT_SUPPORT'] = 'True';
    // Debian's Python 3.11 warns on every start about frozen modules; the validation is what prints it.
    env['PYDEVD_DISABLE_FILE_VALIDATION'] ??= '1';
  }
  return env;
}

/** One single-task run; `runTask` starts it. */
export class TaskRun extends EventEmitter<TaskRunEvents> {
  readonly done: Promise<TaskResult>;
  readonly pid: number | undefined;
  private readonly child: ChildProcess;
  private readonly requests: TaskRequest[] = [];
  private exception: TaskException | undefined;
  private taskDone: TaskDone | undefined;
  private exited = false;
  /** Set once `done` settled: the group was killed then, and its id may since belong to someone else. */
  private finished = false;
  private cancelled = false;
  /** The last lines of stderr, to explain a run that ended before the shim could report anything. */
  private readonly stderrTail: string[] = [];

  constructor(options: TaskRunOptions) {
    super();
    // Its own process group, so cancel() reaches debugpy's helpers and whatever the locustfile started.
    this.child = spawnInGroup({
      command: options.python,
      args: buildTaskArgs(options),
      cwd: options.cwd ?? path.dirname(path.resolve(options.locustfile)),
      env: taskEnv(options),
      channel: true,
    });
    this.pid = this.child.pid;
    const releaseExitKill = this.pid !== undefined ? killOnNodeExit(() => this.cancel()) : undefined;
    const output = Promise.all([
      readLogLines(this.child.stdout, (line) => this.emit('log', line, 'stdout')),
      readLogLines(this.child.stderr, (line) => {
        this.stderrTail.push(line);
        if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
        this.emit('log', line, 'stderr');
      }),
    ]);
    const channel = readChannel(channelOf(this.child), parseTaskLine, (message) => this.onMessage(message), (reason, line) =>
      this.emit('protocolError', reason, line),
    );
    const exit = new Promise<RunExit>((resolve) =>
      onChildExit(this.child, (result) => {
        this.exited = true;
        resolve(result);
      }),
    );
    this.done = exit.then(async (result) => {
      // Pipes drain after the exit; bounded, since a grandchild may hold them open. Only the shim holds the channel,
      // while debugpy's adapter (a child) keeps stdout/stderr open until it is killed: those get a short grace only.
      await within(channel, DRAIN_MS);
      await within(output, OUTPUT_GRACE_MS);
      // Whatever the shim left behind in its group (the locustfile's own processes, debugpy helpers) goes with it.
      this.killGroup('SIGKILL');
      this.finished = true;
      releaseExitKill?.();
      if (!this.taskDone && !this.exception && !this.cancelled) {
        // The shim never got to speak (interpreter without debugpy, a crash, a kill from outside): say why from stderr.
        const how = result.spawnError ?? (result.signal ? `killed by ${result.signal}` : `exit code ${result.code}`);
        const message: TaskException = {
          type: 'exception',
          where: 'shim',
          message: `The task run ended without a result (${how})${this.stderrTail.length ? `: ${this.stderrTail.at(-1)}` : ''}`,
          traceback: this.stderrTail.join('\n'),
        };
        this.exception = message;
        this.emit('exception', message);
      }
      const ok = this.taskDone?.ok === true && result.code === 0;
      return { ok, requests: this.requests, exception: this.exception, taskDone: this.taskDone, exit: result };
    });
  }

  /** True until the shim's process exited (or failed to start). */
  get running(): boolean {
    return !this.exited;
  }

  /** Ends the run and everything it started (its whole process group). */
  cancel(): void {
    if (!this.finished) this.cancelled = true;
    this.killGroup('SIGKILL');
  }

  private killGroup(signal: NodeJS.Signals): void {
    if (this.pid === undefined || this.finished) return;
    signalGroup(this.pid, signal);
    if (!this.exited) this.child.kill(signal);
  }

  private onMessage(message: TaskMessage): void {
    if (message.type === 'request') {
      this.requests.push(message);
      this.emit('request', message);
    } else if (message.type === 'exception') {
      this.exception ??= message;
      this.emit('exception', message);
    } else if (message.type === 'debugReady') {
      this.emit('debugReady', message);
    } else {
      this.taskDone = message;
    }
  }
}

/** Starts the shim (synchronously); follow it through the events and `done`. */
export function runTask(options: TaskRunOptions): TaskRun {
  return new TaskRun(options);
}
