// Finds the requests a locustfile makes and the statistics names Locust will give them (RequestSite in the model).
import type { Node } from 'web-tree-sitter';
import type { NamePattern, RequestSite, SourceRange } from '../protocol/model';
import { exactName, namePattern } from './namePatterns';
import { literalValue } from './pythonStrings';

/**
 * Where a request call may start, in a statement's text: only these places are looked up in the tree, so a class
 * whose methods make no request costs one regular-expression test.
 */
const REQUEST_CALL = /(?:\bclient\s*\.\s*(?:get|post|put|patch|delete|head|options|request|rest)|\bself\s*\.\s*rest|\bevents\s*\.\s*request\s*\.\s*fire)\s*\(/g;
const HTTP_VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);
/** `self.client.get`, `self.user.client.post` (in a TaskSet), `user.client.get` (in a task function taking the user). */
const CLIENT_CALLEE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.user)?\.client\.([a-z]+)$/;
const FIRE_CALLEE = /(?:^|\.)events\.request\.fire$/;
/** Locust's HttpSession names a request by the path it reached, FastHttpSession by the URL as given: an absolute URL has no one name. */
const ABSOLUTE_URL = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** True when a statement's text may contain a request call (the cheap test before `requestSitesIn`). */
export function mayMakeRequests(text: string): boolean {
  REQUEST_CALL.lastIndex = 0;
  return REQUEST_CALL.test(text);
}

/** A call's arguments as the naming rules need them. */
interface Arguments {
  positional: Node[];
  keywords: Map<string, Node>;
  /** `*args` or `**kwargs`: anything may hide in there. */
  splat: boolean;
}

function argumentsOf(list: Node, source: string): Arguments {
  const args: Arguments = { positional: [], keywords: new Map(), splat: false };
  for (const arg of list.namedChildren) {
    if (!arg || arg.type === 'comment') continue;
    if (arg.type === 'keyword_argument') {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(arg.startIndex, arg.endIndex))?.[0];
      const value = arg.childForFieldName('value');
      if (name && value) args.keywords.set(name, value);
    } else if (arg.type === 'list_splat' || arg.type === 'dictionary_splat') {
      args.splat = true;
    } else {
      args.positional.push(arg);
    }
  }
  return args;
}

function literal(node: Node | undefined, source: string): string | null {
  return node?.type === 'string' ? literalValue(source.slice(node.startIndex, node.endIndex)) : null;
}

/** `name=None` is the same as no name. */
function isNone(node: Node | undefined): boolean {
  return node?.type === 'none';
}

/** The name given by an enclosing `with self.client.rename_request("…"):` (undefined: none encloses the call; null: not a literal). */
function renamedBy(call: Node, source: string): string | null | undefined {
  for (let at = call.parent; at; at = at.parent) {
    if (at.type === 'function_definition' || at.type === 'class_definition') return undefined;
    if (at.type !== 'with_statement') continue;
    // Its own items only: a `with` nested further down renames nothing here.
    const clause = at.namedChildren.find((c) => c?.type === 'with_clause');
    for (const item of clause?.namedChildren ?? []) {
      if (item?.type !== 'with_item') continue;
      const value = item.childForFieldName('value');
      const context = value?.type === 'as_pattern' ? value.namedChildren[0] : value;
      if (context?.type !== 'call') continue;
      const callee = context.childForFieldName('function');
      if (!callee || !/\.rename_request$/.test(source.slice(callee.startIndex, callee.endIndex).replace(/\s+/g, ''))) continue;
      const list = context.childForFieldName('arguments');
      const args = list ? argumentsOf(list, source) : undefined;
      return literal(args?.positional[0] ?? args?.keywords.get('name'), source);
    }
  }
  return undefined;
}

/** The statistics row of a client request whose path argument is `path`, as a pattern (see RequestSite.pattern). */
function clientRequestName(call: Node, args: Arguments, path: Node | undefined, source: string, renames: boolean): NamePattern | null {
  const name = args.keywords.get('name');
  if (name && !isNone(name)) return namePattern(name, source);
  if (renames) {
    const renamed = renamedBy(call, source);
    if (renamed !== undefined) return renamed === null ? null : [renamed];
  }
  // The name may be in **kwargs.
  if (args.splat || !path) return null;
  const written = namePattern(path, source);
  if (!written || (typeof written[0] === 'string' && ABSOLUTE_URL.test(written[0])) || written.length === 0) return null;
  // HttpSession names the request by the path it reached, `params` appended as a query string.
  return args.keywords.has('params') ? [...written, null] : written;
}

/** A site's name and pattern from its pattern. */
function named(pattern: NamePattern | null): { name: string | null; pattern: NamePattern | null } {
  return { name: exactName(pattern), pattern };
}

/** The request a call under `open` (the index of its opening parenthesis) makes; undefined when it is no request call. */
function siteAt(statement: Node, open: number, source: string, renames: boolean): Omit<RequestSite, 'range'> & { call: Node } | undefined {
  const list = statement.descendantForIndex(open, open + 1)?.parent;
  const call = list?.type === 'argument_list' ? list.parent : null;
  const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
  if (!call || !list || !callee || callee.endIndex > open) return undefined;
  const dotted = source.slice(callee.startIndex, callee.endIndex).replace(/\s+/g, '');
  const verb = CLIENT_CALLEE.exec(dotted)?.[1];
  if (verb && HTTP_VERBS.has(verb)) {
    const args = argumentsOf(list, source);
    const path = args.positional[0] ?? args.keywords.get('url') ?? args.keywords.get('path');
    return { method: verb.toUpperCase(), ...named(clientRequestName(call, args, path, source, renames)), call };
  }
  if (verb === 'request' || verb === 'rest' || dotted === 'self.rest') {
    const args = argumentsOf(list, source);
    const method = args.positional[0] ?? args.keywords.get('method');
    const path = args.positional[method === args.positional[0] ? 1 : 0] ?? args.keywords.get('url') ?? args.keywords.get('path');
    return { method: literal(method, source), ...named(clientRequestName(call, args, path, source, renames)), call };
  }
  if (FIRE_CALLEE.test(dotted)) {
    const args = argumentsOf(list, source);
    if (args.splat) return { method: null, name: null, pattern: null, call };
    const name = args.keywords.get('name');
    return { method: literal(args.keywords.get('request_type'), source), ...named(name ? namePattern(name, source) : null), call };
  }
  return undefined;
}

/**
 * The most common request, read from its text alone: `self.client.get("/path")` or `self.client.get("/path", name="row")`
 * on one line with plain literals, first on its line (after `x = `, `with ` or `return `), so that it is in no comment.
 */
const SIMPLE_REQUEST =
  /([ \t]*(?:[A-Za-z_][A-Za-z0-9_]*[ \t]*=[ \t]*|with[ \t]+|return[ \t]+)?)self\.client\.(get|post|put|patch|delete|head|options)\((?:"([^"\\\n\r]*)"|'([^'\\\n\r]*)')(?:,[ \t]*name=(?:"([^"\\\n\r]*)"|'([^'\\\n\r]*)'))?\)/y;
const TRIPLE_QUOTE = /"""|'''/g;

/** [start, end) offsets of the triple-quoted strings of a statement's text: what is inside them is no code. */
function longStrings(text: string): [number, number][] {
  const spans: [number, number][] = [];
  TRIPLE_QUOTE.lastIndex = 0;
  for (let open = TRIPLE_QUOTE.exec(text); open; open = TRIPLE_QUOTE.exec(text)) {
    const close = text.indexOf(open[0], open.index + 3);
    const end = close < 0 ? text.length : close + 3;
    spans.push([open.index, end]);
    TRIPLE_QUOTE.lastIndex = end;
  }
  return spans;
}

/** The requests made inside a module-level statement, in text order; rows relative to `origin` (the statement's row). */
export function requestSitesIn(statement: Node, text: string, source: string, origin: number): RequestSite[] {
  const sites: RequestSite[] = [];
  const renames = text.includes('rename_request');
  const strings = longStrings(text);
  const first = statement.startPosition;
  // Rows and columns of text offsets, counted forwards as the matches come in order.
  let row = first.row;
  let lineStart = -first.column;
  let counted = 0;
  const pointAt = (offset: number) => {
    for (let i = text.indexOf('\n', counted); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
      row++;
      lineStart = i + 1;
    }
    counted = Math.max(counted, offset);
    return { line: row - origin, character: offset - lineStart };
  };
  REQUEST_CALL.lastIndex = 0;
  for (let match = REQUEST_CALL.exec(text); match; match = REQUEST_CALL.exec(text)) {
    const at = match.index;
    const lineBegins = text.lastIndexOf('\n', at) + 1;
    let simple: RegExpExecArray | null = null;
    if (!renames && !strings.some(([s, e]) => s < at && at < e)) {
      SIMPLE_REQUEST.lastIndex = lineBegins;
      simple = SIMPLE_REQUEST.exec(text);
    }
    // The candidate is `client.get(`: the simple request must be that very call.
    if (simple && lineBegins + simple[1]!.length + 'self.'.length === at) {
      const start = lineBegins + simple[1]!.length;
      const end = lineBegins + simple[0].length;
      const path = simple[3] ?? simple[4]!;
      const name = simple[5] ?? simple[6] ?? (ABSOLUTE_URL.test(path) ? null : path);
      sites.push({ method: simple[2]!.toUpperCase(), name, pattern: name === null ? null : [name], range: { start: pointAt(start), end: pointAt(end) } });
      REQUEST_CALL.lastIndex = Math.max(REQUEST_CALL.lastIndex, end);
      continue;
    }
    const open = statement.startIndex + at + match[0].length - 1;
    const site = siteAt(statement, open, source, renames);
    if (!site) continue;
    const { startPosition: start, endPosition: end } = site.call;
    const range: SourceRange = { start: { line: start.row - origin, character: start.column }, end: { line: end.row - origin, character: end.column } };
    sites.push({ method: site.method, name: site.name, pattern: site.pattern, range });
  }
  return sites;
}
