// Waits for the server's publishDiagnostics of a given document version (tests wait for events, never sleep).
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver';
import { startLanguageServer, type LspSession } from '../helpers/lspClient';

export interface DiagnosticsWaiter {
  /** Resolves with the first publication for `uri` whose version is `version` or later (any, if omitted). */
  next(uri: string, version?: number): Promise<Diagnostic[]>;
  latest(uri: string): PublishDiagnosticsParams | undefined;
}

export function watchDiagnostics(connection: MessageConnection): DiagnosticsWaiter {
  const latest = new Map<string, PublishDiagnosticsParams>();
  const waiting: { uri: string; version: number | undefined; resolve: (d: Diagnostic[]) => void }[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    latest.set(params.uri, params);
    for (let i = waiting.length - 1; i >= 0; i--) {
      const w = waiting[i]!;
      if (w.uri !== params.uri) continue;
      if (w.version !== undefined && (params.version ?? -1) < w.version) continue;
      waiting.splice(i, 1);
      w.resolve(params.diagnostics);
    }
  });
  return {
    next: (uri, version) => new Promise((resolve) => waiting.push({ uri, version, resolve })),
    latest: (uri) => latest.get(uri),
  };
}

/**
 * A test file's language server over real JSON-RPC: started before the file's tests, closed after them, with its
 * diagnostics watched. `open` opens a text under a new URI (`nextUri`: `file:///virtual/<name>_<n>.py`) and waits for
 * its first diagnostics.
 */
export function languageServerFixture(name: string): {
  readonly lsp: LspSession;
  readonly diagnostics: DiagnosticsWaiter;
  /** A URI no document of this file has had yet. */
  nextUri(): string;
  open(text: string): Promise<{ uri: string; found: Diagnostic[] }>;
} {
  let lsp: LspSession | undefined;
  let diagnostics: DiagnosticsWaiter | undefined;
  let opened = 0;
  before(async () => {
    lsp = await startLanguageServer();
    diagnostics = watchDiagnostics(lsp.connection);
  });
  after(async () => {
    await lsp?.close();
  });
  const fixture = {
    get lsp(): LspSession {
      assert.ok(lsp, 'the language server starts before the tests');
      return lsp;
    },
    get diagnostics(): DiagnosticsWaiter {
      assert.ok(diagnostics, 'the language server starts before the tests');
      return diagnostics;
    },
    nextUri: () => `file:///virtual/${name}_${++opened}.py`,
    open: async (text: string) => {
      const uri = fixture.nextUri();
      const published = fixture.diagnostics.next(uri, 1);
      await fixture.lsp.open(uri, text);
      return { uri, found: await published };
    },
  };
  return fixture;
}
