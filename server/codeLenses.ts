// Code lenses from the model: "Run load test" over each runnable User class and over the whole file.
import type { CodeLens } from 'vscode-languageserver';
import type { LocustfileModel } from '../protocol/model';
import { LensCommand, type RunTarget } from '../protocol/lsp';

export function codeLensesFor(model: LocustfileModel): CodeLens[] {
  const runnable = model.users.filter((u) => !u.abstract);
  if (runnable.length === 0) return [];
  const lenses: CodeLens[] = [];
  const fileTarget: RunTarget = { uri: model.uri, userClasses: [] };
  lenses.push({
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    command: {
      title: runnable.length === 1 ? '$(play) Run load test' : `$(play) Run load test (all ${runnable.length} User classes)`,
      command: LensCommand.runLoadTest,
      arguments: [fileTarget],
    },
  });
  for (const user of runnable) {
    const target: RunTarget = { uri: model.uri, userClasses: [user.name], range: user.range };
    lenses.push({
      range: { start: user.range.start, end: user.range.start },
      command: { title: '$(play) Run load test', command: LensCommand.runLoadTest, arguments: [target] },
    });
  }
  return lenses;
}
