// Outline from the model: User classes → TaskSets → tasks, with weights and tags in the detail.
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { LocustfileModel, TaskInfo } from '../protocol/model';

function taskDetail(task: TaskInfo): string {
  const parts = [`weight ${task.weight}`];
  if (task.tags.length > 0) parts.push(`tags: ${task.tags.join(', ')}`);
  return parts.join(' · ');
}

function taskSymbol(task: TaskInfo): DocumentSymbol {
  return { name: task.name, detail: taskDetail(task), kind: SymbolKind.Method, range: task.range, selectionRange: task.range };
}

export function documentSymbolsFor(model: LocustfileModel): DocumentSymbol[] {
  const symbols: DocumentSymbol[] = model.users.map((user) => ({
    name: user.name,
    detail: [user.base, user.abstract ? 'abstract' : '', user.weight !== null ? `weight ${user.weight}` : '']
      .filter(Boolean)
      .join(' · '),
    kind: SymbolKind.Class,
    range: user.range,
    selectionRange: user.range,
    children: [
      ...user.tasks.map(taskSymbol),
      ...user.taskSets.map((set) => ({
        name: set.name,
        detail: set.sequential ? 'SequentialTaskSet' : 'TaskSet',
        kind: SymbolKind.Class,
        range: set.range,
        selectionRange: set.range,
        children: set.tasks.map(taskSymbol),
      })),
    ],
  }));
  for (const shape of model.shapes) {
    symbols.push({ name: shape.name, detail: 'LoadTestShape', kind: SymbolKind.Class, range: shape.range, selectionRange: shape.range });
  }
  return symbols;
}
