// Owns the active run: starts the runner, folds its messages into state, feeds the panel and the status bar.
import * as vscode from 'vscode';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { RunTarget } from '../protocol/lsp';
import type { EndpointKey, HostToWebview, WebviewToHost } from '../protocol/webview';
import { startRun, type LocustRun, type RunOptions } from '../runner/locustRun';
import { loadRunRecord, exportRunRecord, RunRecorder } from '../runner/runRecord';
import { resolveInterpreter } from '../runner/python';
import { endpointKey, RunAggregate, type RunChange } from '../runner/runAggregate';
import { logChannel, logError } from './log';
import type { RunPanel, RunPanelSource } from './runPanel';
import { RunStatusBar } from './statusBar';
import { mergeDefaults, readLocustConf, type RunChoices } from './runChoices';
import { askRunChoices } from './runOptionsPrompt';

const RUN_ACTIVE_CONTEXT = 'locustStudio.runActive';

interface ActiveRun {
  locust: LocustRun;
  aggregate: RunAggregate;
}

/** Where runs are kept and what is remembered between runs (the last choices per file). */
export interface RunStorage {
  /** The folder run records go to when the `locustStudio.runFolder` setting is empty. */
  defaultRunFolder: string;
  state: vscode.Memento;
}

const lastChoicesKey = (uri: string) => `locustStudio.lastChoices:${uri}`;

export class RunController implements RunPanelSource, vscode.Disposable {
  private active: ActiveRun | undefined;
  private last: RunAggregate | undefined;
  private lastTarget: RunTarget | undefined;
  private lastRecordDir: string | undefined;
  private panel: RunPanel | undefined;
  private readonly statusBar = new RunStatusBar();
  /** The endpoint the panel's charts follow; its new samples ride along with each tick. */
  private selected: EndpointKey | null = null;

  constructor(private readonly storage: RunStorage) {}

  attachPanel(panel: RunPanel): void {
    this.panel = panel;
  }

  snapshot(): HostToWebview {
    return {
      type: 'snapshot',
      run: (this.active?.aggregate ?? this.last)?.snapshot ?? null,
      sourceRoots: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
    };
  }

  onControl(message: Exclude<WebviewToHost, { type: 'ready' | 'openSource' }>): void {
    if (message.type === 'selectEndpoint') {
      this.selected = message.endpoint;
      const aggregate = this.active?.aggregate ?? this.last;
      if (aggregate && message.endpoint) {
        const { method, name } = message.endpoint;
        this.panel?.post({ type: 'endpointSeries', runId: aggregate.id, method, name, series: aggregate.seriesOf(message.endpoint) });
      }
      return;
    }
    const run = this.active;
    if (!run) {
      this.panel?.post({ type: 'ack', command: message.type, ok: false, error: 'No run is active.' });
      return;
    }
    const command = message.type;
    const what = { stop: 'stopping the run', reset: 'resetting statistics', setUsers: 'changing users' }[command];
    // The panel shows each control's outcome: the runner's ack, or why none came.
    const acked = (ack: { ok: boolean; error?: string }) => {
      this.panel?.post({ type: 'ack', command, ok: ack.ok, ...(ack.error !== undefined && { error: ack.error }) });
      if (!ack.ok) void vscode.window.showErrorMessage(`Locust Studio: ${what} failed: ${ack.error ?? 'no reason given'}`);
    };
    const failed = (e: unknown) => {
      logError(`${what} failed`, e);
      this.panel?.post({ type: 'ack', command, ok: false, error: e instanceof Error ? e.message : String(e) });
    };
    switch (message.type) {
      case 'stop':
        this.stop().then(() => acked({ ok: true }), failed);
        break;
      case 'reset':
        run.locust.send({ type: 'reset' }).then(acked, failed);
        break;
      case 'setUsers':
        run.locust
          .send({ type: 'setUsers', users: message.users, spawnRate: message.spawnRate })
          .then((ack) => {
            // The header's target follows what Locust accepted, not what was asked.
            if (ack.ok) {
              run.aggregate.setTargetUsers(message.users, message.spawnRate);
              this.panel?.post(this.snapshot());
            }
            acked(ack);
          }, failed);
        break;
    }
  }

  private tickFor(aggregate: RunAggregate, change: RunChange): HostToWebview {
    const selected = this.selected;
    const endpointPoints = selected && change.points?.byEndpoint.get(endpointKey(selected));
    return {
      type: 'tick',
      runId: aggregate.id,
      state: aggregate.state,
      userCount: aggregate.userCount,
      endpoints: change.endpoints,
      total: aggregate.total!,
      ...(change.points && {
        points: {
          total: change.points.total,
          userClasses: change.points.userClasses,
          ...(selected && endpointPoints && { endpoint: { ...selected, points: endpointPoints } }),
        },
      }),
      ...(change.failures && { failures: change.failures }),
      ...(change.exceptions && { exceptions: change.exceptions }),
      ...(change.replaceFailures && { replaceFailures: true }),
    };
  }

  /** Runs the last target again with the last choices, without asking. */
  async runAgain(): Promise<void> {
    if (!this.lastTarget) {
      void vscode.window.showInformationMessage('No load test has run yet in this window: use “Run load test” first.');
      return;
    }
    await this.run(this.lastTarget, { ask: false });
  }

  async run(target: RunTarget, { ask = true }: { ask?: boolean } = {}): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        'Locust Studio runs load tests only in a trusted workspace: a run executes the locustfile’s code. Trust this folder to run it.',
      );
      return;
    }
    if (this.active) {
      const choice = await vscode.window.showWarningMessage('A load test is running. Stop it and start the new one?', { modal: true }, 'Stop and Run');
      if (choice !== 'Stop and Run') return;
      await this.stop();
    }
    const locustfile = vscode.Uri.parse(target.uri).fsPath;
    const config = vscode.workspace.getConfiguration('locustStudio', vscode.Uri.parse(target.uri));
    let interpreter: { path: string; locustVersion: string };
    try {
      interpreter = await resolveInterpreter(config.get<string>('python') || undefined);
    } catch (error) {
      logError('No usable Python interpreter', error);
      const choice = await vscode.window.showErrorMessage(`Locust Studio: ${(error as Error).message}`, 'Show Log');
      if (choice) logChannel().show();
      return;
    }
    const python = interpreter.path;
    const choices = await this.choose(target, locustfile, config, ask);
    if (!choices) return;
    this.lastTarget = target;

    const aggregate = new RunAggregate({
      id: randomUUID(),
      locustfile,
      host: choices.host,
      userClasses: target.userClasses,
      targetUsers: choices.users,
      spawnRate: choices.spawnRate,
      startedAt: Date.now(),
    });
    const shaped = Boolean(target.shape);
    const options: RunOptions = {
      python,
      locustfile,
      cwd: path.dirname(locustfile),
      userClasses: target.userClasses,
      // A load shape decides users and duration itself; Locust refuses --run-time with a shape.
      ...(!shaped && { users: choices.users, spawnRate: choices.spawnRate, runTime: choices.runTime || undefined }),
      host: choices.host || undefined,
      tags: choices.tags,
      excludeTags: choices.excludeTags,
      extraArgs: choices.extraArgs,
      statsInterval: config.get<number>('statsInterval', 1),
    };
    const locust = startRun(options);
    this.record(locust, options, interpreter, config);
    const run: ActiveRun = { locust, aggregate };
    this.active = run;
    void vscode.commands.executeCommand('setContext', RUN_ACTIVE_CONTEXT, true);
    logChannel().info(`Run ${aggregate.id}: ${python} ${locustfile} (${target.userClasses.join(', ') || 'all User classes'})`);

    locust.on('log', (line: string) => logChannel().info(`[locust] ${line}`));
    locust.on('protocolError', (reason: string) => logChannel().warn(`Bridge sent an invalid line: ${reason}`));
    locust.on('message', (message) => {
      const change = aggregate.apply(message);
      if (message.type === 'tick' || message.type === 'final') {
        this.panel?.post(this.tickFor(aggregate, change));
        this.statusBar.update(aggregate);
      } else if (message.type === 'hello' || message.type === 'state' || message.type === 'error') {
        this.panel?.post(this.snapshot());
      }
    });
    this.panel?.show(true);
    this.statusBar.update(aggregate);

    const exit = await locust.exit;
    aggregate.finish(exit, exit.spawnError && `Could not start ${python}: ${exit.spawnError}. Check the locustStudio.python setting.`);
    this.last = aggregate;
    if (this.active === run) this.active = undefined;
    void vscode.commands.executeCommand('setContext', RUN_ACTIVE_CONTEXT, this.active !== undefined);
    this.panel?.post(this.snapshot());
    this.statusBar.update(aggregate);
    logChannel().info(`Run ${aggregate.id} ended: ${exit.signal ?? `exit code ${exit.code}`}`);
    if (aggregate.state === 'failed') {
      const choice = await vscode.window.showErrorMessage(`Locust Studio: the load test failed. ${aggregate.snapshot.message ?? ''}`, 'Show Log');
      if (choice) logChannel().show();
    }
  }

  /** The run's choices: asked (prefilled with the last ones for this file, locust.conf, settings) or the last ones. */
  private async choose(target: RunTarget, locustfile: string, config: vscode.WorkspaceConfiguration, ask: boolean): Promise<RunChoices | undefined> {
    const conf = await readFile(path.join(path.dirname(locustfile), 'locust.conf'), 'utf8').then(readLocustConf, () => ({}));
    const defaults = mergeDefaults(this.storage.state.get<Partial<RunChoices>>(lastChoicesKey(target.uri)) ?? {}, conf, {
      users: config.get<number>('defaultUsers'),
      spawnRate: config.get<number>('defaultSpawnRate'),
      runTime: config.get<string>('defaultRunTime'),
    });
    const what = target.userClasses.length ? target.userClasses.join(', ') : path.basename(locustfile);
    const choices = ask ? await askRunChoices(`Run load test: ${what}`, defaults, Boolean(target.shape)) : defaults;
    if (choices) await this.storage.state.update(lastChoicesKey(target.uri), choices);
    return choices;
  }

  /** Writes the run to disk as it goes; a run without a record still runs (the log says why). */
  private record(locust: LocustRun, options: RunOptions, interpreter: { path: string; locustVersion: string }, config: vscode.WorkspaceConfiguration): void {
    // VS Code does not expand variables in extension settings; ${workspaceFolder} is the one worth supporting here.
    const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.dirname(options.locustfile);
    const folder = (config.get<string>('runFolder') || this.storage.defaultRunFolder).replace('${workspaceFolder}', workspaceFolder);
    try {
      const recorder = RunRecorder.create(folder, options, { interpreter });
      this.lastRecordDir = recorder.dir;
      recorder.follow(locust).then(
        (meta) => logChannel().info(`Run record (${meta.outcome}): ${recorder.dir}`),
        (error: unknown) => logError('Writing the run record failed', error),
      );
    } catch (error) {
      logError(`Cannot write a run record under ${folder}`, error);
    }
  }

  /** Exports the last run's record as Locust-style CSV files and JSON into a folder the user picks. */
  async exportLastRun(): Promise<void> {
    if (!this.lastRecordDir) {
      void vscode.window.showInformationMessage('No run has been recorded in this window yet.');
      return;
    }
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Export Here' });
    const folder = picked?.[0];
    if (!folder) return;
    const record = await loadRunRecord(this.lastRecordDir);
    const files = await exportRunRecord(record, path.join(folder.fsPath, 'locust'));
    void vscode.window.showInformationMessage(`Exported ${files.length} files to ${folder.fsPath}.`);
  }

  async stop(): Promise<void> {
    await this.active?.locust.stop();
  }

  dispose(): void {
    void this.stop();
    this.statusBar.dispose();
  }
}
