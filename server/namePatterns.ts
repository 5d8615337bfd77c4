// Reads the statistics name a request's argument will give at run time as a pattern: f-strings, `+`, `%` and `.format()`.
import type { Node } from 'web-tree-sitter';
import type { NamePattern } from '../protocol/model';
import { decodeContent, literalValue, writtenString } from './pythonStrings';

/** A pattern under construction: literal parts and holes (null), merged as they are appended. */
class PatternBuilder {
  readonly parts: NamePattern = [];
  text(value: string): void {
    if (value === '') return;
    const last = this.parts.length - 1;
    if (last >= 0 && this.parts[last] !== null) this.parts[last] += value;
    else this.parts.push(value);
  }
  hole(): void {
    if (this.parts[this.parts.length - 1] !== null || this.parts.length === 0) this.parts.push(null);
  }
  append(pattern: NamePattern): void {
    for (const part of pattern) {
      if (part === null) this.hole();
      else this.text(part);
    }
  }
}

/** `%s`, `%(name)d`, `%-5.2f`…; `%%` is a percent sign. */
const PERCENT_FIELD = /%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]/g;
/** `{}`, `{0}`, `{name!r:>10}`; `{{` and `}}` are braces. */
const FORMAT_FIELD = /\{\{|\}\}|\{[^{}]*\}/g;

function splitFields(text: string, field: RegExp, escapes: Record<string, string>): NamePattern {
  const built = new PatternBuilder();
  let from = 0;
  field.lastIndex = 0;
  for (let match = field.exec(text); match; match = field.exec(text)) {
    built.text(text.slice(from, match.index));
    if (match[0] in escapes) built.text(escapes[match[0]]!);
    else built.hole();
    from = match.index + match[0].length;
  }
  built.text(text.slice(from));
  return built.parts;
}

/** How deep names are followed (`a = b`, `b = f"…"`): enough for real files, no cycles. */
const MAX_DEPTH = 4;

/** The single value assigned to `name` in the function enclosing `at` (null: none, several, or not a plain assignment). */
function localAssignment(at: Node, name: string, source: string): Node | null {
  let scope: Node | null = at.parent;
  while (scope && scope.type !== 'function_definition') scope = scope.parent;
  const body = scope?.childForFieldName('body');
  if (!body) return null;
  let found: Node | null = null;
  let count = 0;
  const visit = (node: Node) => {
    if (count > 1) return;
    if (node.type === 'function_definition' || node.type === 'class_definition' || node.type === 'lambda') return;
    if (node.type === 'assignment' || node.type === 'augmented_assignment' || node.type === 'for_statement' || node.type === 'named_expression') {
      const left = node.childForFieldName(node.type === 'named_expression' ? 'name' : 'left');
      if (left && source.slice(left.startIndex, left.endIndex) === name) {
        count++;
        found = node.type === 'assignment' ? node.childForFieldName('right') : null;
      } else if (left && left.type !== 'identifier' && new RegExp(`\\b${name}\\b`).test(source.slice(left.startIndex, left.endIndex))) {
        count += 2; // unpacked into: its value is not one expression
      }
    }
    for (const child of node.namedChildren) if (child) visit(child);
  };
  visit(body);
  return count === 1 ? found : null;
}

function stringPattern(node: Node, source: string, depth: number): NamePattern | null {
  const written = writtenString(source.slice(node.startIndex, node.endIndex));
  if (!written || written.bytes) return null;
  if (!written.formatted) {
    const value = literalValue(source.slice(node.startIndex, node.endIndex));
    return value === null ? null : value === '' ? [] : [value];
  }
  const built = new PatternBuilder();
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === 'string_content') {
      const text = source.slice(child.startIndex, child.endIndex).replace(/\{\{/g, '{').replace(/\}\}/g, '}');
      built.text(decodeContent(text, written.raw).value);
    } else if (child.type === 'interpolation') {
      const expression = child.namedChildren.find((c) => c && c.type !== 'format_specifier' && c.type !== 'type_conversion');
      // `{name}` whose value is known (a local string) is written in; anything else is a hole.
      const known = expression?.type === 'identifier' && !child.namedChildren.some((c) => c?.type === 'format_specifier' || c?.type === 'type_conversion')
        ? namePattern(expression, source, depth + 1)
        : null;
      if (known) built.append(known);
      else built.hole();
    }
  }
  return built.parts;
}

/**
 * The statistics name `node` gives at run time as literal parts and holes (null); null when nothing of it is known
 * (a call, a parameter, a name assigned more than once).
 */
export function namePattern(node: Node, source: string, depth = 0): NamePattern | null {
  if (depth > MAX_DEPTH) return null;
  switch (node.type) {
    case 'string':
      return stringPattern(node, source, depth);
    case 'concatenated_string': {
      const built = new PatternBuilder();
      for (const part of node.namedChildren) {
        const pattern = part?.type === 'string' ? stringPattern(part, source, depth) : null;
        if (!pattern) return null;
        built.append(pattern);
      }
      return built.parts;
    }
    case 'parenthesized_expression': {
      const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
      return inner ? namePattern(inner, source, depth) : null;
    }
    case 'identifier': {
      const value = localAssignment(node, source.slice(node.startIndex, node.endIndex), source);
      return value ? namePattern(value, source, depth + 1) : null;
    }
    case 'binary_operator': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const operator = node.childForFieldName('operator')?.type;
      if (!left || !right) return null;
      if (operator === '+') {
        const built = new PatternBuilder();
        const a = namePattern(left, source, depth + 1);
        const b = namePattern(right, source, depth + 1);
        if (!a && !b) return null;
        if (a) built.append(a);
        else built.hole();
        if (b) built.append(b);
        else built.hole();
        return built.parts;
      }
      if (operator === '%') {
        const format = namePattern(left, source, depth + 1);
        if (!format || format.some((p) => p === null)) return null;
        return splitFields(format.join(''), PERCENT_FIELD, { '%%': '%' });
      }
      return null;
    }
    case 'call': {
      // "…{}…".format(…)
      const callee = node.childForFieldName('function');
      const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
      const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute') : null;
      if (!object || !method || source.slice(method.startIndex, method.endIndex) !== 'format') return null;
      const format = namePattern(object, source, depth + 1);
      if (!format || format.some((p) => p === null)) return null;
      return splitFields(format.join(''), FORMAT_FIELD, { '{{': '{', '}}': '}' });
    }
    default:
      return null;
  }
}

/** The pattern's text when it has no hole (the name is known exactly). */
export function exactName(pattern: NamePattern | null): string | null {
  if (!pattern || pattern.some((p) => p === null)) return null;
  return pattern.join('');
}
