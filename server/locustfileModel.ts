// Builds the model of a locustfile (User classes, TaskSets, tasks, weights, tags, wait times, shapes, event listeners, requests, THRESHOLDS) from a tree-sitter parse.
import type { Node, Tree, TreeCursor } from 'web-tree-sitter';
import type { EventListenerInfo, LocustfileModel, TestFunctionInfo, MarkovChain, MarkovState, MarkovTransition, RequestSite, ShapeInfo, SourceRange, TaskInfo, TaskSetInfo, ThresholdDeclaration, UnknownNumber, UserClassInfo, WaitTimeInfo } from '../protocol/model';
import { isWaitTimeFunction, simpleCall, waitTimeArguments, type ArgumentText } from './waitTime';
import { methodResolutionOrder } from './methodResolution';
import { decodeContent } from './pythonStrings';
import { mayMakeRequests, requestSitesIn } from './requestSites';
import { readThresholds, THRESHOLDS_STATEMENT, type ThresholdProblem, type ThresholdsRead } from './thresholdDeclarations';
import { customArgumentsOf } from './customArguments';
import { CONTRIB_USERS, contribUsersOf, isContribUser, type ContribUserName } from './contribUsers';
import { asWeight, evaluate, exprOf, exprText, truthy, valueText, type Binding, type Expr, type Scope, type Value } from './staticValues';

/** The locust names the model cares about, as Locust itself exports them (plus the 0.x names, to diagnose them). */
export type LocustName =
  | 'User'
  | 'HttpUser'
  | 'FastHttpUser'
  | 'TaskSet'
  | 'SequentialTaskSet'
  | 'MarkovTaskSet'
  | 'LoadTestShape'
  | 'task'
  | 'tag'
  | 'events'
  | 'between'
  | 'constant'
  | 'constant_pacing'
  | 'constant_throughput'
  | 'transition'
  | 'transitions'
  | 'HttpLocust'
  | 'FastHttpLocust'
  | 'Locust'
  | 'TaskSequence'
  | 'seq_task'
  | ContribUserName
  | 'StopTest';
const CURRENT_NAMES = [
  'User',
  'HttpUser',
  'FastHttpUser',
  'TaskSet',
  'SequentialTaskSet',
  'MarkovTaskSet',
  'LoadTestShape',
  'task',
  'tag',
  'events',
  'between',
  'constant',
  'constant_pacing',
  'constant_throughput',
  'transition',
  'transitions',
];
/** Names that Locust 0.x exported and Locust 2 does not: a `*` import does not bring them in. */
export const LEGACY_NAMES = new Set<string>(['HttpLocust', 'FastHttpLocust', 'Locust', 'TaskSequence', 'seq_task']);
const LOCUST_NAMES = new Set<string>([...CURRENT_NAMES, ...LEGACY_NAMES]);
const CONTRIB_NAMES = Object.keys(CONTRIB_USERS) as ContribUserName[];
const USER_BASES = new Set<string>(['User', 'HttpUser', 'FastHttpUser', ...CONTRIB_NAMES]);
/** Kinds a class can inherit; function and module names (task, events…) never make a class a locust class. */
const CLASS_KINDS = new Set<string>(['User', 'HttpUser', 'FastHttpUser', 'TaskSet', 'SequentialTaskSet', 'MarkovTaskSet', 'LoadTestShape', 'HttpLocust', 'FastHttpLocust', 'Locust', 'TaskSequence', ...CONTRIB_NAMES]);
/** Locust's exceptions module, whose `StopTest` (newer Locusts) a task raises to end the whole test. */
const EXCEPTION_MODULE = 'locust.exception';

/**
 * A name imported `from module` that the model knows although `locust` itself does not export it: a contrib User class from its
 * own module, `StopTest` from `locust.exception`.
 */
function submoduleName(module: string, name: string): LocustName | undefined {
  if (isContribUser(name) && CONTRIB_USERS[name].module === module) return name;
  if (name === 'StopTest' && module === EXCEPTION_MODULE) return name;
  return undefined;
}

/** `locust.contrib.mqtt.MqttUser` or `locust.exception.StopTest` written out: the name when the path is its module's. */
function dottedSubmoduleName(dotted: string, imports: Imports): LocustName | undefined {
  const at = dotted.lastIndexOf('.');
  const [root, ...rest] = dotted.slice(0, at).split('.');
  if (!root || !imports.modules.has(root) || rest.length === 0) return undefined;
  return submoduleName(['locust', ...rest].join('.'), dotted.slice(at + 1));
}
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
  /**
   * Names imported from other modules (`from config import WEIGHT`: values only the running file knows), with the module and the
   * name each has there (`from common import Base as B`: B ↦ common's `Base`).
   */
  imported?: Map<string, { module: string; name: string }>;
  /** Modules other than locust imported whole, by the name bound (`import common` ↦ common, `import pkg.mod as m`: m ↦ pkg.mod). */
  importedModules?: Map<string, string>;
}

/** A Locust class of another module of the project, as that module's own model reads it. */
export interface ProjectClass {
  kind: LocustName;
  /** The file that defines it. */
  uri: string;
  /** A User class as its module resolves it (tasks, host, weight, wait_time…, what it inherits included). */
  user?: UserClassInfo;
  /** A TaskSet class as its module resolves it. */
  taskSet?: TaskSetInfo;
  /** A LoadTestShape with a `tick` of its own or inherited. */
  hasTick?: boolean;
}

/** The project modules a file imports, as its Python would find them (see projectModules.ts). */
export interface ProjectClasses {
  /** The Locust class `name` of the module a file imports as `module`; undefined when it is no Locust class of a project file. */
  classOf(module: string, name: string): ProjectClass | undefined;
  /** What the files behind these module names are now (their stamps and their own imports'): it changes when one of them does. */
  signature(modules: string[]): string;
}

/** Every module other than locust's that a file's imports may name: `from m import n` may mean m, or its submodule m.n. */
export function projectImportsOf(imports: Imports): string[] {
  return [
    ...new Set([
      ...[...(imports.imported?.values() ?? [])].flatMap(({ module, name }) => [module, submodule(module, name)]),
      ...(imports.importedModules?.values() ?? []),
    ]),
  ];
}

/** What the project modules behind a file's imports are now ('' when it imports none): a reading of them is current while it is the same. */
export function projectSignatureOf(imports: Imports, project: ProjectClasses | undefined): string {
  const modules = projectImportsOf(imports);
  return project && modules.length > 0 ? project.signature(modules) : '';
}

/** Whether a Locust name is one of its classes a class of a locustfile derives from (User, TaskSet, LoadTestShape…). */
export function isLocustClassName(name: string): name is LocustName {
  return CLASS_KINDS.has(name);
}

/** The module `from module import name` means when `name` is a submodule (`from . import common`, `from pkg import mod`). */
export function submodule(module: string, name: string): string {
  return module.endsWith('.') ? module + name : `${module}.${name}`;
}

export function rangeOf(node: Node): SourceRange {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}

/**
 * The document's text as far as the tree knows it, indexed like the tree: the root node starts after leading
 * blank lines, and its `text` with it, so the part before is padded (with spaces) to keep offsets right.
 */
export function sourceOf(root: Node): string {
  return ' '.repeat(root.startIndex) + root.text;
}

/** Adds what one module-level statement imports from locust (nothing for other statements). */
function addImport(statement: Node, imports: Imports): void {
  if (statement.type === 'import_from_statement') {
    const moduleName = statement.childForFieldName('module_name');
    const module = moduleName?.text ?? '';
    if (!isLocustModule(module)) {
      for (const child of statement.namedChildren) {
        if (!child || child.id === moduleName?.id) continue;
        const bound = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : child.type === 'dotted_name' ? child.text : undefined;
        const name = child.type === 'aliased_import' ? child.childForFieldName('name')?.text : bound;
        if (!bound || !name) continue;
        (imports.imported ??= new Map()).set(bound, { module, name });
      }
      return;
    }
    imports.any = true;
    for (const child of statement.namedChildren) {
      if (!child || child.id === moduleName?.id) continue;
      if (child.type === 'wildcard_import') {
        const contrib = contribUsersOf(module);
        for (const name of contrib) imports.names.set(name, name);
        if (module === EXCEPTION_MODULE) imports.names.set('StopTest', 'StopTest');
        else if (contrib.length === 0) for (const name of CURRENT_NAMES) imports.names.set(name, name as LocustName);
      } else if (child.type === 'dotted_name') {
        const known = submoduleName(module, child.text) ?? (LOCUST_NAMES.has(child.text) ? (child.text as LocustName) : undefined);
        if (known) imports.names.set(child.text, known);
      } else if (child.type === 'aliased_import') {
        const name = child.childForFieldName('name')?.text ?? '';
        const alias = child.childForFieldName('alias')?.text ?? '';
        const known = submoduleName(module, name) ?? (LOCUST_NAMES.has(name) ? (name as LocustName) : undefined);
        if (known && alias) imports.names.set(alias, known);
      }
    }
  } else if (statement.type === 'import_statement') {
    for (const child of statement.namedChildren) {
      if (!child) continue;
      const dotted = child.type === 'aliased_import' ? child.childForFieldName('name')?.text : child.text;
      if (!dotted) continue;
      if (!isLocustModule(dotted)) {
        // `import pkg.mod` binds `pkg`; `import pkg.mod as m` binds `m` to pkg.mod.
        const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : undefined;
        (imports.importedModules ??= new Map()).set(alias ?? dotted.split('.')[0]!, alias ? dotted : dotted.split('.')[0]!);
        continue;
      }
      imports.any = true;
      const alias = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : dotted.split('.')[0];
      if (alias) imports.modules.add(alias);
    }
  }
}

/**
 * The imports in the blocks of a module-level `if`, `try` or `with` (nested ones too): every branch of an `if`, a `try`'s body, `else`
 * and `finally` (not its `except` handlers: `try: from locust import HttpUser` / `except ImportError: …` imports the first).
 */
function addCompoundImports(statement: Node, imports: Imports, depth = 0): void {
  if (depth > 20) return;
  const blocks: Node[] = [];
  for (const child of statement.namedChildren) {
    if (!child) continue;
    if (child.type === 'block') blocks.push(child);
    else if (child.type === 'elif_clause' || child.type === 'else_clause' || child.type === 'finally_clause') {
      for (const inner of child.namedChildren) if (inner?.type === 'block') blocks.push(inner);
    }
  }
  for (const block of blocks) {
    for (const inner of block.namedChildren) {
      if (!inner) continue;
      if (inner.type === 'import_from_statement' || inner.type === 'import_statement') addImport(inner, imports);
      else if (COMPOUND_STATEMENTS.has(inner.type)) addCompoundImports(inner, imports, depth + 1);
    }
  }
}

/** The locust name an expression refers to (`HttpUser`, `H`, `locust.HttpUser`, `locust.contrib.fasthttp.FastHttpUser`). */
export function resolveLocustName(expr: Node, imports: Imports): LocustName | undefined {
  if (expr.type === 'identifier') return imports.names.get(expr.text);
  if (expr.type === 'attribute') {
    const attribute = expr.childForFieldName('attribute')?.text ?? '';
    const root = expr.text.split('.')[0] ?? '';
    if (imports.modules.has(root) && LOCUST_NAMES.has(attribute)) return attribute as LocustName;
    return dottedSubmoduleName(expr.text, imports);
  }
  return undefined;
}

/** A base class expression as written (`HttpUser`, `locust.HttpUser`, `Base`), read once from the tree. */
export interface BaseRef {
  type: string;
  text: string;
  /** For an attribute (`a.b.C`), its last name. */
  attribute: string;
}

function resolveBase(base: BaseRef, imports: Imports): LocustName | undefined {
  if (base.type === 'identifier') return imports.names.get(base.text);
  if (base.type === 'attribute') {
    const root = base.text.split('.')[0] ?? '';
    if (imports.modules.has(root) && LOCUST_NAMES.has(base.attribute)) return base.attribute as LocustName;
    return dottedSubmoduleName(base.text, imports);
  }
  return undefined;
}

/** A class of the file (at module level or nested in a class body). Its tree nodes are looked up on first use. */
export interface ClassNode {
  name: string;
  readonly node: Node;
  readonly bases: Node[];
  readonly body: Node | null;
  baseRefs: BaseRef[];
  nestedIn: ClassNode | undefined;
}

function definitionOf(statement: Node | null | undefined): Node {
  const definition = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
  if (definition?.type !== 'class_definition') throw new Error('class statement not found in the tree');
  return definition;
}

/** A ClassNode whose nodes come from the current tree only when a feature asks for them (diagnostics, hover). */
class TreeClass implements ClassNode {
  private found: Node | undefined;
  private foundBody: Node | null | undefined;
  private foundBases: Node[] | undefined;
  private bodyChildren: (Node | null)[] | undefined;

  constructor(
    readonly name: string,
    readonly baseRefs: BaseRef[],
    readonly nestedIn: TreeClass | undefined,
    /** The statement that holds the class: the index among the module's children, or among its enclosing class body's. */
    private readonly statement: () => Node | null | undefined,
    readonly facts: ClassFacts,
    /** Row of the module-level statement the class is in: the facts' rows are relative to it. */
    readonly origin: number,
  ) {}

  get node(): Node {
    return (this.found ??= definitionOf(this.statement()));
  }

  get body(): Node | null {
    if (this.foundBody === undefined) this.foundBody = this.node.childForFieldName('body');
    return this.foundBody;
  }

  get bases(): Node[] {
    this.foundBases ??= (this.node.childForFieldName('superclasses')?.namedChildren ?? []).filter((b): b is Node => !!b && b.type !== 'keyword_argument');
    return this.foundBases;
  }

  /** The statement at `index` in this class's body. */
  bodyStatement(index: number): Node | null | undefined {
    this.bodyChildren ??= this.body?.children ?? [];
    return this.bodyChildren[index];
  }
}

/** What kind of locust class each class of the file is, following base chains inside the file and into the project's modules. */
function classifyClasses(classes: ClassNode[], imports: Imports, project: (base: string) => ProjectClass | undefined): Map<ClassNode, LocustName> {
  const kinds = new Map<ClassNode, LocustName>();
  const byName = new Map(classes.map((c) => [c.name, c]));
  let changed = true;
  while (changed) {
    changed = false;
    for (const cls of classes) {
      if (kinds.has(cls)) continue;
      for (const base of cls.baseRefs) {
        const direct = resolveBase(base, imports);
        const inherited = base.type === 'identifier' ? byName.get(base.text) : undefined;
        const kind = direct ?? (inherited ? kinds.get(inherited) : project(base.text)?.kind);
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

/** The value of a plain string literal (`"…"`, `'…'`, `r"…"`): what Python reads, escapes decoded. */
export function stringValue(node: Node | undefined): string | null {
  if (node?.type !== 'string') return null;
  const parts = node.namedChildren;
  const content = parts.filter((c) => c?.type === 'string_content').map((c) => c?.text ?? '').join('');
  const prefix = parts.find((c) => c?.type === 'string_start')?.text ?? '';
  // Raw strings keep their backslashes; f-strings and bytes are left as they were read before.
  return /[rRfFbB]/.test(prefix) ? content : decodeContent(content, false).value;
}

export function intValue(node: Node | null | undefined): number | null {
  if (node?.type !== 'integer') return null;
  const value = Number(node.text.replace(/_/g, ''));
  return Number.isSafeInteger(value) ? value : null;
}

/** What the decorators of one definition say: `@task`, `@task(3)`, `@task(weight=3)`, `@tag('a', 'b')`, `@events.init.add_listener`. */
interface DecoratorFacts {
  isTask: boolean;
  weight: number;
  /** `@task(<expression>)`: the weight is worked out with the file's constants (rows relative to the statement). */
  weightExpr?: Expr;
  tags: string[];
  /** The events it is added to as a listener. */
  listenedTo: string[];
  /** The entries of each `@transition` / `@transitions`, top decorator first; ranges in the document's rows. Undefined: none. */
  transitions?: MarkovTransition[][];
}

function noDecorators(): DecoratorFacts {
  return { isTask: false, weight: 1, tags: [], listenedTo: [] };
}

/** An integer literal, negative ones included (`-1`): Locust takes any int as a transition's weight. */
function signedIntValue(node: Node | null | undefined): number | null {
  if (node?.type === 'unary_operator' && node.childForFieldName('operator')?.text === '-') {
    const value = intValue(node.childForFieldName('argument'));
    return value === null ? null : -value;
  }
  return intValue(node);
}

/** One transition entry: the target's string node and its weight node (none: Locust's default of 1). */
function transitionEntry(target: Node | null | undefined, weight: Node | null | undefined): MarkovTransition | undefined {
  const to = stringValue(target ?? undefined);
  if (to === null || !target) return undefined;
  return { to, weight: weight ? signedIntValue(weight) : 1, range: rangeOf(target), weightRange: weight ? rangeOf(weight) : null };
}

/** The entries of `@transition("to", weight)` or `@transitions({...} | [...])`, from the call's arguments. */
function transitionEntries(name: 'transition' | 'transitions', args: Node[]): MarkovTransition[] {
  const positional = args.filter((a) => a.type !== 'keyword_argument');
  const keyword = (key: string) => args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === key)?.childForFieldName('value');
  if (name === 'transition') {
    const entry = transitionEntry(positional[0] ?? keyword('func_name'), positional[1] ?? keyword('weight'));
    return entry ? [entry] : [];
  }
  const weights = positional[0] ?? keyword('weights');
  const entries: (MarkovTransition | undefined)[] = [];
  for (const item of weights?.namedChildren ?? []) {
    if (!item) continue;
    if (weights?.type === 'dictionary' && item.type === 'pair') entries.push(transitionEntry(item.childForFieldName('key'), item.childForFieldName('value')));
    else if (weights?.type === 'list' && item.type === 'tuple') {
      const [target, weight] = item.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
      entries.push(transitionEntry(target, weight));
    } else if (weights?.type === 'list' && item.type === 'string') entries.push(transitionEntry(item, null));
  }
  return entries.filter((e): e is MarkovTransition => !!e);
}

/**
 * A state's transitions as Locust keeps them: decorators apply from the bottom up into one dict, so a later entry (or a decorator
 * above) replaces an earlier one's weight. Listed in the order written.
 */
function mergeTransitions(decorators: MarkovTransition[][]): MarkovTransition[] {
  const byTarget = new Map<string, MarkovTransition>();
  for (const entries of [...decorators].reverse()) for (const entry of entries) byTarget.set(entry.to, entry);
  const before = (a: MarkovTransition, b: MarkovTransition) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
  return [...byTarget.values()].sort(before);
}

/** The event of `events.<event>.add_listener` (or `locust.events.<event>.add_listener`), with `events` imported from locust. */
function listenerEvent(dotted: string, imports: Imports): string | undefined {
  const parts = dotted.split('.');
  if (parts.length < 3 || parts.at(-1) !== 'add_listener') return undefined;
  const owner = parts.slice(0, -2);
  const isEvents =
    owner.length === 1 ? imports.names.get(owner[0]!) === 'events' : imports.modules.has(owner[0]!) && owner.at(-1) === 'events';
  return isEvents ? parts.at(-2) : undefined;
}

/** Adds what one `decorator` node says to `facts`. */
function readDecorator(decorator: Node, imports: Imports, facts: DecoratorFacts, origin: number): void {
  const expr = decorator.namedChildren[0];
  if (!expr) return;
  if (expr.type === 'attribute') {
    const event = listenerEvent(expr.text.replace(/\s+/g, ''), imports);
    if (event) facts.listenedTo.push(event);
  }
  const callee = expr.type === 'call' ? expr.childForFieldName('function') : expr;
  const name = callee ? resolveLocustName(callee, imports) : undefined;
  const args = expr.type === 'call' ? (expr.childForFieldName('arguments')?.namedChildren ?? []) : [];
  if (name === 'transition' || name === 'transitions') {
    (facts.transitions ??= []).push(transitionEntries(name, args.filter((a): a is Node => !!a && a.type !== 'comment')));
  } else if (name === 'task') {
    // Decorators apply from the bottom up, so the topmost `@task` sets the weight Locust sees.
    if (facts.isTask) return;
    facts.isTask = true;
    for (const arg of args) {
      if (!arg || arg.type === 'comment') continue;
      const isWeight = arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'weight';
      if (arg.type === 'keyword_argument' && !isWeight) continue;
      const value = isWeight ? arg.childForFieldName('value') : arg;
      const literal = intValue(value);
      if (literal !== null) facts.weight = literal;
      else if (value) facts.weightExpr = exprOf(value, origin);
    }
  } else if (name === 'tag') {
    for (const arg of args) {
      const value = arg ? stringValue(arg) : null;
      if (value !== null) facts.tags.push(value);
    }
  }
}

const SIMPLE_DECORATOR = /^@([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(?:\(([^()#\\\r\0]*)\))?$/;
const SIMPLE_ARGUMENT = /[ \t\n]*(?:([0-9]+)|weight[ \t\n]*=[ \t\n]*([0-9]+)|"([^"\\\n\r\0]*)"|'([^'\\\n\r\0]*)')[ \t\n]*(,|$)/y;

/**
 * The common decorators read from their text alone (`@task`, `@task(3)`, `@task(weight=3)`, `@tag("a", 'b')`,
 * `@events.init.add_listener`), which saves creating their nodes. Anything else (comments, escapes, expressions)
 * returns false and is read from the tree.
 */
function readSimpleDecorator(text: string, imports: Imports, facts: DecoratorFacts): boolean {
  const match = SIMPLE_DECORATOR.exec(text);
  if (!match) return false;
  const dotted = match[1]!;
  const parts = dotted.split('.');
  const last = parts.at(-1)!;
  if (last === 'add_listener' && match[2] === undefined) {
    const event = listenerEvent(dotted, imports);
    if (event) facts.listenedTo.push(event);
    return true;
  }
  const name =
    parts.length === 1 ? imports.names.get(dotted) : imports.modules.has(parts[0]!) && LOCUST_NAMES.has(last) ? (last as LocustName) : undefined;
  // Transitions are rare and varied (dicts, lists of tuples): read from the tree.
  if (name === 'transition' || name === 'transitions') return false;
  if (name !== 'task' && name !== 'tag') return true;
  const args: { integer?: string; weight?: string; string?: string }[] = [];
  const list = match[2];
  if (list !== undefined && /[^ \t\n]/.test(list)) {
    SIMPLE_ARGUMENT.lastIndex = 0;
    for (;;) {
      const arg = SIMPLE_ARGUMENT.exec(list);
      if (!arg) return false;
      args.push({ integer: arg[1], weight: arg[2], string: arg[3] ?? arg[4] });
      if (arg[5] !== ',') break;
      // A trailing comma: `@tag("a",)`.
      if (!/[^ \t\n]/.test(list.slice(SIMPLE_ARGUMENT.lastIndex))) break;
    }
    if (SIMPLE_ARGUMENT.lastIndex !== list.length && /[^ \t\n,]/.test(list.slice(SIMPLE_ARGUMENT.lastIndex))) return false;
  }
  const number = (digits: string) => {
    const value = Number(digits);
    return Number.isSafeInteger(value) ? value : null;
  };
  if (name === 'task') {
    if (facts.isTask) return true;
    facts.isTask = true;
    for (const arg of args) {
      const digits = arg.weight ?? arg.integer;
      if (digits !== undefined) facts.weight = number(digits) ?? facts.weight;
    }
  } else {
    for (const arg of args) if (arg.string !== undefined) facts.tags.push(arg.string);
  }
  return true;
}

const CLASS_HEADER = /^class[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?:\(([^()#\\\n\r\0]*)\))?[ \t]*:/;
const DOTTED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** `class Name(Base, module.Base):` read from its text; undefined for anything else (keywords, comments, generics…). */
function simpleClassHeader(text: string): { name: string; bases: BaseRef[] } | undefined {
  const match = CLASS_HEADER.exec(text);
  if (!match) return undefined;
  const bases: BaseRef[] = [];
  const written = (match[2] ?? '').split(',').map((base) => base.replace(/^[ \t]+|[ \t]+$/g, ''));
  for (const [at, base] of written.entries()) {
    if (base === '' && at === written.length - 1) continue;
    if (!DOTTED_NAME.test(base)) return undefined;
    const last = base.lastIndexOf('.');
    bases.push(last < 0 ? { type: 'identifier', text: base, attribute: '' } : { type: 'attribute', text: base, attribute: base.slice(last + 1) });
  }
  return { name: match[1]!, bases };
}

/** Calls `visit` with the cursor on each child of its node in turn (`false` stops), then puts the cursor back on the node. */
function eachChild(cursor: TreeCursor, visit: (index: number) => boolean | void): void {
  if (!cursor.gotoFirstChild()) return;
  let index = 0;
  do {
    if (visit(index++) === false) break;
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
}

/** A task as read from a class body; a `tasks = [...]` entry takes the tags of the module-level function it names. */
interface TaskRead {
  name: string;
  weight: number;
  /** The weight as an expression, when it is not an integer literal (`@task(WEIGHTS["read"])`). */
  weightExpr?: Expr;
  tags: string[];
  range: SourceRange;
  tagsFromModule: boolean;
}

/**
 * The attributes a class body sets, which subclasses inherit: a missing key is not set in this body (look in the bases), null
 * is set to something that is not a literal the model reads. Ranges are relative, like the class's.
 */
interface OwnAttributes {
  host?: string | null;
  /** As written: evaluated with the file's constants when the model is built. */
  weight?: Expr;
  fixedCount?: Expr;
  waitTime?: WaitTimeInfo;
  onStart?: SourceRange;
  onStop?: SourceRange;
  tick?: true;
}

/** What a class's own body says, independent of where the class sits in the file. */
interface ClassBody {
  /** The `@task` methods (and `@task` nested classes). */
  tasks: TaskRead[];
  /** `tasks = ...` as written: a list, tuple, set or dict, a name bound to one, `Other.tasks + [...]`… */
  declared?: Expr;
  /** The class body's other `name = value` assignments, which `tasks` and weights may use. */
  locals?: Record<string, Expr>;
  /** Methods decorated with `@transition(s)`, in order: the states, should the class be a MarkovTaskSet. Ranges relative. */
  states: MarkovState[];
  /** Not inherited: Locust sets `abstract = False` on every class that does not say otherwise. */
  abstract: boolean;
  own: OwnAttributes;
}

/** What one class statement says, with rows relative to the module-level statement it is in. */
interface ClassFacts {
  name: string;
  bases: BaseRef[];
  /** Index of the class's statement among the children of the module or of the enclosing class body. */
  index: number;
  /** `@tag(...)` on the class: a TaskSet passes them on to its tasks. */
  tags: string[];
  range: SourceRange;
  body: ClassBody;
  nested: ClassFacts[];
}

/** What a module-level statement contributes to the model: a class (with the classes nested in it), a tagged function, event listeners. */
interface StatementFacts {
  cls?: ClassFacts;
  taggedFunction?: { name: string; tags: string[] };
  /** A module-level function pytest collects as a test (range relative, like a class's). */
  testFunction?: TestFunctionInfo;
  /** Ranges relative to the statement, like a class's. */
  listeners?: EventListenerInfo[];
  /** The requests made anywhere in the statement (a class's methods, a task function), relative ranges too. */
  requests?: RequestSite[];
  /** A `THRESHOLDS = [...]` statement. */
  thresholds?: ThresholdsRead;
  /** `NAME = value` (or `NAME += value`, as `NAME + value`): a name weights and `tasks` may use; `line` relative. */
  constant?: { name: string; value: Expr; line: number };
  /** An `if`, `try` or `with` statement: the statements of its blocks that Locust may run when it imports the file. */
  compound?: CompoundFacts;
  /** `Owner.host = value` at module level: `owner` as written, `host` null unless a plain string. */
  classHost?: { owner: string; host: string | null };
}

/** A statement inside a compound statement: the child indexes that lead to it, and what it says. */
interface InnerStatement {
  path: number[];
  facts: StatementFacts;
}

/**
 * The blocks of an `if` (one branch each, `condition` null for `else`: the first whose condition holds runs), or of a `try`
 * (its body, `else` and `finally`, assumed to run without an exception) or a `with` (its body): `always`.
 */
interface CompoundFacts {
  kind: 'if' | 'always';
  branches: { condition: Expr | null; statements: InnerStatement[] }[];
}

function shiftRange(range: SourceRange, rows: number): SourceRange {
  return { start: { line: range.start.line + rows, character: range.start.character }, end: { line: range.end.line + rows, character: range.end.character } };
}

/** The class-body assignments the model reads. */
const MODEL_ATTRIBUTES = new Set(['abstract', 'host', 'weight', 'fixed_count', 'tasks', 'wait_time']);
/** A statement that may assign a name (one of them, or a name that `tasks` or a weight may use) starts with it. */
const ASSIGNMENT_START = /^[A-Za-z_][A-Za-z0-9_]*[ \t]*(?::[^=\n]*)?=(?!=)/;
/** `wait_time = <simple call>` on one line: the value's text. */
const SIMPLE_WAIT_TIME = /^wait_time[ \t]*=[ \t]*([^\n\r#;]*[^ \t\n\r#;])[ \t]*$/;
/** A module-level statement that may add an event listener with a call (`events.init.add_listener(on_init)`). */
const LISTENER_CALL_START = /^[A-Za-z_][A-Za-z0-9_.]*\.add_listener[ \t]*\(/;
/** `NAME += value` and the other augmented assignments. */
const AUGMENTED_ASSIGNMENT_START = /^[A-Za-z_][A-Za-z0-9_]*[ \t]*(?:[-+*%&|^@]|\/\/?|\*\*|<<|>>)=/;
/** `SomeUser.host = …` (or `FastHttpUser.host`, `locust.HttpUser.host`): a class's host set after its body, at module level. */
const CLASS_HOST_START = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\.host[ \t]*=(?!=)/;
/** The module-level expression statements the model reads: listener calls, `THRESHOLDS = ...`, other assignments (constants), class hosts. */
const EXPRESSION_STATEMENT_READ = new RegExp(
  `${LISTENER_CALL_START.source}|${THRESHOLDS_STATEMENT.source}|${ASSIGNMENT_START.source}|${AUGMENTED_ASSIGNMENT_START.source}|${CLASS_HOST_START.source}`,
);
/** Module-level compound statements whose blocks may define classes and constants Locust sees. */
const COMPOUND_STATEMENTS = new Set(['if_statement', 'try_statement', 'with_statement']);

/** The kind of wait time a callee names (`between`, `locust.constant`…). */
function waitTimeKind(callee: string, imports: Imports): WaitTimeInfo['kind'] {
  const parts = callee.split('.');
  const name = parts.length === 1 ? imports.names.get(callee) : imports.modules.has(parts[0]!) ? parts.at(-1) : undefined;
  return isWaitTimeFunction(name) ? name : 'other';
}

/** The wait time an assignment's value sets, read from the tree. */
function waitTimeOf(value: Node, imports: Imports, range: SourceRange): WaitTimeInfo {
  const callee = value.type === 'call' ? value.childForFieldName('function') : null;
  const kind = callee && (callee.type === 'identifier' || callee.type === 'attribute') ? waitTimeKind(callee.text.replace(/\s+/g, ''), imports) : 'other';
  if (kind === 'other') return { kind, args: null, range };
  const args: ArgumentText[] = [];
  for (const arg of value.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!arg || arg.type === 'comment') continue;
    if (arg.type === 'keyword_argument') args.push({ keyword: arg.childForFieldName('name')?.text ?? '', value: arg.childForFieldName('value')?.text ?? '' });
    else args.push({ value: arg.text });
  }
  return { kind, args: waitTimeArguments(kind, args), range };
}

/** pytest's default rule (`python_functions = test`): a module-level function whose name starts with `test` is a test. */
const PYTEST_FUNCTION = /^test/;
/** A function definition pytest may collect, from its text. */
const PYTEST_DEF = /^(?:async[ \t]+)?def[ \t]+test/;
/** The first line of a function definition with a plain (ASCII) name. */
const DEF_LINE = /^(?:async[ \t]+)?def[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(/;

/**
 * Reads module-level statements from a tree cursor, creating nodes only where a value must be read from the tree
 * (the assignments the model reads, unusual decorators): each node object costs a trip into the wasm parser.
 */
class StatementReader {
  /** The statement has no syntax error: its text can be read directly where that is simpler than the tree. */
  plain = true;

  constructor(
    private readonly cursor: TreeCursor,
    private readonly source: string,
    private readonly imports: Imports,
  ) {}

  private text(): string {
    return this.source.slice(this.cursor.startIndex, this.cursor.endIndex);
  }

  /** The text of the first child in `field`, or undefined. */
  private fieldText(field: string): string | undefined {
    let found: string | undefined;
    eachChild(this.cursor, () => {
      if (this.cursor.currentFieldName !== field) return;
      found = this.text();
      return false;
    });
    return found;
  }

  /** The range of the node under the cursor, rows relative to `origin`. */
  private range(origin: number): SourceRange {
    const start = this.cursor.startPosition;
    const end = this.cursor.endPosition;
    return { start: { line: start.row - origin, character: start.column }, end: { line: end.row - origin, character: end.column } };
  }

  /** Row of the module-level statement being read: what the ranges in expressions are relative to. */
  private origin = 0;

  private decorator(facts: DecoratorFacts): void {
    if (!this.plain || !readSimpleDecorator(this.text(), this.imports, facts)) readDecorator(this.cursor.currentNode, this.imports, facts, this.origin);
  }

  /** The statement under the cursor, at `index` among the module's children and starting at row `origin`. */
  statement(index: number, origin: number): StatementFacts {
    this.origin = origin;
    const type = this.cursor.nodeType;
    if (type === 'expression_statement') {
      const text = this.text();
      if (THRESHOLDS_STATEMENT.test(text)) {
        const thresholds = readThresholds(this.cursor.currentNode, this.source, origin);
        return thresholds ? { thresholds } : {};
      }
      if (ASSIGNMENT_START.test(text) || AUGMENTED_ASSIGNMENT_START.test(text)) return this.constant(origin);
      if (CLASS_HOST_START.test(text)) return this.classHost();
      return this.listenerCall(origin);
    }
    if (COMPOUND_STATEMENTS.has(type)) {
      const facts: StatementFacts = { compound: this.compound(origin, []) };
      const text = this.text();
      if (mayMakeRequests(text)) facts.requests = requestSitesIn(this.cursor.currentNode, text, this.source, origin);
      return facts;
    }
    const facts = this.definition(index, origin);
    // After the definition was read: reading it moves the cursor, and brings it back.
    const text = this.text();
    if (mayMakeRequests(text)) facts.requests = requestSitesIn(this.cursor.currentNode, text, this.source, origin);
    return facts;
  }

  /** A module-level function pytest collects as a test, under the cursor; the whole statement's range (decorators included). */
  private testFunction(range: SourceRange): TestFunctionInfo | undefined {
    const definition = this.cursor.currentNode;
    const name = definition.childForFieldName('name')?.text ?? '';
    if (!PYTEST_FUNCTION.test(name)) return undefined;
    const fixtures = (definition.childForFieldName('parameters')?.namedChildren ?? []).flatMap((parameter) => {
      if (parameter?.type === 'identifier') return [parameter.text];
      const named = parameter?.type === 'typed_parameter' ? parameter.namedChildren.find((c) => c?.type === 'identifier') : parameter?.childForFieldName('name');
      return named ? [named.text] : [];
    });
    return { name, fixtures, range };
  }

  /** A class or function definition, decorated or not. */
  private definition(index: number, origin: number): StatementFacts {
    const type = this.cursor.nodeType;
    if (type === 'class_definition') return { cls: this.classDefinition(index, origin, []) };
    if (type === 'function_definition') {
      const testFunction = this.testFunction(this.range(origin));
      return testFunction ? { testFunction } : {};
    }
    if (type !== 'decorated_definition') return {};
    const decorators = noDecorators();
    const range = this.range(origin);
    let result: StatementFacts = {};
    let seen = false;
    eachChild(this.cursor, () => {
      const childType = this.cursor.nodeType;
      if (childType === 'decorator') this.decorator(decorators);
      else if (!seen && this.cursor.currentFieldName === 'definition') {
        seen = true;
        if (childType === 'class_definition') result = { cls: this.classDefinition(index, origin, decorators.tags) };
        else if (childType === 'function_definition') {
          const name = this.fieldText('name');
          if (name && decorators.tags.length > 0) result = { taggedFunction: { name, tags: decorators.tags } };
          const testFunction = this.testFunction(range);
          if (testFunction) result.testFunction = testFunction;
          if (decorators.listenedTo.length > 0) result.listeners = decorators.listenedTo.map((event) => ({ event, function: name ?? null, range }));
        }
      }
    });
    return result;
  }

  /** `Owner.host = value` under the cursor (an expression statement): the host Locust finds on `Owner` after the import. */
  private classHost(): StatementFacts {
    const assignment = this.cursor.currentNode.namedChildren[0];
    const left = assignment?.childForFieldName('left');
    const right = assignment?.childForFieldName('right');
    const owner = left?.childForFieldName('object');
    if (assignment?.type !== 'assignment' || left?.type !== 'attribute' || !owner || !right || right.type === 'assignment') return {};
    return { classHost: { owner: owner.text, host: stringValue(right) } };
  }

  /** `NAME = value` or `NAME += value` under the cursor (an expression statement). */
  private constant(origin: number): StatementFacts {
    const assignment = this.cursor.currentNode.namedChildren[0];
    const left = assignment?.childForFieldName('left');
    const right = assignment?.childForFieldName('right');
    if (!assignment || left?.type !== 'identifier' || !right) return {};
    const line = assignment.startPosition.row - origin;
    let value = exprOf(right, origin);
    if (assignment.type === 'augmented_assignment') {
      const op = (assignment.childForFieldName('operator')?.text ?? '').slice(0, -1);
      value = { k: 'bin', op, a: { k: 'name', n: left.text, r: value.r }, b: value, t: assignment.text, r: value.r };
    } else if (assignment.type !== 'assignment' || right.type === 'assignment') return {};
    return { constant: { name: left.text, value, line } };
  }

  /** The `if`, `try` or `with` statement under the cursor, `path` the child indexes leading to it from the module-level statement. */
  private compound(origin: number, path: number[]): CompoundFacts {
    const cursor = this.cursor;
    const type = cursor.nodeType;
    const facts: CompoundFacts = { kind: type === 'if_statement' ? 'if' : 'always', branches: [] };
    const always: InnerStatement[] = [];
    if (facts.kind === 'always') facts.branches.push({ condition: null, statements: always });
    eachChild(cursor, (i) => {
      const field = cursor.currentFieldName;
      const childType = cursor.nodeType;
      if (type === 'if_statement') {
        if (field === 'condition') facts.branches.push({ condition: exprOf(cursor.currentNode, origin), statements: [] });
        else if (field === 'consequence') this.block([...path, i], origin, facts.branches.at(-1)?.statements ?? []);
        else if (childType === 'elif_clause' || childType === 'else_clause') {
          const branch = { condition: null as Expr | null, statements: [] as InnerStatement[] };
          facts.branches.push(branch);
          eachChild(cursor, (j) => {
            const inner = cursor.currentFieldName;
            if (inner === 'condition') branch.condition = exprOf(cursor.currentNode, origin);
            else if (inner === 'consequence' || inner === 'body') this.block([...path, i, j], origin, branch.statements);
          });
        }
      } else if (field === 'body') this.block([...path, i], origin, always);
      else if (childType === 'else_clause' || childType === 'finally_clause') {
        eachChild(cursor, (j) => {
          if (cursor.nodeType === 'block') this.block([...path, i, j], origin, always);
        });
      }
    });
    return facts;
  }

  /** The statements of the block under the cursor that the model reads: classes, constants, compound statements. */
  private block(path: number[], origin: number, out: InnerStatement[]): void {
    eachChild(this.cursor, (k) => {
      const type = this.cursor.nodeType;
      const at = [...path, k];
      if (type === 'class_definition' || type === 'decorated_definition') {
        const facts = this.definition(k, origin);
        if (facts.cls) out.push({ path: at, facts: { cls: facts.cls } });
      } else if (type === 'expression_statement') {
        const text = this.text();
        if (ASSIGNMENT_START.test(text) || AUGMENTED_ASSIGNMENT_START.test(text)) {
          const facts = this.constant(origin);
          if (facts.constant) out.push({ path: at, facts });
        }
      } else if (COMPOUND_STATEMENTS.has(type)) out.push({ path: at, facts: { compound: this.compound(origin, at) } });
    });
  }

  /** `events.init.add_listener(on_init)` at module level, read from the tree (it is rare). */
  private listenerCall(origin: number): StatementFacts {
    const call = this.cursor.currentNode.namedChildren[0];
    const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
    const event = callee?.type === 'attribute' ? listenerEvent(callee.text.replace(/\s+/g, ''), this.imports) : undefined;
    if (!call || !event) return {};
    const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a && a.type !== 'comment');
    const fn = args.length === 1 && args[0]?.type === 'identifier' ? args[0].text : null;
    return { listeners: [{ event, function: fn, range: this.range(origin) }] };
  }

  /** `wait_time = between(1, 2)` (or another simple value) read from the statement's text; false, having changed nothing, for anything else. */
  private simpleWaitTime(text: string, origin: number, own: OwnAttributes, assignments: Map<string, Node>): boolean {
    const value = SIMPLE_WAIT_TIME.exec(text)?.[1];
    if (value === undefined) return false;
    const call = simpleCall(value);
    if (!call && !DOTTED_NAME.test(value)) return false;
    const kind = call ? waitTimeKind(call.callee, this.imports) : 'other';
    assignments.delete('wait_time');
    own.waitTime = { kind, args: call && kind !== 'other' ? waitTimeArguments(kind, call.args) : null, range: this.range(origin) };
    return true;
  }

  /** A method defined in a class body (the cursor on its definition, decorated or not): the ones the model reads. */
  private method(name: string | undefined, origin: number, own: OwnAttributes, assignments: Map<string, Node>): void {
    switch (name) {
      case 'tick':
        own.tick = true;
        break;
      case 'on_start':
        own.onStart = this.range(origin);
        break;
      case 'on_stop':
        own.onStop = this.range(origin);
        break;
      case 'wait_time':
        // A later definition replaces an earlier assignment, as in Python.
        assignments.delete('wait_time');
        own.waitTime = { kind: 'other', args: null, range: this.range(origin) };
        break;
    }
  }

  /** The class_definition under the cursor and the classes nested in its body, in one pass over the body. */
  private classDefinition(index: number, origin: number, tags: string[]): ClassFacts | undefined {
    const cursor = this.cursor;
    const start = cursor.startPosition;
    const end = cursor.endPosition;
    let name: string | undefined;
    let superclasses = false;
    let block = false;
    const bases: BaseRef[] = [];
    const body: ClassBody = { tasks: [], states: [], abstract: false, own: {} };
    const nested: ClassFacts[] = [];
    const assignments = new Map<string, Node>();
    const header = this.plain ? simpleClassHeader(this.text()) : undefined;
    if (header) {
      name = header.name;
      superclasses = true;
      bases.push(...header.bases);
      // The body is a class's last child.
      if (cursor.gotoLastChild()) {
        if (cursor.currentFieldName === 'body') {
          block = true;
          eachChild(cursor, (position) => this.bodyStatement(position, origin, body, nested, assignments));
        }
        cursor.gotoParent();
      }
    }
    if (!block) eachChild(cursor, () => {
      const field = cursor.currentFieldName;
      if (field === 'name' && name === undefined) name = this.text();
      else if (field === 'superclasses' && !superclasses) {
        superclasses = true;
        eachChild(cursor, () => {
          if (!cursor.nodeIsNamed) return;
          const type = cursor.nodeType;
          if (type === 'keyword_argument') return;
          bases.push({ type, text: this.text(), attribute: type === 'attribute' ? (this.fieldText('attribute') ?? '') : '' });
        });
      } else if (field === 'body' && !block) {
        block = true;
        eachChild(cursor, (position) => this.bodyStatement(position, origin, body, nested, assignments));
      }
    });
    if (!name) return undefined;
    const declared = assignments.get('tasks');
    if (declared) body.declared = exprOf(declared, origin);
    body.abstract = assignments.get('abstract')?.type === 'true';
    const own = body.own;
    if (assignments.has('host')) own.host = stringValue(assignments.get('host'));
    const weight = assignments.get('weight');
    if (weight) own.weight = exprOf(weight, origin);
    const fixedCount = assignments.get('fixed_count');
    if (fixedCount) own.fixedCount = exprOf(fixedCount, origin);
    for (const [local, value] of assignments) if (!MODEL_ATTRIBUTES.has(local)) (body.locals ??= {})[local] = exprOf(value, origin);
    const wait = assignments.get('wait_time');
    if (wait) own.waitTime = waitTimeOf(wait, this.imports, shiftRange(rangeOf(wait.parent ?? wait), -origin));
    const range = { start: { line: start.row - origin, character: start.column }, end: { line: end.row - origin, character: end.column } };
    return { name, bases, index, tags, range, body, nested };
  }

  /**
   * A decorated method whose decorators are all simple one-line ones, read from its text: the decorators, then the
   * `def` line. Returns false, having changed nothing, for anything else.
   */
  private simpleDecoratedMethod(origin: number, body: ClassBody, assignments: Map<string, Node>): boolean {
    const text = this.text();
    const decorators = noDecorators();
    // Line by line up to the `def` line only: the body can be long.
    for (let from = 0; from <= text.length; ) {
      const lineEnd = text.indexOf('\n', from);
      const raw = text.slice(from, lineEnd < 0 ? text.length : lineEnd);
      const line = (from === 0 ? raw : raw.replace(/^[ \t]+/, '')).replace(/\r$/, '');
      from = lineEnd < 0 ? text.length + 1 : lineEnd + 1;
      if (line.startsWith('@')) {
        if (!readSimpleDecorator(line, this.imports, decorators)) return false;
        continue;
      }
      const def = DEF_LINE.exec(line);
      if (!def) return false;
      const fn = def[1]!;
      this.method(fn, origin, body.own, assignments);
      if (decorators.isTask) body.tasks.push({ name: fn, weight: decorators.weight, tags: decorators.tags, range: this.range(origin), tagsFromModule: false });
      return true;
    }
    return false;
  }

  /** One statement of a class body (under the cursor, at `position` in the body). */
  private bodyStatement(position: number, origin: number, body: ClassBody, nested: ClassFacts[], assignments: Map<string, Node>): void {
    const cursor = this.cursor;
    switch (cursor.nodeType) {
      case 'expression_statement': {
        // Only assignments to the attributes the model reads are looked into.
        if (this.plain) {
          const text = this.text();
          if (!ASSIGNMENT_START.test(text)) break;
          if (this.simpleWaitTime(text, origin, body.own, assignments)) break;
        }
        eachChild(cursor, () => {
          if (!cursor.nodeIsNamed) return;
          if (cursor.nodeType === 'assignment') {
            let left: string | undefined;
            let right = false;
            eachChild(cursor, () => {
              const field = cursor.currentFieldName;
              if (field === 'left' && left === undefined) left = cursor.nodeType === 'identifier' ? this.text() : '';
              else if (field === 'right' && !right) {
                right = true;
                if (left) {
                  assignments.set(left, cursor.currentNode);
                  if (left === 'wait_time') delete body.own.waitTime;
                }
              }
            });
          }
          return false;
        });
        break;
      }
      case 'class_definition': {
        const cls = this.classDefinition(position, origin, []);
        if (cls) nested.push(cls);
        break;
      }
      case 'function_definition':
        this.method((this.plain ? DEF_LINE.exec(this.text())?.[1] : undefined) ?? this.fieldText('name'), origin, body.own, assignments);
        break;
      case 'decorated_definition': {
        if (this.plain && this.simpleDecoratedMethod(origin, body, assignments)) break;
        const decorators = noDecorators();
        let definition: string | undefined;
        let fn: string | undefined;
        eachChild(cursor, () => {
          const type = cursor.nodeType;
          if (type === 'decorator') this.decorator(decorators);
          else if (definition === undefined && cursor.currentFieldName === 'definition') {
            definition = type;
            if (type === 'function_definition') fn = this.fieldText('name');
            else if (type === 'class_definition') {
              const cls = this.classDefinition(position, origin, decorators.tags);
              if (cls) nested.push(cls);
              fn = cls?.name;
            }
          }
        });
        if (definition === 'class_definition') {
          // `@task(n)` on a nested class (a TaskSet) makes it a task of this class; its `@tag`s go to its own tasks.
          if (decorators.isTask && fn) body.tasks.push({ name: fn, weight: decorators.weight, ...(decorators.weightExpr && { weightExpr: decorators.weightExpr }), tags: [], range: this.range(origin), tagsFromModule: false });
          break;
        }
        if (definition !== 'function_definition') break;
        if (fn) this.method(fn, origin, body.own, assignments);
        if (fn && decorators.transitions) {
          const shift = (range: SourceRange) => shiftRange(range, -origin);
          const transitions = mergeTransitions(decorators.transitions).map((t) => ({ ...t, range: shift(t.range), weightRange: t.weightRange && shift(t.weightRange) }));
          body.states.push({ name: fn, range: this.range(origin), transitions });
        }
        if (decorators.isTask && fn) body.tasks.push({ name: fn, weight: decorators.weight, ...(decorators.weightExpr && { weightExpr: decorators.weightExpr }), tags: decorators.tags, range: this.range(origin), tagsFromModule: false });
        break;
      }
    }
  }
}

/** The node `path` (child indexes) leads to from `node`. */
function pathNode(node: Node | null | undefined, path: number[]): Node | null | undefined {
  let at = node;
  for (const index of path) at = at?.children[index];
  return at;
}

/** What the model was built from, kept for the features that need the tree (diagnostics, hover). */
export interface LocustfileFacts {
  /** The document's text as the tree indexes it (see sourceOf): read once per analysis, for every feature. */
  source: string;
  imports: Imports;
  classes: ClassNode[];
  kinds: Map<ClassNode, LocustName>;
  /** The class a base expression names inside this file (`class B(A)` → A's ClassNode). */
  classNamed: Map<string, ClassNode>;
  /** Elements of THRESHOLDS (or its value) that are not string literals, for the diagnostics. */
  thresholdProblems: ThresholdProblem[];
  /** What the project modules it imports were when it was read ('' when it imports none, or nothing resolves them). */
  projectSignature: string;
  /** Classes whose bases include a Locust class of another project module: what they inherit from there is read, not seen. */
  projectDerived: Set<ClassNode>;
}

/** The model of one document. Tolerant of syntax errors: whatever parsed is kept. */
export function buildModel(tree: Tree, uri: string, version: number): LocustfileModel {
  return analyzeTree(tree, uri, version).model;
}

/** A module-level statement read in an earlier analysis, at its offsets in the current text. */
interface KnownStatement {
  type: string;
  start: number;
  end: number;
  column: number;
  facts: StatementFacts;
}

/**
 * Reuses the reading of module-level statements across versions of one document. The document reports each
 * edit (`edit`), so a statement no edit touched is known to have the same text: when the new tree has a statement
 * of the same type at its shifted offsets, it is not read again, only moved to its new row. With the incremental
 * re-parse, this is what keeps an edit → new lenses cheap on a large file.
 */
/** A module-level statement as one analysis read it: where it starts, and what it says. */
interface ReadStatement {
  type: string;
  row: number;
  column: number;
  facts: StatementFacts;
}

/** The last model built in full, with what it was built from. */
interface LastAnalysis {
  context: string;
  read: ReadStatement[];
  model: LocustfileModel;
  /** The kind of each class, in the order of `classes`. */
  kinds: (LocustName | undefined)[];
}

export class ModelCache {
  private context = '';
  private known = new Map<string, KnownStatement>();
  private next = new Map<string, KnownStatement>();
  private last: LastAnalysis | undefined;

  /** Text in [start, oldEnd) was replaced by text ending at newEnd: statements it touched are forgotten, later ones move. */
  edit(start: number, oldEnd: number, newEnd: number): void {
    if (oldEnd < start) {
      this.known.clear();
      return;
    }
    const moved = new Map<string, KnownStatement>();
    const delta = newEnd - oldEnd;
    for (const statement of this.known.values()) {
      if (statement.end <= start) moved.set(`${statement.start}:${statement.end}`, statement);
      else if (statement.start >= oldEnd) {
        const shifted = { ...statement, start: statement.start + delta, end: statement.end + delta };
        moved.set(`${shifted.start}:${shifted.end}`, shifted);
      }
    }
    this.known = moved;
  }

  /** The whole text was replaced. */
  clear(): void {
    this.known.clear();
    this.last = undefined;
  }

  /**
   * The last model, when this analysis read the same statements at the same places saying the same things (typing
   * inside a string or a task's body, the common edit): everything the model derives from them would come out equal.
   */
  unchanged(read: ReadStatement[]): LastAnalysis | undefined {
    const last = this.last;
    if (!last || last.context !== this.context || last.read.length !== read.length) return undefined;
    for (let i = 0; i < read.length; i++) {
      const now = read[i]!;
      const before = last.read[i]!;
      if (now.type !== before.type || now.row !== before.row || now.column !== before.column) return undefined;
      if (now.facts !== before.facts && JSON.stringify(now.facts) !== JSON.stringify(before.facts)) return undefined;
    }
    // Later comparisons are by identity again.
    last.read = read;
    return last;
  }

  /** A model built in full from `read` (undefined: nothing to reuse next time, e.g. a file with syntax errors). */
  remember(last: Omit<LastAnalysis, 'context'> | undefined): void {
    this.last = last && { ...last, context: this.context };
  }

  /** Called once per analysis: a change of the file's locust imports invalidates everything. */
  begin(context: string): void {
    if (context !== this.context) this.known.clear();
    this.context = context;
    this.next = new Map();
  }

  get(type: string, start: number, end: number, column: number): StatementFacts | undefined {
    const found = this.known.get(`${start}:${end}`);
    return found?.type === type && found.column === column ? found.facts : undefined;
  }

  set(type: string, start: number, end: number, column: number, facts: StatementFacts): void {
    this.next.set(`${start}:${end}`, { type, start, end, column, facts });
  }

  /** Called after an analysis: what it read (or reused) is what the next one can reuse. */
  end(): void {
    this.known = this.next;
  }
}

/** What a User class or TaskSet has, its own or inherited in the file. */
interface ResolvedAttributes {
  host: string | null;
  weight: number | null;
  fixedCount: number | null;
  unknownWeight: UnknownNumber | null;
  unknownFixedCount: UnknownNumber | null;
  waitTime: WaitTimeInfo | null;
  onStart: SourceRange | null;
  onStop: SourceRange | null;
  hasTick: boolean;
}

/** The module's names as its statements bind them, in order: what a weight or `tasks` written at some row sees. */
class ModuleNames {
  private readonly bound = new Map<string, { row: number; binding: Binding }[]>();

  constructor(private readonly imports: Imports) {}

  bind(name: string, row: number, binding: Binding): void {
    const list = this.bound.get(name);
    if (list) list.push({ row, binding });
    else this.bound.set(name, [{ row, binding }]);
  }

  /** What `name` means to code at `row`: the last binding above it, else an import from another module. */
  lookup(name: string, row: number): Binding | undefined {
    const list = this.bound.get(name);
    for (let i = (list?.length ?? 0) - 1; i >= 0; i--) if (list![i]!.row < row) return list![i]!.binding;
    const module = this.imports.imported?.get(name)?.module;
    return module ? { kind: 'ref', why: `is imported from \`${module}\`` } : undefined;
  }

  /** The scope of module-level code at `row`. */
  at(row: number, isClass: (name: string) => boolean): Scope {
    return { lookup: (name) => this.lookup(name, row), isClass };
  }
}

/** Places class bodies at their current rows for one analysis, and resolves what classes inherit. */
class ClassReader {
  private readonly bodies = new Map<ClassNode, { abstract: boolean; tasks: TaskInfo[] }>();
  private readonly orders = new Map<TreeClass, (TreeClass | string)[]>();

  private readonly scopes = new Map<TreeClass, Scope>();
  /** Classes whose `tasks` are being worked out: `A.tasks` inside A's own list is not followed again. */
  private readonly resolving = new Set<ClassNode>();

  constructor(
    private readonly tagsByName: Map<string, string[]>,
    private readonly classNamed: Map<string, ClassNode>,
    private readonly names: ModuleNames,
    private readonly imports: Imports,
    /** `Owner.host = …` at module level: it overrides what the class body of `Owner` (of the file, or Locust's) says. */
    private readonly hostsSetAfter: ReadonlyMap<string, string | null>,
    /** The Locust class of another project module that a base written this way names. */
    private readonly project: (base: string) => ProjectClass | undefined,
  ) {}

  /** What names mean in a class body: its own assignments, then the module's names bound before the class. */
  private scopeOf(cls: TreeClass): Scope {
    const scope = this.scopes.get(cls);
    if (scope) return scope;
    const row = cls.origin + cls.facts.range.start.line;
    const locals = cls.facts.body.locals;
    const own: Scope = {
      lookup: (name) => {
        const local = locals && Object.hasOwn(locals, name) ? locals[name] : undefined;
        return local ? { kind: 'expr', expr: local, origin: cls.origin, scope: own } : this.names.lookup(name, row);
      },
      isClass: (name) => this.classNamed.has(name),
    };
    this.scopes.set(cls, own);
    return own;
  }

  /** A weight or count as written in `cls`'s body, worked out. */
  number(cls: TreeClass, expr: Expr): { weight: number } | { unknown: UnknownNumber } {
    if (expr.k === 'int') return { weight: expr.v };
    return asWeight(evaluate(expr, cls.origin, this.scopeOf(cls)), exprText(expr));
  }

  body(cls: TreeClass): { abstract: boolean; tasks: TaskInfo[] } {
    const known = this.bodies.get(cls);
    if (known) return known;
    const relative = cls.facts.body;
    // Fresh task objects every time: the model's consumers (and @tag on TaskSets) may change them.
    const tasks: TaskInfo[] = relative.tasks.map((t) => {
      const weight = t.weightExpr ? this.number(cls, t.weightExpr) : { weight: t.weight };
      return {
        name: t.name,
        ...('weight' in weight ? { weight: weight.weight, unknownWeight: null } : { weight: null, unknownWeight: weight.unknown }),
        tags: t.tagsFromModule ? [...(this.tagsByName.get(t.name) ?? [])] : [...t.tags],
        range: shiftRange(t.range, cls.origin),
      };
    });
    const plain = relative.declared && this.plainListed(cls, relative.declared);
    if (plain) tasks.push(...plain);
    else if (relative.declared && !this.resolving.has(cls)) {
      this.resolving.add(cls);
      const declared = evaluate(relative.declared, cls.origin, this.scopeOf(cls));
      if (declared.ok) tasks.push(...this.listedTasks(declared.value));
      this.resolving.delete(cls);
    }
    const placed = { abstract: relative.abstract, tasks };
    this.bodies.set(cls, placed);
    return placed;
  }

  /**
   * The tasks a `tasks = ...` value lists, as Locust's metaclass reads it: a dict's keys with their weights, a list's, tuple's or
   * set's entries once each (an `(entry, weight)` pair: that many times), and `Other.tasks`, the list Locust built for Other.
   */
  private listedTasks(value: Value): TaskInfo[] {
    if (value.t === 'tasks') return this.tasksOf(value.of);
    const tasks: TaskInfo[] = [];
    const task = (name: string, range: SourceRange, weight: { weight: number } | { unknown: UnknownNumber }): TaskInfo => {
      // An entry is what it names: `module.func` is a task named `func` for Locust.
      const own = name.slice(name.lastIndexOf('.') + 1);
      return {
        name: own,
        ...('weight' in weight ? { weight: weight.weight, unknownWeight: null } : { weight: null, unknownWeight: weight.unknown }),
        tags: [...(this.tagsByName.get(own) ?? [])],
        range,
      };
    };
    if (value.t === 'dict') {
      for (const entry of value.entries) {
        if (entry.key.t === 'ref') tasks.push(task(entry.key.name, entry.range, asWeight({ ok: true, value: entry.value }, valueText(entry.value))));
      }
      return tasks;
    }
    if (value.t !== 'seq') return tasks;
    const seen = new Set<string>();
    for (const item of value.items) {
      const entry = item.value;
      if (entry.t === 'tasks') tasks.push(...this.tasksOf(entry.of));
      else if (entry.t === 'ref') {
        // A set holds each function once.
        if (value.kind === 'set' && seen.has(entry.name)) continue;
        seen.add(entry.name);
        tasks.push(task(entry.name, item.range, { weight: 1 }));
      } else if (entry.t === 'seq' && entry.kind === 'tuple' && entry.items.length === 2 && entry.items[0]!.value.t === 'ref') {
        const counted = entry.items[1]!.value;
        tasks.push(task(entry.items[0]!.value.name, item.range, asWeight({ ok: true, value: counted }, valueText(counted))));
      }
    }
    return tasks;
  }

  /**
   * The common `tasks = [A, b]` or `{A: 2, b: 1}`, every entry a name no constant of the file rebinds and every weight an integer
   * literal, read without the evaluator (it runs for every class each time a model is built); undefined for anything else.
   */
  private plainListed(cls: TreeClass, declared: Expr): TaskInfo[] | undefined {
    const entries = declared.k === 'dict' ? declared.pairs : declared.k === 'seq' && declared.kind === 'list' ? declared.items : undefined;
    if (!entries) return undefined;
    const row = cls.origin + cls.facts.range.start.line;
    const locals = cls.facts.body.locals;
    const tasks: TaskInfo[] = [];
    for (const entry of entries) {
      const key = 'key' in entry ? entry.key : entry;
      const weight = 'key' in entry ? entry.value : undefined;
      if (key.k !== 'name' || (weight && weight.k !== 'int') || (locals && Object.hasOwn(locals, key.n)) || this.names.lookup(key.n, row)) return undefined;
      const range = 'key' in entry ? entry.r : entry.r;
      if (!range) return undefined;
      tasks.push({ name: key.n, weight: weight?.k === 'int' ? weight.v : 1, unknownWeight: null, tags: [...(this.tagsByName.get(key.n) ?? [])], range: shiftRange(range, cls.origin) });
    }
    return tasks;
  }

  /** `Name.tasks`: the tasks Locust collected for the class `Name` of the file. */
  private tasksOf(name: string): TaskInfo[] {
    const cls = this.classNamed.get(name) as TreeClass | undefined;
    if (!cls || this.resolving.has(cls)) return [];
    return this.allTasks(cls);
  }

  ownTasks(cls: TreeClass): TaskInfo[] {
    return this.body(cls).tasks.map((t) => ({ ...t, tags: [...t.tags] }));
  }

  /** Tasks a class inherits from base classes of the file or of project modules (Locust puts base tasks first), then its own. */
  allTasks(cls: TreeClass, seen = new Set<ClassNode>()): TaskInfo[] {
    const tasks: TaskInfo[] = [];
    seen.add(cls);
    for (const base of cls.baseRefs) {
      const parent = base.type === 'identifier' ? this.classNamed.get(base.text) : undefined;
      if (!parent) {
        const other = this.project(base.text);
        const inherited = other?.user?.tasks ?? other?.taskSet?.tasks ?? [];
        tasks.push(...inherited.map((t) => ({ ...t, tags: [...t.tags], uri: t.uri ?? other!.uri })));
        continue;
      }
      if (seen.has(parent)) continue;
      tasks.push(...this.allTasks(parent as TreeClass, seen));
    }
    tasks.push(...this.ownTasks(cls));
    return tasks;
  }

  /** A MarkovTaskSet's chain: its own body's states only (Locust reads the class's own dict), placed at their rows. */
  markov(cls: TreeClass): MarkovChain {
    const place = (range: SourceRange) => shiftRange(range, cls.origin);
    const states = cls.facts.body.states.map((state) => ({
      name: state.name,
      range: place(state.range),
      transitions: state.transitions.map((t) => ({ to: t.to, weight: t.weight, range: place(t.range), weightRange: t.weightRange && place(t.weightRange) })),
    }));
    return { states, start: states[0]?.name ?? null };
  }

  /** Each inheritable attribute from the first class in `cls`'s method resolution order that sets it (the file's classes only). */
  attributes(cls: TreeClass): ResolvedAttributes {
    const resolved: ResolvedAttributes = { host: null, weight: null, fixedCount: null, unknownWeight: null, unknownFixedCount: null, waitTime: null, onStart: null, onStop: null, hasTick: false };
    // Most classes derive from locust's classes only: their own body is all there is to read.
    const otherBase = cls.baseRefs.some((base) => (base.type === 'identifier' && this.classNamed.has(base.text)) || this.project(base.text));
    const order = otherBase || this.hostsSetAfter.size > 0 ? methodResolutionOrder(cls, this.basesOf, this.orders) : [cls];
    // What a class of another project module resolved (with its own bases) stands in for it; ranges there become the class's here.
    const classRange = shiftRange(cls.facts.range, cls.origin);
    const resolvedIn = (c: TreeClass | string) => {
      if (typeof c !== 'string') return undefined;
      const other = this.project(c);
      return other?.user ?? other?.taskSet ?? (other?.hasTick ? { hasTick: true } : undefined);
    };
    let host = false;
    const setAfter = (c: TreeClass | string) => this.hostsSetAfter.get(typeof c === 'string' ? c : c.nestedIn ? '' : c.name);
    // Every User class of Locust derives from User, which is where `host` is defined: last in the order.
    const root = [...order, ...['User', 'locust.User'].filter((name) => this.hostsSetAfter.has(name) && !order.includes(name))];
    for (const c of root) {
      if (host) break;
      const after = setAfter(c);
      const other = resolvedIn(c);
      if (after !== undefined) [host, resolved.host] = [true, after];
      else if (typeof c !== 'string' && c.facts.body.own.host !== undefined) [host, resolved.host] = [true, c.facts.body.own.host];
      else if (other && 'host' in other && other.host !== null) [host, resolved.host] = [true, other.host];
    }
    let weight = false;
    let fixedCount = false;
    for (const c of order) {
      const other = resolvedIn(c);
      if (other) {
        if ('weight' in other && !weight && (other.weight !== null || other.unknownWeight)) [weight, resolved.weight, resolved.unknownWeight] = [true, other.weight, other.unknownWeight];
        if ('fixedCount' in other && !fixedCount && (other.fixedCount !== null || other.unknownFixedCount)) {
          [fixedCount, resolved.fixedCount, resolved.unknownFixedCount] = [true, other.fixedCount, other.unknownFixedCount];
        }
        if ('waitTime' in other && !resolved.waitTime && other.waitTime) resolved.waitTime = { kind: other.waitTime.kind, args: other.waitTime.args && [...other.waitTime.args], range: classRange };
        if ('onStart' in other && !resolved.onStart && other.onStart) resolved.onStart = classRange;
        if ('onStop' in other && !resolved.onStop && other.onStop) resolved.onStop = classRange;
        if ('hasTick' in other && other.hasTick) resolved.hasTick = true;
        continue;
      }
      if (typeof c === 'string') continue;
      const own = c.facts.body.own;
      if (!weight && own.weight !== undefined) {
        weight = true;
        const value = this.number(c, own.weight);
        if ('weight' in value) resolved.weight = value.weight;
        else resolved.unknownWeight = value.unknown;
      }
      if (!fixedCount && own.fixedCount !== undefined) {
        fixedCount = true;
        const value = this.number(c, own.fixedCount);
        if ('weight' in value) resolved.fixedCount = value.weight;
        else resolved.unknownFixedCount = value.unknown;
      }
      if (!resolved.waitTime && own.waitTime) {
        const { kind, args, range } = own.waitTime;
        resolved.waitTime = { kind, args: args && [...args], range: shiftRange(range, c.origin) };
      }
      if (!resolved.onStart && own.onStart) resolved.onStart = shiftRange(own.onStart, c.origin);
      if (!resolved.onStop && own.onStop) resolved.onStop = shiftRange(own.onStop, c.origin);
      if (own.tick) resolved.hasTick = true;
    }
    // A contrib User class of Locust that closes its client in its own on_stop: the class inherits it (its range: the class). The
    // bases from elsewhere are those of the classes in the order (just `cls` when it has no base in the file).
    const closesOnStop = (base: BaseRef) => {
      const kind = resolveBase(base, this.imports);
      return !!kind && isContribUser(kind) && CONTRIB_USERS[kind].closesOnStop === true;
    };
    if (!resolved.onStop && order.some((c) => typeof c !== 'string' && c.baseRefs.some(closesOnStop))) resolved.onStop = shiftRange(cls.facts.range, cls.origin);
    return resolved;
  }

  /** A class's bases: the file's class of that name, or the name as written for a class from elsewhere. */
  private readonly basesOf = (cls: TreeClass): (TreeClass | string)[] =>
    cls.baseRefs.map((base) => (base.type === 'identifier' ? (this.classNamed.get(base.text) as TreeClass | undefined) : undefined) ?? base.text);
}

/**
 * The TaskSets a User class reaches: nested in it, or named by its tasks and, in turn, by theirs. Listed in the
 * order of repeated passes over `taskSets` (each pass taking, in order, every set reachable so far), without
 * rescanning every set for each User class.
 */
function reachableTaskSets(user: ClassNode, tasks: TaskInfo[], taskSets: [ClassNode, TaskSetInfo][], byName: Map<string, number[]>, nestedIn: Map<ClassNode, number[]>): TaskSetInfo[] {
  const taken = new Set<number>();
  const pending = new Set<number>(nestedIn.get(user) ?? []);
  const referenced = new Set<string>();
  const reference = (name: string) => {
    if (referenced.has(name)) return;
    referenced.add(name);
    for (const at of byName.get(name) ?? []) if (!taken.has(at)) pending.add(at);
  };
  for (const task of tasks) reference(task.name);
  const order: TaskSetInfo[] = [];
  while (pending.size > 0) {
    // One pass: positions are taken in increasing order, including those that become reachable further on.
    for (let at = -1; ; ) {
      let next = Infinity;
      for (const candidate of pending) if (candidate > at && candidate < next) next = candidate;
      if (next === Infinity) break;
      at = next;
      pending.delete(at);
      taken.add(at);
      const info = taskSets[at]![1];
      order.push(info);
      for (const task of info.tasks) reference(task.name);
    }
  }
  return order;
}

/**
 * The model of a file and the facts its features read. `project` finds the classes of the project modules it imports: without it,
 * a class whose base comes from another file is no Locust class.
 */
export function analyzeTree(tree: Tree, uri: string, version: number, cache?: ModelCache, project?: ProjectClasses): { model: LocustfileModel; facts: LocustfileFacts } {
  const root = tree.rootNode;
  const source = sourceOf(root);
  const imports: Imports = { names: new Map(), modules: new Set(), any: false };
  let children: (Node | null)[] | undefined;
  const child = (index: number) => (children ??= root.children)[index];

  // Module-level statements, read from a cursor: only imports and class/decorated statements are looked at.
  const statements: { type: string; start: number; end: number; row: number; column: number; index: number }[] = [];
  const cursor = root.walk();
  try {
    if (cursor.gotoFirstChild()) {
      let index = 0;
      do {
        const type = cursor.nodeType;
        if (type === 'import_from_statement' || type === 'import_statement') addImport(cursor.currentNode, imports);
        else if (COMPOUND_STATEMENTS.has(type)) {
          addCompoundImports(cursor.currentNode, imports);
          const { row, column } = cursor.startPosition;
          statements.push({ type, start: cursor.startIndex, end: cursor.endIndex, row, column, index });
        } else if (
          type === 'class_definition' ||
          type === 'decorated_definition' ||
          // Task functions written at module level (`def index(user): user.client.get("/")`) make requests too.
          (type === 'function_definition' && (mayMakeRequests(source.slice(cursor.startIndex, cursor.endIndex)) || PYTEST_DEF.test(source.slice(cursor.startIndex, cursor.endIndex)))) ||
          (type === 'expression_statement' && EXPRESSION_STATEMENT_READ.test(source.slice(cursor.startIndex, cursor.endIndex)))
        ) {
          const { row, column } = cursor.startPosition;
          statements.push({ type, start: cursor.startIndex, end: cursor.endIndex, row, column, index });
        }
        index++;
      } while (cursor.gotoNextSibling());
    }
  } finally {
    cursor.delete();
  }

  // The project modules behind the imports: a model reused while one of them changed would keep what it said about their classes.
  const projectSignature = projectSignatureOf(imports, project);
  cache?.begin(JSON.stringify([[...imports.names], [...imports.modules], [...(imports.imported ?? [])], projectSignature]));
  // A statement with a syntax error is read from the tree alone, and again every time: error recovery may depend on its surroundings.
  const anyError = root.hasError;
  const classes: TreeClass[] = [];
  const tagsByName = new Map<string, string[]>();
  const testFunctions: TestFunctionInfo[] = [];
  const listeners: EventListenerInfo[] = [];
  // Placed at their rows only when a new model is built: a reused model has them already.
  const requestsRead: { row: number; sites: RequestSite[] }[] = [];
  let thresholds: { row: number; read: ThresholdsRead } | undefined;
  /** `Owner.host = …` at module level, by owner as written. */
  const hostsSetAfter = new Map<string, string | null>();
  const place = (facts: ClassFacts, origin: number, nestedIn: TreeClass | undefined, statement: () => Node | null | undefined) => {
    const cls = new TreeClass(facts.name, facts.bases, nestedIn, statement, facts, origin);
    classes.push(cls);
    for (const inner of facts.nested) place(inner, origin, cls, () => cls.bodyStatement(inner.index));
  };
  const names = new ModuleNames(imports);
  // Filled once every class is placed; constants and conditions only ask after that, or about classes above them.
  const classNamed = new Map<string, ClassNode>();
  const isClass = (name: string) => classNamed.has(name) || classes.some((cls) => !cls.nestedIn && cls.name === name);
  /**
   * A statement inside an `if`, `try` or `with`: its constants are bound (as unknown where the branch may not run, `maybe`
   * saying why) and its classes placed; `placed` holds the names of classes an earlier branch of the same `if` defined.
   */
  const visit = (facts: StatementFacts, row: number, statement: () => Node | null | undefined, maybe: string | undefined, placed: Set<string>) => {
    if (facts.constant) {
      const { name, value, line } = facts.constant;
      names.bind(name, row + line, maybe ? { kind: 'unknown', why: maybe } : { kind: 'expr', expr: value, origin: row, scope: names.at(row + line, isClass) });
    }
    if (facts.cls && !placed.has(facts.cls.name)) {
      placed.add(facts.cls.name);
      place(facts.cls, row, undefined, statement);
    }
    if (facts.compound) enter(facts.compound, row, statement, maybe);
  };
  const enter = (compound: CompoundFacts, row: number, statement: () => Node | null | undefined, maybe: string | undefined) => {
    const placed = new Set<string>();
    let uncertain = maybe;
    for (const branch of compound.branches) {
      if (compound.kind === 'if' && branch.condition) {
        const condition = evaluate(branch.condition, row, names.at(row + (branch.condition.r?.start.line ?? 0), isClass));
        const holds = condition.ok ? truthy(condition.value) : undefined;
        if (holds === false && !uncertain) continue;
        if (holds === undefined && !uncertain) uncertain = `is set under \`if ${exprText(branch.condition)}\`, which the model cannot evaluate`;
      }
      for (const inner of branch.statements) visit(inner.facts, row, () => pathNode(statement(), inner.path), uncertain, placed);
      // The first branch that surely runs is the only one.
      if (!uncertain && compound.kind === 'if') break;
    }
  };
  const read: ReadStatement[] = [];
  const cursor2 = root.walk();
  const reader2 = new StatementReader(cursor2, source, imports);
  let at = cursor2.gotoFirstChild() ? 0 : -1;
  try {
    for (const { type, start, end, row, column, index } of statements) {
      let facts = cache?.get(type, start, end, column);
      if (facts && anyError && child(index)?.hasError) facts = undefined;
      if (!facts) {
        while (at >= 0 && at < index) at = cursor2.gotoNextSibling() ? at + 1 : -1;
        if (at !== index) continue;
        reader2.plain = !anyError || !child(index)?.hasError;
        facts = reader2.statement(index, row);
      }
      if (cache && !(anyError && child(index)?.hasError)) cache.set(type, start, end, column, facts);
      read.push({ type, row, column, facts });
      if (facts.taggedFunction) tagsByName.set(facts.taggedFunction.name, facts.taggedFunction.tags);
      if (facts.testFunction) testFunctions.push({ ...facts.testFunction, range: shiftRange(facts.testFunction.range, row) });
      for (const listener of facts.listeners ?? []) listeners.push({ ...listener, range: shiftRange(listener.range, row) });
      if (facts.requests) requestsRead.push({ row, sites: facts.requests });
      // Python keeps the last assignment.
      if (facts.thresholds) thresholds = { row, read: facts.thresholds };
      if (facts.cls) place(facts.cls, row, undefined, () => child(index));
      // Python keeps the last assignment; Locust reads the class after the whole file ran.
      if (facts.classHost) hostsSetAfter.set(facts.classHost.owner, facts.classHost.host);
      if (facts.constant || facts.compound) visit({ constant: facts.constant, compound: facts.compound }, row, () => child(index), undefined, new Set());
    }
  } finally {
    cursor2.delete();
  }
  cache?.end();

  for (const cls of classes) if (!cls.nestedIn && !classNamed.has(cls.name)) classNamed.set(cls.name, cls);
  const thresholdRow = thresholds?.row ?? 0;
  const thresholdProblems: ThresholdProblem[] = (thresholds?.read.problems ?? []).map((p) => ({ ...p, range: shiftRange(p.range, thresholdRow) }));
  // Read again on every analysis (cheap: only files with a parser listener): a reused model may predate an edit inside it.
  const customArguments = listeners.some((l) => l.event === 'init_command_line_parser') ? customArgumentsOf(root, listeners) : [];
  const withArguments = (model: LocustfileModel): LocustfileModel => {
    const fresh = { ...model };
    delete fresh.customArguments;
    return customArguments.length ? { ...fresh, customArguments } : fresh;
  };
  const projectClasses = new Map<string, ProjectClass | undefined>();
  /** The class of a project module a base written this way names (`Base` from `from common import Base`, `common.Base`). */
  const projectClass = (base: string): ProjectClass | undefined => {
    if (!project || (!imports.imported && !imports.importedModules)) return undefined;
    if (projectClasses.has(base)) return projectClasses.get(base);
    let found: ProjectClass | undefined;
    const dot = base.lastIndexOf('.');
    if (dot < 0) {
      const from = imports.imported?.get(base);
      found = from && project.classOf(from.module, from.name);
    } else {
      const [root = '', ...rest] = base.slice(0, dot).split('.');
      const whole = imports.importedModules?.get(root);
      const from = imports.imported?.get(root);
      const module = whole ?? (from && submodule(from.module, from.name));
      found = module === undefined ? undefined : project.classOf([module, ...rest].join('.'), base.slice(dot + 1));
    }
    projectClasses.set(base, found);
    return found;
  };
  // Classes with a base of another project module, or of the file's classes that have one.
  const projectDerived = new Set<ClassNode>();
  if (project && (imports.imported || imports.importedModules)) {
    for (let changed = true; changed; ) {
      changed = false;
      for (const cls of classes) {
        if (projectDerived.has(cls)) continue;
        const derived = cls.baseRefs.some((base) => {
          const local = base.type === 'identifier' ? classNamed.get(base.text) : undefined;
          return local ? projectDerived.has(local) : projectClass(base.text) !== undefined;
        });
        if (!derived) continue;
        projectDerived.add(cls);
        changed = true;
      }
    }
  }
  const reused = !anyError ? cache?.unchanged(read) : undefined;
  if (reused) {
    // The same classes in the same order: their kinds carry over; the model is the last one, at this version.
    const kinds = new Map<ClassNode, LocustName>();
    classes.forEach((cls, i) => {
      const kind = reused.kinds[i];
      if (kind) kinds.set(cls, kind);
    });
    return { model: withArguments({ ...reused.model, version }), facts: { source, imports, classes, kinds, classNamed, thresholdProblems, projectSignature, projectDerived } };
  }

  const kinds = classifyClasses(classes, imports, projectClass);
  const reader = new ClassReader(tagsByName, classNamed, names, imports, hostsSetAfter, projectClass);

  const taskSets = new Map<ClassNode, TaskSetInfo>();
  for (const [cls, kind] of kinds) {
    if (kind !== 'TaskSet' && kind !== 'SequentialTaskSet' && kind !== 'MarkovTaskSet') continue;
    const tree = cls as TreeClass;
    const { waitTime, onStart, onStop } = reader.attributes(tree);
    const markov = kind === 'MarkovTaskSet';
    taskSets.set(cls, {
      name: cls.name,
      sequential: kind === 'SequentialTaskSet',
      // Locust's MarkovTaskSet metaclass skips TaskSet's, which is what collects `@task` methods.
      tasks: markov ? [] : reader.allTasks(tree),
      markov: markov ? reader.markov(tree) : null,
      waitTime,
      onStart,
      onStop,
      range: shiftRange(tree.facts.range, tree.origin),
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
    const tags = (cls as TreeClass).facts.tags;
    if (tags.length > 0) tagSet(set, tags, new Set());
  }

  const setList = [...taskSets];
  const setsNamed = new Map<string, number[]>();
  const setsNestedIn = new Map<ClassNode, number[]>();
  for (const [at, [setClass, info]] of setList.entries()) {
    setsNamed.set(info.name, [...(setsNamed.get(info.name) ?? []), at]);
    if (setClass.nestedIn) setsNestedIn.set(setClass.nestedIn, [...(setsNestedIn.get(setClass.nestedIn) ?? []), at]);
  }
  /**
   * The TaskSets of other project modules a User reaches, after the file's own: those imported by name into its tasks
   * (`from flows import Browse`, `tasks = [Browse]`) and those its bases of other modules reach there.
   */
  const withProjectTaskSets = (cls: ClassNode, tasks: TaskInfo[], reached: TaskSetInfo[]): TaskSetInfo[] => {
    if (!projectDerived.has(cls) && !tasks.some((task) => !setsNamed.has(task.name) && projectClass(task.name)?.taskSet)) return reached;
    const inherited = new Map<string, TaskSetInfo>();
    const fromBases = (c: ClassNode, seen: Set<ClassNode>) => {
      seen.add(c);
      for (const base of c.baseRefs) {
        const local = base.type === 'identifier' ? classNamed.get(base.text) : undefined;
        if (local && !seen.has(local)) fromBases(local, seen);
        if (local) continue;
        const other = projectClass(base.text);
        for (const set of other?.user?.taskSets ?? []) if (!inherited.has(set.name)) inherited.set(set.name, { ...set, uri: set.uri ?? other!.uri });
      }
    };
    fromBases(cls, new Set());
    const result = [...reached];
    const known = new Set(reached.map((set) => set.name));
    // Names in a TaskSet of another file are that file's: only what its Users reach there is known.
    const visit = (list: TaskInfo[], foreign = false) => {
      for (const task of list) {
        if (known.has(task.name) || (!foreign && setsNamed.has(task.name))) continue;
        const named = task.uri || foreign ? undefined : projectClass(task.name);
        const set = named?.taskSet ? { ...named.taskSet, uri: named.taskSet.uri ?? named.uri } : inherited.get(task.name);
        if (!set) continue;
        known.add(set.name);
        result.push(set);
        visit(set.tasks, true);
      }
    };
    visit(tasks);
    return result;
  };
  const users: UserClassInfo[] = [];
  const shapes: ShapeInfo[] = [];
  for (const cls of classes) {
    const kind = kinds.get(cls);
    if (kind === 'LoadTestShape') {
      shapes.push({ name: cls.name, hasTick: reader.attributes(cls).hasTick, range: shiftRange(cls.facts.range, cls.origin) });
      continue;
    }
    if (!kind || !USER_BASES.has(kind)) continue;
    const body = reader.body(cls);
    const tasks = reader.allTasks(cls);
    const { host, weight, fixedCount, unknownWeight, unknownFixedCount, waitTime, onStart, onStop } = reader.attributes(cls);
    users.push({
      name: cls.name,
      base: cls.baseRefs[0]?.text ?? '',
      abstract: body.abstract,
      host,
      weight,
      fixedCount,
      unknownWeight,
      unknownFixedCount,
      waitTime,
      onStart,
      onStop,
      tasks,
      taskSets: withProjectTaskSets(cls, tasks, reachableTaskSets(cls, tasks, setList, setsNamed, setsNestedIn)),
      range: shiftRange(cls.facts.range, cls.origin),
    });
  }
  const topLevelSets = classes.filter((cls) => !cls.nestedIn && taskSets.has(cls)).map((cls) => taskSets.get(cls)!);
  const requests = requestsRead.flatMap(({ row, sites }) => sites.map((site) => ({ ...site, range: shiftRange(site.range, row) })));
  const declared: ThresholdDeclaration[] = (thresholds?.read.items ?? []).map((item) => ({ ...item, range: shiftRange(item.range, thresholdRow) }));
  const model: LocustfileModel = {
    uri,
    version,
    isLocustfile: imports.any || projectDerived.size > 0,
    users,
    taskSets: topLevelSets,
    shapes,
    listeners,
    requests,
    thresholds: declared,
    thresholdsDeclaredAt: thresholds ? shiftRange(thresholds.read.declaredAt, thresholds.row) : null,
    ...(customArguments.length && { customArguments }),
    ...(testFunctions.length && { testFunctions }),
  };
  cache?.remember(anyError ? undefined : { read, model, kinds: classes.map((cls) => kinds.get(cls)) });
  return { model, facts: { source, imports, classes, kinds, classNamed, thresholdProblems, projectSignature, projectDerived } };
}
