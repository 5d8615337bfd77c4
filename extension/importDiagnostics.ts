// Puts an import failure of a locustfile (from Locust's or the task shim's traceback) in the Problems view, at its line.
import * as vscode from 'vscode';
import path from 'node:path';
import { findImportFailure, type ImportFailure } from '../runner/importFailure';

/** The "Locust Studio" diagnostics of failed imports; each goes away when its file changes or a run imports it fine. */
export class ImportDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('locust-studio-import');
  private readonly listener = vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.contentChanges.length > 0 && this.collection.has(e.document.uri)) this.collection.delete(e.document.uri);
  });

  /** Reads `log` for a traceback into user code; when there is one, shows it as an error and returns it. */
  async report(log: string, locustfile: string): Promise<ImportFailure | undefined> {
    const failure = findImportFailure(log, locustfile);
    if (failure) await this.show(failure);
    return failure;
  }

  /** Shows an import failure as an error at the place Python named. */
  async show(failure: ImportFailure): Promise<void> {
    const uri = vscode.Uri.file(failure.file);
    // The column Python gives counts from the line's first non-blank character: the document knows the indentation.
    let range = new vscode.Range(failure.line - 1, 0, failure.line - 1, Number.MAX_SAFE_INTEGER);
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      const text = document.lineAt(Math.min(failure.line, document.lineCount) - 1);
      const indent = text.firstNonWhitespaceCharacterIndex;
      range =
        failure.column !== undefined
          ? new vscode.Range(text.lineNumber, indent + failure.column - 1, text.lineNumber, indent + failure.column)
          : new vscode.Range(text.lineNumber, indent, text.lineNumber, text.range.end.character);
    } catch {
      // A file that cannot be opened still gets its diagnostic, over the whole line.
    }
    const diagnostic = new vscode.Diagnostic(range, `Locust could not import this file: ${failure.message}`, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'Locust Studio';
    diagnostic.code = 'import-failed';
    this.collection.set(uri, [diagnostic]);
  }

  /** A run or task imported `locustfile` fine: its failure (and any in its folder) is stale. */
  clear(locustfile: string): void {
    const folder = path.dirname(vscode.Uri.file(locustfile).fsPath);
    this.collection.forEach((uri) => {
      if (uri.fsPath === locustfile || uri.fsPath.startsWith(folder + path.sep)) this.collection.delete(uri);
    });
  }

  dispose(): void {
    this.listener.dispose();
    this.collection.dispose();
  }
}
