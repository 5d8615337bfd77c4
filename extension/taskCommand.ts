// "Run task once": runs one task of one User class through the single-task shim and reports its requests in the log.
import * as vscode from 'vscode';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { RunTarget } from '../protocol/lsp';
import { resolveInterpreter } from '../runner/python';
import { runTask, type TaskRequest } from '../runner/taskRun';
import { readLocustConf, type RunChoices } from './runChoices';
import { lastChoicesKey } from './runController';
import { logChannel, logError } from './log';

function describe(request: TaskRequest): string {
  const status = request.status ?? 'no response';
  const outcome = request.failure ? `FAILED: ${request.failure}` : 'ok';
  return `${request.method} ${request.url} → ${status} in ${request.responseTimeMs.toFixed(0)} ms, ${request.responseLength} B, ${outcome}`;
}

export async function runTaskOnce(target: RunTarget, state: vscode.Memento): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Locust Studio runs tasks only in a trusted workspace: it executes the locustfile’s code.');
    return;
  }
  const [userClass] = target.userClasses;
  if (!userClass || !target.task) return;
  const uri = vscode.Uri.parse(target.uri);
  const locustfile = uri.fsPath;
  const config = vscode.workspace.getConfiguration('locustStudio', uri);
  let python: string;
  try {
    python = (await resolveInterpreter(config.get<string>('python') || undefined)).path;
  } catch (error) {
    logError('No usable Python interpreter', error);
    void vscode.window.showErrorMessage(`Locust Studio: ${(error as Error).message}`);
    return;
  }
  // The host the last load test of this file used, else locust.conf's; otherwise the class's own `host`.
  const conf: Partial<RunChoices> = await readFile(path.join(path.dirname(locustfile), 'locust.conf'), 'utf8').then(readLocustConf, () => ({}));
  const host = state.get<Partial<RunChoices>>(lastChoicesKey(target.uri))?.host || conf.host || undefined;
  const label = [userClass, ...(target.taskSet ?? []), target.task].join('.');

  const log = logChannel();
  log.info(`Run task once: ${label} (${locustfile})${host ? ` against ${host}` : ''}`);
  const run = runTask({ python, locustfile, userClass, task: target.task, taskSet: target.taskSet, host, cwd: path.dirname(locustfile) });
  run.on('request', (request) => log.info(`[task] ${describe(request)}`));
  run.on('exception', (exception) => log.error(`[task] exception in ${exception.where}: ${exception.message}\n${exception.traceback}`));
  run.on('log', (line) => log.info(`[locust] ${line}`));

  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Running ${label} once`, cancellable: true },
    (_progress, token) => {
      token.onCancellationRequested(() => run.cancel());
      return run.done;
    },
  );
  const failed = result.requests.filter((r) => r.failure).length;
  const summary = `${label}: ${result.requests.length} request${result.requests.length === 1 ? '' : 's'}, ${failed} failed`;
  const choice = result.exception
    ? await vscode.window.showErrorMessage(`Locust Studio: ${summary}; it raised ${result.exception.message}`, 'Show Log')
    : await vscode.window.showInformationMessage(`Locust Studio: ${summary}.`, 'Show Log');
  if (choice) log.show();
}
