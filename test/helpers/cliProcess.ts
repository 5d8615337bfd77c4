// Runs the bundled CLI (dist/cli.js) as users run it, for the tests: output collected, seen as it comes, every child killed after.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

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
export function runCli(args: string[], { cwd, onOutput }: { cwd: string; onOutput?: (stdout: string, stderr: string, child: ChildProcess) => void }): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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
