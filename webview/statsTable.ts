// The per-endpoint statistics table, updated in place: a row per endpoint, cells written as text only.
import type { EndpointStats } from '../protocol/runner';
import { PERCENTILES } from '../protocol/runner';
import { formatCount, formatMs, formatRate } from './format';

const COLUMNS = ['Type', 'Name', 'Requests', 'Fails', 'Median', 'p95', 'p99', 'Average', 'Min', 'Max', 'Avg size', 'Current RPS', 'Current fails/s'] as const;
const P50 = PERCENTILES.indexOf(0.5);
const P95 = PERCENTILES.indexOf(0.95);
const P99 = PERCENTILES.indexOf(0.99);

function cellsOf(e: EndpointStats): string[] {
  const seconds = e.window.seconds || 1;
  return [
    e.method,
    e.name,
    formatCount(e.requests),
    formatCount(e.failures),
    formatMs(e.percentiles[P50]),
    formatMs(e.percentiles[P95]),
    formatMs(e.percentiles[P99]),
    formatMs(e.requests ? e.totalResponseTime / e.requests : null),
    formatMs(e.minResponseTime),
    formatMs(e.requests ? e.maxResponseTime : null),
    e.requests ? formatCount(Math.round(e.totalContentLength / e.requests)) : '–',
    formatRate(e.window.requests / seconds),
    formatRate(e.window.failures / seconds),
  ];
}

export class StatsTable {
  private readonly body: HTMLTableSectionElement;
  private readonly footer: HTMLTableSectionElement;
  private readonly rows = new Map<string, HTMLTableRowElement>();

  constructor(readonly element: HTMLTableElement) {
    element.replaceChildren();
    const head = element.createTHead().insertRow();
    for (const title of COLUMNS) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = title;
      head.append(th);
    }
    this.body = element.createTBody();
    this.footer = element.createTFoot();
  }

  clear(): void {
    this.rows.clear();
    this.body.replaceChildren();
    this.footer.replaceChildren();
  }

  update(endpoints: readonly EndpointStats[], total: EndpointStats | null): void {
    for (const endpoint of endpoints) {
      const key = `${endpoint.method} ${endpoint.name}`;
      let row = this.rows.get(key);
      if (!row) {
        row = this.body.insertRow();
        for (let i = 0; i < COLUMNS.length; i++) row.insertCell();
        this.rows.set(key, row);
      }
      writeCells(row, cellsOf(endpoint));
      // Long names are cut with an ellipsis; the tooltip keeps the whole text (as text, never markup).
      row.cells[0]!.title = endpoint.method;
      row.cells[1]!.title = endpoint.name;
      row.classList.toggle('failing', endpoint.failures > 0);
    }
    if (total) {
      const row = this.footer.rows[0] ?? this.footer.insertRow();
      while (row.cells.length < COLUMNS.length) row.insertCell();
      writeCells(row, ['', 'Aggregated', ...cellsOf(total).slice(2)]);
    }
  }
}

function writeCells(row: HTMLTableRowElement, values: string[]): void {
  values.forEach((value, i) => {
    const cell = row.cells[i];
    if (cell && cell.textContent !== value) cell.textContent = value;
  });
}
