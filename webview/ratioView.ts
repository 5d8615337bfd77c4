// "Current ratio", as Locust's tab: each User class's and task's share, from the locustfile model and (users) from the run.
import type { ModelRatioRow } from '../protocol/webview';
import { element, setText } from './dom';

function percent(share: number | null | undefined): string {
  if (share === undefined) return '–';
  if (share === null) return '?';
  return `${(100 * share).toFixed(1).replace(/\.0$/, '')}%`;
}

export class RatioView {
  readonly element = element('section', { className: 'ratio' });
  private readonly none = element('p', { className: 'none', text: 'No ratio yet: it shows once the run has users.' });
  private readonly note = element('p', { className: 'note' });
  private readonly table = element('table', { className: 'ratio-table' });
  private readonly body: HTMLTableSectionElement;
  private rows: ModelRatioRow[] = [];
  private users = new Map<string, number>();
  private live = true;

  constructor() {
    this.element.setAttribute('aria-label', 'Current ratio');
    const head = this.table.createTHead().insertRow();
    for (const title of ['User class / task', 'Model', 'Run (users now)']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = title;
      head.append(th);
    }
    this.body = this.table.createTBody();
    this.note.textContent = 'Model: shares from the locustfile’s weights (? where the model cannot know one without running the file). Run: each User class’s share of the users running now.';
    this.element.append(element('h3', { text: 'Current ratio' }), this.none, this.table, this.note);
    this.render();
  }

  /** The model's rows of a run (absent: the run was not started from a locustfile this window read). */
  setModel(rows: readonly ModelRatioRow[] | undefined): void {
    this.rows = [...(rows ?? [])];
    this.render();
  }

  /** Users per User class now (the latest sample of each class's series). */
  setUsers(users: ReadonlyMap<string, number>): void {
    const same = users.size === this.users.size && [...users].every(([name, n]) => this.users.get(name) === n);
    if (same) return;
    this.users = new Map(users);
    this.render();
  }

  /** A run that ended has no users now: its column says "–" rather than the last sample's shares. */
  setLive(live: boolean): void {
    if (live === this.live) return;
    this.live = live;
    this.render();
  }

  private render(): void {
    const total = [...this.users.values()].reduce((sum, n) => sum + n, 0);
    const runShare = (user: string) => (this.live && total > 0 ? (this.users.get(user) ?? 0) / total : undefined);
    // The model's rows; classes only the run knows (the model was not read) get a row of their own.
    const rows: ModelRatioRow[] = [...this.rows];
    for (const name of this.users.keys()) {
      if (!rows.some((r) => r.task === null && r.user === name)) rows.push({ user: name, path: [], task: null, share: null });
    }
    const shown = rows.filter((r) => this.rows.length > 0 || r.task === null);
    this.none.hidden = shown.length > 0;
    this.table.hidden = shown.length === 0;
    this.note.hidden = shown.length === 0;
    while (this.body.rows.length < shown.length) {
      const tr = this.body.insertRow();
      for (let i = 0; i < 3; i++) tr.insertCell();
    }
    while (this.body.rows.length > shown.length) this.body.deleteRow(-1);
    shown.forEach((r, i) => {
      const tr = this.body.rows[i]!;
      tr.className = r.task === null ? 'user-class' : 'task';
      const label = tr.cells[0]!;
      setText(label, r.task ?? r.user);
      label.style.paddingLeft = r.task === null ? '' : `${8 + 16 * (r.path.length + 1)}px`;
      setText(tr.cells[1]!, this.rows.length ? percent(r.share) : '–');
      setText(tr.cells[2]!, r.task === null ? percent(runShare(r.user)) : '');
    });
  }
}
