// The child-process core every run is built on: a detached interpreter with a channel pipe, capped line reading, the drain and the group kill.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { MAX_BRIDGE_LINE_BYTES } from '../protocol/runner';
import { LineSplitter } from './lineSplitter';

/** The channel's fd in the child: stdio index 3, an extra 'pipe' (a bidirectional socket on Unix). */
export const CHANNEL_FD = 3;
/** Names the channel's fd to the Python side (runner/python/locust_studio_channel.py reads it). */
export const CHANNEL_FD_ENV = 'LOCUST_STUDIO_CHANNEL_FD';
/**
 * Names this process to the child as its owner: the launcher (runner/python/locust_studio_launch.py) ends itself and its
 * process group within a fraction of a second once the owner is gone, even when the owner died by SIGKILL and no exit
 * hook ran.
 */
export const OWNER_PID_ENV = 'LOCUST_STUDIO_OWNER_PID';
/** Log lines longer than this are cut: a runaway print must not cost unbounded memory. */
export const MAX_LOG_LINE_BYTES = 64 * 1024;
/** After a child exited, how long its pipes may take to drain before it is declared over anyway (a grandchild may hold them). */
export const DRAIN_MS = 2_000;
/** How much of a malformed channel line a protocol error quotes. */
const BAD_LINE_HEAD_CHARS = 200;

export type LogStream = 'stdout' | 'stderr';

export interface RunExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the interpreter could not be started at all (then code and signal are null). */
  spawnError?: string;
}

export interface ChildSpec {
  command: string;
  args: string[];
  cwd?: string;
  /** The child's environment before the variables every run child gets; defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  /** Give the child the channel on CHANNEL_FD (and name it in CHANNEL_FD_ENV). */
  channel: boolean;
  /** Give the child a stdin pipe (ssh carries a remote worker's start over it, and its end tells the host to stop). */
  stdin?: boolean;
}

/** Resolves when `promise` does or after `ms`, whichever is first, leaving no timer behind. */
export async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function childEnv(spec: ChildSpec): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...(spec.env ?? process.env), PYTHONUNBUFFERED: '1' };
  // Also when there is no channel: an inherited value would make the child write to an fd that is not ours.
  delete env[CHANNEL_FD_ENV];
  if (spec.channel) env[CHANNEL_FD_ENV] = String(CHANNEL_FD);
  env[OWNER_PID_ENV] = String(process.pid);
  // Our log view decodes UTF-8; a C locale would otherwise make Python escape or choke on non-ASCII output.
  env['PYTHONIOENCODING'] ??= 'utf-8';
  return env;
}

/**
 * Starts a child that leads a process group of its own, so that stopping it reaches everything it started too (the
 * locustfile's own processes, debugpy's helpers). stdout and stderr are piped; the channel too when asked for.
 */
export function spawnInGroup(spec: ChildSpec): ChildProcess {
  return spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: childEnv(spec),
    stdio: [spec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', ...(spec.channel ? (['pipe'] as const) : [])],
    detached: true,
    windowsHide: true,
  });
}

/** The child's end of the channel, when it was given one. */
export function channelOf(child: ChildProcess): Duplex | undefined {
  return (child.stdio[CHANNEL_FD] as Duplex | null | undefined) ?? undefined;
}

/** Calls back once with how the child ended: its exit, or the error that kept the interpreter from starting at all. */
export function onChildExit(child: ChildProcess, callback: (exit: RunExit) => void): void {
  child.on('error', (error) => {
    // Without a pid the interpreter never started; any later error (a failed kill) changes nothing.
    if (child.pid === undefined) callback({ code: null, signal: null, spawnError: error.message });
  });
  child.on('exit', (code, signal) => callback({ code, signal }));
}

/** Signals a whole process group; one that is already gone is no error. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

/**
 * Feeds a stream to a splitter; resolves once the stream is over (ended, closed or broken), after the splitter had its
 * last line. A missing stream is over at once.
 */
function readLines(stream: NodeJS.ReadableStream | null | undefined, splitter: LineSplitter): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve) => {
    let over = false;
    const done = () => {
      if (over) return;
      over = true;
      splitter.end();
      resolve();
    };
    stream.on('data', (chunk: Buffer | string) => splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    stream.on('end', done);
    stream.on('close', done);
    // EPIPE and the like: the process is going away, which its exit reports.
    stream.on('error', done);
  });
}

/**
 * Reads the user's output (print calls, Locust's logs) line by line. A line over MAX_LOG_LINE_BYTES is still the user's
 * output: it is cut to its beginning, with a note saying how long it was, and kept.
 */
export function readLogLines(stream: NodeJS.ReadableStream | null | undefined, onLine: (line: string) => void): Promise<void> {
  return readLines(
    stream,
    new LineSplitter({
      maxLineBytes: MAX_LOG_LINE_BYTES,
      onLine,
      onOversized: (bytes, head) => onLine(`${head}… [line of ${bytes} bytes cut]`),
    }),
  );
}

export type ParsedLine<M> = { ok: true; message: M } | { ok: false; error: string };

/**
 * Reads a channel of JSON lines. Blank lines are skipped; a line over MAX_BRIDGE_LINE_BYTES (dropped unread) or one
 * that `parse` rejects is a protocol error, and reading goes on with the next line.
 */
export function readChannel<M>(
  stream: NodeJS.ReadableStream | null | undefined,
  parse: (line: string) => ParsedLine<M>,
  onMessage: (message: M) => void,
  onProtocolError: (reason: string, line: string) => void,
): Promise<void> {
  const onLine = (line: string) => {
    if (line.trim() === '') return;
    const parsed = parse(line);
    if (parsed.ok) onMessage(parsed.message);
    else onProtocolError(parsed.error, line.length > BAD_LINE_HEAD_CHARS ? `${line.slice(0, BAD_LINE_HEAD_CHARS)}…` : line);
  };
  return readLines(
    stream,
    new LineSplitter({
      maxLineBytes: MAX_BRIDGE_LINE_BYTES,
      onLine,
      onOversized: (bytes, head) => onProtocolError(`line of ${bytes} bytes exceeds the limit of ${MAX_BRIDGE_LINE_BYTES}`, head),
    }),
  );
}

/** Kill functions of runs that may still have processes, called if this process exits first. */
const liveKills = new Set<() => void>();
let exitHookInstalled = false;

/**
 * Has `kill` called if Node exits while a run may still have processes (nothing may outlive the window); returns the
 * function that forgets it again, for when the run is over.
 */
export function killOnNodeExit(kill: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const each of liveKills) each();
    });
  }
  // Wrapped: the same function given twice must stay two entries.
  const entry = () => kill();
  liveKills.add(entry);
  return () => liveKills.delete(entry);
}
