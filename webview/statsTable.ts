// The per-endpoint statistics table: sortable, filterable by name, and windowed, so 2,000 endpoints cost what 50 do.
import type { EndpointStats } from '../protocol/runner';
import { endpointKey, PERCENTILES } from '../protocol/runner';
import { element, setText } from './dom';
import { formatCount, formatMs, formatRate } from '../protocol/format';
import { COMPARED_METRICS, ENDPOINT_VERDICT_LABEL, LIVE_COMPARISON_SECONDS, METRIC_LABEL, type BaselineView, type ComparedMetric, type EndpointDelta, type MetricDelta } from '../protocol/compare';

const P50 = PERCENTILES.indexOf(0.5);
const P90 = PERCENTILES.indexOf(0.9);
const P95 = PERCENTILES.indexOf(0.95);
const P99 = PERCENTILES.indexOf(0.99);
/** Rows drawn beyond the visible ones, above and below, so a quick scroll shows no gap. */
const OVERSCAN = 10;
/** Until a row has been measured: the height of one line of 13px text plus padding and border. */
const DEFAULT_ROW_HEIGHT = 22;

export type SortDirection = 'ascending' | 'descending';
export interface SortState {
  column: number;
  direction: SortDirection;
}

type Value = string | number | null;

/**
 * One column of the table: its header (with the unit), the raw value sorting compares (text as text, the rest as
 * numbers; no value sorts last) and its text. `compact`: kept on a narrow panel (the columns Locust users read first);
 * `current`: a rate of the latest window, which a run that ended no longer has.
 */
export interface Column {
  title: string;
  value: (e: EndpointStats) => Value;
  text: (value: Value, e: EndpointStats) => string;
  compact?: boolean;
  current?: boolean;
  /** Text columns are left-aligned and start sorting from A. */
  textual?: boolean;
  /** With a baseline, the column of this metric's change against it stands right after this one (where the eye is). */
  delta?: ComparedMetric;
}

const msText = (value: Value) => formatMs(value as number | null);
const countText = (value: Value) => formatCount(value as number);
const rateText = (value: Value) => formatRate(value as number);
const windowSeconds = (e: EndpointStats) => e.window.seconds || 1;

/** Every column, in order: one entry each (another column is one more entry). */
export const COLUMNS: readonly Column[] = [
  { title: 'Type', value: (e) => e.method, text: (_v, e) => e.method, compact: true, textual: true },
  { title: 'Name', value: (e) => e.name, text: (_v, e) => e.name, compact: true, textual: true },
  { title: 'Requests', value: (e) => e.requests, text: countText, compact: true },
  { title: 'Fails', value: (e) => e.failures, text: countText, compact: true, delta: 'failPercent' },
  { title: 'Median (ms)', value: (e) => e.percentiles[P50] ?? null, text: msText, compact: true, delta: 'p50' },
  { title: '90%ile (ms)', value: (e) => e.percentiles[P90] ?? null, text: msText },
  { title: '95%ile (ms)', value: (e) => e.percentiles[P95] ?? null, text: msText, compact: true, delta: 'p95' },
  { title: '99%ile (ms)', value: (e) => e.percentiles[P99] ?? null, text: msText, compact: true, delta: 'p99' },
  { title: 'Average (ms)', value: (e) => (e.requests ? e.totalResponseTime / e.requests : null), text: msText },
  { title: 'Min (ms)', value: (e) => e.minResponseTime, text: msText },
  { title: 'Max (ms)', value: (e) => (e.requests ? e.maxResponseTime : null), text: msText },
  {
    title: 'Average size (bytes)',
    value: (e) => (e.requests ? e.totalContentLength / e.requests : null),
    text: (value) => (value === null ? '–' : formatCount(Math.round(value as number))),
  },
  { title: 'Current RPS', value: (e) => e.window.requests / windowSeconds(e), text: rateText, compact: true, current: true, delta: 'rps' },
  { title: 'Current failures/s', value: (e) => e.window.failures / windowSeconds(e), text: rateText, current: true },
];

function valuesOf(e: EndpointStats): Value[] {
  return COLUMNS.map((column) => column.value(e));
}

/** The row's texts; `live` false (the run ended): current rates say "–" rather than the last window's. */
function cellsOf(e: EndpointStats, live: boolean): string[] {
  return COLUMNS.map((column) => (column.current && !live ? '–' : column.text(column.value(e), e)));
}

/** A metric's change against the baseline as a cell shows it: relative for times and rates, in points for failures. */
function deltaText(metric: ComparedMetric, d: MetricDelta | undefined): string {
  if (!d || d.delta === null) return '–';
  const sign = (x: number) => (x > 0 ? '+' : x < 0 ? '−' : '±');
  if (metric === 'failPercent') return `${sign(d.delta)}${Math.abs(d.delta).toFixed(2)} pp`;
  if (d.relative === null) return '–';
  const percent = Math.abs(100 * d.relative);
  return `${sign(d.relative)}${percent >= 10 ? percent.toFixed(0) : percent.toFixed(1)} %`;
}

/** What sorting a Δ column compares: the relative change (failures: the points). */
function deltaValue(metric: ComparedMetric, d: MetricDelta | undefined): number | null {
  if (!d) return null;
  return metric === 'failPercent' ? d.delta : d.relative;
}

/** The tooltip of a Δ cell: the baseline's value and whether the change is real, in words (colour is never alone). */
function deltaTitle(metric: ComparedMetric, d: MetricDelta | undefined): string {
  if (!d) return 'Not in the baseline';
  const base = d.base === null ? 'no value' : metric === 'rps' ? `${formatRate(d.base)}/s` : metric === 'failPercent' ? `${d.base.toFixed(2)} %` : `${formatMs(d.base)} ms`;
  const judged = d.decides ? ENDPOINT_VERDICT_LABEL[d.verdict] : `${ENDPOINT_VERDICT_LABEL[d.verdict]} (shown, not judged for an endpoint)`;
  return `${METRIC_LABEL[metric]}: baseline ${base}; ${judged}`;
}

/** The class that colours a Δ cell: only a real change (the comparison's verdict) is better or worse. */
function deltaClass(d: MetricDelta | undefined): string {
  if (!d) return 'delta';
  return d.verdict === 'regressed' ? 'delta worse' : d.verdict === 'improved' ? 'delta better' : 'delta';
}

/** With a baseline, one column per compared metric: the change against it (shown only while the run has a baseline). */
const DELTA_COLUMNS = COMPARED_METRICS.map((m) => `Δ ${METRIC_LABEL[m]}`);
const ALL_COLUMNS = COLUMNS.length + DELTA_COLUMNS.length;
/** On-screen position of each column (by its index: COLUMNS, then DELTA_COLUMNS): each Δ right after its column. */
const POSITION: number[] = (() => {
  const shown: number[] = [];
  COLUMNS.forEach(({ delta }, column) => {
    shown.push(column);
    if (delta) shown.push(COLUMNS.length + COMPARED_METRICS.indexOf(delta));
  });
  // A compared metric no column declares still gets its Δ column, at the end.
  COMPARED_METRICS.forEach((metric, i) => COLUMNS.some((c) => c.delta === metric) || shown.push(COLUMNS.length + i));
  const position: number[] = [];
  shown.forEach((column, place) => (position[column] = place));
  return position;
})();
/** The cell of a column in a row. */
const cellAt = (tr: HTMLTableRowElement, column: number) => tr.cells[POSITION[column]!]!;

interface Row {
  stats: EndpointStats;
  values: Value[];
  /** Insertion order: the order when no column is sorted, and the tie-break when one is. */
  order: number;
}

function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/**
 * The model holds every endpoint; the DOM holds only the rows in view (plus a margin), inside spacers that give the
 * scrollbar its full length. A tick rewrites the model and then the few rows on screen, text only.
 */
export class StatsTable {
  /** The scroll container: put this in the page (it holds the table). */
  readonly container = element('div', { className: 'table-scroll' });
  private readonly before = element('div', { className: 'spacer' });
  private readonly after = element('div', { className: 'spacer' });
  private readonly body: HTMLTableSectionElement;
  private readonly footer: HTMLTableSectionElement;
  private readonly headers: HTMLTableCellElement[] = [];
  private readonly rows = new Map<string, Row>();
  /** The rows that pass the filter, in display order. */
  private view: Row[] = [];
  private viewDirty = false;
  private sort: SortState | null = null;
  private filter = '';
  private rowHeight = DEFAULT_ROW_HEIGHT;
  private scrollTop = 0;
  private renderScheduled = false;
  /** The endpoint whose charts are shown (its row is marked), null for the whole run. */
  private selectedKey: string | null = null;
  /** Each endpoint's change against the run's baseline (empty without one), and the aggregate's. */
  private deltas = new Map<string, EndpointDelta>();
  private aggregateDelta: EndpointDelta | null = null;
  /** What a Δ cell without a change says: not compared yet, or an endpoint the baseline does not have. */
  private missingDelta = '';
  private live = true;
  private total: EndpointStats | null = null;
  /** Told when the user picks a row (click, or Enter on a focused row): its endpoint's charts are wanted. */
  onSelect: (endpoint: EndpointStats) => void = () => undefined;
  /** Told when the user sorts, so the choice survives the webview being hidden (setState). */
  onSortChange: (sort: SortState | null) => void = () => undefined;

  constructor(readonly element: HTMLTableElement) {
    element.replaceChildren();
    const head = element.createTHead().insertRow();
    head.setAttribute('aria-rowindex', '1');
    const headers: HTMLTableCellElement[] = [];
    [...COLUMNS.map((c) => c.title), ...DELTA_COLUMNS].forEach((title, column) => {
      const th = document.createElement('th');
      if (column < COLUMNS.length && !COLUMNS[column]!.compact) th.className = 'extra';
      if (column >= COLUMNS.length) {
        th.className = 'delta';
        th.title = `Change of ${METRIC_LABEL[COMPARED_METRICS[column - COLUMNS.length]!]} against the baseline; coloured only where the comparison finds a real change`;
      }
      th.scope = 'col';
      th.setAttribute('aria-sort', 'none');
      // A button inside the header: reachable with Tab, activated by Enter/Space, the header says the sort state.
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      button.textContent = title;
      button.addEventListener('click', () => this.toggleSort(column));
      th.append(button);
      headers[POSITION[column]!] = th;
      this.headers.push(th);
    });
    head.append(...headers);
    this.body = element.createTBody();
    this.footer = element.createTFoot();
    this.container.append(this.before, element, this.after);
    // One listener for the pool of rows: a row knows its place in the view, not its endpoint (rows are reused).
    const pick = (target: EventTarget | null) => {
      const index = Number((target as Element | null)?.closest?.('tr')?.dataset['index']);
      const row = Number.isInteger(index) ? this.view[index] : undefined;
      if (row) this.onSelect(row.stats);
    };
    this.body.addEventListener('click', (event) => pick(event.target));
    this.body.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      event.preventDefault();
      pick(event.target);
    });
    this.container.addEventListener(
      'scroll',
      () => {
        this.scrollTop = this.container.scrollTop;
        this.scheduleRender();
      },
      { passive: true },
    );
  }

  /** Endpoints known, whether shown or filtered out. */
  get rowCount(): number {
    return this.rows.size;
  }

  clear(): void {
    this.rows.clear();
    this.view = [];
    this.body.replaceChildren();
    this.footer.replaceChildren();
    this.total = null;
    this.render();
  }

  /** Takes new numbers for these endpoints (and the aggregated row); returns the endpoints the table did not have yet. */
  update(endpoints: readonly EndpointStats[], total: EndpointStats | null): EndpointStats[] {
    const added: EndpointStats[] = [];
    for (const stats of endpoints) {
      const key = endpointKey(stats);
      const row = this.rows.get(key);
      if (row) {
        row.stats = stats;
        if (this.sort) row.values = this.valuesOf(stats);
      } else {
        this.rows.set(key, { stats, values: this.valuesOf(stats), order: this.rows.size });
        added.push(stats);
        this.viewDirty = true;
      }
    }
    // Values changed under a sort: the order may have changed too. Sorting 2,000 rows is a millisecond.
    if (this.sort && endpoints.length) this.viewDirty = true;
    if (total) {
      const row = this.footer.rows[0] ?? this.footer.insertRow();
      while (row.cells.length < ALL_COLUMNS) row.insertCell();
      this.markExtra(row);
      ['', 'Aggregated', ...cellsOf(total, this.live).slice(2)].forEach((text, i) => setText(cellAt(row, i), text));
      this.drawDeltas(row, this.aggregateDelta);
      this.total = total;
    }
    this.render();
    return added;
  }

  /** Whether the run goes on: a run that ended shows no current rates ("–"), in rows and in the aggregated row alike. */
  setLive(live: boolean): void {
    if (live === this.live) return;
    this.live = live;
    if (this.total) this.update([], this.total);
    else this.render();
  }

  /**
   * Columns outside the compact set carry `extra`: a narrow panel hides them until all columns are asked for (CSS). Each
   * Δ column follows a compact one and stays with it.
   */
  private markExtra(row: HTMLTableRowElement): void {
    COLUMNS.forEach((column, i) => cellAt(row, i).classList.toggle('extra', !column.compact));
    // Δ cells are hidden without a baseline (CSS) from the start, not only once a change was drawn in them.
    for (let i = COLUMNS.length; i < ALL_COLUMNS; i++) cellAt(row, i).classList.add('delta');
  }

  /** The run's baseline and where each endpoint stands against it (undefined: no baseline, the Δ columns are hidden). */
  setBaseline(view: BaselineView | undefined): void {
    this.element.classList.toggle('with-baseline', view !== undefined);
    this.deltas = new Map((view?.endpoints ?? []).map((d) => [endpointKey(d), d]));
    this.aggregateDelta = view?.aggregate ?? null;
    this.missingDelta = !view ? '' : view.verdict === null ? `Not compared yet: the run is compared with its baseline every ${LIVE_COMPARISON_SECONDS} s` : 'Not in the baseline';
    const footer = this.footer.rows[0];
    if (footer) this.drawDeltas(footer, this.aggregateDelta);
    if (this.sort) {
      for (const row of this.rows.values()) row.values = this.valuesOf(row.stats);
      this.viewDirty = true;
    }
    this.render();
  }

  /** Sort values of a row: its statistics, then its changes against the baseline. */
  private valuesOf(stats: EndpointStats): Value[] {
    const delta = this.deltas.get(endpointKey(stats));
    return [...valuesOf(stats), ...COMPARED_METRICS.map((m) => deltaValue(m, delta?.metrics[m]))];
  }

  /** Writes the Δ cells of a row (text, colour class, tooltip), touching only what changed. */
  private drawDeltas(tr: HTMLTableRowElement, delta: EndpointDelta | null | undefined): void {
    COMPARED_METRICS.forEach((metric, i) => {
      if (tr.cells.length < ALL_COLUMNS) return;
      const cell = cellAt(tr, COLUMNS.length + i);
      const d = delta?.metrics[metric];
      // A mark beside the colour, as the CLI's table has: ✗ a real change for the worse, ✓ for the better.
      setText(cell, `${deltaText(metric, d)}${d?.verdict === 'regressed' ? ' ✗' : d?.verdict === 'improved' ? ' ✓' : ''}`);
      const className = deltaClass(d);
      if (cell.className !== className) cell.className = className;
      const title = delta ? deltaTitle(metric, d) : this.missingDelta;
      if (cell.title !== title) cell.title = title;
    });
  }

  /** Marks the row of the endpoint whose charts are shown (null: none). */
  setSelected(endpoint: { method: string; name: string } | null): void {
    this.selectedKey = endpoint ? endpointKey(endpoint) : null;
    this.render();
  }

  setFilter(text: string): void {
    this.filter = text.trim().toLowerCase();
    this.viewDirty = true;
    this.render();
  }

  setSort(sort: SortState | null): void {
    this.sort = sort;
    this.headers.forEach((th, i) => th.setAttribute('aria-sort', sort && sort.column === i ? sort.direction : 'none'));
    if (sort) for (const row of this.rows.values()) row.values = this.valuesOf(row.stats);
    this.viewDirty = true;
    this.render();
  }

  private toggleSort(column: number): void {
    const current = this.sort;
    // Numbers start with the largest (what one looks for first), text with A.
    const first: SortDirection = COLUMNS[column]?.textual ? 'ascending' : 'descending';
    const direction: SortDirection =
      current && current.column === column ? (current.direction === 'ascending' ? 'descending' : 'ascending') : first;
    this.setSort({ column, direction });
    this.onSortChange(this.sort);
  }

  private compareRows = (a: Row, b: Row): number => {
    if (!this.sort) return a.order - b.order;
    const { column, direction } = this.sort;
    const va = a.values[column] ?? null;
    const vb = b.values[column] ?? null;
    // Rows without a value stay last whichever the direction.
    if (va === null || vb === null) return compare(va, vb) || a.order - b.order;
    const c = compare(va, vb);
    return (direction === 'ascending' ? c : -c) || a.order - b.order;
  };

  private scheduleRender(): void {
    if (this.renderScheduled) return;
    this.renderScheduled = true;
    requestAnimationFrame(() => {
      this.renderScheduled = false;
      this.render();
    });
  }

  /** Draws the rows in the scroll window: a fixed pool of <tr>, rewritten with text only where it changed. */
  private render(): void {
    if (this.viewDirty) {
      this.viewDirty = false;
      const all = [...this.rows.values()];
      this.view = this.filter ? all.filter((r) => r.stats.name.toLowerCase().includes(this.filter)) : all;
      if (this.sort) this.view.sort(this.compareRows);
    }
    this.element.setAttribute('aria-rowcount', String(this.view.length + 2));
    const visible = Math.ceil(this.viewportHeight() / this.rowHeight);
    const start = Math.max(0, Math.min(Math.floor(this.scrollTop / this.rowHeight) - OVERSCAN, this.view.length - visible - 2 * OVERSCAN));
    const count = Math.min(this.view.length - start, visible + 2 * OVERSCAN);
    while (this.body.rows.length < count) {
      const tr = this.body.insertRow();
      // Focusable, so a keyboard can pick a row for the charts as a click does.
      tr.tabIndex = 0;
      for (let i = 0; i < ALL_COLUMNS; i++) tr.insertCell();
      this.markExtra(tr);
    }
    while (this.body.rows.length > count) this.body.deleteRow(-1);
    for (let i = 0; i < count; i++) {
      const row = this.view[start + i]!;
      const tr = this.body.rows[i]!;
      const cells = cellsOf(row.stats, this.live);
      for (let c = 0; c < cells.length; c++) setText(cellAt(tr, c), cells[c]!);
      if (this.missingDelta) this.drawDeltas(tr, this.deltas.get(endpointKey(row.stats)));
      // Long names are cut with an ellipsis; the tooltip keeps the whole text (as text, never markup).
      if (cellAt(tr, 0).title !== row.stats.method) cellAt(tr, 0).title = row.stats.method;
      if (cellAt(tr, 1).title !== row.stats.name) cellAt(tr, 1).title = row.stats.name;
      tr.classList.toggle('failing', row.stats.failures > 0);
      const selected = this.selectedKey !== null && endpointKey(row.stats) === this.selectedKey;
      tr.classList.toggle('selected', selected);
      tr.setAttribute('aria-selected', String(selected));
      tr.dataset['index'] = String(start + i);
      tr.setAttribute('aria-rowindex', String(start + i + 2));
    }
    // Spacers stand in for the rows not drawn, so the scrollbar tells the whole length (CSSOM: allowed by the CSP).
    this.before.style.height = `${start * this.rowHeight}px`;
    this.after.style.height = `${Math.max(0, this.view.length - start - count) * this.rowHeight}px`;
    if (count > 0 && this.rowHeight === DEFAULT_ROW_HEIGHT) this.measure();
  }

  /** The height the scroll container may take (its CSS max-height is 60vh), without forcing a layout. */
  private viewportHeight(): number {
    return Math.max(200, window.innerHeight * 0.6);
  }

  /** Once rows exist, learn their real height (font size differs per user) on the next frame, off the tick path. */
  private measured = false;
  private measure(): void {
    if (this.measured) return;
    this.measured = true;
    requestAnimationFrame(() => {
      const height = this.body.rows[0]?.getBoundingClientRect().height;
      if (!height) this.measured = false;
      else if (Math.abs(height - this.rowHeight) > 0.5) {
        this.rowHeight = height;
        this.render();
      }
    });
  }
}
