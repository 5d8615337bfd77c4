// The command-line arguments a locustfile adds to Locust's: the `add_argument` calls of its init_command_line_parser listeners.
import type { Node } from 'web-tree-sitter';
import type { CustomArgumentInfo, EventListenerInfo } from '../protocol/model';
import { literalValue } from './pythonStrings';

/** The event whose listeners get Locust's argument parser. */
const PARSER_EVENT = 'init_command_line_parser';
/** Most arguments read from one file: a generated file cannot make the run questions endless. */
const MAX_CUSTOM_ARGUMENTS = 100;

function rangeOf(node: Node): CustomArgumentInfo['range'] {
  return { start: { line: node.startPosition.row, character: node.startPosition.column }, end: { line: node.endPosition.row, character: node.endPosition.column } };
}

/** A literal as Locust would show it (numbers and booleans as Python writes them), or null for anything else. */
function literalText(node: Node | null | undefined): string | null {
  if (!node) return null;
  switch (node.type) {
    case 'string':
      return literalValue(node.text);
    case 'concatenated_string': {
      // "eu-" "west": each piece a literal, joined as Python joins them.
      const pieces = node.namedChildren.filter((c) => c?.type === 'string').map((c) => literalValue(c.text));
      return pieces.every((p) => p !== null) ? pieces.join('') : null;
    }
    case 'integer':
    case 'float':
      return node.text.replace(/_/g, '');
    case 'unary_operator':
      return /^-\s*[0-9]/.test(node.text) ? node.text.replace(/[\s_]/g, '') : null;
    case 'true':
      return 'true';
    case 'false':
      return 'false';
    case 'parenthesized_expression':
      return literalText(node.namedChildren.find((c) => c?.type !== 'comment'));
    default:
      return null;
  }
}

/** The elements of a literal list, tuple or set as text; null when any of them is not a literal. */
function literalList(node: Node | null | undefined): string[] | null {
  if (!node || !['list', 'tuple', 'set'].includes(node.type)) return null;
  const values: string[] = [];
  for (const element of node.namedChildren) {
    if (!element || element.type === 'comment') continue;
    const text = literalText(element);
    if (text === null) return null;
    values.push(text);
  }
  return values;
}

/** One `parser.add_argument(...)` call read into an argument; undefined when it names no option (a positional). */
function readArgument(call: Node): CustomArgumentInfo | undefined {
  const flags: string[] = [];
  const keywords = new Map<string, Node>();
  for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!arg || arg.type === 'comment') continue;
    if (arg.type === 'keyword_argument') {
      const name = arg.childForFieldName('name')?.text;
      const value = arg.childForFieldName('value');
      if (name && value) keywords.set(name, value);
    } else {
      const text = literalText(arg);
      if (text !== null && text.startsWith('-')) flags.push(text);
    }
  }
  if (flags.length === 0) return undefined;
  const flag = flags.find((f) => f.startsWith('--')) ?? flags[0]!;
  const dest = literalText(keywords.get('dest')) ?? flag.replace(/^-+/, '').replace(/-/g, '_');
  const action = literalText(keywords.get('action'));
  const type = keywords.get('type')?.text;
  const kind: CustomArgumentInfo['kind'] =
    action === 'store_true' || action === 'store_false' ? 'flag' : type === 'int' ? 'integer' : type === 'float' ? 'number' : 'text';
  const written = literalText(keywords.get('default'));
  const fallback = action === 'store_true' ? 'false' : action === 'store_false' ? 'true' : null;
  const flagDefault = written === null ? fallback : written === 'true' || written === 'false' ? written : fallback;
  return {
    flag,
    dest,
    kind,
    default: kind === 'flag' ? flagDefault : written,
    choices: literalList(keywords.get('choices')),
    help: literalText(keywords.get('help')),
    secret: literalText(keywords.get('is_secret')) === 'true',
    inWebUi: literalText(keywords.get('include_in_web_ui')) !== 'false',
    range: rangeOf(call),
  };
}

/** Every `<parser>.add_argument(...)` call in a function body (nested blocks too), in order. */
function addArgumentCalls(body: Node, parser: string): Node[] {
  const calls: Node[] = [];
  const visit = (node: Node, depth: number) => {
    if (depth > 50 || calls.length >= MAX_CUSTOM_ARGUMENTS) return;
    if (node.type === 'call') {
      const callee = node.childForFieldName('function');
      if (callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'add_argument') {
        const owner = callee.childForFieldName('object');
        // `parser.add_argument` and `parser.add_argument_group(...).add_argument` (a group of the same form).
        if (owner?.text === parser || owner?.text.startsWith(`${parser}.`) || (owner?.type === 'identifier' && owner.text !== 'self')) calls.push(node);
      }
    }
    // A function defined inside is not run by the listener.
    if (node.type === 'function_definition' || node.type === 'class_definition') return;
    for (const child of node.namedChildren) if (child) visit(child, depth + 1);
  };
  for (const child of body.namedChildren) if (child) visit(child, 0);
  return calls;
}

/** The module-level function named `name` (decorated or not); the last definition wins, as in Python. */
function moduleFunction(root: Node, name: string): Node | undefined {
  let found: Node | undefined;
  for (const statement of root.namedChildren) {
    const definition = statement?.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (definition?.type === 'function_definition' && definition.childForFieldName('name')?.text === name) found = definition;
  }
  return found;
}

/**
 * The arguments the file's init_command_line_parser listeners add, in file order (repeated flags: the first), from the
 * listeners the model found (decorated with `@events.init_command_line_parser.add_listener` or added by a call).
 */
export function customArgumentsOf(root: Node, listeners: readonly EventListenerInfo[]): CustomArgumentInfo[] {
  const names = [...new Set(listeners.filter((l) => l.event === PARSER_EVENT && l.function !== null).map((l) => l.function!))];
  const found = new Map<string, CustomArgumentInfo>();
  for (const name of names) {
    const fn = moduleFunction(root, name);
    const parser = fn?.childForFieldName('parameters')?.namedChildren.find((p) => p?.type === 'identifier' || p?.type === 'typed_parameter' || p?.type === 'default_parameter');
    const parserName = parser?.type === 'identifier' ? parser.text : (parser?.namedChildren.find((c) => c?.type === 'identifier')?.text ?? '');
    const body = fn?.childForFieldName('body');
    if (!body || !parserName) continue;
    for (const call of addArgumentCalls(body, parserName)) {
      const argument = readArgument(call);
      if (argument && !found.has(argument.flag)) found.set(argument.flag, argument);
    }
  }
  return [...found.values()].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character).slice(0, MAX_CUSTOM_ARGUMENTS);
}
