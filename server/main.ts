// The Locust Studio language server: serves the locustfile model and its features over LSP (stdio or IPC).
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentModelRequest, type DocumentModelParams, type DocumentModelResult } from '../protocol/lsp';
import { DocumentAnalyses } from './documentAnalysis';
import { codeLensesFor } from './codeLenses';
import { documentSymbolsFor } from './documentSymbols';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const analyses = new DocumentAnalyses();

connection.onInitialize(() => ({
  capabilities: {
    textDocumentSync: TextDocumentSyncKind.Incremental,
    codeLensProvider: { resolveProvider: false },
    documentSymbolProvider: true,
  },
  serverInfo: { name: 'Locust Studio language server' },
}));

/** Runs a handler on an open document's model; a request for a closed document gets `fallback`. */
async function withModel<T>(uri: string, fallback: T, use: (model: Awaited<ReturnType<DocumentAnalyses['modelOf']>>) => T): Promise<T> {
  const document = documents.get(uri);
  if (!document) return fallback;
  try {
    return use(await analyses.modelOf(document));
  } catch (error) {
    connection.console.error(`analysis of ${uri} failed: ${(error as Error).stack ?? String(error)}`);
    return fallback;
  }
}

connection.onCodeLens((params) => withModel(params.textDocument.uri, [], codeLensesFor));
connection.onDocumentSymbol((params) => withModel(params.textDocument.uri, [], documentSymbolsFor));
connection.onRequest(DocumentModelRequest.method, (params: DocumentModelParams): Promise<DocumentModelResult> =>
  withModel<DocumentModelResult>(params.uri, null, (model) => model),
);

documents.onDidClose((event) => analyses.forget(event.document.uri));
documents.listen(connection);
connection.listen();
