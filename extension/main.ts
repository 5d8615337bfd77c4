// Extension entry point: registers commands first, then starts the language client without waiting for it.
import * as vscode from 'vscode';
import { CodeLensRequest, type LanguageClient } from 'vscode-languageclient/node';
import { DocumentModelRequest, LensCommand, LocustOptionsNotification, type DocumentModelParams, type DocumentModelResult, type LocustOptionsParams, type RunTarget } from '../protocol/lsp';
import { createLanguageClient } from './languageClient';
import { logChannel, logError } from './log';
import { RunController } from './runController';
import { onDidChooseInterpreter, quietInterpreter, rememberNoticesIn, type ChosenInterpreter } from './interpreter';
import { ThresholdTests } from './thresholdTests';
import { TaskRunner } from './taskCommand';
import { registerTaskDebugging } from './debugAdapter';
import { ImportDiagnostics } from './importDiagnostics';
import { RUN_PANEL_VIEW_TYPE, RunPanel } from './runPanel';
import { runFolder } from './recordCommands';
import { RunsView } from './runsView';
import { ComparePanels, renderComparison } from './comparePanel';
import { registerTaskRatios } from './taskRatios';
import { NEW_LOCUSTFILE_FROM_TRAFFIC, newLocustfileFromTraffic } from './trafficImportCommand';
import { LiveAnnotations } from './liveAnnotations';

let client: LanguageClient | undefined;
let clientStarted: Promise<void> = Promise.resolve();

export function activate(context: vscode.ExtensionContext): void {
  const started = Date.now();
  const importDiagnostics = new ImportDiagnostics();
  rememberNoticesIn(context.globalState);
  // The language server's model of a locustfile, once the server runs (a run started during activation waits for it).
  const modelOf = async (uri: string): Promise<DocumentModelResult> => {
    await clientStarted;
    if (!client?.isRunning()) return null;
    const params: DocumentModelParams = { uri };
    return client.sendRequest<DocumentModelResult>(DocumentModelRequest.method, params);
  };
  const defaultRunFolder = vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'runs').fsPath;
  const controller = new RunController({
    defaultRunFolder,
    state: context.workspaceState,
    importDiagnostics,
    modelOf,
  });
  const panel = new RunPanel(context.extensionUri, controller);
  controller.attachPanel(panel);
  const annotations = new LiveAnnotations(context.extensionUri, { modelOf, selectInPanel: (endpoint) => controller.selectInPanel(endpoint) });
  controller.attachAnnotations(annotations);
  const comparePanels = new ComparePanels(renderComparison);
  const tasks = new TaskRunner(context.workspaceState, controller, importDiagnostics);
  const thresholdTests = new ThresholdTests({
    modelOf,
    run: (uri, ask) => controller.run({ uri, userClasses: [] }, { ask }),
    stop: () => controller.stop(),
  });

  context.subscriptions.push(
    logChannel(),
    importDiagnostics,
    controller,
    panel,
    annotations,
    thresholdTests,
    comparePanels,
    new RunsView({
      runFolder: () => runFolder(defaultRunFolder),
      liveRecordDirs: () => controller.liveRecordDirs,
      onDidChangeRuns: controller.onDidChangeRuns,
      // The live run's record is the panel's current run: showing the panel is opening it.
      openRecord: (dir) => (controller.liveRecordDirs.includes(dir) ? Promise.resolve(panel.show()) : controller.openRecordedRun(dir)),
      compare: (base, next) => comparePanels.show(base, next),
    }),
    registerTaskRatios(modelOf),
    vscode.commands.registerCommand('locustStudio.compare.save', () => comparePanels.saveActive()),
    vscode.commands.registerCommand('locustStudio.openPanel', () => {
      panel.show();
      // A panel reopened after a reload has nothing in memory to show: the last record fills it.
      return controller.restore();
    }),
    vscode.commands.registerCommand('locustStudio.openRecordedRun', () => controller.openRecordedRun()),
    vscode.commands.registerCommand('locustStudio.showLog', () => logChannel().show()),
    vscode.commands.registerCommand('locustStudio.stopRun', () => controller.stop()),
    vscode.commands.registerCommand('locustStudio.copyWorkerCommand', () => controller.copyWorkerCommand()),
    vscode.commands.registerCommand('locustStudio.runAgain', () => controller.runAgain()),
    vscode.commands.registerCommand('locustStudio.exportLastRun', () => controller.exportLastRun()),
    vscode.commands.registerCommand('locustStudio.openRunFolder', () => controller.openRunFolder()),
    vscode.commands.registerCommand('locustStudio.attach', () => controller.attach()),
    vscode.commands.registerCommand(NEW_LOCUSTFILE_FROM_TRAFFIC, (resource?: vscode.Uri) => newLocustfileFromTraffic(resource instanceof vscode.Uri ? resource : undefined)),
    vscode.commands.registerCommand(LensCommand.runTaskOnce, (target: RunTarget) => tasks.runOnce(target)),
    vscode.commands.registerCommand(LensCommand.debugTask, (target: RunTarget) => tasks.debug(target)),
    registerTaskDebugging(tasks),
    vscode.commands.registerCommand(LensCommand.runLoadTest, (target?: RunTarget) => {
      const uri = target?.uri ?? vscode.window.activeTextEditor?.document.uri.toString();
      if (!uri) {
        void vscode.window.showInformationMessage('Open a locustfile to run a load test.');
        return;
      }
      return controller.run(target ?? { uri, userClasses: [] });
    }),
    vscode.window.registerWebviewPanelSerializer(RUN_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: (webviewPanel, state: unknown) => {
        panel.attach(webviewPanel);
        // The panel's state remembers the record it showed; the controller checks it before reading anything.
        const remembered = typeof state === 'object' && state !== null ? (state as { recordDir?: unknown }).recordDir : undefined;
        return controller.restore(remembered);
      },
    }),
  );

  const languageClient = createLanguageClient(context);
  client = languageClient;
  clientStarted = languageClient.start().catch((error: unknown) => logError('The Locust Studio language server did not start', error));

  // Editor-title buttons appear only on files the model calls a locustfile.
  const updateLocustfileContext = async (editor: vscode.TextEditor | undefined) => {
    let isLocustfile = false;
    if (editor?.document.languageId === 'python' && languageClient.isRunning()) {
      const model = await modelOf(editor.document.uri.toString()).catch(() => null);
      isLocustfile = model?.isLocustfile ?? false;
    }
    await vscode.commands.executeCommand('setContext', 'locustStudio.isLocustfile', isLocustfile);
  };
  // Lenses depend on trust and on the lens setting: ask VS Code to fetch them again when either changes.
  const refreshLenses = () => {
    const lenses = languageClient.getFeature(CodeLensRequest.method);
    for (const editor of vscode.window.visibleTextEditors) lenses.getProvider(editor.document)?.onDidChangeCodeLensEmitter.fire();
  };
  // The options of the Locust runs would use, for the server's locust.conf checks (asked of Python: trusted workspaces only).
  const tellLocustOptions = (interpreter: ChosenInterpreter | undefined) => {
    if (!interpreter || !languageClient.isRunning()) return;
    const params: LocustOptionsParams = { interpreter: interpreter.path, locustVersion: interpreter.locustVersion, options: interpreter.options };
    void languageClient.sendNotification(LocustOptionsNotification.method, params).catch((error: unknown) => logError('The language server was not told Locust’s options', error));
  };
  const tellQuietly = () => {
    const resource = vscode.window.activeTextEditor?.document.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri;
    if (resource) void clientStarted.then(() => quietInterpreter(resource)).then(tellLocustOptions);
  };
  tellQuietly();
  context.subscriptions.push(
    onDidChooseInterpreter(tellLocustOptions),
    vscode.workspace.onDidGrantWorkspaceTrust(tellQuietly),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('locustStudio.python') && tellQuietly()),
    vscode.workspace.onDidGrantWorkspaceTrust(refreshLenses),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('locustStudio.codeLens') && refreshLenses()),
    vscode.window.onDidChangeActiveTextEditor((editor) => void updateLocustfileContext(editor)),
    languageClient.onDidChangeState(() => void updateLocustfileContext(vscode.window.activeTextEditor)),
  );
  logChannel().info(`Locust Studio activated in ${Date.now() - started} ms`);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
