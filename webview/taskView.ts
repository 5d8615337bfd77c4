// The single-task view: one "Run task once" / "Debug task" with its requests in order and its exception, all text-only.
import type { TaskRequestView, TaskView } from '../protocol/webview';
import { element, setText } from './dom';
import { tracebackElement } from './failures';
import { formatBytes, formatCount, formatMs, formatSpan } from '../protocol/format';

const STATES: Record<TaskView['state'], { text: string; icon: string }> = {
  running: { text: 'Running', icon: 'loading codicon-modifier-spin' },
  done: { text: 'Done', icon: 'pass' },
  failed: { text: 'Failed', icon: 'error' },
  cancelled: { text: 'Cancelled', icon: 'circle-slash' },
};
const MODES: Record<TaskView['mode'], { text: string; icon: string }> = {
  run: { text: 'Run once', icon: 'play' },
  debug: { text: 'Debug', icon: 'debug-alt' },
};
type Where = NonNullable<TaskView['exception']>['where'];
const WHERE: Record<Where, string> = {
  events: 'in an event listener',
  on_start: 'in on_start',
  task: 'in the task',
  on_stop: 'in on_stop',
  shim: 'while preparing the task',
};
const COLUMNS = ['#', 'Result', 'Method', 'URL', 'Status', 'Time (ms)', 'Size', 'Failure'] as const;
/** Each column's cell class: styles select cells by class, never by position (cheaper for the style engine, too). */
const CELL_CLASSES = ['index', 'result', 'method', 'url', 'status', 'time', 'size', 'failure'] as const;

function icon(name: string): HTMLElement {
  const span = element('span', { className: `codicon codicon-${name}` });
  span.setAttribute('aria-hidden', 'true');
  return span;
}

/** The request's name, when Locust was given one other than the URL or its path (then it says something the URL does not). */
function distinctName(request: TaskRequestView): string | null {
  if (!request.name || request.name === request.url) return null;
  try {
    const url = new URL(request.url);
    if (request.name === url.pathname || request.name === url.pathname + url.search) return null;
  } catch {
    // Not an absolute URL: compare as given.
  }
  return request.name;
}

function requestKey(r: TaskRequestView): string {
  return `${r.method}\u0000${r.name}\u0000${r.url}\u0000${r.status}\u0000${r.responseTimeMs}\u0000${r.responseLength}\u0000${r.failure === null ? '\u0001' : `:${r.failure}`}`;
}

export class TaskPanel {
  readonly element = element('section', { className: 'task' });
  private readonly title = element('h2');
  private readonly state = element('span', { className: 'state' });
  private readonly mode = element('span', { className: 'mode' });
  private readonly subtitle = element('p', { className: 'subtitle' });
  private readonly duration = element('dd', { text: '–' });
  private readonly summary = element('dd', { text: '–' });
  private readonly message = element('p', { className: 'message' });
  private readonly none = element('p', { className: 'none' });
  private readonly table = element('table', { className: 'task-requests-table' });
  private readonly scroll = element('div', { className: 'table-scroll' });
  private readonly body: HTMLTableSectionElement;
  private readonly dropped = element('p', { className: 'dropped' });
  private readonly exception = element('section', { className: 'task-exception' });
  private readonly exceptionHeading = element('h3');
  private readonly exceptionMessage = element('p', { className: 'exception-message' });
  private exceptionKey = '';
  /** What each drawn row shows, to skip the unchanged ones. */
  private readonly rowKeys: string[] = [];
  private task: TaskView | null = null;
  /** When this panel first saw the running task (its own clock: the host's may differ), for a live duration. */
  private seenAt = 0;
  private roots: readonly string[] = [];

  constructor(private readonly openSource: (path: string, line: number) => void) {
    this.element.setAttribute('aria-label', 'Single task');
    this.state.setAttribute('role', 'status');
    this.message.setAttribute('role', 'status');
    const header = element('header', { className: 'run-header' });
    const metrics = element('dl', { className: 'metrics' });
    for (const [label, dd] of [['Duration', this.duration], ['Requests', this.summary]] as const) {
      const group = element('div');
      group.append(element('dt', { text: label }), dd);
      metrics.append(group);
    }
    const badges = element('div', { className: 'badges' });
    badges.append(this.state, this.mode);
    header.append(this.title, badges, this.subtitle, metrics, this.message);

    const requests = element('section', { className: 'task-requests' });
    requests.setAttribute('aria-label', 'Requests');
    const head = this.table.createTHead().insertRow();
    COLUMNS.forEach((text, i) => {
      const th = element('th', { text, className: CELL_CLASSES[i] });
      th.scope = 'col';
      head.append(th);
    });
    this.body = this.table.createTBody();
    this.table.setAttribute('aria-label', 'Requests the task made, in order');
    this.scroll.append(this.table);
    requests.append(element('h3', { text: 'Requests' }), this.none, this.scroll, this.dropped);

    this.exception.setAttribute('aria-label', 'Exception');
    this.exception.append(this.exceptionHeading, this.exceptionMessage);
    this.element.append(header, requests, this.exception);
  }

  setSourceRoots(roots: readonly string[]): void {
    if (roots.join('\u0000') === this.roots.join('\u0000')) return;
    this.roots = roots;
    // Links depend on the roots: draw the traceback again.
    this.exceptionKey = '';
    if (this.task) this.renderException(this.task);
  }

  /** No task any more (the host forgot it): nothing runs, nothing to show. */
  clear(): void {
    this.task = null;
  }

  get running(): boolean {
    return this.task?.state === 'running';
  }

  /** The whole task, every time it changes (tasks are small); rows are rewritten in place. */
  show(task: TaskView): void {
    if (task.id !== this.task?.id) this.seenAt = performance.now();
    this.task = task;
    setText(this.title, task.label);
    this.title.title = task.locustfile;
    const state = STATES[task.state];
    this.state.replaceChildren(icon(state.icon), document.createTextNode(` ${state.text}`));
    this.state.dataset['state'] = task.state;
    const mode = MODES[task.mode];
    this.mode.replaceChildren(icon(mode.icon), document.createTextNode(` ${mode.text}`));
    this.mode.dataset['mode'] = task.mode;
    const file = task.locustfile.split(/[\\/]/).pop() ?? task.locustfile;
    setText(this.subtitle, `${task.host || 'no host'} · ${file}`);
    this.tickClock();
    const failed = task.requests.filter((r) => r.failure !== null).length;
    const total = task.requests.length + (task.droppedRequests ?? 0);
    setText(this.summary, `${formatCount(total)} ${total === 1 ? 'request' : 'requests'}, ${formatCount(failed)} failed`);
    setText(this.message, task.message ?? '');
    this.message.dataset['state'] = task.state;
    this.renderRequests(task);
    this.renderException(task);
  }

  /** Rewrites the live duration of a running task (called once a second while it runs). */
  tickClock(): void {
    const task = this.task;
    if (!task) return;
    const ms = task.durationMs ?? (task.state === 'running' ? performance.now() - this.seenAt : undefined);
    setText(this.duration, ms === undefined ? '–' : formatSpan(ms));
  }

  private renderRequests(task: TaskView): void {
    const rows = this.body.rows;
    // Each message repeats every earlier request: rows whose request did not change are left alone.
    const fresh: HTMLTableRowElement[] = [];
    task.requests.forEach((request, i) => {
      const key = requestKey(request);
      if (this.rowKeys[i] === key) return;
      this.rowKeys[i] = key;
      let row = rows[i];
      if (!row) {
        row = document.createElement('tr');
        for (const className of CELL_CLASSES) row.insertCell().className = `cell ${className}`;
        fresh.push(row);
      }
      this.writeRow(row, request, i);
    });
    if (fresh.length) this.body.append(...fresh);
    while (rows.length > task.requests.length) this.body.deleteRow(-1);
    this.rowKeys.length = task.requests.length;
    const empty = task.requests.length === 0;
    this.scroll.hidden = empty;
    this.none.hidden = !empty;
    setText(
      this.none,
      task.state === 'running'
        ? task.mode === 'debug'
          ? 'No request yet (the task may be paused at a breakpoint).'
          : 'Waiting for the first request…'
        : 'The task made no requests.',
    );
    const dropped = task.droppedRequests ?? 0;
    this.dropped.hidden = dropped === 0;
    setText(this.dropped, dropped ? `${formatCount(dropped)} more ${dropped === 1 ? 'request' : 'requests'} not shown.` : '');
  }

  private writeRow(row: HTMLTableRowElement, r: TaskRequestView, index: number): void {
    const cells = row.cells;
    const failed = r.failure !== null;
    // Marked by an icon and a word as well as colour, so the difference survives any theme and a screen reader.
    if (row.dataset['result'] !== (failed ? 'failed' : 'ok')) {
      row.dataset['result'] = failed ? 'failed' : 'ok';
      row.className = failed ? 'failed' : 'ok';
      cells[1]!.replaceChildren(icon(failed ? 'error' : 'pass'), document.createTextNode(failed ? ' Failed' : ' OK'));
    }
    setText(cells[0]!, String(index + 1));
    setText(cells[2]!, r.method);
    const name = distinctName(r);
    const urlCell = cells[3]!;
    urlCell.title = r.url;
    if (name === null) setText(urlCell, r.url);
    else {
      const nameLine = element('span', { className: 'request-name', text: `name: ${name}` });
      if (urlCell.textContent !== r.url + nameLine.textContent) urlCell.replaceChildren(element('span', { className: 'request-url', text: r.url }), nameLine);
    }
    setText(cells[4]!, r.status === null ? 'no response' : String(r.status));
    cells[4]!.classList.toggle('no-response', r.status === null);
    setText(cells[5]!, formatMs(r.responseTimeMs));
    setText(cells[6]!, formatBytes(r.responseLength));
    setText(cells[7]!, r.failure ?? '');
  }

  private renderException(task: TaskView): void {
    const e = task.exception;
    this.exception.hidden = !e;
    if (!e) {
      this.exceptionKey = '';
      return;
    }
    const key = `${e.where}\u0000${e.message}\u0000${e.traceback}`;
    if (key === this.exceptionKey) return;
    this.exceptionKey = key;
    setText(this.exceptionHeading, `Exception ${WHERE[e.where]}`);
    setText(this.exceptionMessage, e.message);
    this.exception.querySelector('.traceback')?.remove();
    if (e.traceback) this.exception.append(tracebackElement(e.traceback, this.roots, this.openSource));
  }
}
