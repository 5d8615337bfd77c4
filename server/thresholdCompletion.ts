// Completion for THRESHOLDS: inside a threshold string (endpoints, metrics, operators, units, modifiers) and the declaration itself.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type Position, type Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { LocustfileModel } from '../protocol/model';
import { METRIC_INFO, THRESHOLD_METRICS, THRESHOLD_MODIFIERS, THRESHOLD_OPS, type MetricKind, type ThresholdMetric } from '../protocol/thresholds';
import { thresholdGrammar } from './thresholdHover';

/** How far above the cursor the `THRESHOLDS = [` line is looked for. */
const LOOKBACK_LINES = 200;
const DECLARATION_LINE = /^THRESHOLDS[ \t]*(?::[^=\n]*)?=(?!=)/gm;

/** The threshold string the cursor is in: where its contents start, and how it is quoted. */
interface OpenString {
  contentStart: number;
  quote: string;
  raw: boolean;
}

/**
 * The string of a module-level THRESHOLDS list that the cursor is in, found from the text (the code being typed is
 * incomplete, so the tree there is often an error): from the last `THRESHOLDS =` line above, strings and brackets are
 * followed up to the cursor. Undefined when the cursor is not inside that list; null when inside it, between strings.
 */
function openString(text: string, offset: number): OpenString | null | undefined {
  const from = Math.max(0, offsetOfLine(text, offset, LOOKBACK_LINES));
  const window = text.slice(from, offset);
  let declaration: RegExpExecArray | undefined;
  DECLARATION_LINE.lastIndex = 0;
  for (let m = DECLARATION_LINE.exec(window); m; m = DECLARATION_LINE.exec(window)) declaration = m;
  if (!declaration) return undefined;
  let depth = 0;
  let opened = false;
  let i = from + declaration.index + declaration[0].length;
  while (i < offset) {
    const c = text[i]!;
    if (c === '#') {
      const end = text.indexOf('\n', i);
      if (end < 0 || end >= offset) return undefined;
      i = end;
    } else if (c === '[' || c === '(') {
      depth++;
      opened = true;
      i++;
    } else if (c === ']' || c === ')') {
      depth--;
      i++;
      if (depth <= 0) return undefined;
    } else if (c === '\n' && !opened) {
      // `THRESHOLDS = "a", "b"` ends with its line.
      return undefined;
    } else {
      const literal = /^[rRbBuUfF]{0,2}("""|'''|"|')/.exec(text.slice(i, i + 5));
      if (!literal) {
        i++;
        continue;
      }
      const quote = literal[1]!;
      const raw = /[rR]/.test(literal[0]);
      const contentStart = i + literal[0].length;
      const end = closingQuote(text, contentStart, quote, offset);
      if (end === undefined) return depth === 1 || !opened ? { contentStart, quote, raw } : null;
      i = end;
    }
  }
  return opened && depth === 1 ? null : undefined;
}

/**
 * Where the string whose contents start at `from` ends (after its closing quote, or at the line break that cuts a
 * one-line string short); undefined when it is still open at `limit`.
 */
function closingQuote(text: string, from: number, quote: string, limit: number): number | undefined {
  for (let i = from; i < limit; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (text.startsWith(quote, i)) return i + quote.length;
    else if (c === '\n' && quote.length === 1) return i;
  }
  return undefined;
}

function offsetOfLine(text: string, offset: number, linesBack: number): number {
  let at = offset;
  for (let n = 0; n <= linesBack && at > 0; n++) at = text.lastIndexOf('\n', at - 1);
  return at < 0 ? 0 : at + 1;
}

const METRIC = `(?:${THRESHOLD_METRICS.join('|')})`;
const OP = `(?:${[...THRESHOLD_OPS].sort((a, b) => b.length - a.length).join('|')})`;
const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)`;
const STATE = {
  metric: /^\s*([A-Za-z_][A-Za-z0-9_]*)?$/,
  metricFirst: new RegExp(`^\\s*${METRIC}(?![A-Za-z0-9_])`),
  op: new RegExp(`^\\s*(${METRIC})\\s*([<>=!]*)$`),
  unit: new RegExp(`^\\s*(${METRIC})\\s*${OP}\\s*${NUMBER}([A-Za-z%/]*)$`),
  /** A time needs its unit: after `250 ` a unit is still what comes next. */
  spacedTimeUnit: new RegExp(`^\\s*(${METRIC})\\s*${OP}\\s*${NUMBER}\\s+([a-z]*)$`),
  modifiers: new RegExp(`^\\s*(${METRIC})\\s*${OP}\\s*${NUMBER}\\s*(?:[A-Za-z%/]+)?(?:\\s+\\S+)*\\s+([A-Za-z]*)$`),
};

const UNITS: Record<MetricKind, { unit: string; text: string }[]> = {
  time: [
    { unit: 'ms', text: 'milliseconds' },
    { unit: 's', text: 'seconds' },
  ],
  ratio: [{ unit: '%', text: 'percent (a bare number is a fraction from 0 to 1)' }],
  rate: [{ unit: '/s', text: 'per second (optional: a bare number is per second too)' }],
};

const MODIFIERS: Record<(typeof THRESHOLD_MODIFIERS)[number], { snippet: string; text: string }> = {
  over: { snippet: 'over ${1:30s}', text: 'Judged in every sliding window of this length, not over the whole run.' },
  after: { snippet: 'after ${1:60s}', text: 'Warm-up: nothing of the first part of the run is judged.' },
  abort: { snippet: 'abort', text: 'End the run early once this threshold has failed for good.' },
};

const DURATIONS = ['30s', '1m', '5m'];
/** After a modifier that takes a duration (`over `, `after `), the duration comes next. */
const DURATION_NEXT = new RegExp(`(?:^|\\s)(?:${THRESHOLD_MODIFIERS.filter((m) => MODIFIERS[m].snippet.includes('$')).join('|')})\\s+(\\w*)$`);

/** Text to insert into the string: its quote (and backslashes, unless raw) escaped. */
function escaped(text: string, open: OpenString): string {
  const slashed = open.raw ? text : text.replace(/\\/g, '\\\\');
  return slashed.split(open.quote[0]!).join(`\\${open.quote[0]!}`);
}

function item(label: string, kind: CompletionItemKind, range: Range, newText: string, extra: Partial<CompletionItem> = {}): CompletionItem {
  return { label, kind, textEdit: { range, newText }, ...extra };
}

/** Items for `typed`, the string's contents from its start up to the cursor (at offset `cursor` in the document). */
function itemsInString(document: TextDocument, model: LocustfileModel, open: OpenString, typed: string, cursor: number): CompletionItem[] {
  const at = (offset: number) => document.positionAt(offset);
  const replacing = (length: number): Range => ({ start: at(cursor - length), end: at(cursor) });
  // After the last ":" (a scope's end) comes the threshold itself; before any, a scope may still be typed.
  const colon = typed.lastIndexOf(':');
  const afterScope = colon >= 0 && /^\s*(?:[A-Za-z_]|$)/.test(typed.slice(colon + 1));
  const clause = afterScope ? typed.slice(colon + 1) : typed;

  const metric = STATE.metric.exec(clause);
  if (metric) {
    const word = replacing(metric[1]?.length ?? 0);
    const items = THRESHOLD_METRICS.map((name, index) =>
      item(name, CompletionItemKind.Keyword, word, name, {
        detail: `${METRIC_INFO[name].kind} metric`,
        documentation: { kind: MarkupKind.Markdown, value: METRIC_INFO[name].description },
        sortText: `a${String(index).padStart(2, '0')}`,
      }),
    );
    return afterScope ? items : [...items, ...endpointItems(model, open, replacing(typed.trimStart().length))];
  }
  if (!afterScope && !STATE.metricFirst.test(clause)) {
    // Neither a metric nor a threshold: a scope being typed (`GET /ca`).
    return endpointItems(model, open, replacing(typed.trimStart().length));
  }
  const op = STATE.op.exec(clause);
  if (op) {
    const range = replacing(op[2]!.length);
    return THRESHOLD_OPS.map((symbol, index) => item(symbol, CompletionItemKind.Operator, range, `${symbol} `, { sortText: String(index) }));
  }
  const spaced = STATE.spacedTimeUnit.exec(clause);
  const unit = STATE.unit.exec(clause) ?? (spaced && METRIC_INFO[spaced[1] as ThresholdMetric].kind === 'time' ? spaced : null);
  if (unit) {
    const range = replacing(unit[2]!.length);
    return UNITS[METRIC_INFO[unit[1] as ThresholdMetric].kind].map(({ unit: name, text }) => item(name, CompletionItemKind.Unit, range, name, { detail: text }));
  }
  const modifiers = STATE.modifiers.exec(clause);
  if (modifiers) {
    const range = replacing(modifiers[2]!.length);
    const duration = DURATION_NEXT.exec(clause);
    if (duration) return DURATIONS.map((d, index) => item(d, CompletionItemKind.Value, replacing(duration[1]!.length), d, { sortText: String(index) }));
    const used = new Set(clause.split(/\s+/));
    return THRESHOLD_MODIFIERS.filter((name) => !used.has(name)).map((name) =>
      item(name, CompletionItemKind.Keyword, range, MODIFIERS[name].snippet, { insertTextFormat: InsertTextFormat.Snippet, detail: MODIFIERS[name].text }),
    );
  }
  return [];
}

/** `GET /cart: ` for each request name of the file that is known before it runs. */
function endpointItems(model: LocustfileModel, open: OpenString, range: Range): CompletionItem[] {
  const seen = new Map<string, number>();
  for (const site of model.requests) {
    if (site.name === null) continue;
    const label = site.method ? `${site.method} ${site.name}` : site.name;
    seen.set(label, (seen.get(label) ?? 0) + 1);
  }
  return [...seen].map(([label, count], index) =>
    item(label, CompletionItemKind.Reference, range, `${escaped(label, open)}: `, {
      detail: `endpoint: ${count === 1 ? 'one request' : `${count} requests`} in this file`,
      sortText: `b${String(index).padStart(4, '0')}`,
      filterText: label,
    }),
  );
}

interface Snippet {
  prefix: string[];
  body: string[];
}

let declarationSnippet: string | null | undefined;

/** The `thresholds` snippet of the extension's snippet file, so the completion and the snippet say the same. */
function thresholdsSnippet(): string | null {
  if (declarationSnippet === undefined) {
    declarationSnippet = null;
    // The snippet file sits beside the bundle's folder (dist/) and the sources' (server/) alike.
    try {
      const snippets = JSON.parse(readFileSync(path.join(__dirname, '..', 'snippets', 'locust.code-snippets'), 'utf8')) as Record<string, Snippet>;
      const found = Object.values(snippets).find((s) => s.prefix.includes('thresholds'));
      if (found) declarationSnippet = found.body.join('\n');
    } catch {
      // Without the file, there is simply no such item.
    }
  }
  return declarationSnippet;
}

/**
 * Completion for thresholds at `position`: items inside a THRESHOLDS string (none between its strings), the declaration
 * at module level when the file has none yet; undefined where thresholds have nothing to say.
 */
export function thresholdCompletionsAt(document: TextDocument, model: LocustfileModel, position: Position): CompletionItem[] | undefined {
  const text = document.getText();
  const cursor = document.offsetAt(position);
  const open = openString(text, cursor);
  if (open === null) return [];
  if (open) return itemsInString(document, model, open, text.slice(open.contentStart, cursor), cursor);
  const line = text.slice(cursor - position.character, cursor);
  if (model.thresholdsDeclaredAt || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(line)) return undefined;
  const snippet = thresholdsSnippet();
  if (!snippet) return undefined;
  return [
    item('THRESHOLDS', CompletionItemKind.Snippet, { start: { line: position.line, character: 0 }, end: position }, snippet, {
      insertTextFormat: InsertTextFormat.Snippet,
      detail: 'Pass/fail targets of the load test (Locust Studio)',
      documentation: { kind: MarkupKind.Markdown, value: `Plain Locust ignores this list.\n\n${thresholdGrammar()}` },
    }),
  ];
}
