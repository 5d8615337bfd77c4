// "Locust Studio: Show Locust's Task Ratios": runs the interpreter's Locust on a locustfile (trusted workspaces only, on demand) and shows its ratios beside the model's.
import * as vscode from 'vscode';
import { LensCommand, type DocumentModelResult, type RunTarget } from '../protocol/lsp';
import { askLocustForTaskRatios, compareTaskRatios, renderTaskRatios } from '../runner/taskRatios';
import { chooseInterpreter } from './interpreter';
import { logChannel } from './log';

/** The command, also the lens action on a User class whose ratios the model cannot know alone. */
export function registerTaskRatios(modelOf: (uri: string) => Promise<DocumentModelResult>): vscode.Disposable {
  return vscode.commands.registerCommand(LensCommand.showTaskRatios, (target?: RunTarget) => showTaskRatios(modelOf, target));
}

async function showTaskRatios(modelOf: (uri: string) => Promise<DocumentModelResult>, target: RunTarget | undefined): Promise<void> {
  // Locust imports the file, which runs its code: never in a workspace the user has not trusted.
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Locust Studio asks Locust for task ratios only in a trusted workspace: Locust runs the file\'s code to read them.');
    return;
  }
  const uri = target?.uri ? vscode.Uri.parse(target.uri) : vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== 'file') {
    void vscode.window.showInformationMessage('Open a locustfile saved on disk to ask Locust for its task ratios.');
    return;
  }
  const open = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === uri.toString());
  if (open?.isDirty && !(await open.save())) {
    void vscode.window.showWarningMessage('Save the file first: Locust reads it from disk.');
    return;
  }
  const interpreter = await chooseInterpreter(uri);
  if (!interpreter) return;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Asking Locust for the task ratios…' }, async () => {
    const [answer, model] = await Promise.all([askLocustForTaskRatios(interpreter.path, uri.fsPath), modelOf(uri.toString())]);
    if (!answer.ok) {
      logChannel().warn(`Task ratios of ${uri.fsPath}: ${answer.message}`);
      void vscode.window.showErrorMessage(answer.message);
      return;
    }
    if (!model) {
      void vscode.window.showErrorMessage('The language server has no model of this file yet: try again in a moment.');
      return;
    }
    const rows = compareTaskRatios(model, answer.ratios);
    const focus = target?.userClasses.length ? rows.filter((row) => target.userClasses.includes(row.user)) : rows;
    const content = renderTaskRatios(uri.fsPath, focus, { locustVersion: interpreter.locustVersion, python: interpreter.path });
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    await vscode.commands.executeCommand('markdown.showPreviewToSide', document.uri).then(undefined, () => vscode.window.showTextDocument(document, vscode.ViewColumn.Beside));
  });
}
