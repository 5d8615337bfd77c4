// Builds the model of a locustfile (User classes, TaskSets, tasks, weights, tags, shapes) from a tree-sitter parse.
import type { Node, Tree } from 'web-tree-sitter';
import type { LocustfileModel, ShapeInfo, SourceRange, TaskInfo, TaskSetInfo, UserClassInfo } from '../protocol/model';

/** The locust names the model cares about, as Locust itself exports them (plus the 0.x names, to diagnose them). */
export type LocustName =
  | 'User'
  | 'HttpUser'
  | 'FastHttpUser'
  | 'TaskSet'
  | 'SequentialTaskSet'
  | 'LoadTestShape'
  | 'task'
  | 'tag'
  | 'events'
  | 'between'
  | 'constant'
  | 'constant_pacing'
  | 'constant_throughput'
  | 'HttpLocust'
  | 'Locust'
  | 'TaskSequence'
  | 'seq_task';
const CURRENT_NAMES = ['User', 'HttpUser', 'FastHttpUser', 'TaskSet', 'SequentialTaskSet', 'LoadTestShape', 'task', 'tag', 'events', 'between', 'constant', 'constant_pacing', 'constant_throughput'];
/** Names that Locust 0.x exported and Locust 2 does not: a `*` import does not bring them in. */
export const LEGACY_NAMES = new Set<string>(['HttpLocust', 'Locust', 'TaskSequence', 'seq_task']);
const LOCUST_NAMES = new Set<string>([...CURRENT_NAMES, ...LEGACY_NAMES]);
const USER_BASES = new Set<string>(['User', 'HttpUser', 'FastHttpUser']);
/** Kinds a class can inherit; function and module names (task, events…) never make a class a locust class. */
const CLASS_KINDS = new Set<string>(['User', 'HttpUser', 'FastHttpUser', 'TaskSet', 'SequentialTaskSet', 'LoadTestShape', 'HttpLocust', 'Locust', 'TaskSequence']);
/** Module names the file may import locust under: `locust` itself and the 0.x package name. */
const LOCUST_MODULES = new Set(['locust', 'locustio']);

function isLocustModule(dotted: string): boolean {
  const root = dotted.split('.')[0] ?? '';
  return LOCUST_MODULES.has(root);
}

/** How names written in this file map to locust's names (`from locust import HttpUser as H` → H ↦ HttpUser). */
export interface Imports {
  names: Map<string, LocustName>;
  /** Module aliases that mean `locust` (or a submodule), e.g. `import locust as l`. */
  modules: Set<string>;
  any: boolean;
}

export function rangeOf(node: Node): SourceRange {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}

export function collectImports(root: Node): Imports {
  const imports: Imports = { names: new Map(), modules: new Set(), any: false };
  for (const statement of root.namedChildren) {
    if (!statement) continue;
    if (statement.type === 'import_from_statement') {
      const module = statement.childForFieldName('module_name')?.text ?? '';
      if (!isLocustModule(module)) continue;
      imports.any = true;
      for (const child of statement.namedChildren) {
        if (!child || child === statement.childForFieldName('module_name')) continue;
        if (child.type === 'wildcard_import') {
          for (const name of CURRENT_NAMES) imports.names.set(name, name as LocustName);
        } else if (child.type === 'dotted_name' && LOCUST_NAMES.has(child.text)) {
          imports.names.set(child.text, child.text as LocustName);
        } else if (child.type === 'aliased_import') {
          const name = child.childForFieldName('name')?.text ?? '';
          const alias = child.childForFieldName('alias')?.text ?? '';
          if (LOCUST_NAMES.has(name) && alias) imports.names.set(alias, name as LocustName);
        }
      }
    } else if (statement.type === 'import_statement') {
      for (const child of statement.namedChildren) {
        if (!child) continue;
        const dotted = child.type === 'aliased_import' ? child.childForFieldName('name')?.text : child.text;
        if (!dotted || !isLocustModule(dotted)) continue;
        imports.any = true;
        const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : dotted.split('.')[0];
        if (alias) imports.modules.add(alias);
      }
    }
  }
  return imports;
}

/** The locust name an expression refers to (`HttpUser`, `H`, `locust.HttpUser`, `locust.contrib.fasthttp.FastHttpUser`). */
export function resolveLocustName(expr: Node, imports: Imports): LocustName | undefined {
  if (expr.type === 'identifier') return imports.names.get(expr.text);
  if (expr.type === 'attribute') {
    const attribute = expr.childForFieldName('attribute')?.text ?? '';
    const root = expr.text.split('.')[0] ?? '';
    if (imports.modules.has(root) && LOCUST_NAMES.has(attribute)) return attribute as LocustName;
  }
  return undefined;
}

export interface ClassNode {
  name: string;
  node: Node;
  bases: Node[];
  body: Node | null;
  nestedIn: ClassNode | undefined;
}

function collectClasses(root: Node): ClassNode[] {
  const found: ClassNode[] = [];
  const visit = (container: Node, nestedIn: ClassNode | undefined) => {
    for (const statement of container.namedChildren) {
      if (!statement) continue;
      const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
      if (definition?.type !== 'class_definition') continue;
      const name = definition.childForFieldName('name')?.text;
      if (!name) continue;
      const bases = (definition.childForFieldName('superclasses')?.namedChildren ?? []).filter(
        (b): b is Node => !!b && b.type !== 'keyword_argument',
      );
      const cls: ClassNode = { name, node: definition, bases, body: definition.childForFieldName('body'), nestedIn };
      found.push(cls);
      if (cls.body) visit(cls.body, cls);
    }
  };
  visit(root, undefined);
  return found;
}

/** What kind of locust class each class of the file is, following base chains inside the file. */
function classifyClasses(classes: ClassNode[], imports: Imports): Map<ClassNode, LocustName> {
  const kinds = new Map<ClassNode, LocustName>();
  const byName = new Map(classes.map((c) => [c.name, c]));
  let changed = true;
  while (changed) {
    changed = false;
    for (const cls of classes) {
      if (kinds.has(cls)) continue;
      for (const base of cls.bases) {
        const direct = resolveLocustName(base, imports);
        const inherited = base.type === 'identifier' ? byName.get(base.text) : undefined;
        const kind = direct ?? (inherited && kinds.get(inherited));
        if (kind && CLASS_KINDS.has(kind)) {
          kinds.set(cls, kind);
          changed = true;
          break;
        }
      }
    }
  }
  return kinds;
}

export function bodyStatements(body: Node | null): Node[] {
  return (body?.namedChildren ?? []).filter((n): n is Node => !!n);
}

/** `name = value` assignments directly in a class body. */
export function classAssignments(body: Node | null): Map<string, Node> {
  const assignments = new Map<string, Node>();
  for (const statement of bodyStatements(body)) {
    if (statement.type !== 'expression_statement') continue;
    const assignment = statement.namedChildren[0];
    if (assignment?.type !== 'assignment') continue;
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (left?.type === 'identifier' && right) assignments.set(left.text, right);
  }
  return assignments;
}

export function stringValue(node: Node | undefined): string | null {
  if (node?.type !== 'string') return null;
  const content = node.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c?.text ?? '');
  return content.join('');
}

export function intValue(node: Node | null | undefined): number | null {
  if (node?.type !== 'integer') return null;
  const value = Number(node.text.replace(/_/g, ''));
  return Number.isSafeInteger(value) ? value : null;
}

/** Weight and tags from `@task`, `@task(3)`, `@task(weight=3)` and `@tag('a', 'b')` decorators. */
function readTaskDecorators(decorated: Node, imports: Imports): { isTask: boolean; weight: number; tags: string[] } {
  let isTask = false;
  let weight = 1;
  const tags: string[] = [];
  for (const decorator of decorated.namedChildren) {
    if (decorator?.type !== 'decorator') continue;
    const expr = decorator.namedChildren[0];
    if (!expr) continue;
    const callee = expr.type === 'call' ? expr.childForFieldName('function') : expr;
    const name = callee ? resolveLocustName(callee, imports) : undefined;
    const args = expr.type === 'call' ? (expr.childForFieldName('arguments')?.namedChildren ?? []) : [];
    if (name === 'task') {
      isTask = true;
      for (const arg of args) {
        if (!arg) continue;
        if (arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'weight') {
          weight = intValue(arg.childForFieldName('value')) ?? weight;
        } else if (arg.type === 'integer') {
          weight = intValue(arg) ?? weight;
        }
      }
    } else if (name === 'tag') {
      for (const arg of args) {
        const value = arg ? stringValue(arg) : null;
        if (value !== null) tags.push(value);
      }
    }
  }
  return { isTask, weight, tags };
}

/** Tasks of a User or TaskSet body: decorated methods plus a `tasks = [...]` list or `{...}` dict. */
function readTasks(body: Node | null, imports: Imports, tagsByName: Map<string, string[]>): TaskInfo[] {
  const tasks: TaskInfo[] = [];
  for (const statement of bodyStatements(body)) {
    if (statement.type !== 'decorated_definition') continue;
    const definition = statement.childForFieldName('definition');
    if (definition?.type !== 'function_definition') continue;
    const { isTask, weight, tags } = readTaskDecorators(statement, imports);
    const name = definition.childForFieldName('name')?.text;
    if (isTask && name) tasks.push({ name, weight, tags, range: rangeOf(statement) });
  }
  const declared = classAssignments(body).get('tasks');
  if (declared?.type === 'list') {
    for (const item of declared.namedChildren) {
      // In a list each entry counts once: Locust ignores an `@task(n)` weight of a listed function.
      if (item) tasks.push({ name: item.text, weight: 1, tags: tagsByName.get(item.text) ?? [], range: rangeOf(item) });
    }
  } else if (declared?.type === 'dictionary') {
    for (const pair of declared.namedChildren) {
      if (pair?.type !== 'pair') continue;
      const key = pair.childForFieldName('key');
      if (key) tasks.push({ name: key.text, weight: intValue(pair.childForFieldName('value')) ?? 1, tags: tagsByName.get(key.text) ?? [], range: rangeOf(pair) });
    }
  }
  return tasks;
}

/** What the model was built from, kept for the features that need the tree (diagnostics, hover). */
export interface LocustfileFacts {
  imports: Imports;
  classes: ClassNode[];
  kinds: Map<ClassNode, LocustName>;
  /** The class a base expression names inside this file (`class B(A)` → A's ClassNode). */
  classNamed: Map<string, ClassNode>;
}

/** The model of one document. Tolerant of syntax errors: whatever parsed is kept. */
export function buildModel(tree: Tree, uri: string, version: number): LocustfileModel {
  return analyzeTree(tree, uri, version).model;
}

/** `@tag(...)` of module-level functions, by name: a `tasks = [...]` entry naming one carries its tags. */
function moduleFunctionTags(root: Node, imports: Imports): Map<string, string[]> {
  const tags = new Map<string, string[]>();
  for (const statement of root.namedChildren) {
    if (statement?.type !== 'decorated_definition') continue;
    const definition = statement.childForFieldName('definition');
    const name = definition?.childForFieldName('name')?.text;
    const found = readTaskDecorators(statement, imports).tags;
    if (name && definition?.type === 'function_definition' && found.length > 0) tags.set(name, found);
  }
  return tags;
}

/** What a class's own body says, independent of where the class sits in the file: rows are relative to the class. */
interface ClassBody {
  tasks: TaskInfo[];
  abstract: boolean;
  host: string | null;
  weight: number | null;
  fixedCount: number | null;
  hasTick: boolean;
}

/**
 * Reuses the reading of class bodies across versions of one document: a class whose text (and the file's
 * locust imports) did not change is not walked again, only moved to its new line. This is what keeps an
 * edit → new lenses cheap on a large file, after the incremental re-parse.
 */
export class ModelCache {
  private context = '';
  private entries = new Map<string, ClassBody>();
  private used = new Map<string, ClassBody>();

  /** Called once per analysis: a change of the file's imports or tagged functions invalidates everything. */
  begin(context: string): void {
    if (context !== this.context) this.entries.clear();
    this.context = context;
    this.used = new Map();
  }

  /** Called after an analysis: classes that no longer exist are dropped. */
  end(): void {
    this.entries = this.used;
  }

  get(key: string): ClassBody | undefined {
    const found = this.entries.get(key) ?? this.used.get(key);
    if (found) this.used.set(key, found);
    return found;
  }

  set(key: string, body: ClassBody): void {
    this.used.set(key, body);
  }
}

function shiftRange(range: SourceRange, rows: number): SourceRange {
  return { start: { line: range.start.line + rows, character: range.start.character }, end: { line: range.end.line + rows, character: range.end.character } };
}

/** Reads class bodies for one analysis, through the document's cache when there is one. */
class ClassReader {
  private readonly bodies = new Map<ClassNode, ClassBody>();

  constructor(
    private readonly imports: Imports,
    private readonly tagsByName: Map<string, string[]>,
    private readonly classNamed: Map<string, ClassNode>,
    private readonly cache: ModelCache | undefined,
  ) {}

  /** The body read relative to the class's first row (cached), then placed at its current row. */
  body(cls: ClassNode): ClassBody {
    const known = this.bodies.get(cls);
    if (known) return known;
    const row = cls.node.startPosition.row;
    const key = `${cls.node.startPosition.column}\u0000${cls.node.text}`;
    let relative = this.cache?.get(key);
    if (!relative) {
      const assignments = classAssignments(cls.body);
      relative = {
        tasks: readTasks(cls.body, this.imports, this.tagsByName).map((t) => ({ ...t, range: shiftRange(t.range, -row) })),
        abstract: assignments.get('abstract')?.type === 'true',
        host: stringValue(assignments.get('host')),
        weight: intValue(assignments.get('weight')),
        fixedCount: intValue(assignments.get('fixed_count')),
        hasTick: bodyStatements(cls.body).some((s) => {
          const fn = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
          return fn?.type === 'function_definition' && fn.childForFieldName('name')?.text === 'tick';
        }),
      };
      this.cache?.set(key, relative);
    }
    // Fresh task objects every time: the model's consumers (and @tag on TaskSets) may change them.
    const placed = { ...relative, tasks: relative.tasks.map((t) => ({ ...t, tags: [...t.tags], range: shiftRange(t.range, row) })) };
    this.bodies.set(cls, placed);
    return placed;
  }

  ownTasks(cls: ClassNode): TaskInfo[] {
    return this.body(cls).tasks.map((t) => ({ ...t, tags: [...t.tags] }));
  }

  /** Tasks a class inherits from base classes of the same file (Locust puts base tasks first), then its own. */
  allTasks(cls: ClassNode, seen = new Set<ClassNode>()): TaskInfo[] {
    const tasks: TaskInfo[] = [];
    seen.add(cls);
    for (const base of cls.bases) {
      const parent = base.type === 'identifier' ? this.classNamed.get(base.text) : undefined;
      if (!parent || seen.has(parent)) continue;
      tasks.push(...this.allTasks(parent, seen));
    }
    tasks.push(...this.ownTasks(cls));
    return tasks;
  }
}

export function analyzeTree(tree: Tree, uri: string, version: number, cache?: ModelCache): { model: LocustfileModel; facts: LocustfileFacts } {
  const root = tree.rootNode;
  const imports = collectImports(root);
  const classes = collectClasses(root);
  const kinds = classifyClasses(classes, imports);
  const classNamed = new Map<string, ClassNode>();
  for (const cls of classes) if (!cls.nestedIn && !classNamed.has(cls.name)) classNamed.set(cls.name, cls);
  const tagsByName = moduleFunctionTags(root, imports);
  cache?.begin(JSON.stringify([[...imports.names], [...imports.modules], [...tagsByName]]));
  const reader = new ClassReader(imports, tagsByName, classNamed, cache);

  const taskSets = new Map<ClassNode, TaskSetInfo>();
  for (const [cls, kind] of kinds) {
    if (kind !== 'TaskSet' && kind !== 'SequentialTaskSet') continue;
    taskSets.set(cls, {
      name: cls.name,
      sequential: kind === 'SequentialTaskSet',
      tasks: reader.allTasks(cls),
      range: rangeOf(cls.node),
    });
  }
  // `@tag` on a TaskSet class tags its tasks (and those of TaskSets among them), not the class: Locust's own rule.
  const setsByName = new Map([...taskSets.values()].map((set) => [set.name, set]));
  const tagSet = (set: TaskSetInfo, tags: string[], seen: Set<TaskSetInfo>) => {
    if (seen.has(set)) return;
    seen.add(set);
    for (const task of set.tasks) {
      const nested = setsByName.get(task.name);
      if (nested) tagSet(nested, tags, seen);
      else task.tags = [...new Set([...task.tags, ...tags])];
    }
  };
  for (const [cls, set] of taskSets) {
    const decorated = cls.node.parent?.type === 'decorated_definition' ? cls.node.parent : null;
    const tags = decorated ? readTaskDecorators(decorated, imports).tags : [];
    if (tags.length > 0) tagSet(set, tags, new Set());
  }

  const users: UserClassInfo[] = [];
  const shapes: ShapeInfo[] = [];
  for (const cls of classes) {
    const kind = kinds.get(cls);
    if (kind === 'LoadTestShape') {
      shapes.push({ name: cls.name, hasTick: reader.body(cls).hasTick, range: rangeOf(cls.node) });
      continue;
    }
    if (!kind || !USER_BASES.has(kind)) continue;
    const body = reader.body(cls);
    const tasks = reader.allTasks(cls);
    const referenced = new Set(tasks.map((t) => t.name));
    // Sets nested in the class or reachable through tasks, TaskSets inside TaskSets included.
    const ownTaskSets: TaskSetInfo[] = [];
    for (let grew = true; grew; ) {
      grew = false;
      for (const [setClass, info] of taskSets) {
        if (ownTaskSets.includes(info) || !(setClass.nestedIn === cls || referenced.has(info.name))) continue;
        ownTaskSets.push(info);
        for (const task of info.tasks) referenced.add(task.name);
        grew = true;
      }
    }
    users.push({
      name: cls.name,
      base: cls.bases[0]?.text ?? '',
      abstract: body.abstract,
      host: body.host,
      weight: body.weight,
      fixedCount: body.fixedCount,
      tasks,
      taskSets: ownTaskSets,
      range: rangeOf(cls.node),
    });
  }
  cache?.end();
  return { model: { uri, version, isLocustfile: imports.any, users, shapes }, facts: { imports, classes, kinds, classNamed } };
}
