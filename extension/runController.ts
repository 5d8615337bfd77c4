// Owns the editor's side of the active run: starts a RunSession, feeds the panel and the status bar, shows how it ended.
import * as vscode from 'vscode';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { DEFAULT_STATS_INTERVAL } from '../protocol/limits';
import type { RunTarget } from '../protocol/lsp';
import type { CustomArgumentInfo, LocustfileModel } from '../protocol/model';
import type { Threshold } from '../protocol/thresholds';
import { declaredThresholds } from '../runner/declaredThresholds';
import type { EndpointKey, HostToWebview, TaskView, WebviewToHost } from '../protocol/webview';
import { endpointKey } from '../protocol/runner';
import { listRunRecords, loadRunRecord } from '../runner/runRecord';
import { replayRunRecord } from '../runner/runReplay';
import { mergeDefaults, readLocustConf, rememberedChoices, remoteWorkerPlan, runOptionsFor, type RunChoices } from '../runner/runChoices';
import { RunSession, type RunEnd } from '../runner/runSession';
import { loadBaseline } from '../runner/runHistory';
import { recordedBaselineView, type RunBaseline } from '../runner/liveBaseline';
import { connectToWebUi } from './attachCommand';
import { chooseInterpreter, recordedInterpreter } from './interpreter';
import { locustOffers } from '../runner/python';
import { modelRatioRows } from '../runner/taskRatios';
import { logChannel, logError } from './log';
import { snapshotMessage, tickMessage, type ShownRun } from './panelMessages';
import { exportRecord, openRunFolder, pickRecordedRun, runFolder } from './recordCommands';
import type { RunPanel, RunPanelSource } from './runPanel';
import { isInside } from './workspacePaths';
import { RunStatusBar } from './statusBar';
import { askHost, askRunChoices } from './runOptionsPrompt';
import type { ImportDiagnostics } from './importDiagnostics';
import type { LiveAnnotations } from './liveAnnotations';

const RUN_ACTIVE_CONTEXT = 'locustStudio.runActive';
/** Set while the active run is distributed: it has a command for a worker started by hand. */
const DISTRIBUTED_RUN_ACTIVE_CONTEXT = 'locustStudio.distributedRunActive';

/** Where runs are kept and what is remembered between runs (the last choices per file). */
export interface RunStorage {
  /** The folder run records go to when the `locustStudio.runFolder` setting is empty. */
  defaultRunFolder: string;
  state: vscode.Memento;
  /** Where a locustfile that failed to import shows its error. */
  importDiagnostics: ImportDiagnostics;
  /** The language server's model of a locustfile (open, or as saved): its THRESHOLDS among other things. */
  modelOf(uri: string): Promise<LocustfileModel | null>;
}

/** How a run is started: asking every question (a lens), none (Run Again), or only what is missing (the Testing view). */
export type AskMode = 'all' | 'none' | 'missing';

export const lastChoicesKey = (uri: string) => `locustStudio.lastChoices:${uri}`;

export class RunController implements RunPanelSource, vscode.Disposable {
  /** The run going on, if any. */
  private active: RunSession | undefined;
  /** The run the panel shows when none is active: the last one here, or one read back from its record. */
  private shown: ShownRun | undefined;
  private lastTarget: RunTarget | undefined;
  private panel: RunPanel | undefined;
  private readonly statusBar = new RunStatusBar();
  /** The endpoint the panel's charts follow; its new samples ride along with each tick. */
  private selected: EndpointKey | null = null;
  /** The last single task ("Run task once" / "Debug task") and which view the panel shows in front. */
  private task: TaskView | undefined;
  private front: 'run' | 'task' = 'run';
  private readonly runsChanged = new vscode.EventEmitter<void>();
  /** A run started or ended: lists of recorded runs refresh. */
  readonly onDidChangeRuns = this.runsChanged.event;

  constructor(private readonly storage: RunStorage) {}

  private annotations: LiveAnnotations | undefined;

  attachPanel(panel: RunPanel): void {
    this.panel = panel;
  }

  /** The run's numbers in its locustfile follow the runs this controller shows. */
  attachAnnotations(annotations: LiveAnnotations): void {
    this.annotations = annotations;
  }

  /** "Show in Run Panel": the panel opens (keeping the editor's focus) and selects the endpoint, charts and row. */
  selectInPanel(endpoint: EndpointKey): void {
    this.panel?.show(true);
    this.panel?.post({ type: 'selectEndpoint', endpoint });
  }

  /** The record folder being written by the active run, if any (a live record is not deleted). */
  get liveRecordDirs(): string[] {
    return this.active?.recordDir ? [this.active.recordDir] : [];
  }

  /** The run in the panel: the active one, else the one shown last. */
  private get current(): ShownRun | undefined {
    return this.active ? { aggregate: this.active.aggregate, recordDir: this.active.recordDir } : this.shown;
  }

  snapshot(): HostToWebview {
    return snapshotMessage(this.current, {
      sourceRoots: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
      task: this.task,
      view: this.front,
    });
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
      void exportRecord(this.current?.recordDir, message.kind === 'html' ? { html: true, csv: false } : { html: false, csv: true });
      return;
    }
    if (message.type === 'openRunFolder') {
      void this.openRunFolder();
      return;
    }
    if (message.type === 'copyWorkerCommand') {
      void this.copyWorkerCommand();
      return;
    }
    if (message.type === 'runAgain') {
      void this.runShownAgain(message.same);
      return;
    }
    if (message.type === 'selectEndpoint') {
      // A newly picked endpoint shows its request line(s); the panel re-announcing its selection (every snapshot) does not.
      const picked = message.endpoint;
      if (picked && (!this.selected || endpointKey(picked) !== endpointKey(this.selected))) void this.annotations?.reveal(picked);
      this.selected = message.endpoint;
      const aggregate = this.current?.aggregate;
      if (aggregate && message.endpoint) {
        const { method, name } = message.endpoint;
        this.panel?.post({ type: 'endpointSeries', runId: aggregate.id, method, name, series: aggregate.seriesOf(message.endpoint) });
      }
      return;
    }
    const session = this.active;
    if (!session) {
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
        session.stop().then(() => acked({ ok: true }), failed);
        break;
      case 'reset':
        session.reset().then(acked, failed);
        break;
      case 'setUsers':
        session.setUsers(message.users, message.spawnRate).then(acked, failed);
        break;
    }
  }

  /** Runs the last target again with the last choices, without asking. */
  async runAgain(): Promise<void> {
    if (!this.lastTarget) {
      void vscode.window.showInformationMessage('No load test has run yet in this window: use “Run load test” first.');
      return;
    }
    await this.run(this.lastTarget, { ask: 'none' });
  }

  /**
   * The panel's "Run again" (`same`: the last choices, without asking) and "New run…" (the questions again, prefilled):
   * the last target run in this window, else the locustfile and User classes of the run the panel shows (a replay).
   */
  private async runShownAgain(same: boolean): Promise<void> {
    const shown = this.current?.aggregate.snapshot;
    const target = this.lastTarget ?? (shown?.locustfile && !shown.attachedTo ? { uri: vscode.Uri.file(shown.locustfile).toString(), userClasses: shown.userClasses } : undefined);
    if (!target) {
      void vscode.window.showInformationMessage('Nothing to run again: open a locustfile and use “Run load test”.');
      return;
    }
    await this.run(target, { ask: same ? 'none' : 'all' });
  }

  /** Asks before a new run replaces the active one; false when the user keeps it. */
  private async replaceActive(action: string): Promise<boolean> {
    if (!this.active) return true;
    const choice = await vscode.window.showWarningMessage(`A load test is running. Stop it and ${action.toLowerCase()}?`, { modal: true }, `Stop and ${action}`);
    if (choice !== `Stop and ${action}`) return false;
    await this.stop();
    return true;
  }

  /**
   * Runs a load test of `target`, judged by the locustfile's THRESHOLDS. Resolves with how it ended (for the Testing
   * view), or undefined when it did not start (not trusted, the user cancelled, no interpreter).
   */
  async run(target: RunTarget, { ask = 'all' }: { ask?: AskMode } = {}): Promise<RunEnd | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        'Locust Studio runs load tests only in a trusted workspace: a run executes the locustfile’s code. Trust this folder to run it.',
      );
      return undefined;
    }
    if (!(await this.replaceActive('Run'))) return undefined;
    const locustfile = vscode.Uri.parse(target.uri).fsPath;
    const config = vscode.workspace.getConfiguration('locustStudio', vscode.Uri.parse(target.uri));
    // Finding the interpreter and its Locust takes seconds: the status bar says so at once, not after them.
    const interpreter = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Locust Studio: checking Python and Locust…' },
      () => chooseInterpreter(vscode.Uri.parse(target.uri)),
    );
    if (!interpreter) return undefined;
    // The language server's model (open, or as saved): the file's own command-line arguments and its THRESHOLDS.
    const model = await this.storage.modelOf(target.uri).catch(() => null);
    const customArguments = model?.customArguments ?? [];
    // Checked before the questions: a wrong setting is said at once, and the confirmation says where workers run.
    const remote = remoteWorkerPlan({
      hosts: config.get<string[]>('workerHosts', []),
      masterBind: config.get<string>('masterBind', ''),
      python: config.get<string>('workerPython', ''),
      sshConfig: config.get<string>('sshConfig', ''),
      onFailure: config.get<string>('onWorkerFailure', 'stop'),
    });
    if ('error' in remote) {
      void vscode.window.showErrorMessage(`Locust Studio: ${remote.error}`);
      return undefined;
    }
    const choices = await this.choose(target, locustfile, config, ask, customArguments, { locustHasProfile: locustOffers(interpreter, 'profile'), workerHosts: remote.remoteWorkers?.hosts ?? [] });
    if (!choices) return undefined;
    const thresholds = await this.thresholdsOf(model, locustfile);
    if (!thresholds) return undefined;
    this.lastTarget = target;

    const options = runOptionsFor(
      { locustfile, userClasses: target.userClasses, shape: target.shape },
      choices,
      {
        python: interpreter.path,
        statsInterval: config.get<number>('statsInterval', DEFAULT_STATS_INTERVAL),
        workers: config.get<number>('workers', 0),
        locustHasProcesses: locustOffers(interpreter, 'processes'),
        locustHasProfile: locustOffers(interpreter, 'profile'),
        remote,
      },
      customArguments,
    );
    const folder = runFolder(this.storage.defaultRunFolder, config, locustfile);
    const baseline = await this.baselineOf(folder, locustfile, target.userClasses);
    let session: RunSession;
    try {
      session = await RunSession.launch(options, {
        record: { baseDir: folder, interpreter: recordedInterpreter(interpreter), exportBeside: true },
        spawnErrorHint: 'Check the locustStudio.python setting.',
        thresholds,
        ...(baseline && { baseline }),
      });
    } catch (error) {
      logError('The load test could not start', error);
      void vscode.window.showErrorMessage(`Locust Studio: the load test could not start: ${(error as Error).message}`);
      return undefined;
    }
    logChannel().info(`Run ${session.aggregate.id}: ${interpreter.path} ${locustfile} (${target.userClasses.join(', ') || 'all User classes'})`);
    // The model's shares beside the run's own in the panel's "Current ratio" (the model read before the questions).
    if (model) session.aggregate.setModelRatio(modelRatioRows(model, target.userClasses));
    // Python imported the locustfile: an import error shown for it (or its folder) before is stale.
    session.on('change', (_change, message) => message.type === 'hello' && this.storage.importDiagnostics.clear(locustfile));
    const end = await this.follow(session, locustfile);
    if (end.outcome === 'finished') return end;
    const failure = end.importFailure;
    // A locustfile that does not import: the error goes where the user looks, at the line Python named.
    if (failure) await this.storage.importDiagnostics.show(failure);
    const message = failure ? (end.message ?? '') : `the load test failed. ${end.message ?? ''}`;
    // Not awaited: the run has ended (and the Testing view waits for it) whether or not the message is answered.
    void vscode.window.showErrorMessage(`Locust Studio: ${message}`, ...(failure ? ['Go to Error'] : []), 'Show Log').then(async (choice) => {
      if (choice === 'Show Log') logChannel().show();
      else if (choice === 'Go to Error' && failure) await revealLine(failure.file, failure.line);
    });
    return end;
  }

  /** The baseline pinned for this locustfile and User classes (Runs view), if any; one that cannot be read is said and skipped. */
  private async baselineOf(folder: string, locustfile: string, userClasses: readonly string[]): Promise<RunBaseline | undefined> {
    try {
      return await loadBaseline(folder, locustfile, userClasses);
    } catch (error) {
      const reason = (error as Error).message;
      logChannel().warn(`The pinned baseline of ${locustfile} cannot be compared with: ${reason}`);
      void vscode.window.showWarningMessage(`Locust Studio: the run is not compared with its pinned baseline: ${reason}`);
      return undefined;
    }
  }

  /**
   * The locustfile's THRESHOLDS, as the language server reads them. Entries that cannot be judged (the Problems view
   * shows why) leave the choice to the user: run without them, or go and fix them. Undefined: do not run.
   */
  private async thresholdsOf(model: LocustfileModel | null, locustfile: string): Promise<Threshold[] | undefined> {
    const declared = declaredThresholds(model);
    const first = declared.problems[0];
    if (!first) return declared.thresholds;
    const choice = await vscode.window.showWarningMessage(
      `Locust Studio: ${declared.problems.length} of the thresholds in ${path.basename(locustfile)} cannot be judged (line ${first.line}: ${first.error}).`,
      { modal: true, detail: 'Run without them, or fix them first (the Problems view lists each one).' },
      'Run Without Them',
      'Show Problems',
    );
    if (choice === 'Run Without Them') return declared.thresholds;
    if (choice === 'Show Problems') {
      await revealLine(locustfile, first.line);
      await vscode.commands.executeCommand('workbench.actions.view.problems');
    }
    return undefined;
  }

  /** Shows a session until it ends: its changes in the panel and the status bar, its log in the output channel. */
  private async follow(session: RunSession, locustfile?: string): Promise<RunEnd> {
    const { aggregate } = session;
    if (locustfile) this.annotations?.follow(locustfile, aggregate);
    this.active = session;
    this.front = 'run';
    void vscode.commands.executeCommand('setContext', RUN_ACTIVE_CONTEXT, true);
    void vscode.commands.executeCommand('setContext', DISTRIBUTED_RUN_ACTIVE_CONTEXT, session.workerCommand !== undefined);
    this.runsChanged.fire();
    session.on('recordingStopped', (reason) => {
      logChannel().warn(`Recording stopped: ${reason}`);
      void vscode.window.showWarningMessage(`Locust Studio: recording stopped (${reason}). The run goes on; its record is incomplete.`);
    });
    session.on('log', (line) => logChannel().info(`[locust] ${line}`));
    // The panel says it too (above the charts); a notification reaches a user who is not looking at it.
    session.on('workerLost', (warning) => void vscode.window.showWarningMessage(`Locust Studio: ${warning}`));
    session.on('protocolError', (reason) => logChannel().warn(`Bridge sent an invalid line: ${reason}`));
    session.on('target', () => this.panel?.post(this.snapshot()));
    session.on('change', (change, message) => {
      if (message.type === 'tick' || message.type === 'final') {
        this.panel?.post(tickMessage(aggregate, change, this.selected));
        this.statusBar.update(aggregate);
        this.annotations?.tick(aggregate, change.endpoints, change.thresholds);
      } else if (message.type === 'hello' || message.type === 'state' || message.type === 'error') {
        this.panel?.post(this.snapshot());
      }
    });
    this.panel?.show(true);
    this.statusBar.update(aggregate);

    const end = await session.ended;
    this.annotations?.ended(aggregate);
    this.shown = { aggregate, recordDir: session.recordDir };
    if (this.active === session) this.active = undefined;
    void vscode.commands.executeCommand('setContext', RUN_ACTIVE_CONTEXT, this.active !== undefined);
    void vscode.commands.executeCommand('setContext', DISTRIBUTED_RUN_ACTIVE_CONTEXT, this.active?.workerCommand !== undefined);
    this.runsChanged.fire();
    this.panel?.post(this.snapshot());
    this.statusBar.update(aggregate);
    logChannel().info(`Run ${aggregate.id} ended (${end.outcome}): ${end.exit.signal ?? `exit code ${end.exit.code}`}${end.recordDir ? `; record: ${end.recordDir}` : ''}`);
    return end;
  }

  /**
   * "Attach to Running Locust…": follows a Locust running elsewhere (a master in a cluster, a colleague's run) through
   * its web UI, shown and recorded like a local run. Stop stops following; the remote test goes on. Nothing of the
   * workspace runs, so this works in an untrusted workspace too.
   */
  async attach(): Promise<void> {
    if (!(await this.replaceActive('Attach'))) return;
    const config = vscode.workspace.getConfiguration('locustStudio');
    const connected = await connectToWebUi(this.storage.state, config.get<number>('statsInterval', DEFAULT_STATS_INTERVAL) * 1000);
    if (!connected) return;
    logChannel().info(`Attached to ${connected.attached.url}`);
    let session: RunSession;
    try {
      session = RunSession.follow(connected.attached, connected.options, { record: { baseDir: runFolder(this.storage.defaultRunFolder, config) } });
    } catch (error) {
      // The record folder cannot be written: nothing is followed (the connection is closed), and the user is told why.
      connected.attached.kill();
      logError('Could not follow the attached run', error);
      void vscode.window.showErrorMessage(`Locust Studio: ${(error as Error).message}`);
      return;
    }
    await this.follow(session);
  }

  /** The run's choices: asked (prefilled with the last ones for this file, locust.conf, settings) or the last ones. */
  private async choose(
    target: RunTarget,
    locustfile: string,
    config: vscode.WorkspaceConfiguration,
    ask: AskMode,
    customArguments: readonly CustomArgumentInfo[],
    prompt: { locustHasProfile: boolean; workerHosts: readonly string[] },
  ): Promise<RunChoices | undefined> {
    const conf = await readFile(path.join(path.dirname(locustfile), 'locust.conf'), 'utf8').then(readLocustConf, () => ({}));
    // The host as Locust would pick it: your last answer, then locust.conf (which overrides the class in Locust 2.12),
    // then the User class's own `host` (the language server reads it, inherited ones included).
    const defaults = mergeDefaults(this.storage.state.get<Partial<RunChoices>>(lastChoicesKey(target.uri)) ?? {}, conf, { host: target.host }, {
      users: config.get<number>('defaultUsers'),
      spawnRate: config.get<number>('defaultSpawnRate'),
      runTime: config.get<string>('defaultRunTime'),
    });
    const what = target.userClasses.length ? target.userClasses.join(', ') : path.basename(locustfile);
    const title = `Run load test: ${what}`;
    // The Testing view asks only for a host when nothing names one (a test run needs a target; the rest has defaults).
    const choices =
      ask === 'none' || (ask === 'missing' && defaults.host !== '')
        ? defaults
        : ask === 'missing'
          ? await askHost(title, defaults)
          : await askRunChoices(title, defaults, Boolean(target.shape), customArguments, prompt);
    // Remembered for the next run of the file, without the values of secret arguments.
    if (choices) await this.storage.state.update(lastChoicesKey(target.uri), rememberedChoices(choices, customArguments));
    return choices;
  }

  /**
   * Shows a recorded run in the panel when it has nothing to show (a reloaded window, a panel reopened after a reload):
   * the record the panel remembered (`remembered`, from its state: untrusted, used only inside the run folder), else
   * the newest one under the run folder. A run that is active or already shown is left alone.
   */
  async restore(remembered?: unknown): Promise<void> {
    if (this.current) return;
    const base = runFolder(this.storage.defaultRunFolder);
    let dir = typeof remembered === 'string' && path.isAbsolute(remembered) && isInside(base, remembered) ? remembered : undefined;
    if (typeof remembered === 'string' && !dir) logChannel().warn(`The panel remembered a record outside ${base}; ignored: ${remembered.slice(0, 200)}`);
    dir ??= (await listRunRecords(base))[0];
    if (!dir) return;
    logChannel().info(`Showing the recorded run ${dir}${dir === remembered ? ' (the one the panel showed before)' : ''}`);
    await this.showRecord(dir).catch((error: unknown) => logError(`Could not restore the run recorded in ${dir}`, error));
  }

  /** Rebuilds a recorded run from its folder and shows it in the panel (unless a run is active, which keeps the panel). */
  private async showRecord(dir: string): Promise<void> {
    const record = await loadRunRecord(dir);
    const aggregate = replayRunRecord(record);
    const baseline = await recordedBaselineView(dir, record.meta);
    if (baseline) aggregate.setBaseline(baseline);
    // A run may have started while the record was read: it keeps the panel.
    if (this.active) return;
    this.shown = { aggregate, recordDir: dir };
    this.selected = null;
    const { locustfile } = aggregate.snapshot;
    if (this.annotations?.keepsAfterRun && locustfile) this.annotations.follow(locustfile, aggregate);
    // The status bar stays for live runs: a recorded run's last window would read as current traffic.
    this.panel?.post(this.snapshot());
  }

  /** "Open Recorded Run…": shows the run recorded in `dir`, else one picked from the run folder, newest first. */
  async openRecordedRun(given?: string): Promise<void> {
    if (this.active) {
      void vscode.window.showInformationMessage('A load test is running: stop it before opening a recorded run.');
      return;
    }
    const dir = given ?? (await pickRecordedRun(runFolder(this.storage.defaultRunFolder)));
    if (!dir) return;
    try {
      await this.showRecord(dir);
      this.panel?.show();
    } catch (error) {
      logError(`Could not open the run recorded in ${dir}`, error);
      void vscode.window.showErrorMessage(`Locust Studio: could not read that run record: ${(error as Error).message}`);
    }
  }

  /** "Export Last Run…": the HTML report plus Locust-style CSV files and JSON, into a folder the user picks. */
  async exportLastRun(): Promise<void> {
    await exportRecord(this.current?.recordDir, { html: true, csv: true });
  }

  /** "Open Run Folder": the shown run's record, else the folder of all records. */
  async openRunFolder(): Promise<void> {
    await openRunFolder(this.current?.recordDir ?? runFolder(this.storage.defaultRunFolder));
  }

  async stop(): Promise<void> {
    await this.active?.stop();
  }

  /** "Copy the Worker Command": the running distributed run's `locust --worker …` line, for a worker started by hand. */
  async copyWorkerCommand(): Promise<void> {
    const command = this.active?.workerCommand;
    if (!command) {
      void vscode.window.showInformationMessage('Locust Studio: no distributed run is running (set locustStudio.workers or locustStudio.workerHosts).');
      return;
    }
    await vscode.env.clipboard.writeText(command);
    void vscode.window.showInformationMessage(`Locust Studio: copied "${command}". Run it where the worker's Locust and a copy of the locustfile are.`);
  }

  dispose(): void {
    void this.stop();
    this.statusBar.dispose();
    this.runsChanged.dispose();
  }
}

/** Opens `file` at `line` (1-based) in the first editor group. */
export async function revealLine(file: string, line: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const position = new vscode.Position(Math.max(0, Math.min(line, document.lineCount) - 1), 0);
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(position, position) });
}
