// "Run task once" and "Debug task": one task of one User class through the single-task shim, shown in the panel's task view.
import * as vscode from 'vscode';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { RunTarget } from '../protocol/lsp';
import { MAX_TASK_VIEW_REQUESTS, type TaskView } from '../protocol/webview';
import { freePort } from '../runner/locustRun';
import { runTask, type TaskRequest, type TaskResult, type TaskRun } from '../runner/taskRun';
import { chooseInterpreter } from './interpreter';
import { readLocustConf, type RunChoices } from '../runner/runChoices';
import { lastChoicesKey } from './runController';
import { logChannel } from './log';
import { DEBUG_TYPE, debuggerFor } from './debugAdapter';
import type { ImportDiagnostics } from './importDiagnostics';

/** Where the task view goes: the run panel (which brings its task view to the front). */
export interface TaskViewSink {
  showTask(view: TaskView): void;
}

/** How often, at most, a task that makes many requests refreshes the panel. */
const VIEW_REFRESH_MS = 100;
/** After a debug session ended, how long the task may take to finish by itself before it is cancelled. */
const DEBUG_END_GRACE_MS = 1_500;

function describe(request: TaskRequest): string {
  const status = request.status ?? 'no response';
  const outcome = request.failure ? `FAILED: ${request.failure}` : 'ok';
  return `${request.method} ${request.url} → ${status} in ${request.responseTimeMs.toFixed(0)} ms, ${request.responseLength} B, ${outcome}`;
}

/** What the lens (or a launch configuration) asks for, resolved to a file, a class, a task and a host. */
export interface TaskSpec {
  locustfile: string;
  userClass: string;
  task: string;
  taskSet: string[];
  host: string | undefined;
}

export class TaskRunner {
  constructor(
    private readonly state: vscode.Memento,
    private readonly sink: TaskViewSink,
    private readonly importDiagnostics: ImportDiagnostics,
  ) {}

  /** The host the last load test of this file used, else locust.conf's; otherwise the class's own `host`. */
  async specFor(target: RunTarget): Promise<TaskSpec | undefined> {
    const [userClass] = target.userClasses;
    if (!userClass || !target.task) return undefined;
    const locustfile = vscode.Uri.parse(target.uri).fsPath;
    const conf: Partial<RunChoices> = await readFile(path.join(path.dirname(locustfile), 'locust.conf'), 'utf8').then(readLocustConf, () => ({}));
    const host = this.state.get<Partial<RunChoices>>(lastChoicesKey(target.uri))?.host || conf.host || undefined;
    return { locustfile, userClass, task: target.task, taskSet: target.taskSet ?? [], host };
  }

  /** "Run task once": runs the task, shows its requests as they come, then a summary. */
  async runOnce(target: RunTarget): Promise<void> {
    if (!ensureTrusted('runs a task')) return;
    const spec = await this.specFor(target);
    if (!spec) return;
    const started = await this.start(spec, 'run');
    if (!started) return;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Running ${started.label} once`, cancellable: true },
      (_progress, token) => {
        token.onCancellationRequested(() => started.run.cancel());
        return started.result;
      },
    );
    await summarize(started.label, result);
  }

  /**
   * "Debug task": starts the task under debugpy (waiting for the debugger before any user code), then attaches VS Code:
   * through the Python Debugger extension when it is installed, else through this extension's own debug type.
   */
  async debug(target: RunTarget): Promise<void> {
    if (!ensureTrusted('debugs a task')) return;
    const spec = await this.specFor(target);
    if (!spec) return;
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(spec.locustfile));
    const attach = await this.startForDebug(spec);
    if (!attach) return;
    const type = debuggerFor();
    const configuration: vscode.DebugConfiguration = {
      type,
      request: 'attach',
      name: `Debug ${attach.label}`,
      connect: { host: '127.0.0.1', port: attach.port },
      justMyCode: true,
      ...(type !== DEBUG_TYPE && { gevent: true }),
    };
    const ok = await vscode.debug.startDebugging(folder, configuration);
    if (!ok) attach.run.cancel();
  }

  /**
   * Starts a task for a debugger and resolves once debugpy listens (the port to attach to), or undefined when it could
   * not (the panel and a message say why). The task is cancelled when the debug session that attached ends first.
   */
  async startForDebug(spec: TaskSpec): Promise<{ port: number; run: TaskRun; label: string } | undefined> {
    const port = await freePort();
    const started = await this.start(spec, 'debug', port);
    if (!started) return undefined;
    const { run, label } = started;
    const ready = await Promise.race([
      new Promise<boolean>((resolve) => run.once('debugReady', () => resolve(true))),
      started.result.then(() => false),
    ]);
    if (!ready) {
      await summarize(label, await started.result);
      return undefined;
    }
    const isOurs = (session: vscode.DebugSession) => (session.configuration['connect'] as { port?: unknown } | undefined)?.port === port;
    const attached = vscode.debug.onDidStartDebugSession((session) => {
      if (!isOurs(session)) return;
      attached.dispose();
      started.say('Debugger attached: the task stops at your breakpoints; the requests appear as it makes them.');
    });
    // The session that connects to this port owns the task: when it ends (the user pressed Stop), so does the task.
    const ended = vscode.debug.onDidTerminateDebugSession((session) => {
      if (!isOurs(session)) return;
      ended.dispose();
      const timer = setTimeout(() => run.running && run.cancel(), DEBUG_END_GRACE_MS);
      void started.result.finally(() => clearTimeout(timer));
    });
    void started.result.then(async (result) => {
      ended.dispose();
      attached.dispose();
      await summarize(label, result);
    });
    return { port, run, label };
  }

  /** Starts the shim and keeps the panel's task view up to date; undefined when no interpreter could run it. */
  private async start(
    spec: TaskSpec,
    mode: TaskView['mode'],
    debugPort?: number,
  ): Promise<{ run: TaskRun; label: string; result: Promise<TaskResult>; say(message: string): void } | undefined> {
    const interpreter = await chooseInterpreter(vscode.Uri.file(spec.locustfile));
    if (!interpreter) return undefined;
    const label = [spec.userClass, ...spec.taskSet, spec.task].join('.');
    const log = logChannel();
    log.info(`${mode === 'debug' ? 'Debug task' : 'Run task once'}: ${label} (${spec.locustfile})${spec.host ? ` against ${spec.host}` : ''}`);
    const run = runTask({
      python: interpreter.path,
      locustfile: spec.locustfile,
      userClass: spec.userClass,
      task: spec.task,
      taskSet: spec.taskSet,
      host: spec.host,
      cwd: path.dirname(spec.locustfile),
      ...(debugPort !== undefined && { debug: { port: debugPort } }),
    });

    const view: TaskView = {
      id: randomUUID(),
      label,
      locustfile: spec.locustfile,
      host: spec.host ?? '',
      mode,
      state: 'running',
      startedAt: Date.now(),
      requests: [],
    };
    let timer: NodeJS.Timeout | undefined;
    const show = () => {
      clearTimeout(timer);
      timer = undefined;
      this.sink.showTask({ ...view, requests: [...view.requests] });
    };
    const showSoon = () => (timer ??= setTimeout(show, VIEW_REFRESH_MS));
    run.on('request', (request) => {
      log.info(`[task] ${describe(request)}`);
      if (view.requests.length < MAX_TASK_VIEW_REQUESTS) view.requests.push(request);
      else view.droppedRequests = (view.droppedRequests ?? 0) + 1;
      showSoon();
    });
    run.on('exception', (exception) => {
      log.error(`[task] exception in ${exception.where}: ${exception.message}\n${exception.traceback}`);
      view.exception ??= exception;
      showSoon();
    });
    run.on('debugReady', ({ port }) => {
      view.message = `Waiting for the debugger on 127.0.0.1:${port}…`;
      showSoon();
    });
    run.on('log', (line) => log.info(`[locust] ${line}`));
    run.on('protocolError', (reason) => log.warn(`The task shim sent an invalid line: ${reason}`));
    show();

    const result = run.done.then((result) => {
      view.durationMs = result.taskDone?.durationMs ?? Date.now() - view.startedAt;
      const cancelled = !result.taskDone && !result.exception && result.exit.signal === 'SIGKILL';
      view.state = cancelled ? 'cancelled' : result.ok ? 'done' : 'failed';
      view.message = cancelled ? 'Cancelled before the task finished.' : undefined;
      if (!view.message) delete view.message;
      show();
      log.info(`[task] ${label} ended: ${view.state}, ${result.requests.length} requests`);
      return result;
    });
    // The shim imports the locustfile first: a traceback from that step is an import failure, anything later is not.
    void result.then(async (result) => {
      if (result.exception?.where === 'shim') await this.importDiagnostics.report(result.exception.traceback, spec.locustfile);
      else this.importDiagnostics.clear(spec.locustfile);
    });
    const say = (message: string) => {
      if (view.state !== 'running') return;
      view.message = message;
      show();
    };
    return { run, label, result, say };
  }
}

function ensureTrusted(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(`Locust Studio ${what} only in a trusted workspace: it executes the locustfile’s code. Trust this folder to run it.`);
  return false;
}

/** A notification with the outcome; errors offer the log. */
async function summarize(label: string, result: TaskResult): Promise<void> {
  const failed = result.requests.filter((r) => r.failure).length;
  const summary = `${label}: ${result.requests.length} request${result.requests.length === 1 ? '' : 's'}, ${failed} failed`;
  const choice = result.exception
    ? await vscode.window.showErrorMessage(`Locust Studio: ${summary}; ${result.exception.where === 'shim' ? result.exception.message : `it raised ${result.exception.message}`}`, 'Show Log')
    : await vscode.window.showInformationMessage(`Locust Studio: ${summary}.`, 'Show Log');
  if (choice) logChannel().show();
}
