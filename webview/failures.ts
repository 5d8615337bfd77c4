// The failures table (method, name, message, occurrences, first/last seen) and the exceptions list, all text-only.
import { exceptionKey, failureKey, type ExceptionEntry, type FailureEntry } from '../protocol/runner';
import { element, setText } from './dom';
import { formatCount, formatDuration } from '../protocol/format';
import { splitTraceback } from './traceback';

/** A traceback as text, its `File "...", line N` lines inside the workspace as links that ask the host to open them. */
export function tracebackElement(traceback: string, roots: readonly string[], openSource: (path: string, line: number) => void): HTMLPreElement {
  const pre = element('pre', { className: 'traceback' });
  for (const part of splitTraceback(traceback, roots)) {
    if (!('path' in part)) {
      pre.append(document.createTextNode(part.text));
      continue;
    }
    const link = element('a', { className: 'source-link', text: part.text });
    link.href = '#';
    link.title = `Open ${part.path} at line ${part.line}`;
    const { path, line } = part;
    link.addEventListener('click', (event) => {
      event.preventDefault();
      openSource(path, line);
    });
    pre.append(link);
  }
  return pre;
}


export class FailuresView {
  readonly element = element('section', { className: 'failures' });
  private readonly heading = element('h3', { text: 'Failures' });
  private readonly none = element('p', { className: 'none', text: 'No failures.' });
  private readonly table = element('table', { className: 'failures-table' });
  private readonly body: HTMLTableSectionElement;
  private readonly rows = new Map<string, HTMLTableRowElement>();
  private startedAt = 0;

  constructor() {
    this.element.setAttribute('aria-label', 'Failures');
    const head = this.table.createTHead().insertRow();
    for (const title of ['Method', 'Name', 'Message', 'Occurrences', 'First seen', 'Last seen']) {
      const th = element('th', { text: title });
      th.scope = 'col';
      head.append(th);
    }
    this.body = this.table.createTBody();
    this.element.append(this.heading, this.none, this.table);
    this.render();
  }

  /** First/last seen are shown as elapsed run time; the tooltip has the wall-clock time. */
  reset(startedAt: number): void {
    this.startedAt = startedAt;
    this.rows.clear();
    this.body.replaceChildren();
    this.render();
  }

  /** Adds or updates failures in place (ticks carry only the changed ones). */
  update(failures: readonly FailureEntry[]): void {
    for (const f of failures) {
      const key = failureKey(f);
      let row = this.rows.get(key);
      if (!row) {
        row = this.body.insertRow();
        for (let i = 0; i < 6; i++) row.insertCell();
        this.rows.set(key, row);
      }
      const cells = row.cells;
      setText(cells[0]!, f.method);
      setText(cells[1]!, f.name);
      setText(cells[2]!, f.error);
      setText(cells[3]!, formatCount(f.occurrences));
      this.writeTime(cells[4]!, f.firstSeen);
      this.writeTime(cells[5]!, f.lastSeen);
      cells[1]!.title = f.name;
    }
    this.render();
  }

  get count(): number {
    return this.rows.size;
  }

  private writeTime(cell: HTMLTableCellElement, epochMs: number | undefined): void {
    if (epochMs === undefined) {
      setText(cell, '–');
      return;
    }
    setText(cell, formatDuration((epochMs - this.startedAt) / 1000));
    cell.title = new Date(epochMs).toLocaleString();
  }

  private render(): void {
    this.none.hidden = this.rows.size > 0;
    this.table.hidden = this.rows.size === 0;
    setText(this.heading, this.rows.size ? `Failures (${formatCount(this.rows.size)})` : 'Failures');
  }
}

export class ExceptionsView {
  readonly element = element('section', { className: 'exceptions' });
  private readonly heading = element('h3', { text: 'Exceptions' });
  private readonly list = element('ul', { className: 'exceptions-list' });
  // Always there, like Locust's tab: "none" says the run raised nothing, where a missing section would say nothing.
  private readonly none = element('p', { className: 'none', text: 'No exceptions.' });
  private readonly items = new Map<string, HTMLLIElement>();
  private roots: readonly string[] = [];

  constructor(private readonly openSource: (path: string, line: number) => void) {
    this.element.setAttribute('aria-label', 'Exceptions');
    this.element.append(this.heading, this.none, this.list);
    this.render();
  }

  reset(sourceRoots: readonly string[]): void {
    this.roots = sourceRoots;
    this.items.clear();
    this.list.replaceChildren();
    this.render();
  }

  update(exceptions: readonly ExceptionEntry[]): void {
    for (const e of exceptions) {
      const key = exceptionKey(e);
      let item = this.items.get(key);
      if (!item) {
        item = this.build(e);
        this.items.set(key, item);
        this.list.append(item);
      }
      setText(item.querySelector('.count')!, `${formatCount(e.count)}×`);
      setText(item.querySelector('.nodes')!, e.nodes ? `on ${e.nodes}` : '');
    }
    this.render();
  }

  private build(e: ExceptionEntry): HTMLLIElement {
    const item = element('li', { className: 'exception' });
    const summary = element('div', { className: 'exception-summary' });
    summary.append(element('span', { className: 'count' }), element('span', { className: 'exception-message', text: e.message }), element('span', { className: 'nodes' }));
    const pre = tracebackElement(e.traceback, this.roots, this.openSource);
    item.append(summary, pre);
    return item;
  }

  private render(): void {
    this.none.hidden = this.items.size > 0;
    this.list.hidden = this.items.size === 0;
    setText(this.heading, `Exceptions (${formatCount(this.items.size)})`);
  }
}
