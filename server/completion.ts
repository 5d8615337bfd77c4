// Completion in locustfiles: self.client methods (a contrib User's own client too) and their keyword arguments, wait_time functions, events hooks, @task/@tag, raise StopTest, THRESHOLDS.
import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type Position,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { LocustfileModel } from '../protocol/model';
import { CLIENT_KEYWORDS, CLIENT_METHODS, EVENT_HOOKS, LOCUST_NAMES_HELP, WAIT_TIME_FUNCTIONS, type ApiEntry } from './locustReference';
import type { LocustfileFacts } from './locustfileModel';
import { CONTRIB_USERS, contribUserAt, type ContribUser } from './contribUsers';
import { thresholdCompletionsAt } from './thresholdCompletion';

function doc(signature: string, text: string): { kind: 'markdown'; value: string } {
  return { kind: MarkupKind.Markdown, value: `\`\`\`python\n${signature}\n\`\`\`\n\n${text}` };
}

/**
 * The completion context is read from the text before the cursor, because the code being typed is
 * by definition incomplete: the tree there is an ERROR node more often than not.
 */
const CLIENT_MEMBER = /\bself\.client\.(\w*)$/;
const EVENTS_MEMBER = /\bevents\.(\w*)$/;
const WAIT_TIME = /^\s*wait_time\s*=\s*(\w*)$/;
const DECORATOR = /^\s*@(\w*)$/;
const RAISE = /^\s*raise\s+(\w*)$/;
/** A module-level import line: the import `StopTest` needs goes after the last one. */
const IMPORT_LINE = /^(?:from|import)\s/;

/** If the cursor is inside the argument list of `self.client.<method>(`, that method. */
function openClientCall(before: string): string | undefined {
  let depth = 0;
  for (let i = before.length - 1; i >= 0; i--) {
    const c = before[i];
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '[' || c === '{') {
      if (depth === 0) return undefined;
      depth--;
    } else if (c === '(') {
      if (depth > 0) {
        depth--;
        continue;
      }
      const match = /\bself\.client\.(\w+)\s*$/.exec(before.slice(0, i));
      return match?.[1] && match[1] in CLIENT_METHODS ? match[1] : undefined;
    }
  }
  return undefined;
}

/** A documented method as a completion item, kept in the reference's order. */
function methodItem(method: string, entry: ApiEntry, index: number): CompletionItem {
  return { label: method, kind: CompletionItemKind.Method, detail: entry.signature, documentation: doc(entry.signature, entry.text), sortText: String(index).padStart(2, '0') };
}

function clientMethodItems(): CompletionItem[] {
  return Object.entries(CLIENT_METHODS).map(([method, entry], index) => ({
    ...methodItem(method, entry, index),
    insertText: method === 'request' ? 'request("${1:GET}", "${2:/}")' : `${method}("\${1:/}")`,
    insertTextFormat: InsertTextFormat.Snippet,
  }));
}

/** A contrib User's members after `self.<client attribute>.` (its client's) or `self.` (its own recorded methods). */
function contribItems(before: string, user: ContribUser): CompletionItem[] | undefined {
  const member = /\bself\.(?:(\w+)\.)?(\w*)$/.exec(before);
  if (!member) return undefined;
  const entries: Record<string, ApiEntry> | undefined = member[1] === undefined ? user.userMethods : member[1] === user.clientAttribute ? user.clientMethods : undefined;
  if (!entries || Object.keys(entries).length === 0) return undefined;
  return Object.entries(entries).map(([method, entry], index) => methodItem(method, entry, index));
}

/** `raise StopTest`, imported from `locust.exception` when the file does not import it yet. */
function stopTestItem(document: TextDocument, facts: LocustfileFacts): CompletionItem {
  const entry = LOCUST_NAMES_HELP['StopTest']!;
  const imported = [...facts.imports.names].find(([, name]) => name === 'StopTest')?.[0];
  const item: CompletionItem = { label: imported ?? 'StopTest', kind: CompletionItemKind.Class, detail: entry.signature, documentation: doc(entry.signature, entry.text) };
  if (imported) return item;
  const lines = document.getText().split('\n');
  let after = 0;
  for (const [row, line] of lines.entries()) if (IMPORT_LINE.test(line) && !line.trimEnd().endsWith('(') && !line.trimEnd().endsWith('\\')) after = row + 1;
  item.additionalTextEdits = [{ range: { start: { line: after, character: 0 }, end: { line: after, character: 0 } }, newText: 'from locust.exception import StopTest\n' }];
  return item;
}

function keywordItems(before: string): CompletionItem[] {
  // Keywords already written in this call are not offered again.
  const callStart = before.lastIndexOf('(');
  const written = new Set([...before.slice(callStart).matchAll(/(\w+)\s*=/g)].map((m) => m[1]));
  return Object.entries(CLIENT_KEYWORDS)
    .filter(([name]) => !written.has(name))
    .map(([name, text]) => ({
      label: `${name}=`,
      kind: CompletionItemKind.Property,
      documentation: { kind: MarkupKind.Markdown, value: text },
      insertText: name === 'catch_response' ? 'catch_response=True' : name === 'allow_redirects' ? 'allow_redirects=${1:False}' : `${name}=$1`,
      insertTextFormat: InsertTextFormat.Snippet,
    }));
}

function waitTimeItems(): CompletionItem[] {
  return Object.entries(WAIT_TIME_FUNCTIONS).map(([name, entry]) => ({
    label: name,
    kind: CompletionItemKind.Function,
    detail: entry.signature,
    documentation: doc(entry.signature, entry.text),
    insertText: entry.snippet,
    insertTextFormat: InsertTextFormat.Snippet,
  }));
}

function eventItems(): CompletionItem[] {
  return Object.entries(EVENT_HOOKS).map(([name, entry]) => ({
    label: name,
    kind: CompletionItemKind.Event,
    detail: entry.signature,
    documentation: doc(entry.signature, entry.text),
  }));
}

function decoratorItems(): CompletionItem[] {
  return [
    { label: 'task', kind: CompletionItemKind.Function, detail: '@task', documentation: 'A task with weight 1.', insertText: 'task' },
    {
      label: 'task(weight)',
      kind: CompletionItemKind.Function,
      detail: '@task(weight)',
      documentation: 'A task picked `weight` times as often as a task of weight 1.',
      insertText: 'task(${1:1})',
      insertTextFormat: InsertTextFormat.Snippet,
      filterText: 'task',
    },
    {
      label: 'tag',
      kind: CompletionItemKind.Function,
      detail: '@tag(*tags)',
      documentation: 'Labels for `--tags` / `--exclude-tags`.',
      insertText: 'tag("${1:name}")',
      insertTextFormat: InsertTextFormat.Snippet,
    },
  ];
}

/** How far back a call's open parenthesis is looked for: calls spread over a few lines. */
const CALL_LOOKBACK_LINES = 10;

export function completionsAt(document: TextDocument, position: Position, model: LocustfileModel, facts: LocustfileFacts): CompletionItem[] {
  const thresholds = thresholdCompletionsAt(document, model, position);
  if (thresholds) return thresholds;
  const before = document.getText({ start: { line: position.line, character: 0 }, end: position });
  // In a class deriving from a contrib User, `self.client` is that User's client, not an HTTP session.
  const contrib = contribUserAt(facts, position.line);
  const contribMembers = contrib && contribItems(before, CONTRIB_USERS[contrib]);
  if (contribMembers) return contribMembers;
  if (CLIENT_MEMBER.test(before)) return contrib ? [] : clientMethodItems();
  if (RAISE.test(before)) return [stopTestItem(document, facts)];
  if (EVENTS_MEMBER.test(before)) return eventItems();
  if (WAIT_TIME.test(before)) return waitTimeItems();
  if (DECORATOR.test(before)) return decoratorItems();
  const callText = document.getText({ start: { line: Math.max(0, position.line - CALL_LOOKBACK_LINES), character: 0 }, end: position });
  if (openClientCall(callText) && /[(,]\s*\w*$/.test(callText)) return keywordItems(callText);
  return [];
}
