// Python expressions the model evaluates without running the file: literals, module and class constants, arithmetic, subscripts.
import type { Node } from 'web-tree-sitter';
import type { SourceRange, UnknownNumber } from '../protocol/model';
import { decodeContent } from './pythonStrings';

/**
 * An expression as read from the tree, kept (and cached) apart from it: plain data, rows relative to the module-level
 * statement it is in (`r`), so it moves with its statement like the rest of a statement's facts.
 */
export type Expr =
  | { k: 'int' | 'float'; v: number; r?: SourceRange | undefined }
  | { k: 'str'; v: string; r?: SourceRange | undefined }
  | { k: 'bool'; v: boolean; r?: SourceRange | undefined }
  | { k: 'none'; r?: SourceRange | undefined }
  | { k: 'name'; n: string; r?: SourceRange | undefined }
  | { k: 'attr'; o: Expr; n: string; t: string; r?: SourceRange | undefined }
  | { k: 'bin'; op: string; a: Expr; b: Expr; t: string; r?: SourceRange | undefined }
  | { k: 'unary'; op: string; a: Expr; t: string; r?: SourceRange | undefined }
  | { k: 'cmp'; op: string; a: Expr; b: Expr; t: string; r?: SourceRange | undefined }
  | { k: 'if'; c: Expr; a: Expr; b: Expr; t: string; r?: SourceRange | undefined }
  | { k: 'sub'; o: Expr; i: Expr; t: string; r?: SourceRange | undefined }
  | { k: 'seq'; kind: 'list' | 'tuple' | 'set'; items: Expr[]; r?: SourceRange | undefined }
  | { k: 'dict'; pairs: { key: Expr; value: Expr; r: SourceRange }[]; r?: SourceRange | undefined }
  /** Anything else: a call, a comprehension, an f-string… (`why` says what it is). */
  | { k: 'other'; why: string; t: string; r?: SourceRange | undefined };

function relative(node: Node, origin: number): SourceRange {
  return {
    start: { line: node.startPosition.row - origin, character: node.startPosition.column },
    end: { line: node.endPosition.row - origin, character: node.endPosition.column },
  };
}

function named(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
}

/** Deep enough for real files; fuzzed input can nest without end. */
const MAX_DEPTH = 60;

/** The expression `node` as data, rows relative to `origin`; `ranged`: with its position. */
export function exprOf(node: Node, origin: number, depth = 0, ranged = true): Expr {
  const type = node.type;
  const r = ranged ? relative(node, origin) : undefined;
  // The text is read only for what shows it: a leaf's value, or an expression a message quotes.
  const t = type === 'list' || type === 'tuple' || type === 'set' || type === 'dictionary' || type === 'expression_list' ? '' : node.text;
  if (depth > MAX_DEPTH) return { k: 'other', why: 'is nested too deeply to read', t, r };
  const sub = (child: Node | null | undefined, placed = false): Expr => (child ? exprOf(child, origin, depth + 1, placed) : { k: 'other', why: 'is incomplete', t, r });
  switch (type) {
    case 'integer': {
      const text = t.replace(/_/g, '').toLowerCase();
      const v = /^0[box]/.test(text) ? Number(text) : /^[0-9]+$/.test(text) ? Number(text) : NaN;
      return Number.isSafeInteger(v) ? { k: 'int', v, r } : { k: 'other', why: 'is not a number the model reads', t, r };
    }
    case 'float': {
      const v = Number(t.replace(/_/g, ''));
      return Number.isFinite(v) ? { k: 'float', v, r } : { k: 'other', why: 'is not a number the model reads', t, r };
    }
    case 'true':
    case 'false':
      return { k: 'bool', v: node.type === 'true', r };
    case 'none':
      return { k: 'none', r };
    case 'string': {
      const parts = node.namedChildren;
      const prefix = parts.find((c) => c?.type === 'string_start')?.text ?? '';
      if (/[fFbB]/.test(prefix) || parts.some((c) => c?.type === 'interpolation')) return { k: 'other', why: 'is an f-string, computed when the file runs', t, r };
      const content = parts.filter((c) => c?.type === 'string_content').map((c) => c?.text ?? '').join('');
      return { k: 'str', v: /[rR]/.test(prefix) ? content : decodeContent(content, false).value, r };
    }
    case 'concatenated_string': {
      const pieces = named(node).map((piece) => sub(piece));
      if (pieces.every((p) => p.k === 'str')) return { k: 'str', v: pieces.map((p) => (p as { v: string }).v).join(''), r };
      return { k: 'other', why: 'is an f-string, computed when the file runs', t, r };
    }
    case 'identifier':
      return { k: 'name', n: t, r };
    case 'attribute':
      return { k: 'attr', o: sub(node.childForFieldName('object')), n: node.childForFieldName('attribute')?.text ?? '', t, r };
    case 'parenthesized_expression':
      return sub(named(node)[0]);
    case 'binary_operator':
      return { k: 'bin', op: node.childForFieldName('operator')?.text ?? '', a: sub(node.childForFieldName('left')), b: sub(node.childForFieldName('right')), t, r };
    case 'unary_operator':
      return { k: 'unary', op: node.childForFieldName('operator')?.text ?? '', a: sub(node.childForFieldName('argument')), t, r };
    case 'not_operator':
      return { k: 'unary', op: 'not', a: sub(node.childForFieldName('argument')), t, r };
    case 'boolean_operator':
      return { k: 'bin', op: node.childForFieldName('operator')?.text ?? '', a: sub(node.childForFieldName('left')), b: sub(node.childForFieldName('right')), t, r };
    case 'comparison_operator': {
      const operands = named(node);
      const operators = node.children.filter((c) => !!c && !c.isNamed).map((c) => c.text);
      if (operands.length !== 2 || operators.length !== 1) return { k: 'other', why: 'is a chained comparison the model does not evaluate', t, r };
      return { k: 'cmp', op: operators[0]!, a: sub(operands[0]), b: sub(operands[1]), t, r };
    }
    case 'conditional_expression': {
      const [a, c, b] = named(node);
      return { k: 'if', a: sub(a), c: sub(c), b: sub(b), t, r };
    }
    case 'subscript': {
      const index = node.childForFieldName('subscript');
      if (index?.type === 'slice') return { k: 'other', why: 'is a slice the model does not evaluate', t, r };
      return { k: 'sub', o: sub(node.childForFieldName('value')), i: sub(index), t, r };
    }
    case 'list':
    case 'tuple':
    case 'set':
    case 'expression_list': {
      const items = named(node);
      if (items.some((i) => i.type === 'list_splat' || i.type === 'dictionary_splat')) return { k: 'other', why: 'unpacks another collection with `*`', t: node.text, r };
      return { k: 'seq', kind: type === 'expression_list' ? 'tuple' : (type), items: items.map((item) => sub(item, true)), r };
    }
    case 'dictionary': {
      const pairs: { key: Expr; value: Expr; r: SourceRange }[] = [];
      for (const pair of named(node)) {
        if (pair.type !== 'pair') return { k: 'other', why: 'unpacks another dict with `**`', t: node.text, r };
        pairs.push({ key: sub(pair.childForFieldName('key')), value: sub(pair.childForFieldName('value')), r: relative(pair, origin) });
      }
      return { k: 'dict', pairs, r };
    }
    case 'call': {
      const callee = node.childForFieldName('function')?.text ?? '';
      return { k: 'other', why: `calls \`${callee}(…)\`, computed when the file runs`, t, r };
    }
    case 'list_comprehension':
    case 'dictionary_comprehension':
    case 'set_comprehension':
    case 'generator_expression':
      return { k: 'other', why: 'is a comprehension, computed when the file runs', t, r };
    case 'lambda':
      return { k: 'other', why: 'is a function', t, r };
    default:
      return { k: 'other', why: 'is an expression the model does not evaluate', t, r };
  }
}

/** A task entry of a collection: what it names, where it is written (absolute rows). */
export interface Item {
  value: Value;
  range: SourceRange;
}

/**
 * A value as Python would have it: numbers, strings, booleans, None, collections; `ref` for a name that is not a
 * constant (a function, a class: what `tasks` lists); `tasks` for `SomeClass.tasks`, the task list Locust built for a class.
 */
export type Value =
  | { t: 'int' | 'float'; v: number }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'none' }
  | { t: 'ref'; name: string; why?: string }
  | { t: 'seq'; kind: 'list' | 'tuple' | 'set'; items: Item[] }
  | { t: 'dict'; entries: { key: Value; value: Value; range: SourceRange }[] }
  | { t: 'tasks'; of: string };

/** Not known: the (sub)expression that is not, and why, as a predicate of it ("calls `f(…)`, computed when the file runs"). */
export interface NotKnown {
  text: string;
  why: string;
}
export type Evaluated = { ok: true; value: Value } | { ok: false; unknown: NotKnown };

/** What a name means where an expression is evaluated. */
export type Binding =
  | { kind: 'expr'; expr: Expr; origin: number; scope: Scope }
  | { kind: 'unknown'; why: string }
  /** A function or class (of the file, or imported: `why` then says from where), which `tasks` may list but is no number. */
  | { kind: 'ref'; why?: string };

/** Looks names up: a class body's names first, then the module's (as Python does in a class body). */
export interface Scope {
  lookup(name: string): Binding | undefined;
  /** True when `name` is a class of the file whose `tasks` the model knows. */
  isClass(name: string): boolean;
}

const BUILTIN_NAMES = new Set(['True', 'False', 'None']);

function known(value: Value): Evaluated {
  return { ok: true, value };
}

function unknown(text: string, why: string): Evaluated {
  return { ok: false, unknown: { text, why } };
}

/** The position of an expression read without one (never an entry of a collection, which always has its own). */
const NOWHERE: SourceRange = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function shift(range: SourceRange, rows: number): SourceRange {
  return { start: { line: range.start.line + rows, character: range.start.character }, end: { line: range.end.line + rows, character: range.end.character } };
}

function equal(a: Value, b: Value): boolean | undefined {
  const numeric = (v: Value) => (v.t === 'int' || v.t === 'float' ? v.v : v.t === 'bool' ? Number(v.v) : undefined);
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return na === nb;
  if (a.t === 'str' && b.t === 'str') return a.v === b.v;
  if (a.t === 'none' || b.t === 'none') return a.t === b.t;
  if (na !== undefined || nb !== undefined || a.t === 'str' || b.t === 'str') return false;
  return undefined;
}

/** Python's truth of a known value; undefined for a function or class. */
export function truthy(v: Value): boolean | undefined {
  switch (v.t) {
    case 'int':
    case 'float':
    case 'str':
      return !!v.v;
    case 'bool':
      return v.v;
    case 'none':
      return false;
    case 'seq':
      return v.items.length > 0;
    case 'dict':
      return v.entries.length > 0;
    default:
      return undefined;
  }
}

function number(t: 'int' | 'float', v: number): Value {
  return { t, v };
}

/** Python's arithmetic on two known values; undefined for what the model does not evaluate. */
function arithmetic(op: string, a: Value, b: Value): Value | undefined {
  const num = (v: Value) => (v.t === 'int' || v.t === 'float' ? v : v.t === 'bool' ? ({ t: 'int', v: Number(v.v) } as const) : undefined);
  const x = num(a);
  const y = num(b);
  if (x && y) {
    const kind = x.t === 'float' || y.t === 'float' ? 'float' : 'int';
    switch (op) {
      case '+':
        return number(kind, x.v + y.v);
      case '-':
        return number(kind, x.v - y.v);
      case '*':
        return number(kind, x.v * y.v);
      case '/':
        return y.v === 0 ? undefined : number('float', x.v / y.v);
      case '//':
        return y.v === 0 ? undefined : number(kind, Math.floor(x.v / y.v));
      case '%':
        return y.v === 0 ? undefined : number(kind, x.v - y.v * Math.floor(x.v / y.v));
      case '**':
        return kind === 'int' && y.v < 0 ? number('float', x.v ** y.v) : number(kind, x.v ** y.v);
      default:
        return undefined;
    }
  }
  if (op === '+' && a.t === 'str' && b.t === 'str') return { t: 'str', v: a.v + b.v };
  if (op === '+' && a.t === 'seq' && b.t === 'seq' && a.kind === b.kind && a.kind !== 'set') return { t: 'seq', kind: a.kind, items: [...a.items, ...b.items] };
  if (op === '*' && a.t === 'seq' && a.kind !== 'set' && y?.t === 'int') return { t: 'seq', kind: a.kind, items: Array.from({ length: Math.max(0, y.v) }, () => a.items).flat() };
  if (op === '|' && a.t === 'seq' && b.t === 'seq' && a.kind === 'set' && b.kind === 'set') return { t: 'seq', kind: 'set', items: [...a.items, ...b.items] };
  return undefined;
}

function compare(op: string, a: Value, b: Value): boolean | undefined {
  if (op === '==' || op === '!=') {
    const same = equal(a, b);
    return same === undefined ? undefined : op === '==' ? same : !same;
  }
  if (op === 'in' || op === 'not in') {
    const inside = b.t === 'seq' ? b.items.map((i) => equal(a, i.value)) : b.t === 'dict' ? b.entries.map((e) => equal(a, e.key)) : b.t === 'str' && a.t === 'str' ? [b.v.includes(a.v)] : undefined;
    if (!inside || inside.includes(undefined)) return undefined;
    const found = inside.includes(true);
    return op === 'in' ? found : !found;
  }
  const order = (v: Value) => (v.t === 'int' || v.t === 'float' ? v.v : undefined);
  const x = order(a);
  const y = order(b);
  if (x === undefined || y === undefined) return undefined;
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
    default:
      return undefined;
  }
}

/** Evaluates `expr` (rows relative to `origin`) in `scope`; names are followed at most `budget` times (cycles, long chains). */
export function evaluate(expr: Expr, origin: number, scope: Scope, budget = { left: 200 }): Evaluated {
  // No closures here: this runs for every `tasks` and weight of every class each time a model is built.
  switch (expr.k) {
    case 'int':
    case 'float':
      return known({ t: expr.k, v: expr.v });
    case 'str':
      return known({ t: 'str', v: expr.v });
    case 'bool':
      return known({ t: 'bool', v: expr.v });
    case 'none':
      return known({ t: 'none' });
    case 'name': {
      if (expr.n === '__name__') return unknown(expr.n, '`__name__` is the module name Locust imports the file under');
      if (BUILTIN_NAMES.has(expr.n)) return known(expr.n === 'None' ? { t: 'none' } : { t: 'bool', v: expr.n === 'True' });
      const binding = scope.lookup(expr.n);
      if (!binding) return known({ t: 'ref', name: expr.n });
      if (binding.kind === 'ref') return known(binding.why ? { t: 'ref', name: expr.n, why: binding.why } : { t: 'ref', name: expr.n });
      if (binding.kind === 'unknown') return unknown(expr.n, binding.why);
      if (--budget.left < 0) return unknown(expr.n, `\`${expr.n}\` refers to itself`);
      const value = evaluate(binding.expr, binding.origin, binding.scope, budget);
      return value.ok ? value : unknown(expr.n, `is \`${value.unknown.text}\`, which ${value.unknown.why}`);
    }
    case 'attr': {
      if (expr.n === 'tasks' && expr.o.k === 'name' && scope.isClass(expr.o.n)) return known({ t: 'tasks', of: expr.o.n });
      // `module.func`, `flows.Browse`: a function or class from elsewhere, as `tasks` lists them.
      if (/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(expr.t)) return known({ t: 'ref', name: expr.t });
      return unknown(expr.t, 'is an attribute the model does not evaluate');
    }
    case 'bin': {
      const a = evaluate(expr.a, origin, scope, budget);
      if (!a.ok) return a;
      if (expr.op === 'and' || expr.op === 'or') {
        const truth = truthy(a.value);
        if (truth === undefined) return unknown(expr.t, 'is a condition the model does not evaluate');
        return expr.op === 'and' ? (truth ? evaluate(expr.b, origin, scope, budget) : a) : truth ? a : evaluate(expr.b, origin, scope, budget);
      }
      const b = evaluate(expr.b, origin, scope, budget);
      if (!b.ok) return b;
      // `Other.tasks + [...]`: Locust's list for Other, as one entry the task list spreads out.
      const spread = (v: Value): Value => (v.t === 'tasks' ? { t: 'seq', kind: 'list', items: [{ value: v, range: shift(expr.r ?? NOWHERE, origin) }] } : v);
      const value = arithmetic(expr.op, spread(a.value), spread(b.value));
      return value ? known(value) : unknown(expr.t, 'is an operation the model does not evaluate');
    }
    case 'unary': {
      const a = evaluate(expr.a, origin, scope, budget);
      if (!a.ok) return a;
      if (expr.op === 'not') {
        const truth = truthy(a.value);
        return truth === undefined ? unknown(expr.t, 'is a condition the model does not evaluate') : known({ t: 'bool', v: !truth });
      }
      const v = a.value;
      if (v.t !== 'int' && v.t !== 'float') return unknown(expr.t, 'is an operation the model does not evaluate');
      return known(number(v.t, expr.op === '-' ? -v.v : v.v));
    }
    case 'cmp': {
      // `if __name__ == "__main__":` never holds when Locust imports the file.
      if (expr.op === '==' || expr.op === '!=') {
        const [name, other] = expr.a.k === 'name' && expr.a.n === '__name__' ? [expr.a, expr.b] : expr.b.k === 'name' && expr.b.n === '__name__' ? [expr.b, expr.a] : [];
        if (name && other?.k === 'str' && other.v === '__main__') return known({ t: 'bool', v: expr.op === '!=' });
      }
      const a = evaluate(expr.a, origin, scope, budget);
      if (!a.ok) return a;
      const b = evaluate(expr.b, origin, scope, budget);
      if (!b.ok) return b;
      const result = compare(expr.op, a.value, b.value);
      return result === undefined ? unknown(expr.t, 'is a comparison the model does not evaluate') : known({ t: 'bool', v: result });
    }
    case 'if': {
      const c = evaluate(expr.c, origin, scope, budget);
      if (!c.ok) return c;
      const truth = truthy(c.value);
      if (truth === undefined) return unknown(expr.t, 'is a condition the model does not evaluate');
      return evaluate(truth ? expr.a : expr.b, origin, scope, budget);
    }
    case 'sub': {
      const o = evaluate(expr.o, origin, scope, budget);
      if (!o.ok) return o;
      const i = evaluate(expr.i, origin, scope, budget);
      if (!i.ok) return i;
      const container = o.value;
      const index = i.value;
      if (container.t === 'seq' && container.kind !== 'set' && index.t === 'int') {
        const at = index.v < 0 ? container.items.length + index.v : index.v;
        const item = container.items[at];
        return item ? known(item.value) : unknown(expr.t, 'is out of range: the file fails when Locust imports it');
      }
      if (container.t === 'dict') {
        for (const entry of [...container.entries].reverse()) {
          const same = equal(entry.key, index);
          if (same === undefined) break;
          if (same) return known(entry.value);
        }
        return unknown(expr.t, 'looks up a key the dict does not have');
      }
      return unknown(expr.t, 'is a subscript the model does not evaluate');
    }
    case 'seq': {
      const items: Item[] = [];
      for (const item of expr.items) {
        const value = evaluate(item, origin, scope, budget);
        if (!value.ok) return value;
        items.push({ value: value.value, range: shift(item.r ?? NOWHERE, origin) });
      }
      return known({ t: 'seq', kind: expr.kind, items });
    }
    case 'dict': {
      const entries: { key: Value; value: Value; range: SourceRange }[] = [];
      for (const pair of expr.pairs) {
        const key = evaluate(pair.key, origin, scope, budget);
        if (!key.ok) return key;
        // A value is evaluated where it is used: a dict of weights may hold one that is unknown and never asked for.
        const value = evaluate(pair.value, origin, scope, budget);
        entries.push({ key: key.value, value: value.ok ? value.value : { t: 'ref', name: `?${value.unknown.text}` }, range: shift(pair.r, origin) });
      }
      return known({ t: 'dict', entries });
    }
    case 'other':
      return unknown(expr.t, expr.why);
  }
}

/** A value as a weight or a count (Locust's `range(weight)` needs an int); why not, in a sentence, otherwise. */
export function asWeight(evaluated: Evaluated, text: string): { weight: number } | { unknown: UnknownNumber } {
  const because = (subject: string, why: string) => ({ unknown: { text, reason: `\`${subject}\` ${why}.` } });
  if (!evaluated.ok) return because(evaluated.unknown.text, evaluated.unknown.why);
  const value = evaluated.value;
  if (value.t === 'int') return { weight: value.v };
  if (value.t === 'bool') return { weight: Number(value.v) };
  if (value.t === 'ref' && value.name.startsWith('?')) return because(value.name.slice(1), 'is not known without running the file');
  if (value.t === 'ref') return because(value.name, value.why ?? 'is not a constant this file sets (imported, or set when the file runs)');
  return because(text, `is not a whole number (${value.t === 'float' ? 'a float' : `a ${value.t}`}), which Locust refuses`);
}

/** An expression as written. */
export function exprText(expr: Expr): string {
  switch (expr.k) {
    case 'int':
    case 'float':
      return String(expr.v);
    case 'str':
      return JSON.stringify(expr.v);
    case 'bool':
      return expr.v ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'name':
      return expr.n;
    case 'seq':
      return expr.kind === 'list' ? '[…]' : expr.kind === 'set' ? '{…}' : '(…)';
    case 'dict':
      return '{…}';
    default:
      return expr.t;
  }
}

/** A value in Python's words, for a message. */
export function valueText(value: Value): string {
  switch (value.t) {
    case 'int':
    case 'float':
      return String(value.v);
    case 'str':
      return JSON.stringify(value.v);
    case 'bool':
      return value.v ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'ref':
      return value.name.replace(/^\?/, '');
    case 'tasks':
      return `${value.of}.tasks`;
    default:
      return `a ${value.t === 'seq' ? value.kind : 'dict'}`;
  }
}
