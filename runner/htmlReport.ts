// Renders a run record as one self-contained HTML report: no scripts, nothing loaded from elsewhere, every string escaped.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { PERCENTILES, type EndpointStats } from '../protocol/runner';
import { DEFAULT_ROLLING_WINDOW, rollingField, ROLLING_PERCENTILES, seriesXY, SERIES_FIELDS, TOTAL_USERS_FIELD, type RunView, type Series } from '../protocol/webview';
import { formatCount as count, formatDuration as duration, formatMs as ms, formatPercent as percent, formatRate as rate } from '../protocol/format';
import { OUTCOME_LABEL } from '../protocol/runRecord';
import { LOCAL_PROCESS_ID, saturationWarning, type LoadGeneratorHealth } from '../protocol/loadGenerator';
import { describeMeasurement, parseThreshold, type ThresholdStatus, type Verdict } from '../protocol/thresholds';
import type { LoadedRunRecord } from './runRecord';
import { replayRunRecord } from './runReplay';

const P50 = PERCENTILES.indexOf(0.5);
const P90 = PERCENTILES.indexOf(0.9);
const P95 = PERCENTILES.indexOf(0.95);
const P99 = PERCENTILES.indexOf(0.99);
const FIELD = Object.fromEntries(SERIES_FIELDS.map((name, i) => [name, i])) as Record<(typeof SERIES_FIELDS)[number], number>;

/** The only way text enters the report: the record holds names, errors and tracebacks written by the load test. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** UTC, so a report reads the same wherever it is opened (it has no script to localise it). */
export function timestamp(epochMs: number | undefined): string {
  if (epochMs === undefined) return '–';
  return `${new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`;
}


// ---- Charts as inline SVG

/** One line of a chart (exported with lineChart and REPORT_STYLE for the comparison report). */
export interface Line {
  label: string;
  /** CSS class giving the colour (s0…s5), so the report's light and dark schemes both apply. */
  colour: number;
  points: { x: number; y: number | null }[];
  dashed?: boolean;
}

const CHART = { width: 760, height: 220, left: 56, right: 12, top: 12, bottom: 28 };

/** A round step for about `target` intervals over `span`: 1, 2 or 5 times a power of ten. */
function niceStep(span: number, target: number): number {
  const raw = span / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

/** A time step (seconds) that lands on whole seconds, minutes or hours. */
function timeStep(span: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  return steps.find((s) => span / s <= 8) ?? niceStep(span, 8);
}

/** An axis label: as many decimals as the step needs, no more (0, 50, 100 rather than 0.0, 50.0, 100). */
function axisNumber(value: number, step: number): string {
  const decimals = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step)));
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: decimals, minimumFractionDigits: decimals }).format(value);
}

function svgNumber(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** A line chart as inline SVG, styled by REPORT_STYLE's classes (light and dark). */
export function lineChart(id: string, title: string, unit: string, lines: Line[], format: (v: number) => string): string {
  const { width, height, left, right, top, bottom } = CHART;
  const xs = lines.flatMap((l) => l.points.map((p) => p.x));
  const ys = lines.flatMap((l) => l.points.flatMap((p) => (p.y === null ? [] : [p.y])));
  const legend = lines
    .map((l) => `<li><span class="key k${l.colour}${l.dashed ? ' dashed' : ''}"></span>${escapeHtml(l.label)}</li>`)
    .join('');
  if (ys.length === 0) {
    return `<figure class="chart" id="${id}"><figcaption>${escapeHtml(title)}</figcaption><p class="none">No samples were recorded.</p></figure>`;
  }
  const xMax = Math.max(1, ...xs);
  const yStep = niceStep(Math.max(...ys, 0) || 1, 4);
  const yMax = Math.ceil((Math.max(...ys, 0) || 1) / yStep) * yStep;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const px = (x: number) => left + (x / xMax) * plotW;
  const py = (y: number) => top + plotH - (y / yMax) * plotH;

  const grid: string[] = [];
  for (let y = 0; y <= yMax + yStep / 2; y += yStep) {
    grid.push(`<line class="grid" x1="${left}" x2="${width - right}" y1="${svgNumber(py(y))}" y2="${svgNumber(py(y))}"/>`);
    grid.push(`<text class="tick" x="${left - 6}" y="${svgNumber(py(y) + 4)}" text-anchor="end">${axisNumber(y, yStep)}</text>`);
  }
  const xStep = timeStep(xMax);
  for (let x = 0; x <= xMax; x += xStep) {
    grid.push(`<line class="grid" x1="${svgNumber(px(x))}" x2="${svgNumber(px(x))}" y1="${top}" y2="${top + plotH}"/>`);
    grid.push(`<text class="tick" x="${svgNumber(px(x))}" y="${height - 8}" text-anchor="middle">${duration(x)}</text>`);
  }
  const paths = lines.map((l) => {
    // A null value (no request in that window) breaks the line instead of drawing it to zero.
    let d = '';
    let pen = false;
    for (const p of l.points) {
      if (p.y === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${svgNumber(px(p.x))} ${svgNumber(py(p.y))}`;
      pen = true;
    }
    return `<path class="line s${l.colour}${l.dashed ? ' dashed' : ''}" d="${d}"><title>${escapeHtml(l.label)}</title></path>`;
  });
  const latest = lines
    .map((l) => {
      const last = [...l.points].reverse().find((p) => p.y !== null)?.y;
      return `${l.label} ${last === undefined || last === null ? 'no data' : format(last)}`;
    })
    .join(', ');
  return `<figure class="chart" id="${id}">
<figcaption>${escapeHtml(title)} <span class="unit">(${escapeHtml(unit)})</span></figcaption>
<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(`${title}, last values: ${latest}`)}" xmlns="http://www.w3.org/2000/svg">
<rect class="plot" x="${left}" y="${top}" width="${plotW}" height="${plotH}"/>
${grid.join('\n')}
${paths.join('\n')}
</svg>
<ul class="legend">${legend}</ul>
</figure>`;
}

function charts(view: RunView): string {
  const total: Series | undefined = view.series?.total;
  if (!total) return '';
  const classes = view.series?.userClasses ?? [];
  const userLines: Line[] = [{ label: 'Users', colour: 0, points: seriesXY(total, TOTAL_USERS_FIELD) }];
  // One class alone repeats the total: draw classes only when there are several (as the panel does).
  if (classes.length > 1) {
    classes.forEach((c, i) => userLines.push({ label: c.name, colour: 2 + (i % 4), points: seriesXY(c.value, 0), dashed: true }));
  }
  return [
    lineChart('chart-requests', 'Requests/s and failures/s', 'per second', [
      { label: 'Requests/s', colour: 0, points: seriesXY(total, FIELD.rps) },
      { label: 'Failures/s', colour: 1, points: seriesXY(total, FIELD.fps) },
    ], rate),
    // Over the panel's default rolling window, from the same points (see rollingPercentiles.ts), so the two agree.
    lineChart('chart-times', `Response times (${DEFAULT_ROLLING_WINDOW} s window)`, 'ms', ROLLING_PERCENTILES.map((name, i) => ({
      label: name,
      colour: 2 + i,
      points: seriesXY(total, rollingField(name, DEFAULT_ROLLING_WINDOW)),
    })), ms),
    lineChart('chart-users', 'Users', 'users', userLines, (v) => count(v)),
  ].join('\n');
}

// ---- Tables

function statsRow(e: EndpointStats, seconds: number | undefined, cell: 'td' | 'th' = 'td'): string {
  const avg = e.requests ? e.totalResponseTime / e.requests : null;
  const size = e.requests ? e.totalContentLength / e.requests : null;
  const cells = [
    escapeHtml(e.method),
    escapeHtml(e.name),
    count(e.requests),
    count(e.failures),
    ms(e.median ?? e.percentiles[P50]),
    ms(e.percentiles[P90]),
    ms(e.percentiles[P95]),
    ms(e.percentiles[P99]),
    ms(avg),
    ms(e.minResponseTime),
    ms(e.requests ? e.maxResponseTime : null),
    size === null ? '–' : count(size),
    seconds ? rate(e.requests / seconds) : '–',
    seconds ? rate(e.failures / seconds) : '–',
  ];
  const failing = e.failures > 0 ? ' class="failing"' : '';
  return `<tr${failing}>${cells.map((c, i) => (i === 1 && cell === 'th' ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`;
}

function statsTable(record: LoadedRunRecord, seconds: number | undefined): string {
  if (record.endpoints.length === 0 && !record.total) return '<p class="none">No requests were recorded.</p>';
  const head = ['Type', 'Name', 'Requests', 'Fails', 'Median', 'p90', 'p95', 'p99', 'Average', 'Min', 'Max', 'Avg size', 'Requests/s', 'Failures/s'];
  const total = record.total ? statsRow({ ...record.total, method: '', name: 'Aggregated' }, seconds) : '';
  return `<table class="stats">
<thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>
<tbody>${record.endpoints.map((e) => statsRow(e, seconds, 'th')).join('\n')}</tbody>
<tfoot>${total}</tfoot>
</table>
<p class="note">Times in ms, sizes in bytes; requests/s and failures/s are averages over the run.</p>`;
}

function failuresTable(record: LoadedRunRecord): string {
  if (record.failures.length === 0) return '<p class="none">No failures.</p>';
  const rows = [...record.failures]
    .sort((a, b) => b.occurrences - a.occurrences)
    .map(
      (f) =>
        `<tr><td>${escapeHtml(f.method)}</td><td>${escapeHtml(f.name)}</td><td><pre>${escapeHtml(f.error)}</pre></td><td>${count(f.occurrences)}</td><td>${timestamp(f.firstSeen)}</td><td>${timestamp(f.lastSeen)}</td></tr>`,
    );
  return `<table class="failures">
<thead><tr><th scope="col">Method</th><th scope="col">Name</th><th scope="col">Message</th><th scope="col">Occurrences</th><th scope="col">First seen</th><th scope="col">Last seen</th></tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table>`;
}

function exceptionsList(record: LoadedRunRecord): string {
  if (record.exceptions.length === 0) return '<p class="none">No exceptions.</p>';
  return record.exceptions
    .map(
      (e) => `<article class="exception">
<h3><span class="count">${count(e.count)}×</span> ${escapeHtml(e.message)}</h3>
${e.nodes ? `<p class="nodes">On: ${escapeHtml(e.nodes)}</p>` : ''}
<pre>${escapeHtml(e.traceback)}</pre>
</article>`,
    )
    .join('\n');
}

const VERDICT_TEXT: Record<Verdict['outcome'], string> = { passed: 'Thresholds passed', failed: 'Thresholds failed', unknown: 'Verdict unknown' };
const STATE_TEXT: Record<ThresholdStatus['state'], string> = {
  passed: '✓ passed',
  holding: '✓ holding',
  failed: '✗ failed',
  failing: '✗ failing',
  unknown: '? not judged',
  pending: '… pending',
};

/** Processes named in the Run facts before the rest are only counted (a big cluster's workers). */
const LOAD_PROCESSES_NAMED = 20;

/** Each load-generating process's peak CPU, saturated ones marked: the Run facts' line about the load generator. */
function loadGeneratorText(health: LoadGeneratorHealth | undefined): string | undefined {
  if (!health?.processes.length) return undefined;
  const named = health.processes.slice(0, LOAD_PROCESSES_NAMED).map((p) => {
    const name = p.id === LOCAL_PROCESS_ID ? 'local Locust' : `worker ${p.id}`;
    return `${name}: peak ${Math.round(p.peakCpu)} % CPU${health.saturatedProcesses.includes(p.id) ? ' (saturated)' : ''}`;
  });
  const more = health.processes.length - named.length;
  return [...named, ...(more > 0 ? [`${more} more`] : [])].join('; ');
}

/** The thresholds and their verdict, first thing in the report: the same statuses the panel, the CLI and the Testing view show. */
function thresholdsSection(view: RunView): string {
  const statuses = view.verdict?.thresholds ?? view.thresholds;
  if (!statuses?.length) return '';
  const verdict = view.verdict;
  const held = statuses.filter((s) => s.state === 'passed').length;
  const heading = verdict
    ? `<p class="verdict ${verdict.outcome}">${VERDICT_TEXT[verdict.outcome]} (${held} of ${statuses.length} held)${verdict.abortedBy ? ` · the run was stopped early by ${escapeHtml(`"${verdict.abortedBy}"`)}` : ''}${verdict.unreliable !== undefined ? ' · unreliable: the load generator was saturated' : ''}</p>`
    : '<p class="verdict unknown">No verdict: the run did not finish.</p>';
  const rows = statuses.map((status) => {
    const parsed = parseThreshold(status.text);
    const measured = parsed.ok && status.value !== null ? describeMeasurement(parsed.threshold, status) : '–';
    const why = [status.reason, status.failedAt !== undefined ? `failed ${duration(status.failedAt)} into the run` : undefined].filter(Boolean).join('; ');
    return `<tr class="${status.state}"><td>${STATE_TEXT[status.state]}</td><td>${escapeHtml(status.text)}</td><td>${escapeHtml(measured)}</td><td>${escapeHtml(why)}</td></tr>`;
  });
  return `${heading}<div class="table-wrap"><table class="thresholds"><thead><tr><th>State</th><th>Threshold</th><th>Measured</th><th>Note</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function definitionList(rows: [string, string | undefined][]): string {
  return `<dl class="facts">${rows
    .filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '')
    .map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`)
    .join('')}</dl>`;
}

// ---- The page

/** The report's style sheet: its charts and tables need it (the comparison report adds its own rules after it). */
export const REPORT_STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --border: #d1d9e0;
  --grid: #e4e8ec; --bad: #c62828; --c0: #1f6feb; --c1: #d1242f; --c2: #1a7f37; --c3: #9a6700; --c4: #8250df; --c5: #bf3989; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #151b23; --border: #3d444d; --grid: #262c36; --bad: #ff7b72;
    --c0: #58a6ff; --c1: #ff7b72; --c2: #3fb950; --c3: #d29922; --c4: #bc8cff; --c5: #f778ba; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid var(--border); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 0 0 6px; }
.subtitle { color: var(--muted); margin: 0; overflow-wrap: anywhere; }
.outcome { display: inline-block; margin-left: 8px; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; vertical-align: middle; border: 1px solid currentColor; }
.outcome.finished { color: var(--c2); } .outcome.bad { color: var(--bad); }
.verdict { font-weight: 600; font-size: 16px; } .verdict.passed { color: var(--c2); } .verdict.failed { color: var(--bad); } .verdict.unknown { color: var(--c3); }
table.thresholds td { text-align: left; white-space: normal; } table.thresholds tr.failed td:first-child, table.thresholds tr.failing td:first-child { color: var(--bad); font-weight: 600; }
table.thresholds tr.passed td:first-child, table.thresholds tr.holding td:first-child { color: var(--c2); }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(130px, 1fr)); gap: 8px; margin: 16px 0 0; }
.summary div { background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px; }
.summary dt { color: var(--muted); font-size: 12px; } .summary dd { margin: 0; font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 4px 16px; margin: 0; }
.facts div { display: flex; gap: 8px; min-width: 0; } .facts dt { color: var(--muted); flex: 0 0 110px; } .facts dd { margin: 0; overflow-wrap: anywhere; min-width: 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 16px; }
.chart { margin: 0; background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 10px; }
.chart figcaption { font-weight: 600; margin-bottom: 4px; } .unit { color: var(--muted); font-weight: 400; }
.chart svg { display: block; width: 100%; height: auto; }
.plot { fill: none; } .grid { stroke: var(--grid); stroke-width: 1; } .tick { fill: var(--muted); font-size: 13px; font-family: inherit; }
.line { fill: none; stroke-width: 1.6; stroke-linejoin: round; } .line.dashed { stroke-dasharray: 5 3; }
.s0 { stroke: var(--c0); } .s1 { stroke: var(--c1); } .s2 { stroke: var(--c2); } .s3 { stroke: var(--c3); } .s4 { stroke: var(--c4); } .s5 { stroke: var(--c5); }
.legend { list-style: none; margin: 6px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; }
.key { display: inline-block; width: 16px; height: 0; border-top: 2px solid; vertical-align: middle; margin-right: 5px; }
.key.dashed { border-top-style: dashed; }
.k0 { color: var(--c0); } .k1 { color: var(--c1); } .k2 { color: var(--c2); } .k3 { color: var(--c3); } .k4 { color: var(--c4); } .k5 { color: var(--c5); }
.key { border-top-color: currentColor; }
.legend li { color: var(--fg); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--border); text-align: right; vertical-align: top; white-space: nowrap; }
thead th { background: var(--panel); position: sticky; top: 0; }
th:nth-child(-n+2), td:nth-child(-n+2) { text-align: left; }
tbody th { font-weight: 400; white-space: normal; overflow-wrap: anywhere; min-width: 160px; }
tfoot td { font-weight: 600; border-top: 2px solid var(--border); }
tr.failing td:nth-child(4) { color: var(--bad); font-weight: 600; }
table.failures th, table.failures td { text-align: left; white-space: normal; }
table.failures td:nth-child(3) { min-width: 18em; } table.failures td:nth-child(n+5) { white-space: nowrap; } table.failures :is(th, td):nth-child(4) { text-align: right; }
pre { margin: 0; font: 12px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
.exception { background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 10px; margin-bottom: 10px; }
.exception h3 { overflow-wrap: anywhere; } .count { color: var(--bad); } .nodes { color: var(--muted); margin: 0 0 6px; }
.none, .note { color: var(--muted); } .note { font-size: 12px; }
.warning { color: var(--bad); }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media print { .chart, .exception, .summary div { break-inside: avoid; } thead th { position: static; } }
`;

export interface HtmlReportOptions {
  /** When the report was made (epoch ms); now by default. */
  generatedAt?: number;
}

/** The report for one record, as a complete HTML document. */
export function renderHtmlReport(record: LoadedRunRecord, { generatedAt = Date.now() }: HtmlReportOptions = {}): string {
  const { options, meta, total, final } = record;
  const lastTick = record.ticks.at(-1)?.t;
  // The last statistics, not the process's exit: what the panel's Elapsed shows, without Locust's shutdown time.
  const endedAt = final?.t ?? lastTick ?? meta.endedAt;
  const elapsed = endedAt !== undefined ? (endedAt - meta.startedAt) / 1000 : undefined;
  // Locust's own divisor for its Requests/s, when final statistics carry it; else the run's duration.
  const seconds = final?.startTime && final.lastRequestTime ? final.lastRequestTime - final.startTime : elapsed;
  const locustfile = options.locustfile ?? '';
  const host = options.host || meta.host || '';
  const userClasses = options.userClasses?.length ? options.userClasses : (meta.userClasses ?? []);
  const outcome = meta.outcome;

  const summary: [string, string][] = total
    ? [
        ['Requests', count(total.requests)],
        ['Failures', `${count(total.failures)} (${percent(total.failures, total.requests)})`],
        ['Requests/s', seconds ? rate(total.requests / seconds) : '–'],
        ['Median', `${ms(total.median ?? total.percentiles[P50])} ms`],
        ['p95', `${ms(total.percentiles[P95])} ms`],
        ['p99', `${ms(total.percentiles[P99])} ms`],
        ['Max', `${ms(total.requests ? total.maxResponseTime : null)} ms`],
        ['Duration', elapsed === undefined ? '–' : duration(elapsed)],
      ]
    : [];
  const exit = meta.exit;
  const facts: [string, string | undefined][] = [
    ['Locustfile', locustfile],
    ['Host', host],
    ['User classes', userClasses.join(', ') || 'all'],
    ['Load shape', meta.shape ?? options.shapeClass ?? undefined],
    ['Users', options.users === undefined ? undefined : count(options.users)],
    ['Spawn rate', options.spawnRate === undefined ? undefined : `${options.spawnRate}/s`],
    ['Run time', options.runTime || 'until stopped'],
    ['Tags', options.tags?.join(', ')],
    ['Exclude tags', options.excludeTags?.join(', ')],
    ['Extra arguments', options.extraArgs?.join(' ')],
    ['Profile', meta.profile ?? options.profile],
    ['Mode', options.mode === 'distributed' || options.mode === 'processes' ? `${options.mode === 'processes' ? 'distributed (--processes)' : 'distributed'}, ${options.workers ?? 'one per core'} workers` : meta.runnerKind],
    ['Started', timestamp(meta.startedAt)],
    ['Ended', meta.endedAt === undefined ? undefined : timestamp(meta.endedAt)],
    ['Outcome', OUTCOME_LABEL[outcome]],
    ['Exit', exit ? (exit.spawnError ?? (exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`)) : undefined],
    ['Load generator', loadGeneratorText(meta.loadGenerator)],
    ['Locust', meta.locustVersion || meta.interpreter?.locustVersion],
    ['Interpreter', meta.interpreter?.path ?? options.python],
    ['Run id', meta.id],
    ['Record', record.dir],
  ];
  const warnings = [
    ...(final ? [] : ['No final statistics were recorded: the figures are the last ones Locust reported during the run.']),
    ...(record.unreadableLines ? [`${record.unreadableLines} unreadable line(s) of ticks.jsonl were skipped.`] : []),
    ...(meta.errors ?? []).map((e) => `Locust Studio reported: ${e}`),
    saturationWarning(meta.loadGenerator),
  ].filter((w) => w !== undefined);
  const title = `Locust report: ${path.basename(locustfile) || meta.id}`;
  // The panel's own view of the record: the charts' series and the thresholds' states come from the same replay.
  const view = replayRunRecord(record).snapshot;
  const thresholds = thresholdsSection(view);
  return htmlDocument(
    title,
    REPORT_STYLE.trim(),
    `<header>
<h1>${escapeHtml(title)} <span class="outcome ${outcome === 'finished' ? 'finished' : 'bad'}">${OUTCOME_LABEL[outcome]}</span></h1>
<p class="subtitle">${escapeHtml(host || 'no host')} · ${escapeHtml(userClasses.join(', ') || 'all User classes')} · started ${timestamp(meta.startedAt)}</p>
${summary.length ? `<dl class="summary">${summary.map(([k, v]) => `<div><dt>${k}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>` : ''}
${warnings.map((w) => `<p class="warning">${escapeHtml(w)}</p>`).join('\n')}
</header>
<main>
${thresholds ? `<section aria-labelledby="h-thresholds"><h2 id="h-thresholds">Thresholds</h2>${thresholds}</section>` : ''}
<section aria-labelledby="h-charts"><h2 id="h-charts">Charts</h2><div class="charts">${charts(view)}</div></section>
<section aria-labelledby="h-stats"><h2 id="h-stats">Statistics</h2><div class="table-wrap">${statsTable(record, seconds)}</div></section>
<section aria-labelledby="h-failures"><h2 id="h-failures">Failures</h2><div class="table-wrap">${failuresTable(record)}</div></section>
<section aria-labelledby="h-exceptions"><h2 id="h-exceptions">Exceptions</h2>${exceptionsList(record)}</section>
<section aria-labelledby="h-run"><h2 id="h-run">Run</h2>${definitionList(facts)}</section>
</main>
<footer>Generated by Locust Studio on ${timestamp(generatedAt)} from the run record.</footer>`,
  );
}

/** The CSP source that allows exactly this inline style sheet: `'sha256-…'`. */
export function styleHash(style: string): string {
  return `'sha256-${createHash('sha256').update(style).digest('base64')}'`;
}

/**
 * A self-contained report page: one inline style sheet, the body as given (already escaped), and a policy that allows
 * that style by its hash and nothing else. The reports need no script at all: an escaping mistake still could not run one.
 */
export function htmlDocument(title: string, style: string, body: string): string {
  const csp = `default-src 'none'; style-src ${styleHash(style)}; img-src 'none'; base-uri 'none'; form-action 'none'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
