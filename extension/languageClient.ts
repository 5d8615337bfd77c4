// Starts the bundled language server (dist/server.js) for Python files and Locust's settings files through vscode-languageclient.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { LensCommand } from '../protocol/lsp';
import { logChannel } from './log';

export function createLanguageClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=127.0.0.1:6019'] } },
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.py');
  context.subscriptions.push(watcher);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'python', scheme: 'file' },
      { language: 'python', scheme: 'untitled' },
      // Locust's settings files: their keys are checked against the options of the Locust runs use.
      { scheme: 'file', pattern: '**/locust.conf' },
      { scheme: 'file', pattern: '**/pyproject.toml' },
    ],
    // A locustfile's User classes may derive from classes of the project's other modules: the server hears when they change.
    synchronize: { fileEvents: watcher },
    outputChannel: logChannel(),
    middleware: {
      // Run and debug lenses execute workspace code: none in an untrusted workspace, and none the user turned off.
      provideCodeLenses: async (document, token, next) => {
        const lenses = (await next(document, token)) ?? [];
        if (!vscode.workspace.isTrusted) return [];
        const config = vscode.workspace.getConfiguration('locustStudio', document.uri);
        const shown = { run: config.get('codeLens.run', true), task: config.get('codeLens.task', true) };
        return lenses.filter((lens) => {
          const command = lens.command?.command;
          if (command === LensCommand.runLoadTest) return shown.run;
          if (command === LensCommand.runTaskOnce || command === LensCommand.debugTask) return shown.task;
          return true;
        });
      },
    },
  };
  // The id 'locustStudio' makes the client follow the `locustStudio.trace.server` setting.
  return new LanguageClient('locustStudio', 'Locust Studio language server', serverOptions, clientOptions);
}
