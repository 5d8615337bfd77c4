// The Locust Studio language server: serves the locustfile model and its features over LSP (stdio or IPC).
import { CodeActionKind, createConnection, ProposedFeatures, TextDocumentSyncKind, type Diagnostic } from 'vscode-languageserver/node';
import { DocumentModelRequest, type DocumentModelParams, type DocumentModelResult } from '../protocol/lsp';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DocumentAnalyses, modelOfText, type Analysis } from './documentAnalysis';
import { codeLensesFor } from './codeLenses';
import { documentSymbolsFor } from './documentSymbols';
import { hoverAt } from './hover';
import { completionsAt } from './completion';
import { codeActionsFor } from './codeActions';
import { hostConfiguredBeside } from './projectSettings';

const connection = createConnection(ProposedFeatures.all);
const analyses = new DocumentAnalyses();
/** Diagnostics wait this long after the last change, so a burst of keystrokes is analysed once. */
const DIAGNOSTICS_DEBOUNCE_MS = 120;
const pendingDiagnostics = new Map<string, NodeJS.Timeout>();

connection.onInitialize(() => ({
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
}));

function logFailure(uri: string, error: unknown): void {
  connection.console.error(`analysis of ${uri} failed: ${(error as Error).stack ?? String(error)}`);
}

/** Runs a handler on an open document's analysis; a closed document, or a failure, gets `fallback`. */
async function withAnalysis<T>(uri: string, fallback: T, use: (analysis: Analysis) => T): Promise<T> {
  try {
    const analysis = await analyses.analysisOf(uri);
    return analysis ? use(analysis) : fallback;
  } catch (error) {
    logFailure(uri, error);
    return fallback;
  }
}

async function currentDiagnostics(uri: string): Promise<Diagnostic[]> {
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
  const diagnostics = await currentDiagnostics(uri);
  // The document may have changed or closed meanwhile: a newer publish is on its way, or it must stay cleared.
  if (analyses.document(uri) !== document) return;
  await connection.sendDiagnostics({ uri, version: document.version, diagnostics });
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

connection.onDidOpenTextDocument(({ textDocument }) => {
  analyses.openDocument(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
  scheduleDiagnostics(textDocument.uri, 0);
});
connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
  analyses.changeDocument(textDocument.uri, textDocument.version, contentChanges);
  scheduleDiagnostics(textDocument.uri, DIAGNOSTICS_DEBOUNCE_MS);
});
connection.onDidCloseTextDocument(({ textDocument }) => {
  clearTimeout(pendingDiagnostics.get(textDocument.uri));
  pendingDiagnostics.delete(textDocument.uri);
  analyses.forget(textDocument.uri);
  void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
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
connection.onRequest(DocumentModelRequest.method, async (params: DocumentModelParams): Promise<DocumentModelResult> => {
  if (analyses.document(params.uri) || !params.uri.startsWith('file:')) return withAnalysis<DocumentModelResult>(params.uri, null, (a) => a.model);
  // A file no editor has open (the Testing view lists locustfiles from disk): read it as it is saved.
  try {
    return (await modelOfText(params.uri, await readFile(fileURLToPath(params.uri), 'utf8'))) ?? null;
  } catch (error) {
    logFailure(params.uri, error);
    return null;
  }
});

connection.listen();
