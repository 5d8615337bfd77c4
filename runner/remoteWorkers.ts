// Workers on other hosts: each one started through the user's own ssh (their configuration and agent, never a stored
// password) with the files it needs, named with the reason when it cannot start, and ended with the run.
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { readLogLines, spawnInGroup } from './childProcess';

/** The script that runs on the worker's host (sent through ssh's stdin, nothing is installed there). */
export const REMOTE_FILE = 'locust_studio_remote.py';
/** The Python side a remote worker runs besides Locust: the launcher and the bridge it imports. */
export const REMOTE_BRIDGE_FILES = ['locust_studio_launch.py', 'locust_studio_bridge.py', 'locust_studio_channel.py'];
/** What starts each line the remote script writes for us (runner/python/locust_studio_remote.py says the same). */
export const REMOTE_REPLY_PREFIX = 'LOCUST_STUDIO_REMOTE ';
/** The interpreter a worker host runs when the user does not name one. */
export const DEFAULT_REMOTE_PYTHON = 'python3';
/** ssh gives up connecting after this many seconds. */
export const SSH_CONNECT_TIMEOUT_SECONDS = 10;
/** ssh asks the host every this many seconds whether it is still there, and drops the connection after this many misses. */
export const SSH_ALIVE_INTERVAL_SECONDS = 2;
export const SSH_ALIVE_COUNT_MAX = 3;
/**
 * Seconds between the lines this side writes to each remote worker; its host ends the worker when several went missing
 * (a cut network never ends ssh's input there). See MISSED_HEARTBEATS in runner/python/locust_studio_remote.py.
 */
export const REMOTE_HEARTBEAT_SECONDS = 2;
/** Beside-the-locustfile modules a worker gets at most (the locustfile's own imports, followed from file to file). */
export const MAX_SHIPPED_FILES = 200;
/** Bytes a worker gets at most, all files together: a locustfile folder is code, not data. */
export const MAX_SHIPPED_BYTES = 16 * 1024 * 1024;
/** What ssh says when it could not connect or the connection dropped. */
const SSH_CONNECTION_FAILED = 255;
/** The remote script's status when it refused to start the worker (it said why first). */
const REMOTE_CANNOT_START = 3;

/** Whether the worker takes its locustfile from the master (Locust's own `--locustfile -`) or gets a copy. */
export type LocustfileShipping = 'fromMaster' | 'copied';

/** How workers on other hosts are reached. */
export interface RemoteWorkerSettings {
  /** SSH targets, `user@host` or `host` (anything the user's ssh configuration names). */
  hosts: string[];
  /** The interpreter on those hosts that imports Locust; `python3` by default. */
  python?: string;
  /** An ssh configuration file used instead of the user's own (`ssh -F`): keys, known hosts, jump hosts. */
  sshConfig?: string;
  /** What happens when a worker cannot start: the run stops (default), or goes on with the others. */
  onFailure?: 'stop' | 'continue';
}

/** An error message for an SSH target, or undefined when it is fine. */
export function validateWorkerHost(text: string): string | undefined {
  const host = text.trim();
  // Never an option to ssh (a leading "-"), no spaces or shell characters: the target is one word.
  if (/^(?:[A-Za-z0-9._+-]+@)?[A-Za-z0-9][A-Za-z0-9._-]*$/.test(host)) return undefined;
  return `"${text}" is not an SSH target: user@host or host (a name from your ssh configuration works too).`;
}

/** An error message for the master's address, or undefined when it is fine. */
export function validateMasterBind(text: string): string | undefined {
  const address = text.trim();
  if (address === '0.0.0.0' || address === '::' || address === '*') return 'Give the address workers reach the master at (one of this machine\'s addresses), not a wildcard.';
  if (net.isIP(address) || /^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(address)) return undefined;
  return `"${text}" is not an address: an IP address or a host name of this machine.`;
}

/** A word for a POSIX shell: as it is when it is plain, else in single quotes. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** ssh's arguments for a worker: no prompt ever (BatchMode), bounded connecting, a dropped connection noticed. */
export function sshArgs(host: string, settings: Pick<RemoteWorkerSettings, 'sshConfig'>, remoteCommand: string): string[] {
  return [
    ...(settings.sshConfig ? ['-F', settings.sshConfig] : []),
    '-T',
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${SSH_CONNECT_TIMEOUT_SECONDS}`,
    '-o', `ServerAliveInterval=${SSH_ALIVE_INTERVAL_SECONDS}`,
    '-o', `ServerAliveCountMax=${SSH_ALIVE_COUNT_MAX}`,
    '--',
    host,
    remoteCommand,
  ];
}

/** The command ssh runs on the host: the interpreter reads the remote script from the first line of its input. */
export function remoteCommand(python: string): string {
  return `${shellWord(python)} -c ${shellWord('import sys, json; exec(compile(json.loads(sys.stdin.readline()), "locust_studio_remote", "exec"))')}`;
}

const IMPORT_LINE = /^\s*(?:from\s+([A-Za-z_][\w.]*)\s+import\b|import\s+([A-Za-z_][\w.]*(?:\s+as\s+\w+)?(?:\s*,\s*[A-Za-z_][\w.]*(?:\s+as\s+\w+)?)*))/gm;

/** Top-level module names a Python file imports (absolute imports; each dotted name's first part). */
export function importedModules(source: string): string[] {
  const names = new Set<string>();
  for (const match of source.matchAll(IMPORT_LINE)) {
    const list = match[1] !== undefined ? [match[1]] : match[2]!.split(',').map((part) => part.trim().split(/\s+/)[0]!);
    for (const name of list) names.add(name.split('.')[0]!);
  }
  return [...names];
}

/**
 * The files a worker needs from beside the locustfile: the locustfile and the modules and packages of its folder that it
 * imports, followed from file to file. Paths are relative to the locustfile's folder. Throws when over the bounds.
 */
export function filesBeside(locustfile: string): string[] {
  const root = path.dirname(path.resolve(locustfile));
  const found = new Set<string>();
  let bytes = 0;
  const add = (relative: string): boolean => {
    if (found.has(relative)) return false;
    bytes += statSync(path.join(root, relative)).size;
    found.add(relative);
    if (found.size > MAX_SHIPPED_FILES || bytes > MAX_SHIPPED_BYTES) {
      throw new Error(`the locustfile's folder gives workers more than ${MAX_SHIPPED_FILES} files or ${MAX_SHIPPED_BYTES / 1024 / 1024} MB`);
    }
    return true;
  };
  const queue = [path.basename(locustfile)];
  add(queue[0]!);
  while (queue.length) {
    const file = queue.shift()!;
    for (const name of importedModules(readFileSync(path.join(root, file), 'utf8'))) {
      if (existsSync(path.join(root, `${name}.py`))) {
        if (add(`${name}.py`)) queue.push(`${name}.py`);
      } else if (existsSync(path.join(root, name, '__init__.py'))) {
        for (const inner of packageFiles(root, name)) if (add(inner)) queue.push(inner);
      }
    }
  }
  return [...found];
}

/** The Python files of a package folder, subpackages included (relative to `root`). */
function packageFiles(root: string, folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(root, folder), { withFileTypes: true })) {
    const relative = path.join(folder, entry.name);
    if (entry.isDirectory() && existsSync(path.join(root, relative, '__init__.py'))) files.push(...packageFiles(root, relative));
    else if (entry.isFile() && entry.name.endsWith('.py')) files.push(relative);
  }
  return files;
}

/** What a remote worker is doing: connecting and asking its Locust, started, or failed to start (with why). */
export type RemoteWorkerState = 'connecting' | 'started' | 'failed';

export type RemoteWorkerEvents = {
  /** One line the worker (or ssh) printed. */
  log: [line: string, stream: 'stdout' | 'stderr'];
  /** The host's Locust answered: its version ('' when it does not say, as Debian's 2.12.1). */
  probed: [locustVersion: string];
  /** The worker process runs on its host. */
  started: [shipping: LocustfileShipping];
  /** It could not start: why, in words the user can act on. */
  failed: [reason: string];
};

export interface RemoteWorkerStart {
  host: string;
  settings: RemoteWorkerSettings;
  /** The master's address and port as the worker reaches them. */
  masterHost: string;
  masterPort: number;
  locustfile: string;
  bridgeDir: string;
  /** The worker's Locust arguments after its locustfile (classes, --worker, master, tags). */
  workerArgs: (locustfile: string) => string[];
}

interface RemoteReply {
  ok: boolean;
  stage?: string;
  reason?: string;
  shipsLocustfile?: boolean;
  version?: string;
}

/** One worker on another host: the ssh process that carries it, its start, its output and its end. */
export class RemoteWorker extends EventEmitter<RemoteWorkerEvents> {
  readonly host: string;
  readonly process: ChildProcess;
  state: RemoteWorkerState = 'connecting';
  /** Why it failed to start, or why it was lost; set once known. */
  reason: string | undefined;
  /** The host's Locust version once it answered ('' when it does not say, as Debian's 2.12.1). */
  locustVersion: string | undefined;
  /** How the locustfile got there, once started. */
  shipping: LocustfileShipping | undefined;
  /** Settles once ssh's output has been read to its end. */
  readonly streamsClosed: Promise<void>;
  private readonly stderrTail: string[] = [];
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly start: RemoteWorkerStart) {
    super();
    this.host = start.host;
    this.process = spawnInGroup({
      command: 'ssh',
      args: sshArgs(start.host, start.settings, remoteCommand(start.settings.python ?? DEFAULT_REMOTE_PYTHON)),
      channel: false,
      stdin: true,
    });
    const prefix = `[worker ${start.host}] `;
    this.streamsClosed = Promise.all([
      readLogLines(this.process.stdout, (line) => (line.startsWith(REMOTE_REPLY_PREFIX) ? this.onReply(line) : this.emit('log', prefix + line, 'stdout'))),
      readLogLines(this.process.stderr, (line) => {
        this.stderrTail.push(line);
        if (this.stderrTail.length > 5) this.stderrTail.shift();
        this.emit('log', prefix + line, 'stderr');
      }),
    ]).then(() => undefined);
    this.process.stdin?.on('error', () => undefined);
    this.process.on('error', (error) => this.fail(`cannot run ssh: ${error.message}`));
    this.process.on('exit', (code, signal) => {
      clearInterval(this.heartbeat);
      if (this.state === 'connecting') this.fail(this.exitReason(code, signal));
      else if (this.state === 'started') this.reason ??= this.exitReason(code, signal);
    });
    const script = readFileSync(path.join(start.bridgeDir, REMOTE_FILE), 'utf8');
    this.write(JSON.stringify(script));
    this.write(JSON.stringify({ masterHost: start.masterHost, masterPort: start.masterPort }));
  }

  /** Why the ssh process ended, in words: the connection, the remote script's refusal, or the worker's own status. */
  exitReason(code: number | null, signal: NodeJS.Signals | null): string {
    const said = this.stderrTail.filter((line) => line.trim() !== '').at(-1);
    if (signal) return `ssh was ended (${signal})`;
    if (code === SSH_CONNECTION_FAILED) return `the connection to ${this.host} failed or dropped${said ? ` (${said.trim()})` : ''}`;
    if (code === REMOTE_CANNOT_START && this.reason) return this.reason;
    return `the worker exited with code ${code ?? '?'}${said ? ` (${said.trim()})` : ''}`;
  }

  private write(line: string): void {
    const stdin = this.process.stdin;
    if (stdin && stdin.writable) stdin.write(`${line}\n`);
  }

  private fail(reason: string): void {
    if (this.state === 'failed') return;
    this.state = 'failed';
    this.reason = reason;
    this.emit('failed', reason);
  }

  private onReply(line: string): void {
    let reply: RemoteReply;
    try {
      reply = JSON.parse(line.slice(REMOTE_REPLY_PREFIX.length)) as RemoteReply;
    } catch {
      return;
    }
    if (!reply.ok) {
      // The process exits next; its exit names this reason.
      this.reason = `${this.host}: ${reply.reason ?? 'the worker could not start'}`;
      return;
    }
    if (reply.stage === 'probed') {
      this.locustVersion = reply.version ?? '';
      this.emit('probed', this.locustVersion);
      this.sendFiles(reply.shipsLocustfile === true);
    }
    else if (reply.stage === 'started' && this.state === 'connecting') {
      this.state = 'started';
      this.heartbeat = setInterval(() => this.write(''), REMOTE_HEARTBEAT_SECONDS * 1000);
      this.heartbeat.unref();
      this.emit('started', this.shipping!);
    }
  }

  /** The launcher, the bridge and the locustfile's folder's imports; the locustfile itself only when Locust cannot ship it. */
  private sendFiles(shipsLocustfile: boolean): void {
    const { locustfile, bridgeDir } = this.start;
    const root = path.dirname(path.resolve(locustfile));
    const files: Record<string, string> = {};
    try {
      for (const name of REMOTE_BRIDGE_FILES) files[`bridge/${name}`] = readFileSync(path.join(bridgeDir, name)).toString('base64');
      const beside = filesBeside(locustfile);
      for (const relative of beside) {
        if (shipsLocustfile && relative === beside[0]) continue;
        files[`project/${relative.split(path.sep).join('/')}`] = readFileSync(path.join(root, relative)).toString('base64');
      }
    } catch (error) {
      this.fail(`cannot give ${this.host} the locustfile's files: ${(error as Error).message}`);
      this.process.stdin?.end();
      return;
    }
    this.shipping = shipsLocustfile ? 'fromMaster' : 'copied';
    const workerLocustfile = shipsLocustfile ? '-' : path.basename(locustfile);
    this.write(
      JSON.stringify({
        files,
        launcher: 'bridge/locust_studio_launch.py',
        project: 'project',
        args: this.start.workerArgs(workerLocustfile),
        env: { LOCUST_STUDIO_WORKER_HOST: this.host },
        heartbeatSeconds: REMOTE_HEARTBEAT_SECONDS,
      }),
    );
  }
}
