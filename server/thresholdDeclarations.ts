// Reads the module-level `THRESHOLDS = [...]` of a locustfile from the tree, and maps offsets in a threshold's text back to the document.
import type { Node, Point, Tree } from 'web-tree-sitter';
import type { SourceRange, ThresholdDeclaration } from '../protocol/model';
import { parseThreshold } from '../protocol/thresholds';
import { decodeContent, writtenString, type WrittenString } from './pythonStrings';

/** A module-level statement that assigns THRESHOLDS (plainly or annotated) starts like this. */
export const THRESHOLDS_STATEMENT = /^THRESHOLDS[ \t]*(?::|=(?!=))/;

export type ThresholdProblemCode = 'thresholds-not-a-list' | 'threshold-not-a-string';

/** Something in the declaration that is not a literal string Locust Studio can read without running the file. */
export interface ThresholdProblem {
  code: ThresholdProblemCode;
  message: string;
  range: SourceRange;
}

/** What one `THRESHOLDS = ...` statement says; rows relative to the statement's row, like every statement fact. */
export interface ThresholdsRead {
  declaredAt: SourceRange;
  items: ThresholdDeclaration[];
  problems: ThresholdProblem[];
}

function relative(start: Point, end: Point, origin: number): SourceRange {
  return { start: { line: start.row - origin, character: start.column }, end: { line: end.row - origin, character: end.column } };
}

/** Parentheses around a single expression change nothing: `("p95 < 1s")` is the string. */
function unwrapped(node: Node): Node {
  let at = node;
  while (at.type === 'parenthesized_expression') {
    const inner = at.namedChildren.find((c) => c?.type !== 'comment');
    if (!inner) break;
    at = inner;
  }
  return at;
}

/** The string literals a `string` or `concatenated_string` node is made of. */
function stringParts(node: Node): Node[] {
  if (node.type === 'string') return [node];
  return node.namedChildren.filter((c): c is Node => c?.type === 'string');
}

interface Part {
  node: Node;
  written: WrittenString;
}

function partsOf(node: Node, source: string): Part[] | null {
  const parts: Part[] = [];
  for (const part of stringParts(node)) {
    const written = writtenString(source.slice(part.startIndex, part.endIndex));
    if (!written) return null;
    parts.push({ node: part, written });
  }
  return parts.length > 0 ? parts : null;
}

/** Where a part's contents start and end: the prefix and quotes sit on the first and last line of the literal. */
function contentStart(part: Part): Point {
  return { row: part.node.startPosition.row, column: part.node.startPosition.column + part.written.contentStart };
}

function contentEnd(part: Part): Point {
  const quote = part.node.endIndex - part.node.startIndex - part.written.contentStart - part.written.content.length;
  return { row: part.node.endPosition.row, column: part.node.endPosition.column - quote };
}

/** One element of the list: a declaration, or the problem that keeps it from being one. */
function readElement(element: Node, source: string, origin: number): ThresholdDeclaration | ThresholdProblem {
  const node = unwrapped(element);
  const parts = node.type === 'string' || node.type === 'concatenated_string' ? partsOf(node, source) : null;
  if (!parts || parts.some((p) => p.written.bytes)) {
    const written = source.slice(element.startIndex, element.endIndex).split('\n')[0]!;
    const what = parts ? 'a bytes literal' : `\`${written.length > 40 ? `${written.slice(0, 40)}…` : written}\``;
    return {
      code: 'threshold-not-a-string',
      message: `Each threshold must be a string literal such as "p95 < 250ms", not ${what}: Locust Studio reads THRESHOLDS without running the file.`,
      range: relative(element.startPosition, element.endPosition, origin),
    };
  }
  const range = relative(contentStart(parts[0]!), contentEnd(parts.at(-1)!), origin);
  if (parts.some((p) => p.written.formatted && /[{}]/.test(p.written.content))) return { text: null, range, parsed: null };
  const text = parts.map((p) => decodeContent(p.written.content, p.written.raw).value).join('');
  return { text, range, parsed: parseThreshold(text) };
}

/** The statement under `statement` (a module-level expression statement) when it assigns THRESHOLDS a value; rows relative to `origin`. */
export function readThresholds(statement: Node, source: string, origin: number): ThresholdsRead | undefined {
  const assignment = statement.namedChildren[0];
  if (assignment?.type !== 'assignment') return undefined;
  const left = assignment.childForFieldName('left');
  const right = assignment.childForFieldName('right');
  if (left?.type !== 'identifier' || left.text !== 'THRESHOLDS' || !right) return undefined;
  const read: ThresholdsRead = { declaredAt: relative(statement.startPosition, statement.endPosition, origin), items: [], problems: [] };
  let value = unwrapped(right);
  // `THRESHOLDS = DEFAULTS = [...]` assigns the list to both.
  while (value.type === 'assignment') {
    const next = value.childForFieldName('right');
    if (!next) break;
    value = unwrapped(next);
  }
  // `THRESHOLDS = "a", "b"` is a tuple too.
  if (value.type !== 'list' && value.type !== 'tuple' && value.type !== 'expression_list') {
    read.problems.push({
      code: 'thresholds-not-a-list',
      message: 'THRESHOLDS must be a list (or tuple) of strings written in the file, such as ["p95 < 250ms", "fail_ratio < 1%"]: Locust Studio reads it without running the file.',
      range: relative(value.startPosition, value.endPosition, origin),
    });
    return read;
  }
  for (const element of value.namedChildren) {
    if (!element || element.type === 'comment') continue;
    const found = readElement(element, source, origin);
    if ('code' in found) read.problems.push(found);
    else read.items.push(found);
  }
  return read;
}

/** The string (or implicit concatenation) of THRESHOLDS whose contents start at `start`. */
function declarationNode(tree: Tree, start: SourceRange['start']): Node | null {
  let node: Node | null = tree.rootNode.descendantForPosition({ row: start.line, column: start.character });
  while (node && node.type !== 'string') node = node.parent;
  if (node?.parent?.type === 'concatenated_string') node = node.parent;
  return node;
}

/**
 * Maps offsets in a declaration's text (what the threshold parser reports) to document positions, through the
 * escapes, prefixes, quotes and line breaks of its literal(s). Null when the tree no longer holds the literal.
 */
export function thresholdPositions(
  tree: Tree,
  source: string,
  declaration: ThresholdDeclaration,
): ((offset: number, side: 'start' | 'end') => SourceRange['start']) | null {
  const node = declarationNode(tree, declaration.range.start);
  const parts = node && partsOf(node, source);
  if (!parts) return null;
  const decoded = parts.map((part) => ({ part, ...decodeContent(part.written.content, part.written.raw) }));
  return (offset, side) => {
    let rest = Math.max(0, offset);
    for (const [index, { part, value, sources }] of decoded.entries()) {
      // Where `"a" "b"` meet, a span starts in the next part and ends in the previous one.
      if ((side === 'start' ? rest >= value.length : rest > value.length) && index < decoded.length - 1) {
        rest -= value.length;
        continue;
      }
      const at = sources[Math.min(rest, value.length)]!;
      const written = part.written.content.slice(0, at);
      const lastBreak = written.lastIndexOf('\n');
      const start = contentStart(part);
      if (lastBreak < 0) return { line: start.row, character: start.column + at };
      let breaks = 0;
      for (let i = written.indexOf('\n'); i >= 0; i = written.indexOf('\n', i + 1)) breaks++;
      return { line: start.row + breaks, character: at - lastBreak - 1 };
    }
    return declaration.range.end;
  };
}
