// Waits for the server's publishDiagnostics of a given document version (tests wait for events, never sleep).
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver';

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
