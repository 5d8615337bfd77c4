// Runs the bundled CLI (dist/cli.js) as users run it, for the tests: output collected and seen as it comes, against the demo target.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { startTarget } from '../../examples/target/server.mjs';

export const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The CLI processes started so far; `killCliProcesses` ends those still running (an `after` hook calls it). */
const children: ChildProcess[] = [];

/** Runs the CLI with stdout a pipe (so progress comes as plain lines); `onOutput` sees stdout and stderr as they come. */
export function runCli(
  args: string[],
  { cwd, env, onOutput }: { cwd: string; env?: NodeJS.ProcessEnv; onOutput?: (stdout: string, stderr: string, child: ChildProcess) => void },
): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], ...(env && { env }) });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    onOutput?.(stdout, stderr, child);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    onOutput?.(stdout, stderr, child);
  });
  return new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

export function killCliProcesses(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * The fixture of a CLI test file: the demo target and a scratch folder for the file's tests (made before, removed after,
 * with every CLI process still running killed); `workdir` writes a locustfile into a folder of its own.
 */
export function cliAgainstTarget(prefix: string) {
  let target: Awaited<ReturnType<typeof startTarget>> | undefined;
  let scratch = '';
  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run "npm run build" first`);
    [target, scratch] = await Promise.all([startTarget({ port: 0, quiet: true }), mkdtemp(path.join(os.tmpdir(), `locust-studio-${prefix}-`))]);
  });
  after(async () => {
    killCliProcesses();
    await target?.close();
    await rm(scratch, { recursive: true, force: true });
  });
  return {
    /** The demo target's URL (once `before` ran). */
    get url(): string {
      return target!.url;
    },
    get scratch(): string {
      return scratch;
    },
    async workdir(name: string, locustfile: string): Promise<string> {
      const dir = path.join(scratch, name);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'locustfile.py'), locustfile);
      return dir;
    },
  };
}

/** The one record folder under `dir` (a test that ran once). */
export async function onlyRecord(dir: string): Promise<string> {
  const entries = await readdir(dir);
  assert.equal(entries.length, 1, `one record in ${dir}: ${entries.join(', ')}`);
  return path.join(dir, entries[0]!);
}
