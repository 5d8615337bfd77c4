// Starts the bundled language server (dist/server.js) for Python files through vscode-languageclient.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { logChannel } from './log';

export function createLanguageClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=127.0.0.1:6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'python', scheme: 'file' },
      { language: 'python', scheme: 'untitled' },
    ],
    outputChannel: logChannel(),
    middleware: {
      // Run lenses execute workspace code: none in an untrusted workspace, and none when the user turned them off.
      provideCodeLenses: async (document, token, next) => {
        const lenses = (await next(document, token)) ?? [];
        const showRun = vscode.workspace.isTrusted && vscode.workspace.getConfiguration('locustStudio', document.uri).get('codeLens.run', true);
        return showRun ? lenses : lenses.filter((lens) => !lens.command?.command.startsWith('locustStudio.run'));
      },
    },
  };
  // The id 'locustStudio' makes the client follow the `locustStudio.trace.server` setting.
  return new LanguageClient('locustStudio', 'Locust Studio language server', serverOptions, clientOptions);
}
