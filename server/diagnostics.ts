// Diagnostics of a locustfile from its tree and model: the legacy 0.x/1.x API and likely mistakes, each with its quick fixes.
import type { Node, Tree } from 'web-tree-sitter';
import { DiagnosticSeverity, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver';
import type { LocustfileModel, MarkovChain, SourceRange, TaskSetInfo, UserClassInfo } from '../protocol/model';
import {
  bodyStatements,
  classAssignments,
  intValue,
  rangeOf,
  resolveLocustName,
  type ClassNode,
  type LocustfileFacts,
  type LocustName,
} from './locustfileModel';
import { thresholdDiagnostics } from './thresholdDiagnostics';
import { isTaken, markovTaskSets, reachableStates } from './markovChain';
import { closestName } from '../protocol/closestName';
import { CONTRIB_USERS, type ContribUserName } from './contribUsers';

export const DIAGNOSTIC_SOURCE = 'Locust Studio';
/** Placeholder offered when no host is set: the demo target's address, on loopback. */
export const PLACEHOLDER_HOST = 'http://127.0.0.1:8080';

export interface Fix {
  title: string;
  edits: TextEdit[];
}
/** What every diagnostic of this server carries in `data`: its fixes, and whether it is about the legacy API. */
export interface DiagnosticData {
  legacy: boolean;
  fixes: Fix[];
}

export interface DiagnosticOptions {
  /** A `host` is set outside the file (locust.conf next to it, …): no "no host" information. */
  hostConfiguredElsewhere: boolean;
}

const USER_KINDS = new Set<LocustName>(['User', 'HttpUser', 'FastHttpUser', 'HttpLocust', 'FastHttpLocust', 'Locust', ...(Object.keys(CONTRIB_USERS) as ContribUserName[])]);
/** User classes that make HTTP requests to a `host`: a plain `User` needs none. */
const HTTP_USER_KINDS = new Set<LocustName>(['HttpUser', 'FastHttpUser', 'HttpLocust', 'FastHttpLocust']);
const TASKSET_KINDS = new Set<LocustName>(['TaskSet', 'SequentialTaskSet', 'MarkovTaskSet', 'TaskSequence']);
const LEGACY_RENAMES: Partial<Record<LocustName, LocustName>> = { HttpLocust: 'HttpUser', FastHttpLocust: 'FastHttpUser', Locust: 'User', TaskSequence: 'SequentialTaskSet' };

function diagnostic(node: Node | Range, severity: DiagnosticSeverity, code: string, message: string, data: DiagnosticData): Diagnostic {
  const range = 'type' in node ? rangeOf(node) : node;
  return { range, severity, code, source: DIAGNOSTIC_SOURCE, message, data };
}

function replace(node: Node, newText: string): TextEdit {
  return { range: rangeOf(node), newText };
}

/** The whole lines a statement occupies, newline included, so deleting it leaves no blank line. */
function wholeLines(node: Node): Range {
  return { start: { line: node.startPosition.row, character: 0 }, end: { line: node.endPosition.row + 1, character: 0 } };
}

/**
 * The nodes of the tree that `accept` picks by type and source text, depth first, without recursion (fuzzed
 * input can nest deeply). Filtering on the cursor avoids creating a JS object for each of the tree's nodes.
 */
function* walk(
  root: Node,
  source: string,
  accept: (type: string, text: () => string) => boolean,
  /** False to skip a node's descendants (the node itself is still offered to `accept`). */
  descend: (type: string, text: () => string) => boolean = () => true,
): Generator<Node> {
  const cursor = root.walk();
  // Read only when asked for, from the cursor (which stays on the node until the walk moves on).
  const text = () => source.slice(cursor.startIndex, cursor.endIndex);
  try {
    let descending = true;
    for (;;) {
      if (descending) {
        const type = cursor.nodeType;
        if (accept(type, text)) yield cursor.currentNode;
        if (descend(type, text) && cursor.gotoFirstChild()) continue;
      }
      if (cursor.gotoNextSibling()) {
        descending = true;
        continue;
      }
      if (!cursor.gotoParent()) return;
      descending = false;
    }
  } finally {
    cursor.delete();
  }
}

function enclosing(node: Node, type: string): Node | null {
  for (let current = node.parent; current; current = current.parent) if (current.type === type) return current;
  return null;
}

function formatSeconds(milliseconds: Node): string {
  const literal = milliseconds.type === 'integer' || milliseconds.type === 'float' ? Number(milliseconds.text.replace(/_/g, '')) : NaN;
  if (Number.isFinite(literal)) return String(Number((literal / 1000).toFixed(6)));
  return `(${milliseconds.text}) / 1000`;
}

class Collector {
  readonly diagnostics: Diagnostic[] = [];
  private readonly root: Node;
  private readonly source: string;
  private readonly classByNode = new Map<number, ClassNode>();
  /** Names listed in some `tasks = [...]`/`{...}`: a module-level `@task` function there is legitimate. */
  private readonly listedTasks = new Set<string>();
  private readonly assignments = new Map<ClassNode, Map<string, Node>>();
  /** Fix edits shared by many diagnostics (renames, imports): computed once, as each needs a walk of the tree. */
  private readonly sharedFixes = new Map<string, TextEdit[]>();
  /** The model's MarkovTaskSets by name and row, gathered on first need. */
  private markovSets: Map<string, TaskSetInfo & { markov: MarkovChain }> | undefined;

  constructor(
    tree: Tree,
    private readonly model: LocustfileModel,
    private readonly facts: LocustfileFacts,
    private readonly options: DiagnosticOptions,
  ) {
    this.root = tree.rootNode;
    this.source = facts.source;
    for (const cls of facts.classes) {
      this.classByNode.set(cls.node.id, cls);
      const declared = this.assignmentsOf(cls).get('tasks');
      for (const item of declared?.namedChildren ?? []) {
        const name = item?.type === 'pair' ? item.childForFieldName('key')?.text : item?.text;
        if (name) this.listedTasks.add(name);
      }
    }
    // Also what the model found listed through names and expressions (`tasks = COMMON`, `Other.tasks + [...]`).
    for (const owner of [...model.users, ...model.taskSets]) for (const task of owner.tasks) this.listedTasks.add(task.name);
  }

  /** A class body's `name = value` assignments, read once per class. */
  private assignmentsOf(cls: ClassNode): Map<string, Node> {
    let known = this.assignments.get(cls);
    if (!known) {
      known = classAssignments(cls.body);
      this.assignments.set(cls, known);
    }
    return known;
  }

  private kindOf(cls: ClassNode | undefined): LocustName | undefined {
    return cls ? this.facts.kinds.get(cls) : undefined;
  }

  /** The class whose body directly contains `node` (a function or decorated definition). */
  private classContaining(node: Node): ClassNode | undefined {
    const block = node.parent;
    const definition = block?.type === 'block' ? block.parent : null;
    return definition?.type === 'class_definition' ? this.classByNode.get(definition.id) : undefined;
  }

  /** The class whose method contains `node`, however deep. */
  private classOfMethod(node: Node): ClassNode | undefined {
    for (let fn = enclosing(node, 'function_definition'); fn; fn = enclosing(fn, 'function_definition')) {
      const holder = fn.parent?.type === 'decorated_definition' ? fn.parent : fn;
      const cls = this.classContaining(holder);
      if (cls) return cls;
    }
    return undefined;
  }

  private isImportedFrom(name: string, target: LocustName): boolean {
    return this.facts.imports.names.get(name) === target;
  }

  /** Insertion of `from locust import <name>` after the last locust import, unless the name is already available. */
  private ensureImport(name: LocustName): TextEdit[] {
    if ([...this.facts.imports.names.values()].includes(name)) return [];
    const known = this.sharedFixes.get(`import:${name}`);
    if (known) return known;
    const imports = this.root.namedChildren.filter(
      (s): s is Node => !!s && (s.type === 'import_from_statement' || s.type === 'import_statement') && /\blocust(io)?\b/.test(s.text),
    );
    const after = imports.at(-1);
    if (!after) return [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: `from locust import ${name}\n` }];
    const end = rangeOf(after).end;
    const edits = [{ range: { start: end, end }, newText: `\nfrom locust import ${name}` }];
    this.sharedFixes.set(`import:${name}`, edits);
    return edits;
  }

  run(): Diagnostic[] {
    const interesting = new Set(['hatch_rate', ...[...this.facts.imports.names].filter(([, n]) => n in LEGACY_RENAMES || n === 'seq_task').map(([name]) => name)]);
    const accept = (type: string, text: () => string): boolean => {
      switch (type) {
        case 'identifier':
          return interesting.has(text());
        case 'attribute':
          return /\.\s*(locust|request_success|request_failure)$/.test(text());
        case 'dotted_name':
          return text().startsWith('locustio');
        case 'decorated_definition':
          return true;
        case 'call':
          return /\.\s*(interrupt|failure|success)\s*\(/.test(text());
        case 'string_content':
          // A `"hatch_rate"` key (0.x's web form and settings) or the `"--hatch-rate"` option in an argument list.
          return text() === 'hatch_rate' || text() === '--hatch-rate';
        case 'comment':
          return /hatch[-_]rate/.test(text());
        default:
          return false;
      }
    };
    // Every node `accept` takes has one of these in its text (a decorated definition has `@`): a statement or block
    // without any of them is not walked into, which skips most function bodies; nor is a decorator, which holds no
    // decorated definition, without any but `@`.
    const words = ['locust', 'interrupt', 'failure', 'success', 'hatch[-_]rate', ...[...interesting].map((name) => name.replace(/[^\p{L}\p{N}_]/gu, ''))];
    const trigger = new RegExp(['@', ...words].join('|'), 'u');
    const inDecorator = new RegExp(words.join('|'), 'u');
    const descend = (type: string, text: () => string): boolean => {
      if (type === 'decorator') return inDecorator.test(text());
      return !(type === 'block' || type === 'function_definition' || type.endsWith('_statement')) || trigger.test(text());
    };
    for (const node of walk(this.root, this.source, accept, descend)) {
      switch (node.type) {
        case 'identifier':
          this.identifier(node);
          break;
        case 'attribute':
          this.attribute(node);
          break;
        case 'dotted_name':
          this.moduleName(node);
          break;
        case 'decorated_definition':
          this.decorated(node);
          break;
        case 'call':
          this.call(node);
          break;
        case 'string_content':
          if (node.text === 'hatch_rate') this.hatchRate(node, 0);
          else if (node.text === '--hatch-rate') this.hatchRate(node, 2);
          break;
        case 'comment': {
          const at = node.text.search(/hatch[-_]rate/);
          if (at >= 0) this.hatchRate(node, at);
          break;
        }
      }
    }
    for (const cls of this.facts.classes) this.classChecks(cls);
    this.hostCheck();
    this.ignoredTestFunctions();
    return this.diagnostics;
  }

  // ── legacy API ────────────────────────────────────────────────────────────────

  /** `HttpLocust`, `Locust`, `TaskSequence`, `seq_task` wherever the file uses them (import, base, decorator). */
  private identifier(node: Node): void {
    const name = node.text;
    const legacy = this.facts.imports.names.get(name);
    if (!legacy) {
      if (name === 'hatch_rate' && this.isLocustSetting(node)) this.hatchRate(node, 0);
      return;
    }
    if (!LEGACY_RENAMES[legacy] && legacy !== 'seq_task') return;
    const inImport = enclosing(node, 'import_from_statement');
    // Only the imported name itself (not an alias's target) and its uses.
    if (inImport && node.parent?.type === 'aliased_import' && node.parent.childForFieldName('alias')?.id === node.id) return;
    const renamed = LEGACY_RENAMES[legacy];
    if (renamed) {
      this.diagnostics.push(
        diagnostic(node, DiagnosticSeverity.Error, `legacy-${legacy}`, `\`${legacy}\` no longer exists in Locust (renamed in 1.0): use \`${renamed}\`.`, {
          legacy: true,
          fixes: [{ title: `Rename ${legacy} to ${renamed} everywhere in this file`, edits: this.renameEverywhere(name, renamed) }],
        }),
      );
    } else if (legacy === 'seq_task') {
      this.seqTask(node, !!inImport);
    }
  }

  private renameEverywhere(name: string, renamed: LocustName): TextEdit[] {
    const known = this.sharedFixes.get(`rename:${name}`);
    if (known) return known;
    const edits: TextEdit[] = [];
    this.sharedFixes.set(`rename:${name}`, edits);
    for (const node of walk(this.root, this.source, (type, text) => type === 'identifier' && text() === name)) {
      if (node.parent?.type === 'attribute' && node.parent.childForFieldName('attribute')?.id === node.id) continue;
      // In an import line, a name that is imported already is dropped rather than listed twice.
      const imported = node.parent?.type === 'dotted_name' && node.parent.parent?.type === 'import_from_statement' ? node.parent : undefined;
      if (imported && imported.parent?.childForFieldName('module_name')?.id !== imported.id) edits.push(...this.removeOrRenameImport(imported, renamed));
      else edits.push(replace(node, renamed));
    }
    return edits;
  }

  private seqTask(node: Node, inImport: boolean): void {
    if (!inImport && node.parent?.type !== 'call' && node.parent?.type !== 'decorator') return;
    const edits = this.sharedFixes.get(`seq_task:${node.text}`) ?? this.seqTaskEdits(node.text);
    this.diagnostics.push(
      diagnostic(
        node,
        DiagnosticSeverity.Error,
        'legacy-seq_task',
        '`@seq_task(n)` no longer exists in Locust: in a `SequentialTaskSet` tasks run in the order they are written (or the order of its `tasks` list).',
        { legacy: true, fixes: [{ title: 'Replace @seq_task(n), keeping the order n', edits }] },
      ),
    );
  }

  /**
   * `@seq_task(n)` everywhere in the file: in a class whose methods are written in the order of their `n`, each becomes `@task`;
   * otherwise the decorators go and the class lists its steps in that order, `tasks = [...]`, after them.
   */
  private seqTaskEdits(name: string): TextEdit[] {
    const edits: TextEdit[] = [];
    this.sharedFixes.set(`seq_task:${name}`, edits);
    let importNode: Node | undefined;
    const steps = new Map<Node | undefined, { decorator: Node; use: Node; method: string; order: number }[]>();
    const byClass = new Map<number, Node | undefined>();
    for (const other of walk(this.root, this.source, (type, text) => type === 'identifier' && text() === name)) {
      if (enclosing(other, 'import_from_statement')) {
        importNode = other.parent?.type === 'dotted_name' ? other.parent : other;
        continue;
      }
      const call = other.parent?.type === 'call' ? other.parent : null;
      const decorator = call?.parent?.type === 'decorator' ? call.parent : other.parent?.type === 'decorator' ? other.parent : null;
      const decorated = decorator?.parent;
      if (!decorator || decorated?.type !== 'decorated_definition') continue;
      const method = decorated.childForFieldName('definition')?.childForFieldName('name')?.text ?? '';
      const orderNode = call?.childForFieldName('arguments')?.namedChildren.find((a) => a && a.type !== 'comment' && a.type !== 'keyword_argument');
      const cls = this.classContaining(decorated)?.node;
      const key = cls?.id ?? -1;
      byClass.set(key, cls);
      const list = steps.get(byClass.get(key)) ?? [];
      list.push({ decorator, use: call ?? other, method, order: intValue(orderNode) ?? 0 });
      steps.set(byClass.get(key), list);
    }
    for (const [cls, list] of steps) {
      const ordered = [...list].sort((a, b) => a.order - b.order);
      const inOrder = ordered.every((step, i) => step === list[i]);
      const owner = cls && this.classByNode.get(cls.id);
      if (inOrder || !owner) {
        for (const step of list) edits.push(replace(step.use, 'task'));
        continue;
      }
      for (const step of list) edits.push({ range: wholeLines(step.decorator), newText: '' });
      edits.push(...this.appendToBody(owner, [`tasks = [${ordered.map((step) => step.method).join(', ')}]`]));
    }
    if (importNode) edits.push(...this.removeOrRenameImport(importNode, 'task'));
    return edits;
  }

  /** What an imported name becomes once every legacy fix is applied (`HttpLocust` → `HttpUser`, `seq_task` → `task`). */
  private finalName(written: string): string {
    const name = this.facts.imports.names.get(written);
    if (!name) return written;
    return LEGACY_RENAMES[name] ?? (name === 'seq_task' ? 'task' : written);
  }

  /**
   * Renames an imported name to `replacement`, or drops it when the file ends up importing `replacement` anyway: from another
   * import line, or from this line, where the name that is `replacement` already (else the first that becomes it) stays. An
   * import line never lists a name twice after the fixes.
   */
  private removeOrRenameImport(nameNode: Node, replacement: LocustName): TextEdit[] {
    const statement = nameNode.parent;
    const module = statement?.childForFieldName('module_name');
    const siblings = statement?.type === 'import_from_statement' ? statement.namedChildren.filter((c): c is Node => !!c && c.type === 'dotted_name' && c.id !== module?.id) : [];
    const same = siblings.filter((c) => this.finalName(c.text) === replacement);
    const keeper = same.find((c) => c.text === replacement) ?? same[0];
    const elsewhere = this.facts.imports.names.get(replacement) === replacement && !siblings.some((c) => c.text === replacement);
    if (!elsewhere && (!keeper || keeper.id === nameNode.id)) return [replace(nameNode, replacement)];
    const next = nameNode.nextSibling;
    if (next?.type === ',' && next.nextSibling) {
      return [{ range: { start: rangeOf(nameNode).start, end: rangeOf(next.nextSibling).start }, newText: '' }];
    }
    const previous = nameNode.previousSibling;
    const before = previous?.type === ',' ? previous.previousSibling : null;
    if (before) return [{ range: { start: rangeOf(before).end, end: rangeOf(nameNode).end }, newText: '' }];
    return [replace(nameNode, replacement)];
  }

  /**
   * `hatch_rate` where Locust read it: a keyword of a runner's `start(...)`, an attribute of Locust's parsed options, or an
   * attribute of a User or TaskSet class. A local variable or another library's keyword of that name is not Locust's.
   */
  private isLocustSetting(node: Node): boolean {
    const parent = node.parent;
    if (parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === node.id) {
      const callee = parent.parent?.parent?.type === 'call' ? parent.parent.parent.childForFieldName('function') : null;
      const object = callee?.type === 'attribute' ? callee.childForFieldName('object')?.text ?? '' : '';
      return callee?.type === 'attribute' && /^(start|spawn_users)$/.test(callee.childForFieldName('attribute')?.text ?? '') && /runner/i.test(object);
    }
    if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === node.id) return /options$/.test(parent.childForFieldName('object')?.text ?? '');
    if (parent?.type === 'assignment' && parent.childForFieldName('left')?.id === node.id) {
      const block = parent.parent?.parent;
      const definition = block?.type === 'block' ? block.parent : null;
      const cls = definition?.type === 'class_definition' ? this.classByNode.get(definition.id) : undefined;
      const kind = this.kindOf(cls);
      return !!kind && (USER_KINDS.has(kind) || TASKSET_KINDS.has(kind));
    }
    return false;
  }

  private hatchRate(node: Node, offset: number): void {
    const start = { line: node.startPosition.row, character: node.startPosition.column + offset };
    const range = { start, end: { line: start.line, character: start.character + 'hatch_rate'.length } };
    const dashed = node.text.slice(offset, offset + 10) === 'hatch-rate';
    this.diagnostics.push(
      diagnostic(
        range,
        node.type === 'comment' ? DiagnosticSeverity.Information : DiagnosticSeverity.Warning,
        'legacy-hatch_rate',
        dashed
          ? '`--hatch-rate` was renamed `--spawn-rate` in Locust 1.0.'
          : '`hatch_rate` was renamed `spawn_rate` in Locust 1.0: Locust no longer reads `hatch_rate`.',
        { legacy: true, fixes: [{ title: `Rename to ${dashed ? 'spawn-rate' : 'spawn_rate'}`, edits: [{ range, newText: dashed ? 'spawn-rate' : 'spawn_rate' }] }] },
      ),
    );
  }

  /** `import locustio`, `from locustio import …`: the package is called `locust` since 1.0. */
  private moduleName(node: Node): void {
    const statement = node.parent;
    if (!statement || (statement.type !== 'import_statement' && statement.type !== 'import_from_statement' && statement.type !== 'aliased_import')) return;
    if (statement.type === 'import_from_statement' && statement.childForFieldName('module_name')?.id !== node.id) return;
    const first = node.namedChildren[0];
    if (first?.text !== 'locustio') return;
    const edits: TextEdit[] = [replace(first, 'locust')];
    if (statement.type === 'import_statement') {
      for (const other of walk(this.root, this.source, (type, text) => type === 'attribute' && /^locustio\s*\./.test(text()))) {
        if (other.childForFieldName('object')?.text === 'locustio') {
          const object = other.childForFieldName('object');
          if (object) edits.push(replace(object, 'locust'));
        }
      }
    }
    this.diagnostics.push(
      diagnostic(node, DiagnosticSeverity.Error, 'legacy-locustio', 'The `locustio` package was renamed `locust` in Locust 1.0: import from `locust`.', {
        legacy: true,
        fixes: [{ title: 'Import from locust', edits }],
      }),
    );
  }

  /** `events` imported from locust, `locust.events`, or an environment's `….events` (`environment.events`, `self.environment.events`). */
  private isEventsObject(node: Node | null): boolean {
    if (!node) return false;
    if (resolveLocustName(node, this.facts.imports) === 'events') return true;
    return node.type === 'attribute' && node.childForFieldName('attribute')?.text === 'events';
  }

  private attribute(node: Node): void {
    const object = node.childForFieldName('object');
    const name = node.childForFieldName('attribute');
    if (!object || !name) return;
    if (object.type === 'identifier' && object.text === 'self' && name.text === 'locust') {
      this.diagnostics.push(
        diagnostic(name, DiagnosticSeverity.Error, 'legacy-self.locust', '`self.locust` was renamed `self.user` in Locust 1.0 (the User instance that runs this TaskSet).', {
          legacy: true,
          fixes: [{ title: 'Replace with self.user', edits: [replace(name, 'user')] }],
        }),
      );
      return;
    }
    if ((name.text === 'request_success' || name.text === 'request_failure') && this.isEventsObject(object)) this.legacyRequestEvent(node, object, name);
  }

  /** `events.request_success += f` / `.add_listener(f)` → a listener of `events.request` that filters on `exception`. */
  private legacyRequestEvent(attribute: Node, events: Node, name: Node): void {
    const success = name.text === 'request_success';
    const parent = attribute.parent;
    let handler: Node | null = null;
    let statement: Node | null = null;
    if (parent?.type === 'augmented_assignment' && parent.childForFieldName('left')?.id === attribute.id && parent.childForFieldName('operator')?.text === '+=') {
      handler = parent.childForFieldName('right');
      statement = parent.parent;
    } else if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.text === 'add_listener' && parent.parent?.type === 'call') {
      const call = parent.parent;
      handler = call.childForFieldName('arguments')?.namedChildren[0] ?? null;
      statement = call.parent;
    }
    const fixes: Fix[] = [];
    const decorator = parent?.type === 'attribute' && parent.childForFieldName('attribute')?.text === 'add_listener' ? parent.parent : null;
    const fired = parent?.type === 'attribute' && parent.childForFieldName('attribute')?.text === 'fire' && parent.parent?.type === 'call' ? parent.parent : null;
    if (fired) {
      const args = this.requestFireArguments(fired, success);
      if (args) fixes.push({ title: `Fire ${events.text}.request instead`, edits: [replace(name, 'request'), args] });
    } else if (decorator?.type === 'decorator') {
      const edits = this.legacyListenerDecoratorEdits(decorator, name);
      if (edits) fixes.push({ title: `Listen to ${events.text}.request instead`, edits });
    } else if (handler && statement?.type === 'expression_statement') {
      const indent = ' '.repeat(statement.startPosition.column);
      const listener = handler.type === 'identifier' ? `${handler.text}_listener` : `on_${name.text}`;
      const args = `request_type, name, response_time, response_length${success ? '' : ', exception'}`;
      const lines = [
        `@${events.text}.request.add_listener`,
        `def ${listener}(request_type, name, response_time, response_length, exception, **kwargs):`,
        `    if exception is ${success ? 'None' : 'not None'}:`,
        `        ${handler.text}(${args})`,
      ];
      fixes.push({ title: `Listen to ${events.text}.request instead`, edits: [replace(statement, lines.join(`\n${indent}`))] });
    }
    this.diagnostics.push(
      diagnostic(
        name,
        DiagnosticSeverity.Warning,
        `legacy-${name.text}`,
        `\`events.${name.text}\` is deprecated (removed after Locust 2.x): listen to \`events.request\`, which fires for every request with \`exception\` set ${success ? 'to None on success' : 'on failure'}.`,
        { legacy: true, fixes },
      ),
    );
  }

  /**
   * The arguments of `events.request.fire(...)` for an old `request_success.fire(...)` / `request_failure.fire(...)`: the old
   * positional ones by name, `exception` (None on success), and the `response` and `context` that Locust 2's listeners receive.
   * Undefined when the call unpacks arguments (`*args`, `**kwargs`): their names are not known.
   */
  private requestFireArguments(call: Node, success: boolean): TextEdit | undefined {
    const args = call.childForFieldName('arguments');
    if (!args) return undefined;
    const names = ['request_type', 'name', 'response_time', 'response_length', ...(success ? [] : ['exception'])];
    const given = new Map<string, string>();
    let position = 0;
    for (const arg of args.namedChildren) {
      if (!arg || arg.type === 'comment') continue;
      if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') return undefined;
      if (arg.type === 'keyword_argument') given.set(arg.childForFieldName('name')?.text ?? '', arg.childForFieldName('value')?.text ?? '');
      else {
        const key = names[position++];
        if (!key) return undefined;
        given.set(key, arg.text);
      }
    }
    if (!given.has('exception')) given.set('exception', 'None');
    if (!given.has('response')) given.set('response', 'None');
    if (!given.has('context')) given.set('context', '{}');
    return replace(args, `(${[...given].map(([key, value]) => `${key}=${value}`).join(', ')})`);
  }

  /**
   * `@events.request_success.add_listener` on a function: the function becomes a listener of `events.request`.
   * That hook fires for every request with more arguments (`response`, `context`, `exception`, `start_time`, `url`),
   * so the handler gets `**kwargs` and, first thing in its body, skips the requests the old hook did not fire for.
   * A function listening to both old hooks listens to `events.request` once and needs no filter.
   */
  private legacyListenerDecoratorEdits(decorator: Node, name: Node): TextEdit[] | undefined {
    const decorated = decorator.parent;
    const definition = decorated?.type === 'decorated_definition' ? decorated.childForFieldName('definition') : null;
    const parameters = definition?.type === 'function_definition' ? definition.childForFieldName('parameters') : null;
    const body = definition?.childForFieldName('body') ?? null;
    if (!decorated || !definition || !parameters || !body) return undefined;
    const key = `request-listener:${decorated.id}`;
    const known = this.sharedFixes.get(key);
    if (known) return known;

    // The function's other legacy request decorators (`request_success` and `request_failure` both).
    const legacyDecorators: { decorator: Node; name: Node }[] = [];
    for (const other of decorated.namedChildren) {
      const listener = other?.type === 'decorator' ? other.namedChildren[0] : null;
      const hook = listener?.type === 'attribute' && listener.childForFieldName('attribute')?.text === 'add_listener' ? listener.childForFieldName('object') : null;
      const hookName = hook?.type === 'attribute' ? hook.childForFieldName('attribute') : null;
      if (other && hookName && (hookName.text === 'request_success' || hookName.text === 'request_failure') && this.isEventsObject(hook?.childForFieldName('object') ?? null)) {
        legacyDecorators.push({ decorator: other, name: hookName });
      }
    }
    const edits: TextEdit[] = [replace(name, 'request')];
    for (const other of legacyDecorators) if (other.decorator.id !== decorator.id) edits.push({ range: wholeLines(other.decorator), newText: '' });
    const bothHooks = new Set(legacyDecorators.map((d) => d.name.text)).size === 2;

    // Parameters: the names the handler already takes, and the name of its `**kwargs` if it has one.
    const names = new Set<string>();
    let extra: string | undefined;
    let last: Node | undefined;
    for (const parameter of parameters.namedChildren) {
      if (!parameter || parameter.type === 'comment') continue;
      last = parameter;
      const inner = parameter.type === 'typed_parameter' ? parameter.namedChildren[0] : parameter;
      if (inner?.type === 'dictionary_splat_pattern') extra = inner.namedChildren[0]?.text;
      else if (inner?.type === 'identifier') names.add(inner.text);
      else names.add(parameter.childForFieldName('name')?.text ?? '');
    }
    if (!extra) {
      extra = names.has('kwargs') ? '_kwargs' : 'kwargs';
      const at = last ? rangeOf(last).end : { line: parameters.startPosition.row, character: parameters.startPosition.column + 1 };
      edits.push({ range: { start: at, end: at }, newText: `${last ? ', ' : ''}**${extra}` });
    }

    if (!bothHooks) {
      // The filter goes before the first statement (after a docstring), indented like it.
      const statements = bodyStatements(body);
      const first = statements[0];
      const docstring = first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string' ? first : undefined;
      const before = docstring ? statements[1] : first;
      if (!first || first.startPosition.row === definition.startPosition.row) return undefined;
      const indent = this.source.slice(first.startIndex - first.startPosition.column, first.startIndex);
      if (/\S/.test(indent)) return undefined;
      const exception = names.has('exception') ? 'exception' : `${extra}.get("exception")`;
      const skip = name.text === 'request_success' ? 'is not None' : 'is None';
      const guard = `${indent}if ${exception} ${skip}:\n${indent}    return\n`;
      const line = before ? before.startPosition.row : (docstring?.endPosition.row ?? first.startPosition.row) + 1;
      edits.push({ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: guard });
    }
    this.sharedFixes.set(key, edits);
    return edits;
  }

  // ── decorators and calls ───────────────────────────────────────────────────────

  private decorated(node: Node): void {
    const definition = node.childForFieldName('definition');
    if (definition?.type !== 'function_definition') return;
    for (const decorator of node.namedChildren) {
      if (decorator?.type !== 'decorator') continue;
      const expr = decorator.namedChildren[0];
      if (!expr) continue;
      const callee = expr.type === 'call' ? expr.childForFieldName('function') : expr;
      if (!callee || resolveLocustName(callee, this.facts.imports) !== 'task') continue;
      const cls = this.classContaining(node);
      const kind = this.kindOf(cls);
      const fnName = definition.childForFieldName('name')?.text ?? '';
      if (!kind && !this.listedTasks.has(fnName) && !(cls && this.hasUnknownBase(cls))) {
        this.diagnostics.push(
          diagnostic(
            decorator,
            DiagnosticSeverity.Warning,
            'task-outside-user',
            cls
              ? `\`@task\` in \`${cls.name}\`, which is neither a User nor a TaskSet: Locust never runs it. Move the method into a User or TaskSet class.`
              : '`@task` on a function outside a User or TaskSet class: Locust never runs it unless a class lists it in `tasks = [...]`.',
            { legacy: false, fixes: [] },
          ),
        );
      }
      if (expr.type === 'call') this.taskWeight(expr, kind);
    }
  }

  /** A base that is neither in this file nor a locust name (imported from another module): we cannot know what it is. */
  private hasUnknownBase(cls: ClassNode): boolean {
    return cls.bases.some((base) => base.text !== 'object' && !resolveLocustName(base, this.facts.imports) && !this.facts.classNamed.has(base.text));
  }

  private taskWeight(call: Node, kind: LocustName | undefined): void {
    const args = call.childForFieldName('arguments');
    let weight: Node | null = null;
    for (const arg of args?.namedChildren ?? []) {
      if (!arg) continue;
      if (arg.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'weight') weight = arg.childForFieldName('value');
      else if (arg.type !== 'keyword_argument' && arg.type !== 'comment') weight = arg;
    }
    if (!weight) return;
    this.checkWeight(weight, 'task weight');
    if ((kind === 'SequentialTaskSet' || kind === 'TaskSequence') && intValue(weight) !== 1) {
      const callee = call.childForFieldName('function');
      this.diagnostics.push(
        diagnostic(
          weight,
          DiagnosticSeverity.Warning,
          'weight-in-sequential',
          `A weight in a SequentialTaskSet does not make a task more likely: \`@task(${weight.text})\` runs it ${weight.text} times in a row, in written order. Use \`@task\`, and repeat the step explicitly if that is what you mean.`,
          { legacy: false, fixes: callee ? [{ title: 'Remove the weight', edits: [replace(call, callee.text)] }] : [] },
        ),
      );
    }
  }

  /** Literal weights only: an expression may well be a positive integer at run time. */
  private checkWeight(value: Node, what: string): void {
    const literal = value.type === 'integer' || value.type === 'float' || value.type === 'string' || value.type === 'unary_operator';
    if (!literal) return;
    const n = intValue(value);
    if (n !== null && n > 0) return;
    this.diagnostics.push(
      diagnostic(value, DiagnosticSeverity.Error, 'weight-not-positive-integer', `A ${what} must be a positive integer (1, 2, 3…), not \`${value.text}\`: it is how many times the task counts when Locust picks one.`, {
        legacy: false,
        fixes: [],
      }),
    );
  }

  private call(node: Node): void {
    const callee = node.childForFieldName('function');
    if (callee?.type !== 'attribute') return;
    const object = callee.childForFieldName('object');
    const method = callee.childForFieldName('attribute')?.text;
    if (object?.type === 'identifier' && object.text === 'self' && method === 'interrupt') {
      const cls = this.classOfMethod(node);
      const kind = this.kindOf(cls);
      if (kind && USER_KINDS.has(kind)) {
        this.diagnostics.push(
          diagnostic(node, DiagnosticSeverity.Error, 'interrupt-in-user', `\`self.interrupt()\` exists only on TaskSets; in the User class \`${cls?.name}\` it raises an error. Move these tasks into a TaskSet, or just return from the task.`, {
            legacy: false,
            fixes: [],
          }),
        );
      }
      return;
    }
    if ((method === 'failure' || method === 'success') && object?.type === 'identifier') this.responseMarking(node, object, method);
  }

  /** `response.failure()` / `success()` only work on a response from `with self.client.x(..., catch_response=True) as response`. */
  private responseMarking(call: Node, response: Node, method: string): void {
    for (let w = enclosing(call, 'with_statement'); w; w = enclosing(w, 'with_statement')) {
      for (const item of w.descendantsOfType('with_item')) {
        const pattern = item?.childForFieldName('value');
        if (pattern?.type !== 'as_pattern') continue;
        const alias = pattern.childForFieldName('alias') ?? pattern.namedChildren.at(-1);
        if (alias?.text !== response.text) continue;
        const request = pattern.namedChildren[0];
        if (request?.type !== 'call') return;
        const callee = request.childForFieldName('function');
        if (callee?.type !== 'attribute' || callee.childForFieldName('object')?.childForFieldName('attribute')?.text !== 'client') return;
        const args = request.childForFieldName('arguments');
        const catching = args?.namedChildren.some(
          (a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'catch_response' && a.childForFieldName('value')?.text !== 'False',
        );
        if (catching || !args) return;
        const close = rangeOf(args).end;
        const at = { line: close.line, character: close.character - 1 };
        const separator = args.namedChildren.length > 0 ? ', ' : '';
        this.diagnostics.push(
          diagnostic(
            call,
            DiagnosticSeverity.Warning,
            'missing-catch-response',
            `\`${response.text}.${method}()\` has no effect unless the request is made with \`catch_response=True\`: without it Locust has already recorded the result. Add \`catch_response=True\` to the request in the \`with\` statement.`,
            { legacy: false, fixes: [{ title: 'Add catch_response=True to the request', edits: [{ range: { start: at, end: at }, newText: `${separator}catch_response=True` }] }] },
          ),
        );
        return;
      }
    }
  }

  // ── classes ─────────────────────────────────────────────────────────────────────

  private classChecks(cls: ClassNode): void {
    const kind = this.kindOf(cls);
    if (!kind) return;
    const assignments = this.assignmentsOf(cls);
    const nameNode = cls.node.childForFieldName('name') ?? cls.node;
    for (const [attribute, value] of assignments) {
      if (attribute === 'task_set' && (USER_KINDS.has(kind) || TASKSET_KINDS.has(kind))) {
        const assignment = value.parent;
        this.diagnostics.push(
          diagnostic(assignment?.childForFieldName('left') ?? value, DiagnosticSeverity.Error, 'legacy-task_set', '`task_set = X` was replaced by `tasks = [X]` in Locust 1.0.', {
            legacy: true,
            fixes: assignment ? [{ title: `Replace with tasks = [${value.text}]`, edits: [replace(assignment, `tasks = [${value.text}]`)] }] : [],
          }),
        );
      }
      if ((attribute === 'weight' || attribute === 'fixed_count') && USER_KINDS.has(kind) && attribute === 'weight') this.checkWeight(value, 'User weight');
    }
    this.minMaxWait(cls, assignments);
    if (kind === 'MarkovTaskSet') this.markovChecks(cls, nameNode, assignments);
    if (kind === 'SequentialTaskSet') {
      const declared = assignments.get('tasks');
      for (const pair of declared?.type === 'dictionary' ? declared.namedChildren : []) {
        const value = pair?.type === 'pair' ? pair.childForFieldName('value') : null;
        if (value && intValue(value) !== 1) {
          this.diagnostics.push(
            diagnostic(value, DiagnosticSeverity.Warning, 'weight-in-sequential', 'A weight in a SequentialTaskSet\'s `tasks` repeats the task that many times in a row; it does not make it more likely. Use a list in the order the steps should run.', {
              legacy: false,
              fixes: [],
            }),
          );
        }
      }
    }
    if (kind === 'LoadTestShape') {
      const shape = this.model.shapes.find((s) => s.name === cls.name && s.range.start.line === cls.node.startPosition.row);
      // A tick() of a base in another module may come from where that module's reading stops: only the file's own are judged.
      if (shape && !shape.hasTick && !this.facts.projectDerived.has(cls)) {
        this.diagnostics.push(
          diagnostic(nameNode, DiagnosticSeverity.Error, 'shape-without-tick', `\`${cls.name}\` has no \`tick()\` method: Locust calls it every second to get \`(users, spawn_rate)\` and fails without it. Add \`def tick(self)\`.`, {
            legacy: false,
            fixes: [{ title: 'Add a tick() method', edits: this.appendToBody(cls, ['def tick(self):', '    if self.get_run_time() < 60:', '        return (10, 1)', '    return None']) }],
          }),
        );
      }
    }
    const nestedTaskSet = USER_KINDS.has(kind) ? this.related().nestedTaskSets.get(cls) : undefined;
    if (nestedTaskSet && !assignments.has('tasks')) {
      const statement = nestedTaskSet.node.parent?.type === 'decorated_definition' ? nestedTaskSet.node.parent : nestedTaskSet.node;
      const end = rangeOf(statement).end;
      const indent = ' '.repeat(statement.startPosition.column);
      const nameOfSet = nestedTaskSet.node.childForFieldName('name');
      // A name of its own: Locust 2.12 still warns about a `task_set` attribute.
      let renamed = `${cls.name}Tasks`;
      while (this.facts.classes.some((c) => c.name === renamed)) renamed += '_';
      const edits: TextEdit[] = [{ range: { start: end, end }, newText: `\n\n${indent}tasks = [${renamed}]` }];
      if (nameOfSet) edits.unshift(replace(nameOfSet, renamed));
      this.diagnostics.push(
        diagnostic(nameOfSet ?? statement, DiagnosticSeverity.Error, 'legacy-task_set-class', `A nested \`class task_set\` gave a User its tasks in Locust 0.x; Locust 2 does not run it as the User's tasks. List it in \`tasks = [...]\`.`, {
          legacy: true,
          fixes: [{ title: `Rename it ${renamed} and add tasks = [${renamed}]`, edits }],
        }),
      );
    }
    const user = this.model.users.find((u) => u.name === cls.name && u.range.start.line === cls.node.startPosition.row);
    if (user && !user.abstract && user.tasks.length > 0) this.baseUserCheck(cls, user, nameNode);
    if (user && !user.abstract && user.tasks.length === 0 && !nestedTaskSet && !this.declaresTasksDynamically(cls) && !this.facts.projectDerived.has(cls)) {
      this.diagnostics.push(
        diagnostic(
          nameNode,
          DiagnosticSeverity.Warning,
          'user-without-tasks',
          `User class \`${cls.name}\` has no tasks: Locust will stop with "No tasks defined" when it starts one. Add \`@task\` methods or \`tasks = [...]\`, or set \`abstract = True\` if it is only a base class.`,
          { legacy: false, fixes: [{ title: 'Mark as abstract (a base class)', edits: this.prependToBody(cls, 'abstract = True') }] },
        ),
      );
    }
  }

  /**
   * A User class with tasks that other User classes of the file derive from, without `abstract = True`: Locust runs it as a User
   * of its own too, beside its subclasses, which is seldom what a base class is for.
   */
  private baseUserCheck(cls: ClassNode, user: UserClassInfo, nameNode: Node): void {
    const subclasses = this.related().userSubclasses.get(cls.name) ?? [];
    if (subclasses.length === 0 || this.facts.classNamed.get(cls.name) !== cls) return;
    const names = subclasses.map((c) => `\`${c.name}\``).join(', ');
    this.diagnostics.push(
      diagnostic(nameNode, DiagnosticSeverity.Warning, 'base-user-not-abstract', `\`${user.name}\` is the base of ${names}, and has tasks: Locust runs it as a User class of its own too, and spawns users of it. Set \`abstract = True\` if it is only a base class.`, {
        legacy: false,
        fixes: [{ title: 'Mark as abstract', edits: this.prependToBody(cls, 'abstract = True') }],
      }),
    );
  }

  /** User classes of the file by the name of a base class they write, and `class task_set(TaskSet)` by the class it is nested in: gathered once. */
  private relations: { userSubclasses: Map<string, ClassNode[]>; nestedTaskSets: Map<ClassNode, ClassNode> } | undefined;

  private related(): { userSubclasses: Map<string, ClassNode[]>; nestedTaskSets: Map<ClassNode, ClassNode> } {
    if (this.relations) return this.relations;
    const userSubclasses = new Map<string, ClassNode[]>();
    const nestedTaskSets = new Map<ClassNode, ClassNode>();
    for (const c of this.facts.classes) {
      const kind = this.kindOf(c);
      if (!kind) continue;
      if (c.nestedIn && c.name === 'task_set' && TASKSET_KINDS.has(kind) && !nestedTaskSets.has(c.nestedIn)) nestedTaskSets.set(c.nestedIn, c);
      if (c.nestedIn || !USER_KINDS.has(kind)) continue;
      for (const base of c.baseRefs) if (base.type === 'identifier') userSubclasses.set(base.text, [...(userSubclasses.get(base.text) ?? []), c]);
    }
    this.relations = { userSubclasses, nestedTaskSets };
    return this.relations;
  }

  /** The model's TaskSet for a class of the file, matched by name and row as the User classes are. */
  private markovSetOf(cls: ClassNode): (TaskSetInfo & { markov: MarkovChain }) | undefined {
    this.markovSets ??= new Map(markovTaskSets(this.model).map((set) => [`${set.name}:${set.range.start.line}`, set]));
    return this.markovSets.get(`${cls.name}:${cls.node.startPosition.row}`);
  }

  /**
   * A MarkovTaskSet's chain against what Locust's metaclass checks when the class is created (an Error: the file does not load)
   * and what only goes wrong, or is useless, at run time (a Warning). An abstract class is not checked by Locust, nor here.
   */
  private markovChecks(cls: ClassNode, nameNode: Node, assignments: Map<string, Node>): void {
    const set = this.markovSetOf(cls);
    if (!set || assignments.get('abstract')?.type === 'true') return;
    const chain = set.markov;
    const none: DiagnosticData = { legacy: false, fixes: [] };
    if (chain.states.length === 0) {
      this.diagnostics.push(
        diagnostic(nameNode, DiagnosticSeverity.Error, 'markov-no-states', `MarkovTaskSet \`${cls.name}\` has no states: Locust refuses the class (NoMarkovTasksError). Decorate its methods with \`@transition("next_state")\` or \`@transitions(...)\`, or set \`abstract = True\` if it is only a base class.`, none),
      );
      return;
    }
    const states = new Set(chain.states.map((state) => state.name));
    // Locust looks targets up in the class's own dict: inherited methods do not count.
    const members = new Set<string>();
    for (const statement of bodyStatements(cls.body)) {
      const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
      const named = definition?.childForFieldName('name')?.text;
      if (named) members.add(named);
    }
    for (const name of assignments.keys()) members.add(name);
    for (const state of chain.states) {
      const stateName = this.definitionName(state.range);
      if (state.name === 'run') {
        this.diagnostics.push(diagnostic(stateName, DiagnosticSeverity.Error, 'markov-run-state', 'Locust refuses a state named `run`: `TaskSet.run()` is what drives the TaskSet. Rename the method.', none));
      } else if (state.name === 'on_start' || state.name === 'on_stop') {
        this.diagnostics.push(
          diagnostic(stateName, DiagnosticSeverity.Warning, 'markov-lifecycle-state', `\`${state.name}\` as a state runs both as a step of the chain and on ${state.name === 'on_start' ? 'start' : 'stop'}: usually not what was meant. Use a method of another name.`, none),
        );
      }
      const tag = this.tagDecorator(state.range);
      if (tag) this.diagnostics.push(diagnostic(tag, DiagnosticSeverity.Error, 'markov-tagged-state', 'Locust refuses `@tag` on a MarkovTaskSet state (MarkovTaskTagError): filtering states by tag could break the chain.', none));
      for (const transition of state.transitions) {
        if (!members.has(transition.to)) {
          const suggestion = closestName(transition.to, states);
          const content = this.stringContent(transition.range);
          this.diagnostics.push(
            diagnostic(
              transition.range,
              DiagnosticSeverity.Error,
              'markov-unknown-state',
              `\`${cls.name}\` has no method \`${transition.to}\`: Locust refuses the class (InvalidTransitionError).${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`,
              { legacy: false, fixes: suggestion && content ? [{ title: `Change to '${suggestion}'`, edits: [{ range: content, newText: suggestion }] }] : [] },
            ),
          );
        } else if (!states.has(transition.to)) {
          this.diagnostics.push(
            diagnostic(transition.range, DiagnosticSeverity.Error, 'markov-target-not-state', `\`${cls.name}.${transition.to}\` has no transitions of its own, so it cannot be a target: Locust refuses the class (NonMarkovTaskTransitionError). Decorate it with \`@transition(...)\`.`, none),
          );
        }
        if (transition.weight !== null && transition.weight <= 0) {
          this.diagnostics.push(
            diagnostic(transition.weightRange ?? transition.range, DiagnosticSeverity.Warning, 'markov-weight-not-positive', `A weight of ${transition.weight}: Locust never takes this transition (it repeats each target \`weight\` times and draws one). Use a weight of 1 or more, or remove it.`, none),
          );
        }
      }
      if (!state.transitions.some(isTaken)) {
        this.diagnostics.push(
          diagnostic(stateName, DiagnosticSeverity.Warning, 'markov-dead-end', `State \`${state.name}\` has no transition Locust can take: a user who gets here fails with an IndexError when it picks the next state. Give it a transition with a positive weight.`, none),
        );
      }
    }
    const reached = reachableStates(chain);
    for (const state of chain.states) {
      if (reached.has(state.name)) continue;
      this.diagnostics.push(
        diagnostic(this.definitionName(state.range), DiagnosticSeverity.Warning, 'markov-unreachable', `State \`${state.name}\` is unreachable from the start state \`${chain.start ?? ''}\`: no chain of transitions leads to it, so Locust never runs it.`, none),
      );
    }
  }

  /** The name of the (decorated) method definition a model range covers; the range itself when the tree disagrees. */
  private definitionName(range: SourceRange): Node | SourceRange {
    let node: Node | null = this.root.descendantForPosition({ row: range.start.line, column: range.start.character });
    while (node && node.type !== 'decorated_definition' && node.type !== 'function_definition') node = node.parent;
    const definition = node?.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
    return definition?.childForFieldName('name') ?? range;
  }

  /** A `@tag(...)` among the decorators of the method a model range covers. */
  private tagDecorator(range: SourceRange): Node | undefined {
    let node: Node | null = this.root.descendantForPosition({ row: range.start.line, column: range.start.character });
    while (node && node.type !== 'decorated_definition') node = node.parent;
    for (const decorator of node?.namedChildren ?? []) {
      if (decorator?.type !== 'decorator') continue;
      const expr = decorator.namedChildren[0];
      const callee = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
      if (callee && resolveLocustName(callee, this.facts.imports) === 'tag') return decorator;
    }
    return undefined;
  }

  /** The text inside the quotes of the string literal a model range covers. */
  private stringContent(range: SourceRange): Range | undefined {
    let node: Node | null = this.root.descendantForPosition({ row: range.start.line, column: range.start.character });
    while (node && node.type !== 'string') node = node.parent;
    const parts = node?.namedChildren.filter((c): c is Node => !!c && c.type === 'string_content') ?? [];
    if (parts.length !== 1) return undefined;
    return rangeOf(parts[0]!);
  }

  /** `tasks = some_function()` or a base class from another module: tasks we cannot see. */
  private declaresTasksDynamically(cls: ClassNode): boolean {
    const declared = this.assignmentsOf(cls).get('tasks');
    if (declared && declared.type !== 'list' && declared.type !== 'dictionary') return true;
    return this.hasUnknownBase(cls);
  }

  private minMaxWait(cls: ClassNode, assignments: Map<string, Node>): void {
    const min = assignments.get('min_wait');
    const max = assignments.get('max_wait');
    if (!min && !max) return;
    // Locust 0.x defaulted both to 1000 ms: a missing bound keeps that default while the range stays valid, else it
    // takes the given bound (`min_wait = 2000` alone becomes `between(2, 2)`, not `between(2, 1)`).
    const given = (min ?? max)!;
    const givenMs = given.type === 'integer' || given.type === 'float' ? Number(given.text.replace(/_/g, '')) : NaN;
    const defaultFits = Number.isFinite(givenMs) && (min ? givenMs <= 1000 : givenMs >= 1000);
    const missing = defaultFits ? '1' : formatSeconds(given);
    const minText = min ? formatSeconds(min) : missing;
    const maxText = max ? formatSeconds(max) : missing;
    const replacement = `wait_time = between(${minText}, ${maxText})`;
    const edits: TextEdit[] = [];
    const firstAssignment = (min ?? max)?.parent;
    const secondStatement = min && max ? max.parent?.parent : null;
    if (firstAssignment) edits.push(replace(firstAssignment, replacement));
    if (secondStatement) edits.push({ range: wholeLines(secondStatement), newText: '' });
    edits.push(...this.ensureImport('between'));
    for (const value of [min, max]) {
      const left = value?.parent?.childForFieldName('left');
      if (!left) continue;
      this.diagnostics.push(
        diagnostic(left, DiagnosticSeverity.Warning, `legacy-${left.text}`, `\`${left.text}\` (milliseconds) is ignored since Locust 1.0, so this class does not wait at all between tasks: use \`wait_time = between(min, max)\` in seconds.`, {
          legacy: true,
          fixes: [{ title: `Replace with ${replacement}`, edits }],
        }),
      );
    }
  }

  /** Where a new first statement of a class goes, and its indentation (after a docstring). */
  private bodyStart(cls: ClassNode): { line: number; indent: string; after: boolean } {
    const statements = bodyStatements(cls.body);
    const first = statements[0];
    if (!first) return { line: cls.node.endPosition.row + 1, indent: '    ', after: true };
    const indent = ' '.repeat(first.startPosition.column);
    const isDocstring = first.type === 'expression_statement' && first.namedChildren[0]?.type === 'string';
    return isDocstring ? { line: first.endPosition.row + 1, indent, after: true } : { line: first.startPosition.row, indent, after: false };
  }

  private prependToBody(cls: ClassNode, line: string): TextEdit[] {
    const { line: at, indent } = this.bodyStart(cls);
    return [{ range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } }, newText: `${indent}${line}\n` }];
  }

  private appendToBody(cls: ClassNode, lines: string[]): TextEdit[] {
    const statements = bodyStatements(cls.body);
    const last = statements.at(-1);
    const indent = last ? ' '.repeat(last.startPosition.column) : '    ';
    const end = last ? rangeOf(last).end : rangeOf(cls.node).end;
    return [{ range: { start: end, end }, newText: `\n\n${lines.map((l) => indent + l).join('\n')}` }];
  }

  /** Locust collects a file's `test*` functions only when it has no User classes: beside one, they never run. */
  private ignoredTestFunctions(): void {
    const runnable = this.model.users.filter((u) => !u.abstract).map((u) => `\`${u.name}\``);
    if (runnable.length === 0) return;
    const users = runnable.length > 3 ? `${runnable.slice(0, 3).join(', ')}…` : runnable.join(', ');
    // A module-level function listed in `tasks` runs as a task: that one is used.
    const tasks = new Set([...this.model.users, ...this.model.taskSets].flatMap((owner) => owner.tasks.map((task) => task.name)));
    for (const fn of this.model.testFunctions ?? []) {
      if (tasks.has(fn.name)) continue;
      this.diagnostics.push(
        diagnostic(this.definitionName(fn.range), DiagnosticSeverity.Warning, 'test-function-ignored', `Locust ignores the test function \`${fn.name}\`: it runs a file's pytest-style \`test*\` functions only when the file has no User classes, and this one has ${users}. Move the function to a locustfile of its own, or make it a task.`, { legacy: false, fixes: [] }),
      );
    }
  }

  private hostCheck(): void {
    if (this.options.hostConfiguredElsewhere) return;
    const runnable = this.model.users.filter((u) => !u.abstract);
    const isHttp = (user: UserClassInfo) => {
      const cls = this.facts.classes.find((c) => c.name === user.name && c.node.startPosition.row === user.range.start.line);
      const kind = this.kindOf(cls);
      return !!kind && HTTP_USER_KINDS.has(kind);
    };
    const hostSomewhere = this.facts.classes.some((c) => {
      const kind = this.kindOf(c);
      return !!kind && USER_KINDS.has(kind) && this.assignmentsOf(c).has('host');
      // `FastHttpUser.host = "…"` at module level sets it too: the model has it.
    }) || runnable.some((user) => user.host !== null);
    if (runnable.length === 0 || hostSomewhere) return;
    for (const user of runnable) {
      const cls = this.facts.classes.find((c) => c.name === user.name && c.node.startPosition.row === user.range.start.line);
      // A base of another module may set its host in a way only running it tells (an environment variable, a setting).
      if (!cls || !isHttp(user) || this.facts.projectDerived.has(cls)) continue;
      this.diagnostics.push(
        diagnostic(cls.node.childForFieldName('name') ?? cls.node, DiagnosticSeverity.Information, 'no-host', `No \`host\` is set for \`${user.name}\` (nor in a locust.conf beside this file): Locust needs one for relative URLs. Set \`host = "..."\` here, or pass \`--host\` when you run.`, {
          legacy: false,
          fixes: [{ title: `Add host = "${PLACEHOLDER_HOST}"`, edits: this.prependToBody(cls, `host = "${PLACEHOLDER_HOST}"`) }],
        }),
      );
    }
  }
}

export function diagnosticsFor(tree: Tree, model: LocustfileModel, facts: LocustfileFacts, options: DiagnosticOptions): Diagnostic[] {
  if (!model.isLocustfile) return [];
  const thresholds = thresholdDiagnostics(tree, model, facts).map((d) => ({ ...d, source: DIAGNOSTIC_SOURCE, data: { legacy: false, fixes: [] } satisfies DiagnosticData }));
  return [...new Collector(tree, model, facts, options).run(), ...thresholds];
}
