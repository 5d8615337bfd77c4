// The Locust Studio language server: serves the locustfile model and its features over LSP (stdio or IPC).
import { CodeActionKind, CodeLensRefreshRequest, createConnection, ProposedFeatures, TextDocumentSyncKind, type Diagnostic } from 'vscode-languageserver/node';
import { DocumentModelRequest, LocustOptionsNotification, type DocumentModelParams, type DocumentModelResult, type LocustOptionsParams } from '../protocol/lsp';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DocumentAnalyses, type Analysis } from './documentAnalysis';
import { codeLensesFor } from './codeLenses';
import { documentSymbolsFor } from './documentSymbols';
import { hoverAt } from './hover';
import { completionsAt } from './completion';
import { codeActionsFor } from './codeActions';
import { hostConfiguredBeside } from './projectSettings';
import { locustfilesNamedBy, settingsEntries, settingsFileKind, unknownOptionDiagnostics, type SettingsFileKind } from './locustConfDiagnostics';

const connection = createConnection(ProposedFeatures.all);
const analyses = new DocumentAnalyses();
/** Diagnostics wait this long after the last change, so a burst of keystrokes is analysed once. */
const DIAGNOSTICS_DEBOUNCE_MS = 120;
const pendingDiagnostics = new Map<string, NodeJS.Timeout>();
let pendingProjectCheck: NodeJS.Timeout | undefined;
/** The client asks for code lenses again when told (LSP 3.16): a base class changed in another file changes this file's lenses. */
let codeLensRefresh = false;

connection.onInitialize(({ capabilities: client }) => {
  codeLensRefresh = client.workspace?.codeLens?.refreshSupport === true;
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      codeLensProvider: { resolveProvider: false },
      documentSymbolProvider: true,
      hoverProvider: true,
      // Quotes: a new THRESHOLDS string offers its metrics and endpoints at once.
      completionProvider: { triggerCharacters: ['.', '@', '=', '(', ',', ' ', '"', "'"] },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll] },
    },
    serverInfo: { name: 'Locust Studio language server' },
  };
});

function logFailure(uri: string, error: unknown): void {
  connection.console.error(`analysis of ${uri} failed: ${(error as Error).stack ?? String(error)}`);
}

/** Runs a handler on an open document's analysis; a closed document, or a failure, gets `fallback`. */
async function withAnalysis<T>(uri: string, fallback: T, use: (analysis: Analysis) => T): Promise<T> {
  // A settings file is no Python: only its diagnostics (and their fixes) are served.
  if (settingsFileKind(uri)) return fallback;
  try {
    const analysis = await analyses.analysisOf(uri);
    return analysis ? use(analysis) : fallback;
  } catch (error) {
    logFailure(uri, error);
    return fallback;
  }
}

/** The options of the Locust runs would use, as the extension last told them; none yet: no unknown-option diagnostic. */
let locustOptions: LocustOptionsParams | undefined;

/**
 * The flags the locustfiles a settings file's run imports declare (init_command_line_parser), open or as saved; undefined
 * when one of them cannot be read: its arguments are then unknown, and so is whether a key is one of them.
 */
async function ownArgumentsOf(uri: string, kind: SettingsFileKind, text: string): Promise<string[] | undefined> {
  if (!uri.startsWith('file:')) return undefined;
  const folder = path.dirname(fileURLToPath(uri));
  const flags: string[] = [];
  for (const file of locustfilesNamedBy(kind, text)) {
    const locustfileUri = pathToFileURL(path.resolve(folder, file)).href;
    let model = analyses.document(locustfileUri) ? await analyses.modelOf(locustfileUri) : undefined;
    if (!model) {
      const saved = await readFile(path.resolve(folder, file), 'utf8').catch(() => undefined);
      if (saved === undefined) return undefined;
      model = await analyses.modelOfText(locustfileUri, saved);
    }
    if (!model) return undefined;
    flags.push(...(model.customArguments ?? []).map((argument) => argument.flag));
  }
  return flags;
}

/** Unknown options in a locust.conf or pyproject.toml `[tool.locust]`, once the extension said which Locust runs use. */
async function settingsDiagnostics(uri: string, kind: SettingsFileKind): Promise<Diagnostic[]> {
  const document = analyses.document(uri);
  if (!document || !locustOptions?.options.length) return [];
  const text = document.getText();
  const entries = settingsEntries(kind, text);
  if (entries.length === 0) return [];
  const ownArguments = await ownArgumentsOf(uri, kind, text);
  return ownArguments ? unknownOptionDiagnostics(entries, locustOptions, ownArguments) : [];
}

async function currentDiagnostics(uri: string): Promise<Diagnostic[]> {
  const settingsKind = settingsFileKind(uri);
  if (settingsKind) return settingsDiagnostics(uri, settingsKind).catch((error: unknown) => (logFailure(uri, error), []));
  try {
    return (await analyses.diagnosticsOf(uri, { hostConfiguredElsewhere: hostConfiguredBeside(uri) })) ?? [];
  } catch (error) {
    logFailure(uri, error);
    return [];
  }
}

async function publishDiagnostics(uri: string): Promise<void> {
  const document = analyses.document(uri);
  if (!document) return;
  // TextDocument.update changes a document in place: its version, read now, is the version these diagnostics are of.
  const version = document.version;
  const diagnostics = await currentDiagnostics(uri);
  // The document may have changed or closed meanwhile: a newer publish is on its way, or it must stay cleared.
  if (analyses.document(uri) !== document || document.version !== version) return;
  await connection.sendDiagnostics({ uri, version, diagnostics });
}

function scheduleDiagnostics(uri: string, delay: number): void {
  clearTimeout(pendingDiagnostics.get(uri));
  pendingDiagnostics.set(
    uri,
    setTimeout(() => {
      pendingDiagnostics.delete(uri);
      void publishDiagnostics(uri);
    }, delay),
  );
}

/**
 * Soon after a Python file changes (edited, opened, closed, or changed on disk), the open documents that import it from the
 * project are analysed again: their diagnostics are published anew and the client asks for their lenses again.
 */
function scheduleProjectCheck(): void {
  clearTimeout(pendingProjectCheck);
  pendingProjectCheck = setTimeout(() => {
    pendingProjectCheck = undefined;
    let outdated: string[];
    try {
      outdated = analyses.outdatedByProject();
    } catch (error) {
      logFailure('the project modules', error);
      return;
    }
    for (const uri of outdated) scheduleDiagnostics(uri, 0);
    if (outdated.length > 0 && codeLensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  }, DIAGNOSTICS_DEBOUNCE_MS);
}

connection.onDidOpenTextDocument(({ textDocument }) => {
  analyses.openDocument(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
  scheduleDiagnostics(textDocument.uri, 0);
  scheduleProjectCheck();
});
connection.onDidChangeWatchedFiles(() => scheduleProjectCheck());
connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
  analyses.changeDocument(textDocument.uri, textDocument.version, contentChanges);
  scheduleDiagnostics(textDocument.uri, DIAGNOSTICS_DEBOUNCE_MS);
  scheduleProjectCheck();
  // A locustfile's own arguments are valid settings keys: the settings files beside it are checked again.
  if (settingsFileKind(textDocument.uri)) return;
  const folder = path.posix.dirname(textDocument.uri);
  for (const uri of analyses.uris()) if (settingsFileKind(uri) && path.posix.dirname(uri) === folder) scheduleDiagnostics(uri, DIAGNOSTICS_DEBOUNCE_MS);
});
connection.onDidCloseTextDocument(({ textDocument }) => {
  clearTimeout(pendingDiagnostics.get(textDocument.uri));
  pendingDiagnostics.delete(textDocument.uri);
  analyses.forget(textDocument.uri);
  void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
  scheduleProjectCheck();
});

connection.onCodeLens((params) => withAnalysis(params.textDocument.uri, [], (a) => codeLensesFor(a.model)));
connection.onDocumentSymbol((params) => withAnalysis(params.textDocument.uri, [], (a) => documentSymbolsFor(a.model, a.tree)));
connection.onHover((params) => withAnalysis(params.textDocument.uri, null, (a) => hoverAt(a.tree, a.model, a.facts, params.position)));
connection.onCompletion((params) =>
  withAnalysis(params.textDocument.uri, [], (a) => (a.model.isLocustfile ? completionsAt(a.document, params.position, a.model, a.facts) : [])),
);
connection.onCodeAction(async (params) =>
  codeActionsFor(params.textDocument.uri, await currentDiagnostics(params.textDocument.uri), params.range, params.context.only),
);
connection.onNotification(LocustOptionsNotification.method, (params: unknown) => {
  const told = params as Partial<LocustOptionsParams> | null;
  if (typeof told?.interpreter !== 'string' || typeof told.locustVersion !== 'string' || !Array.isArray(told.options) || !told.options.every((o) => typeof o === 'string')) {
    connection.console.error('locustStudio/locustOptions: malformed parameters ignored');
    return;
  }
  locustOptions = { interpreter: told.interpreter, locustVersion: told.locustVersion, options: told.options };
  for (const uri of analyses.uris()) if (settingsFileKind(uri)) scheduleDiagnostics(uri, 0);
});
connection.onRequest(DocumentModelRequest.method, async (params: DocumentModelParams): Promise<DocumentModelResult> => {
  if (analyses.document(params.uri) || !params.uri.startsWith('file:')) return withAnalysis<DocumentModelResult>(params.uri, null, (a) => a.model);
  // A file no editor has open (the Testing view lists locustfiles from disk): read it as it is saved.
  try {
    return await analyses.modelOfText(params.uri, await readFile(fileURLToPath(params.uri), 'utf8'));
  } catch (error) {
    logFailure(params.uri, error);
    return null;
  }
});

connection.listen();
