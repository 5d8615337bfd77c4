// Outline from the model: User classes → the TaskSets they use (recursively) → tasks, with weights, tags and wait times in the detail.
import type { Node, Tree } from 'web-tree-sitter';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { LocustfileModel, SourceRange, TaskInfo, TaskSetInfo } from '../protocol/model';
import { rangeOf } from './locustfileModel';
import { describeWaitTime } from './waitTime';
import { describeTransitions } from './markovChain';

function contains(outer: SourceRange, inner: SourceRange): boolean {
  const before = (a: SourceRange['start'], b: SourceRange['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}

/**
 * The range of the name in the definition (or `tasks` entry) that covers `range`: `def name`, `class Name`, a listed name, a
 * dictionary key. The whole range when the tree does not show one.
 */
function nameRange(tree: Tree, range: SourceRange): SourceRange {
  let node: Node | null = tree.rootNode.descendantForPosition({ row: range.start.line, column: range.start.character });
  // Up to the outermost node that starts where the range starts.
  while (node?.parent && node.parent.startPosition.row === range.start.line && node.parent.startPosition.column === range.start.character && node.parent.type !== 'module') {
    node = node.parent;
  }
  if (node?.type === 'decorated_definition') node = node.childForFieldName('definition');
  let name: Node | null | undefined;
  if (node?.type === 'class_definition' || node?.type === 'function_definition') name = node.childForFieldName('name');
  else if (node?.type === 'pair') name = node.childForFieldName('key');
  else if (node?.type === 'identifier' || node?.type === 'attribute') name = node;
  const found = name ? rangeOf(name) : undefined;
  return found && contains(range, found) ? found : range;
}

function detail(parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join(' · ');
}

/** TaskSets by name, the first of a name winning (as a User class's tasks name the sets it reaches). */
function byName(sets: TaskSetInfo[]): Map<string, TaskSetInfo> {
  const named = new Map<string, TaskSetInfo>();
  for (const set of sets) if (!named.has(set.name)) named.set(set.name, set);
  return named;
}

class OutlineBuilder {
  /** TaskSets placed under some User class or TaskSet. */
  readonly placed = new Set<TaskSetInfo>();

  constructor(private readonly tree: Tree) {}

  symbol(name: string, detailText: string, kind: SymbolKind, range: SourceRange, children?: DocumentSymbol[]): DocumentSymbol {
    return { name, detail: detailText, kind, range, selectionRange: nameRange(this.tree, range), ...(children ? { children } : {}) };
  }

  /**
   * The symbols of a task list: plain tasks as methods, TaskSets with their own tasks inside (recursively). `shown` holds the
   * TaskSets already in this User class's subtree: each is shown once (a repeat in the same list adds to its weight).
   */
  tasks(tasks: TaskInfo[], sets: Map<string, TaskSetInfo>, shown: Set<TaskSetInfo>): DocumentSymbol[] {
    const symbols: DocumentSymbol[] = [];
    // A weight of `undefined`: unknown without running the file (shown as `?`).
    const here = new Map<TaskSetInfo, { symbol: DocumentSymbol; weight: number | undefined }>();
    const pending: [TaskSetInfo, DocumentSymbol][] = [];
    for (const task of tasks) {
      // A task inherited from another file is in that file's outline.
      if (task.uri) continue;
      const set = sets.get(task.name);
      // A TaskSet of another file is shown as its entry here; its contents are in that file's outline.
      if (!set || set.uri) {
        symbols.push(this.symbol(task.name, detail([`weight ${task.weight ?? '?'}`, task.tags.length > 0 && `tags: ${task.tags.join(', ')}`]), SymbolKind.Method, task.range));
        continue;
      }
      const repeated = here.get(set);
      if (repeated) {
        repeated.weight = repeated.weight === undefined || task.weight === null ? undefined : repeated.weight + task.weight;
        repeated.symbol.detail = this.setDetail(set, repeated.weight);
        continue;
      }
      if (shown.has(set)) continue;
      shown.add(set);
      this.placed.add(set);
      const symbol = this.symbol(set.name, this.setDetail(set, task.weight ?? undefined), SymbolKind.Class, set.range);
      here.set(set, { symbol, weight: task.weight ?? undefined });
      pending.push([set, symbol]);
      symbols.push(symbol);
    }
    // Children after the whole list is read, so a TaskSet listed here is not taken by a deeper one first.
    for (const [set, symbol] of pending) symbol.children = this.contents(set, sets, shown);
    return symbols;
  }

  /** A TaskSet's children: its tasks, then a MarkovTaskSet's states with their transitions. */
  contents(set: TaskSetInfo, sets: Map<string, TaskSetInfo>, shown: Set<TaskSetInfo>): DocumentSymbol[] {
    const states = (set.markov?.states ?? []).map((state) => this.symbol(state.name, describeTransitions(state), SymbolKind.Method, state.range));
    return [...this.tasks(set.tasks, sets, shown), ...states];
  }

  /** `weight` null: not a task of a list here; undefined: a task whose weight is not known without running the file. */
  setDetail(set: TaskSetInfo, weight: number | null | undefined): string {
    return detail([set.markov ? 'MarkovTaskSet' : set.sequential ? 'SequentialTaskSet' : 'TaskSet', weight !== null && `weight ${weight ?? '?'}`, set.waitTime && `wait ${describeWaitTime(set.waitTime)}`]);
  }

  /** A TaskSet no User class reaches through its tasks, with what it uses. */
  unused(set: TaskSetInfo, sets: Map<string, TaskSetInfo>): DocumentSymbol {
    this.placed.add(set);
    return this.symbol(set.name, this.setDetail(set, null), SymbolKind.Class, set.range, this.contents(set, sets, new Set([set])));
  }
}

export function documentSymbolsFor(model: LocustfileModel, tree: Tree): DocumentSymbol[] {
  const outline = new OutlineBuilder(tree);
  const symbols: DocumentSymbol[] = model.users.map((user) => {
    const sets = byName(user.taskSets);
    const children = outline.tasks(user.tasks, sets, new Set());
    // TaskSets nested in the class that none of its tasks names (Locust does not run them), still part of the class.
    for (const set of user.taskSets) if (!outline.placed.has(set) && !set.uri) children.push(outline.unused(set, sets));
    return outline.symbol(
      user.name,
      detail([user.base, user.abstract && 'abstract', user.weight !== null && `weight ${user.weight}`, user.unknownWeight && 'weight ?', user.fixedCount !== null && `fixed_count ${user.fixedCount}`, user.unknownFixedCount && 'fixed_count ?', user.waitTime && `wait ${describeWaitTime(user.waitTime)}`]),
      SymbolKind.Class,
      user.range,
      children,
    );
  });
  const topLevel = byName(model.taskSets);
  for (const set of model.taskSets) if (!outline.placed.has(set)) symbols.push(outline.unused(set, topLevel));
  for (const shape of model.shapes) symbols.push(outline.symbol(shape.name, 'LoadTestShape', SymbolKind.Class, shape.range));
  // A pytest-style file's test functions: Locust runs each as a User class, unless the file has User classes of its own.
  const ignored = model.users.some((user) => !user.abstract);
  for (const fn of model.testFunctions ?? []) {
    symbols.push(outline.symbol(fn.name, detail(['test function', fn.fixtures.length > 0 && fn.fixtures.join(', '), ignored && 'ignored beside User classes']), SymbolKind.Function, fn.range));
  }
  return symbols;
}
