// Builds the model of a locustfile (User classes, TaskSets, tasks, weights, tags, shapes) from a tree-sitter parse.
import type { Node, Tree } from 'web-tree-sitter';
import type { LocustfileModel, ShapeInfo, SourceRange, TaskInfo, TaskSetInfo, UserClassInfo } from '../protocol/model';

/** The locust names the model cares about, as Locust itself exports them. */
type LocustName = 'User' | 'HttpUser' | 'FastHttpUser' | 'TaskSet' | 'SequentialTaskSet' | 'LoadTestShape' | 'task' | 'tag';
const LOCUST_NAMES = new Set<string>(['User', 'HttpUser', 'FastHttpUser', 'TaskSet', 'SequentialTaskSet', 'LoadTestShape', 'task', 'tag']);
const USER_BASES = new Set<string>(['User', 'HttpUser', 'FastHttpUser']);

/** How names written in this file map to locust's names (`from locust import HttpUser as H` → H ↦ HttpUser). */
interface Imports {
  names: Map<string, LocustName>;
  /** Module aliases that mean `locust` (or a submodule), e.g. `import locust as l`. */
  modules: Set<string>;
  any: boolean;
}

function rangeOf(node: Node): SourceRange {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}

function collectImports(root: Node): Imports {
  const imports: Imports = { names: new Map(), modules: new Set(), any: false };
  for (const statement of root.namedChildren) {
    if (!statement) continue;
    if (statement.type === 'import_from_statement') {
      const module = statement.childForFieldName('module_name')?.text ?? '';
      if (module !== 'locust' && !module.startsWith('locust.')) continue;
      imports.any = true;
      for (const child of statement.namedChildren) {
        if (!child || child === statement.childForFieldName('module_name')) continue;
        if (child.type === 'wildcard_import') {
          for (const name of LOCUST_NAMES) imports.names.set(name, name as LocustName);
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
        if (dotted !== 'locust' && !dotted?.startsWith('locust.')) continue;
        imports.any = true;
        const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : dotted.split('.')[0];
        if (alias) imports.modules.add(alias);
      }
    }
  }
  return imports;
}

/** The locust name an expression refers to (`HttpUser`, `H`, `locust.HttpUser`, `locust.contrib.fasthttp.FastHttpUser`). */
function resolveLocustName(expr: Node, imports: Imports): LocustName | undefined {
  if (expr.type === 'identifier') return imports.names.get(expr.text);
  if (expr.type === 'attribute') {
    const attribute = expr.childForFieldName('attribute')?.text ?? '';
    const root = expr.text.split('.')[0] ?? '';
    if (imports.modules.has(root) && LOCUST_NAMES.has(attribute)) return attribute as LocustName;
  }
  return undefined;
}

interface ClassNode {
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
        if (kind && kind !== 'task' && kind !== 'tag') {
          kinds.set(cls, kind);
          changed = true;
          break;
        }
      }
    }
  }
  return kinds;
}

function bodyStatements(body: Node | null): Node[] {
  return (body?.namedChildren ?? []).filter((n): n is Node => !!n);
}

/** `name = value` assignments directly in a class body. */
function classAssignments(body: Node | null): Map<string, Node> {
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

function stringValue(node: Node | undefined): string | null {
  if (node?.type !== 'string') return null;
  const content = node.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c?.text ?? '');
  return content.join('');
}

function intValue(node: Node | null | undefined): number | null {
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
function readTasks(body: Node | null, imports: Imports): TaskInfo[] {
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
      if (item) tasks.push({ name: item.text, weight: 1, tags: [], range: rangeOf(item) });
    }
  } else if (declared?.type === 'dictionary') {
    for (const pair of declared.namedChildren) {
      if (pair?.type !== 'pair') continue;
      const key = pair.childForFieldName('key');
      if (key) tasks.push({ name: key.text, weight: intValue(pair.childForFieldName('value')) ?? 1, tags: [], range: rangeOf(pair) });
    }
  }
  return tasks;
}

/** The model of one document. Tolerant of syntax errors: whatever parsed is kept. */
export function buildModel(tree: Tree, uri: string, version: number): LocustfileModel {
  const root = tree.rootNode;
  const imports = collectImports(root);
  const classes = collectClasses(root);
  const kinds = classifyClasses(classes, imports);

  const taskSets = new Map<ClassNode, TaskSetInfo>();
  for (const [cls, kind] of kinds) {
    if (kind !== 'TaskSet' && kind !== 'SequentialTaskSet') continue;
    taskSets.set(cls, {
      name: cls.name,
      sequential: kind === 'SequentialTaskSet',
      tasks: readTasks(cls.body, imports),
      range: rangeOf(cls.node),
    });
  }

  const users: UserClassInfo[] = [];
  const shapes: ShapeInfo[] = [];
  for (const cls of classes) {
    const kind = kinds.get(cls);
    if (kind === 'LoadTestShape') {
      const hasTick = bodyStatements(cls.body).some((s) => {
        const fn = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
        return fn?.type === 'function_definition' && fn.childForFieldName('name')?.text === 'tick';
      });
      shapes.push({ name: cls.name, hasTick, range: rangeOf(cls.node) });
      continue;
    }
    if (!kind || !USER_BASES.has(kind)) continue;
    const assignments = classAssignments(cls.body);
    const tasks = readTasks(cls.body, imports);
    const referenced = new Set(tasks.map((t) => t.name));
    const ownTaskSets = [...taskSets.entries()]
      .filter(([setClass, info]) => setClass.nestedIn === cls || referenced.has(info.name))
      .map(([, info]) => info);
    users.push({
      name: cls.name,
      base: cls.bases[0]?.text ?? '',
      abstract: assignments.get('abstract')?.type === 'true',
      host: stringValue(assignments.get('host')),
      weight: intValue(assignments.get('weight')),
      tasks,
      taskSets: ownTaskSets,
      range: rangeOf(cls.node),
    });
  }
  return { uri, version, isLocustfile: imports.any, users, shapes };
}
