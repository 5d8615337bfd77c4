// Expands a VS Code snippet body the way accepting every default would (placeholders, choices, escapes), and puts the
// fragment into a locustfile Locust can import.

/** Returns the text of `body` with each tabstop replaced by its default (first choice, placeholder text, or nothing). */
export function expandSnippet(body: string): string {
  return parse(body, 0, false).text;
}

function parse(s: string, start: number, insidePlaceholder: boolean): { text: string; end: number } {
  let text = '';
  let i = start;
  while (i < s.length) {
    const c = s[i]!;
    const next = s[i + 1];
    if (c === '\\' && next !== undefined && '$}\\,|'.includes(next)) {
      text += next;
      i += 2;
    } else if (c === '}' && insidePlaceholder) {
      return { text, end: i + 1 };
    } else if (c === '$' && next !== undefined && /\d/.test(next)) {
      i++;
      while (i < s.length && /\d/.test(s[i]!)) i++;
    } else if (c === '$' && next === '{') {
      let j = i + 2;
      while (j < s.length && /[\w]/.test(s[j]!)) j++;
      const kind = s[j];
      if (kind === ':') {
        const inner = parse(s, j + 1, true);
        text += inner.text;
        i = inner.end;
      } else if (kind === '|') {
        const close = s.indexOf('|}', j + 1);
        if (close < 0) throw new Error(`unterminated choice at ${i}`);
        const first = s.slice(j + 1, close).split(/(?<!\\),/)[0] ?? '';
        text += first.replace(/\\(.)/g, '$1');
        i = close + 2;
      } else if (kind === '}') {
        i = j + 1;
      } else {
        throw new Error(`unsupported snippet syntax at ${i}: ${s.slice(i, i + 20)}`);
      }
    } else {
      text += c;
      i++;
    }
  }
  if (insidePlaceholder) throw new Error('unterminated placeholder');
  return { text, end: i };
}

export interface Snippet {
  scope: string;
  prefix: string[];
  body: string[];
  description: string;
}

/** Where a fragment goes: the whole file, a User class body, a method body, or the module beside a User. */
export type Context = 'file' | 'file-with-user' | 'user-body' | 'method-body' | 'module';
export const CONTEXTS: Record<string, Context> = {
  httpuser: 'file',
  fasthttpuser: 'file',
  users: 'file',
  websocket: 'file',
  'csv-data': 'file',
  'shared-data': 'file',
  events: 'file-with-user',
  'shape-stages': 'file-with-user',
  'shape-peak': 'file-with-user',
  'shape-stress': 'file-with-user',
  'shape-soak': 'file-with-user',
  'shape-spike': 'file-with-user',
  thresholds: 'module',
  task: 'user-body',
  on_start: 'user-body',
  on_stop: 'user-body',
  tasks: 'user-body',
  catch_response: 'user-body',
  crud: 'user-body',
  graphql: 'user-body',
  tag: 'user-body',
  wait_time: 'user-body',
  'request-fire': 'method-body',
  taskset: 'module',
  sequentialtaskset: 'module',
  markovtaskset: 'file',
};

/** Snippets that need a name newer Locusts export (MarkovTaskSet: 2.38+): checked on the Locusts that have it. */
export const NEEDS: Record<string, string> = { markovtaskset: 'MarkovTaskSet' };
export const snippetLocustfileHeader = [
  'import time',
  'from locust import HttpUser, TaskSet, SequentialTaskSet, between, constant, constant_pacing, constant_throughput, tag, task',
  '',
  'class Browse(TaskSet):',
  '    @task',
  '    def look(self):',
  '        self.interrupt()',
  '',
  'class Checkout(SequentialTaskSet):',
  '    @task',
  '    def pay(self):',
  '        self.interrupt()',
  '',
].join('\n');

const indent = (text: string, spaces: number) =>
  text
    .split('\n')
    .map((line) => (line ? ' '.repeat(spaces) + line : line))
    .join('\n');

export function snippetUserClass(body: string): string {
  return ['class SnippetUser(HttpUser):', '    host = "http://127.0.0.1:8080"', '    wait_time = between(1, 2)', '', body, '', '    @task', '    def noop(self):', '        pass', ''].join('\n');
}

export function locustfileFor(context: Context, code: string): string {
  switch (context) {
    case 'file':
      return code;
    case 'file-with-user':
      return `${code}\n\n${snippetLocustfileHeader}\n${snippetUserClass('')}`;
    case 'user-body':
      return `${snippetLocustfileHeader}\n${snippetUserClass(indent(code, 4))}`;
    case 'method-body':
      return `${snippetLocustfileHeader}\n${snippetUserClass(indent(`@task\ndef measured(self):\n${indent(code, 4)}`, 4))}`;
    case 'module':
      return `${snippetLocustfileHeader}\n${code}\n\n${snippetUserClass('    tasks = [Browse]')}`;
  }
}
