// Completion in locustfiles: self.client methods and their keyword arguments, wait_time functions, events hooks, @task/@tag, THRESHOLDS.
import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type Position,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { LocustfileModel } from '../protocol/model';
import { CLIENT_KEYWORDS, CLIENT_METHODS, EVENT_HOOKS, WAIT_TIME_FUNCTIONS } from './locustReference';
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

function clientMethodItems(): CompletionItem[] {
  return Object.entries(CLIENT_METHODS).map(([method, entry], index) => ({
    label: method,
    kind: CompletionItemKind.Method,
    detail: entry.signature,
    documentation: doc(entry.signature, entry.text),
    sortText: String(index).padStart(2, '0'),
    insertText: method === 'request' ? 'request("${1:GET}", "${2:/}")' : `${method}("\${1:/}")`,
    insertTextFormat: InsertTextFormat.Snippet,
  }));
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

export function completionsAt(document: TextDocument, position: Position, model: LocustfileModel): CompletionItem[] {
  const thresholds = thresholdCompletionsAt(document, model, position);
  if (thresholds) return thresholds;
  const before = document.getText({ start: { line: position.line, character: 0 }, end: position });
  if (CLIENT_MEMBER.test(before)) return clientMethodItems();
  if (EVENTS_MEMBER.test(before)) return eventItems();
  if (WAIT_TIME.test(before)) return waitTimeItems();
  if (DECORATOR.test(before)) return decoratorItems();
  const callText = document.getText({ start: { line: Math.max(0, position.line - CALL_LOOKBACK_LINES), character: 0 }, end: position });
  if (openClientCall(callText) && /[(,]\s*\w*$/.test(callText)) return keywordItems(callText);
  return [];
}
