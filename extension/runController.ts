// Owns the active run: starts the runner, folds its messages into state, feeds the panel and the status bar.
import * as vscode from 'vscode';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import type { RunTarget } from '../protocol/lsp';
import type { EndpointKey, HostToWebview, TaskView, WebviewToHost } from '../protocol/webview';
import { launchRun, type LocustRun, type RunExit, type RunOptions } from '../runner/locustRun';
import type { AttachedRun, AttachRunOptions } from '../runner/attachRun';
import { listRunRecords, loadRunRecord, exportRunRecord, RunRecorder } from '../runner/runRecord';
import { renderHtmlReport } from '../runner/htmlReport';
import { readRecordSummary, replayRunRecord, type RecordSummary } from '../runner/runReplay';
import { chooseInterpreter } from './interpreter';
import { endpointKey, parseRunTime, RunAggregate, type RunChange } from '../runner/runAggregate';
import { logChannel, logError } from './log';
import type { RunPanel, RunPanelSource } from './runPanel';
import { isInside } from './workspacePaths';
import { RunStatusBar } from './statusBar';
import { mergeDefaults, readLocustConf, validateHost, type RunChoices } from './runChoices';
import { askRunChoices } from './runOptionsPrompt';
import type { ImportDiagnostics } from './importDiagnostics';
import type { ImportFailure } from '../runner/importFailure';

const RUN_ACTIVE_CONTEXT = 'locustStudio.runActive';

/**
 * The attach code (undici and all) is a bundle of its own, dist/attach.js, loaded on first use: activation does not pay
 * for it. From sources (tests), the module itself.
 */
function loadAttach(): typeof import('../runner/attachRun') {
  const bundled = path.join(__dirname, 'attach.js');
  return module.require(existsSync(bundled) ? bundled : '../runner/attachRun') as typeof import('../runner/attachRun');
}

/** A run the controller follows: a Locust it started, or one running elsewhere that it attached to. */
type FollowedRun = LocustRun | AttachedRun;

interface ActiveRun {
  locust: FollowedRun;
  aggregate: RunAggregate;
  recordDir: string | undefined;
  recorder: RunRecorder | undefined;
}

/** Records offered by "Open Recorded Run…": the newest ones (each costs a few small file reads). */
const MAX_LISTED_RECORDS = 200;

/** Where runs are kept and what is remembered between runs (the last choices per file). */
export interface RunStorage {
  /** The folder run records go to when the `locustStudio.runFolder` setting is empty. */
  defaultRunFolder: string;
  state: vscode.Memento;
  /** Where a locustfile that failed to import shows its error. */
  importDiagnostics: ImportDiagnostics;
}

/** Log lines a run keeps in memory to explain a failure (the whole log is in the output channel). */
const LOG_TAIL_LINES = 300;
/** The last URL attached to (without credentials), proposed the next time. */
const LAST_ATTACH_KEY = 'locustStudio.lastAttachUrl';
/** Certificate files the user trusted for attaching, by web UI URL (without credentials). */
const ATTACH_CA_KEY = 'locustStudio.attachCaFiles';

export const lastChoicesKey = (uri: string) => `locustStudio.lastChoices:${uri}`;

export class RunController implements RunPanelSource, vscode.Disposable {
  private active: ActiveRun | undefined;
  private last: RunAggregate | undefined;
  private lastTarget: RunTarget | undefined;
  /** The record of `last`: the run the panel shows when none is active (finished here, or read back from disk). */
  private lastRecordDir: string | undefined;
  private panel: RunPanel | undefined;
  private readonly statusBar = new RunStatusBar();
  /** The endpoint the panel's charts follow; its new samples ride along with each tick. */
  private selected: EndpointKey | null = null;
  /** The last single task ("Run task once" / "Debug task") and which view the panel shows in front. */
  private task: TaskView | undefined;
  private front: 'run' | 'task' = 'run';

  constructor(private readonly storage: RunStorage) {}

  attachPanel(panel: RunPanel): void {
    this.panel = panel;
  }

  snapshot(): HostToWebview {
    const aggregate = this.active?.aggregate ?? this.last;
    const recordDir = this.active ? this.active.recordDir : this.lastRecordDir;
    return {
      type: 'snapshot',
      run: aggregate ? { ...aggregate.snapshot, ...(recordDir !== undefined && { recordDir }) } : null,
      sourceRoots: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
      task: this.task ?? null,
      view: this.front,
    };
  }

  /** A single task started or changed: the panel opens (beside the editor, keeping focus) with its task view in front. */
  showTask(view: TaskView): void {
    const opened = !this.panel?.isOpen;
    this.task = view;
    this.front = 'task';
    this.panel?.show(true);
    // A panel that just opened gets the whole snapshot on `ready`; an open one gets the task alone.
    if (!opened) this.panel?.post({ type: 'task', task: view });
  }

  onControl(message: Exclude<WebviewToHost, { type: 'ready' | 'openSource' }>): void {
    if (message.type === 'export') {
      const dir = this.active ? this.active.recordDir : this.lastRecordDir;
      void this.exportRecord(dir, message.kind === 'html' ? { html: true, csv: false } : { html: false, csv: true });
      return;
    }
    if (message.type === 'openRunFolder') {
      void this.openRunFolder();
      return;
    }
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
              run.recorder?.noteTarget(message.users, message.spawnRate);
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
    const interpreter = await chooseInterpreter(vscode.Uri.parse(target.uri));
    if (!interpreter) return;
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
      ...(!target.shape && parseRunTime(choices.runTime) !== undefined && { runTimeSeconds: parseRunTime(choices.runTime) }),
    });
    const shaped = Boolean(target.shape);
    const workers = config.get<number>('workers', 0);
    const options: RunOptions = {
      python,
      locustfile,
      cwd: path.dirname(locustfile),
      userClasses: target.userClasses,
      // "Run shape" runs that shape (Locust alone takes the file's first); "Run load test" runs the users asked for,
      // with any shape in the file set aside.
      shapeClass: target.shape ?? null,
      // A load shape decides users and duration itself; Locust refuses --run-time with a shape.
      ...(!shaped && { users: choices.users, spawnRate: choices.spawnRate, runTime: choices.runTime || undefined }),
      host: choices.host || undefined,
      tags: choices.tags,
      excludeTags: choices.excludeTags,
      extraArgs: choices.extraArgs,
      statsInterval: config.get<number>('statsInterval', 1),
      // Locust's distributed mode when the user asked for workers: a master plus that many local worker processes.
      ...(workers > 0 && { mode: 'distributed' as const, workers }),
    };
    let locust: LocustRun;
    try {
      locust = await launchRun(options);
    } catch (error) {
      logError('The load test could not start', error);
      void vscode.window.showErrorMessage(`Locust Studio: the load test could not start: ${(error as Error).message}`);
      return;
    }
    const recorder = this.record(locust, options, interpreter, config);
    logChannel().info(`Run ${aggregate.id}: ${python} ${locustfile} (${target.userClasses.join(', ') || 'all User classes'})`);
    let failure: ImportFailure | undefined;
    await this.follow({ locust, aggregate, recordDir: recorder?.dir, recorder }, async (exit, logTail) => {
      if (exit.spawnError) return `Could not start ${python}: ${exit.spawnError}. Check the locustStudio.python setting.`;
      // A locustfile that does not import: the error goes where the user looks, at the line Python named.
      failure = aggregate.finalReceived || exit.code === 0 ? undefined : await this.storage.importDiagnostics.report(logTail.join('\n'), locustfile);
      return failure && `Locust could not import ${path.basename(failure.file)} (line ${failure.line}): ${failure.message}`;
    }, () => this.storage.importDiagnostics.clear(locustfile));
    if (aggregate.state === 'failed') {
      const message = failure ? (aggregate.snapshot.message ?? '') : `the load test failed. ${aggregate.snapshot.message ?? ''}`;
      const choice = await vscode.window.showErrorMessage(`Locust Studio: ${message}`, ...(failure ? ['Go to Error'] : []), 'Show Log');
      if (choice === 'Show Log') logChannel().show();
      else if (choice === 'Go to Error' && failure) await revealLine(failure.file, failure.line);
    }
  }

  /**
   * Follows a run until it ends: its messages into the aggregate, the panel and the status bar; its log into the output
   * channel. `explain` turns an unsuccessful end into the sentence the panel shows (undefined: the default one).
   */
  private async follow(
    run: ActiveRun,
    explain: (exit: RunExit, logTail: string[]) => Promise<string | undefined>,
    onHello?: () => void,
  ): Promise<void> {
    const { locust, aggregate } = run;
    this.active = run;
    this.front = 'run';
    void vscode.commands.executeCommand('setContext', RUN_ACTIVE_CONTEXT, true);
    const logTail: string[] = [];
    locust.on('log', (line: string) => {
      logChannel().info(`[locust] ${line}`);
      logTail.push(line);
      if (logTail.length > LOG_TAIL_LINES) logTail.shift();
    });
    locust.on('protocolError', (reason: string) => logChannel().warn(`Bridge sent an invalid line: ${reason}`));
    locust.on('message', (message) => {
      const change = aggregate.apply(message);
      if (message.type === 'tick' || message.type === 'final') {
        this.panel?.post(this.tickFor(aggregate, change));
        this.statusBar.update(aggregate);
      } else if (message.type === 'hello' || message.type === 'state' || message.type === 'error') {
        if (message.type === 'hello') onHello?.();
        this.panel?.post(this.snapshot());
      }
    });
    this.panel?.show(true);
    this.statusBar.update(aggregate);

    const exit = await locust.exit;
    aggregate.finish(exit, await explain(exit, logTail));
    this.last = aggregate;
    this.lastRecordDir = run.recordDir;
    if (this.active === run) this.active = undefined;
    void vscode.commands.executeCommand('setContext', RUN_ACTIVE_CONTEXT, this.active !== undefined);
    this.panel?.post(this.snapshot());
    this.statusBar.update(aggregate);
    logChannel().info(`Run ${aggregate.id} ended: ${exit.signal ?? `exit code ${exit.code}`}`);
  }

  /**
   * "Attach to Running Locust…": follows a Locust running elsewhere (a master in a cluster, a colleague's run) through
   * its web UI, into the same panel and the same kind of record as a local run. Stop stops following; the remote test
   * goes on. Nothing of the workspace runs, so this works in an untrusted workspace too.
   */
  async attach(): Promise<void> {
    if (this.active) {
      const choice = await vscode.window.showWarningMessage('A load test is running. Stop it and attach?', { modal: true }, 'Stop and Attach');
      if (choice !== 'Stop and Attach') return;
      await this.stop();
    }
    const input = await vscode.window.showInputBox({
      title: 'Attach to a running Locust',
      prompt: 'The URL of its web UI. Basic authentication: http://user:password@host:8089 (the password is not stored).',
      value: this.storage.state.get<string>(LAST_ATTACH_KEY) ?? 'http://127.0.0.1:8089',
      ignoreFocusOut: true,
      validateInput: (text) => (text.trim() ? (validateHost(text) ?? null) : 'The URL of a Locust web UI, such as http://127.0.0.1:8089.'),
    });
    if (!input) return;
    const config = vscode.workspace.getConfiguration('locustStudio');
    const options: AttachRunOptions = { url: input.trim(), intervalMs: config.get<number>('statsInterval', 1) * 1000 };
    const { attachRecordOptions, connectAttachedRun, isUntrustedCertificate, recordAttachedRun, webUiBaseUrl } = loadAttach();
    // The URL as runs and records name it (no credentials): the key of a remembered certificate, and of the last URL.
    const withoutCredentials = webUiBaseUrl(options.url);
    // A certificate trusted for this web UI before (its file, not its contents, is remembered).
    const caFiles = this.storage.state.get<Record<string, string>>(ATTACH_CA_KEY) ?? {};
    const rememberedCa = caFiles[withoutCredentials];
    if (rememberedCa) options.ca = await readFile(rememberedCa).catch(() => undefined);
    let attached: AttachedRun | undefined;
    while (!attached) {
      try {
        attached = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Attaching to ${new URL(options.url).host}…` },
          () => connectAttachedRun(options),
        );
      } catch (error) {
        logError(`Could not attach to ${withoutCredentials}`, error);
        // An https web UI with a private CA or a self-signed certificate: offer to trust its certificate, and try again.
        const untrusted = isUntrustedCertificate(error);
        const choice = await vscode.window.showErrorMessage(`Locust Studio: ${(error as Error).message}`, ...(untrusted ? ['Trust a Certificate…'] : []));
        if (choice !== 'Trust a Certificate…') return;
        const picked = await vscode.window.showOpenDialog({
          title: `The certificate of ${new URL(options.url).host}, or of the CA that signed it (PEM)`,
          canSelectMany: false,
          filters: { 'PEM certificates': ['pem', 'crt', 'cer'], 'All files': ['*'] },
        });
        const file = picked?.[0]?.fsPath;
        if (!file) return;
        options.ca = await readFile(file);
        await this.storage.state.update(ATTACH_CA_KEY, { ...caFiles, [withoutCredentials]: file });
      }
    }
    // The URL as the run knows it: without credentials.
    await this.storage.state.update(LAST_ATTACH_KEY, attached.url);
    const aggregate = new RunAggregate({
      id: randomUUID(),
      locustfile: '',
      attachedTo: attached.url,
      host: attached.hello?.host ?? '',
      userClasses: [],
      // The web API does not say what the remote test was started with: no target until one is set from the panel.
      targetUsers: 0,
      startedAt: Date.now(),
    });
    let recorder: RunRecorder | undefined;
    const folder = this.runFolder(config);
    try {
      recorder = RunRecorder.create(folder, attachRecordOptions(attached, options));
      const dir = recorder.dir;
      recordAttachedRun(recorder, attached).then(
        (meta) => logChannel().info(`Run record (${meta.outcome}): ${dir}`),
        (error: unknown) => logError('Writing the run record failed', error),
      );
    } catch (error) {
      logError(`Cannot write a run record under ${folder}`, error);
    }
    logChannel().info(`Attached to ${attached.url}`);
    const following = this.follow({ locust: attached, aggregate, recordDir: recorder?.dir, recorder }, (exit) =>
      Promise.resolve(exit.code === 0 || exit.signal ? undefined : `Lost the Locust web UI at ${attached.url}. See the log.`),
    );
    attached.start();
    await following;
  }

  /** The run's choices: asked (prefilled with the last ones for this file, locust.conf, settings) or the last ones. */
  private async choose(target: RunTarget, locustfile: string, config: vscode.WorkspaceConfiguration, ask: boolean): Promise<RunChoices | undefined> {
    const conf = await readFile(path.join(path.dirname(locustfile), 'locust.conf'), 'utf8').then(readLocustConf, () => ({}));
    // The host as Locust would pick it: your last answer, then locust.conf (which overrides the class in Locust 2.12),
    // then the User class's own `host` (the language server reads it, inherited ones included).
    const defaults = mergeDefaults(this.storage.state.get<Partial<RunChoices>>(lastChoicesKey(target.uri)) ?? {}, conf, { host: target.host }, {
      users: config.get<number>('defaultUsers'),
      spawnRate: config.get<number>('defaultSpawnRate'),
      runTime: config.get<string>('defaultRunTime'),
    });
    const what = target.userClasses.length ? target.userClasses.join(', ') : path.basename(locustfile);
    const choices = ask ? await askRunChoices(`Run load test: ${what}`, defaults, Boolean(target.shape)) : defaults;
    if (choices) await this.storage.state.update(lastChoicesKey(target.uri), choices);
    return choices;
  }

  /** Where runs are recorded: the `locustStudio.runFolder` setting, else the workspace's storage. */
  private runFolder(config = vscode.workspace.getConfiguration('locustStudio'), locustfile?: string): string {
    // VS Code does not expand variables in extension settings; ${workspaceFolder} is the one worth supporting here.
    const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? (locustfile ? path.dirname(locustfile) : '');
    return (config.get<string>('runFolder') || this.storage.defaultRunFolder).replace('${workspaceFolder}', workspaceFolder);
  }

  /** Writes the run to disk as it goes; a run without a record still runs (the log says why). Returns the recorder. */
  private record(
    locust: LocustRun,
    options: RunOptions,
    interpreter: { path: string; locustVersion: string },
    config: vscode.WorkspaceConfiguration,
  ): RunRecorder | undefined {
    const folder = this.runFolder(config, options.locustfile);
    try {
      const recorder = RunRecorder.create(folder, options, { interpreter });
      recorder
        .follow(locust)
        .then(async (meta) => {
          logChannel().info(`Run record (${meta.outcome}): ${recorder.dir}`);
          // Locust's own CSV layout and JSON beside the record, so "Open Run Folder" has them without an export.
          const record = await loadRunRecord(recorder.dir);
          if (record.final) await exportRunRecord(record, path.join(recorder.dir, 'locust'));
        })
        .catch((error: unknown) => logError('Writing the run record failed', error));
      return recorder;
    } catch (error) {
      logError(`Cannot write a run record under ${folder}`, error);
      return undefined;
    }
  }

  /**
   * Shows a recorded run in the panel when it has nothing to show (a reloaded window, a panel reopened after a reload):
   * the record the panel remembered (`remembered`, from its state: untrusted, used only inside the run folder), else
   * the newest one under the run folder. A run that is active or already shown is left alone.
   */
  async restore(remembered?: unknown): Promise<void> {
    if (this.active || this.last) return;
    const base = this.runFolder();
    let dir = typeof remembered === 'string' && path.isAbsolute(remembered) && isInside(base, remembered) ? remembered : undefined;
    if (typeof remembered === 'string' && !dir) logChannel().warn(`The panel remembered a record outside ${base}; ignored: ${remembered.slice(0, 200)}`);
    dir ??= (await listRunRecords(base))[0];
    if (!dir) return;
    logChannel().info(`Showing the recorded run ${dir}${dir === remembered ? ' (the one the panel showed before)' : ''}`);
    await this.showRecord(dir).catch((error: unknown) => logError(`Could not restore the run recorded in ${dir}`, error));
  }

  /** Rebuilds a recorded run from its folder and shows it in the panel (unless a run is active, which keeps the panel). */
  private async showRecord(dir: string): Promise<void> {
    const aggregate = replayRunRecord(await loadRunRecord(dir));
    // A run may have started while the record was read: it keeps the panel.
    if (this.active) return;
    this.last = aggregate;
    this.lastRecordDir = dir;
    this.selected = null;
    // The status bar stays for live runs: a recorded run's last window would read as current traffic.
    this.panel?.post(this.snapshot());
  }

  /** "Open Recorded Run…": picks one of the runs recorded under the run folder, newest first, and shows it. */
  async openRecordedRun(): Promise<void> {
    if (this.active) {
      void vscode.window.showInformationMessage('A load test is running: stop it before opening a recorded run.');
      return;
    }
    const base = this.runFolder();
    const summaries = (await Promise.all((await listRunRecords(base)).slice(0, MAX_LISTED_RECORDS).map(readRecordSummary))).filter(
      (s): s is RecordSummary => s !== undefined,
    );
    if (summaries.length === 0) {
      void vscode.window.showInformationMessage(`No recorded runs in ${base}.`);
      return;
    }
    const outcome = { finished: 'finished', killed: 'killed', crashed: 'crashed', failedToStart: 'failed to start', incomplete: 'incomplete' };
    const picked = await vscode.window.showQuickPick(
      summaries.map((s) => ({
        label: new Date(s.meta.startedAt).toLocaleString(),
        description: `${s.locustfile ? path.basename(s.locustfile) : 'unknown file'} · ${outcome[s.meta.outcome] ?? s.meta.outcome}`,
        detail: [
          s.requests === undefined ? 'no final statistics' : `${s.requests.toLocaleString()} requests, ${(s.failures ?? 0).toLocaleString()} failures`,
          s.host,
        ]
          .filter(Boolean)
          .join(' · '),
        summary: s,
      })),
      { title: 'Open Recorded Run', placeHolder: `Runs recorded in ${base}`, matchOnDescription: true, matchOnDetail: true },
    );
    if (!picked) return;
    try {
      await this.showRecord(picked.summary.dir);
      this.panel?.show();
    } catch (error) {
      logError(`Could not open the run recorded in ${picked.summary.dir}`, error);
      void vscode.window.showErrorMessage(`Locust Studio: could not read that run record: ${(error as Error).message}`);
    }
  }

  /** "Export Last Run…": the HTML report plus Locust-style CSV files and JSON, into a folder the user picks. */
  async exportLastRun(): Promise<void> {
    await this.exportRecord(this.active ? this.active.recordDir : this.lastRecordDir, { html: true, csv: true });
  }

  /** Writes `locust-report.html` and/or `locust_*.csv` + `locust.json` from a record into a picked folder, then offers to open them. */
  private async exportRecord(dir: string | undefined, what: { html: boolean; csv: boolean }): Promise<void> {
    if (!dir) {
      void vscode.window.showInformationMessage('No recorded run to export: run a load test or open a recorded run first.');
      return;
    }
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Export Here', title: 'Export the run into a folder' });
    const folder = picked?.[0];
    if (!folder) return;
    try {
      const record = await loadRunRecord(dir);
      const files = what.csv ? await exportRunRecord(record, path.join(folder.fsPath, 'locust')) : [];
      const report = path.join(folder.fsPath, 'locust-report.html');
      if (what.html) {
        await writeFile(report, renderHtmlReport(record));
        files.push(report);
      }
      logChannel().info(`Exported ${dir} to ${files.join(', ')}`);
      const action = what.html ? 'Open Report' : 'Reveal Folder';
      const choice = await vscode.window.showInformationMessage(`Exported ${files.length} file${files.length === 1 ? '' : 's'} to ${folder.fsPath}.`, action);
      if (choice === 'Open Report') await vscode.env.openExternal(vscode.Uri.file(report));
      else if (choice === 'Reveal Folder') await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(files[0] ?? folder.fsPath));
    } catch (error) {
      logError(`Exporting ${dir} failed`, error);
      void vscode.window.showErrorMessage(`Locust Studio: export failed: ${(error as Error).message}`);
    }
  }

  /**
   * "Open Run Folder": the shown run's record (its CSV and JSON files), else the folder of all records. Locally the OS's
   * file manager shows it; in a remote window, where that is not possible, a pick opens one of its files in the editor.
   */
  async openRunFolder(): Promise<void> {
    const dir = (this.active ? this.active.recordDir : this.lastRecordDir) ?? this.runFolder();
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
    if (!entries) {
      void vscode.window.showInformationMessage(`No run has been recorded yet (runs go to ${dir}).`);
      return;
    }
    const reveal = { label: '$(folder-opened) Reveal in File Manager', file: undefined };
    const files = entries
      .filter((e) => e.isFile())
      .map((e) => ({ label: `$(file) ${e.name}`, description: '', file: path.join(dir, e.name) }))
      .sort((a, b) => a.label.localeCompare(b.label));
    const folders = entries.filter((e) => e.isDirectory()).length;
    const items = [...(vscode.env.remoteName ? [] : [reveal]), ...files];
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Open Run Folder',
      placeHolder: `${dir}${folders ? ` (${folders} recorded run${folders === 1 ? '' : 's'})` : ''}`,
    });
    if (!picked) return;
    if (picked.file) await vscode.window.showTextDocument(vscode.Uri.file(picked.file));
    else await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(dir));
  }

  async stop(): Promise<void> {
    await this.active?.locust.stop();
  }

  dispose(): void {
    void this.stop();
    this.statusBar.dispose();
  }
}

/** Opens `file` at `line` (1-based) in the first editor group. */
export async function revealLine(file: string, line: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const position = new vscode.Position(Math.max(0, Math.min(line, document.lineCount) - 1), 0);
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(position, position) });
}
