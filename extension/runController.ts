// Owns the active run: starts the runner, folds its messages into state, feeds the panel and the status bar.
import * as vscode from 'vscode';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { RunTarget } from '../protocol/lsp';
import type { HostToWebview, WebviewToHost } from '../protocol/webview';
import { startRun, type LocustRun } from '../runner/locustRun';
import { resolveInterpreter } from '../runner/python';
import { RunAggregate } from '../runner/runAggregate';
import { logChannel, logError } from './log';
import type { RunPanel, RunPanelSource } from './runPanel';
import { RunStatusBar } from './statusBar';

const RUN_ACTIVE_CONTEXT = 'locustStudio.runActive';

interface ActiveRun {
  locust: LocustRun;
  aggregate: RunAggregate;
}

export class RunController implements RunPanelSource, vscode.Disposable {
  private active: ActiveRun | undefined;
  private last: RunAggregate | undefined;
  private panel: RunPanel | undefined;
  private readonly statusBar = new RunStatusBar();

  attachPanel(panel: RunPanel): void {
    this.panel = panel;
  }

  snapshot(): HostToWebview {
    return { type: 'snapshot', run: (this.active?.aggregate ?? this.last)?.snapshot ?? null };
  }

  onControl(message: Exclude<WebviewToHost, { type: 'ready' }>): void {
    const run = this.active;
    if (!run) return;
    const done = (what: string) => (ack: { ok: boolean; error?: string }) => {
      if (!ack.ok) void vscode.window.showErrorMessage(`Locust Studio: ${what} failed: ${ack.error ?? 'no reason given'}`);
    };
    switch (message.type) {
      case 'stop':
        void this.stop();
        break;
      case 'reset':
        run.locust.send({ type: 'reset' }).then(done('reset statistics'), (e: unknown) => logError('reset failed', e));
        break;
      case 'setUsers':
        run.aggregate.setTargetUsers(message.users);
        run.locust
          .send({ type: 'setUsers', users: message.users, spawnRate: message.spawnRate })
          .then(done('changing users'), (e: unknown) => logError('setUsers failed', e));
        break;
    }
  }

  async run(target: RunTarget): Promise<void> {
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
    let python: string;
    try {
      python = (await resolveInterpreter(config.get<string>('python') || undefined)).path;
    } catch (error) {
      logError('No usable Python interpreter', error);
      const choice = await vscode.window.showErrorMessage(`Locust Studio: ${(error as Error).message}`, 'Show Log');
      if (choice) logChannel().show();
      return;
    }
    const users = config.get<number>('defaultUsers', 10);
    const aggregate = new RunAggregate({
      id: randomUUID(),
      locustfile,
      host: '',
      userClasses: target.userClasses,
      targetUsers: users,
      startedAt: Date.now(),
    });
    const runTime = config.get<string>('defaultRunTime', '');
    const locust = startRun({
      python,
      locustfile,
      cwd: path.dirname(locustfile),
      userClasses: target.userClasses,
      users,
      spawnRate: config.get<number>('defaultSpawnRate', 5),
      runTime: runTime || undefined,
      statsInterval: config.get<number>('statsInterval', 1),
    });
    const run: ActiveRun = { locust, aggregate };
    this.active = run;
    void vscode.commands.executeCommand('setContext', RUN_ACTIVE_CONTEXT, true);
    logChannel().info(`Run ${aggregate.snapshot.id}: ${python} ${locustfile} (${target.userClasses.join(', ') || 'all User classes'})`);

    locust.on('log', (line: string) => logChannel().info(`[locust] ${line}`));
    locust.on('protocolError', (reason: string) => logChannel().warn(`Bridge sent an invalid line: ${reason}`));
    locust.on('message', (message) => {
      const changed = aggregate.apply(message);
      if (message.type === 'tick' || message.type === 'final') {
        this.panel?.post({
          type: 'tick',
          runId: aggregate.snapshot.id,
          state: aggregate.state,
          userCount: aggregate.userCount,
          endpoints: changed,
          total: aggregate.total!,
        });
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
    logChannel().info(`Run ${aggregate.snapshot.id} ended: ${exit.signal ?? `exit code ${exit.code}`}`);
    if (aggregate.state === 'failed') {
      const choice = await vscode.window.showErrorMessage(`Locust Studio: the load test failed. ${aggregate.snapshot.message ?? ''}`, 'Show Log');
      if (choice) logChannel().show();
    }
  }

  async stop(): Promise<void> {
    await this.active?.locust.stop();
  }

  dispose(): void {
    void this.stop();
    this.statusBar.dispose();
  }
}
