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
  };
  // The id 'locustStudio' makes the client follow the `locustStudio.trace.server` setting.
  return new LanguageClient('locustStudio', 'Locust Studio language server', serverOptions, clientOptions);
}
