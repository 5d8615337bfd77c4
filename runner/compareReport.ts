// Renders a comparison of two runs as one self-contained HTML page: no scripts, inline SVG charts, one hashed style sheet.
import {
  COMPARED_METRICS,
  COMPARISON_VERDICT_LABEL,
  ENDPOINT_VERDICT_LABEL,
  METRIC_LABEL,
  METRIC_UNIT,
  type ComparedMetric,
  type ComparedRun,
  type Comparison,
  type EndpointComparison,
  type EndpointOnlyInOne,
  type MetricComparison,
} from '../protocol/compare';
import { formatCount as count, formatDuration as duration, formatMs, formatRate as rate } from '../protocol/format';
import { escapeHtml, htmlDocument, lineChart, REPORT_STYLE, styleHash, timestamp, type Line } from './htmlReport';

const EXTRA_STYLE = `
.verdict.regressed { color: var(--bad); } .verdict.ok { color: var(--c2); } .verdict.inconclusive { color: var(--c3); }
td.v-regressed, td.worse { color: var(--bad); font-weight: 600; } td.v-improved, td.better { color: var(--c2); font-weight: 600; }
td.v-notEnoughData { color: var(--c3); } td.v-noChange { color: var(--muted); }
table.compare td { white-space: nowrap; } table.compare :is(th, td):nth-child(3) { text-align: left; }
table.compare .delta { display: block; color: var(--muted); font-size: 12px; font-weight: 400; }
.runs { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 16px; }
.runs section { background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 10px; }
.runs h3 { margin-bottom: 8px; }
`;

/** The page's one style sheet: the run report's (its charts and tables) and this report's own rules. */
export const COMPARISON_REPORT_STYLE = `${REPORT_STYLE.trim()}\n${EXTRA_STYLE.trim()}`;

/**
 * The CSP source that allows the page's style sheet (one inline <style> element, nothing else): a webview showing this
 * HTML adds it to its own policy's style-src (e.g. `style-src ${webview.cspSource} 'sha256-…'`). The page needs no script.
 */
export const COMPARISON_REPORT_STYLE_HASH = styleHash(COMPARISON_REPORT_STYLE);

export interface ComparisonReportOptions {
  /** When the report was made (epoch ms); now by default. */
  generatedAt?: number;
}

function metricValue(metric: ComparedMetric, x: number | null): string {
  if (x === null) return '–';
  if (metric === 'rps') return rate(x);
  if (metric === 'failPercent') return `${x.toFixed(2)}%`;
  return formatMs(x);
}

function metricCell(metric: ComparedMetric, m: MetricComparison): string {
  const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
  const change = m.delta === null ? '' : metric === 'failPercent' ? `${signed(m.delta, 2)} pp` : m.relative === null ? '' : `${signed(100 * m.relative, 1)}%`;
  const cls = m.verdict === 'regressed' ? ' class="worse"' : m.verdict === 'improved' ? ' class="better"' : '';
  const title = `${ENDPOINT_VERDICT_LABEL[m.verdict]}${m.pValue === null ? '' : `, p = ${m.pValue.toPrecision(2)}`}; samples ${m.samples.base} / ${m.samples.new}${m.decides ? '' : ' (shown, not judged)'}`;
  return `<td${cls} title="${escapeHtml(title)}">${escapeHtml(`${metricValue(metric, m.base)} → ${metricValue(metric, m.new)}`)}${change ? `<span class="delta">${escapeHtml(change)}</span>` : ''}</td>`;
}

function endpointRow(e: EndpointComparison, method: string, name: string, cell: 'th' | 'td'): string {
  const nameCell = cell === 'th' ? `<th scope="row">${escapeHtml(name)}</th>` : `<td>${escapeHtml(name)}</td>`;
  return `<tr><td>${escapeHtml(method)}</td>${nameCell}<td class="v-${e.verdict}">${escapeHtml(ENDPOINT_VERDICT_LABEL[e.verdict])}</td>${COMPARED_METRICS.map((m) => metricCell(m, e.metrics[m])).join('')}</tr>`;
}

function comparisonTable(comparison: Comparison): string {
  const head = ['Type', 'Name', 'Verdict', ...COMPARED_METRICS.map((m) => `${METRIC_LABEL[m]}${METRIC_UNIT[m] === 'ms' ? ' (ms)' : ''}`)];
  return `<table class="stats compare">
<thead><tr>${head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>${comparison.endpoints.map((e) => endpointRow(e, e.method, e.name, 'th')).join('\n')}</tbody>
<tfoot>${endpointRow(comparison.aggregate, '', 'Aggregated', 'td')}</tfoot>
</table>
<p class="note">Each cell: baseline → new run, over the batches compared; the change below. Hover a cell for its p-value and samples.</p>`;
}

function onlyInOne(title: string, list: EndpointOnlyInOne[]): string {
  if (list.length === 0) return '';
  return `<h3>${escapeHtml(title)}</h3><table class="stats"><thead><tr><th scope="col">Type</th><th scope="col">Name</th><th scope="col">Requests</th></tr></thead><tbody>${list
    .map((e) => `<tr><td>${escapeHtml(e.method)}</td><th scope="row">${escapeHtml(e.name)}</th><td>${count(e.requests)}</td></tr>`)
    .join('')}</tbody></table>`;
}

function runFacts(title: string, run: ComparedRun): string {
  const rows: [string, string | null][] = [
    ['Record', run.dir || run.id],
    ['Started', timestamp(run.startedAt)],
    ['Locustfile', run.locustfile],
    ['Host', run.host],
    ['Users', run.users === null ? null : count(run.users)],
    ['User classes', run.userClasses.join(', ') || null],
    ['Run time', run.runTime],
    ['Locust', run.locustVersion],
    ['Outcome', run.outcome],
    ['Compared', `${duration(run.seconds)} in batches of ${run.batchSeconds} s${run.steadyOnly ? ', ramp left out' : ''}`],
  ];
  return `<section><h3>${escapeHtml(title)}</h3><dl class="facts">${rows
    .filter((r): r is [string, string] => r[1] !== null && r[1] !== '')
    .map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`)
    .join('')}</dl></section>`;
}

function points(run: ComparedRun, values: readonly (number | null)[]): Line['points'] {
  return run.series.elapsed.map((x, i) => ({ x, y: values[i] ?? null }));
}

function charts(comparison: Comparison): string {
  const { base, new: next } = comparison;
  return [
    lineChart('chart-rps', 'Requests/s, all endpoints', 'per second', [
      { label: 'Baseline', colour: 0, points: points(base, base.series.rps), dashed: true },
      { label: 'New run', colour: 1, points: points(next, next.series.rps) },
    ], rate),
    lineChart('chart-p95', 'p95 response time, all endpoints', 'ms', [
      { label: 'Baseline', colour: 0, points: points(base, base.series.p95), dashed: true },
      { label: 'New run', colour: 1, points: points(next, next.series.p95) },
    ], formatMs),
  ].join('\n');
}

/** A comparison as a complete HTML document. Its only style is COMPARISON_REPORT_STYLE (allowed by COMPARISON_REPORT_STYLE_HASH). */
export function renderComparisonHtml(comparison: Comparison, { generatedAt = Date.now() }: ComparisonReportOptions = {}): string {
  const { rule } = comparison;
  const regressed = comparison.endpoints.filter((e) => e.verdict === 'regressed').length;
  return htmlDocument(
    'Locust run comparison',
    COMPARISON_REPORT_STYLE,
    `<header>
<h1>Locust run comparison</h1>
<p class="verdict ${comparison.verdict}">${escapeHtml(COMPARISON_VERDICT_LABEL[comparison.verdict])}${regressed ? ` · ${regressed} of ${comparison.endpoints.length} endpoints regressed` : ''}${comparison.aggregate.verdict === 'regressed' ? ' · the aggregate regressed' : ''}</p>
${comparison.notes.map((n) => `<p class="warning">${escapeHtml(n)}</p>`).join('\n')}
</header>
<main>
<section aria-labelledby="h-runs"><h2 id="h-runs">Runs</h2><div class="runs">${runFacts('Baseline', comparison.base)}${runFacts('New run', comparison.new)}</div></section>
<section aria-labelledby="h-endpoints"><h2 id="h-endpoints">Endpoints</h2><div class="table-wrap">${comparisonTable(comparison)}</div>
${onlyInOne('Only in the baseline', comparison.onlyInBase)}${onlyInOne('Only in the new run', comparison.onlyInNew)}</section>
<section aria-labelledby="h-charts"><h2 id="h-charts">Charts</h2><div class="charts">${charts(comparison)}</div></section>
<section aria-labelledby="h-rule"><h2 id="h-rule">How it is judged</h2>
<p>Each run is cut into time batches; each batch (grouped with its neighbours until it has enough requests: ${rule.minTailRequests}/(1&#8722;q) for quantile q) gives one sample per metric, on a log scale for response times. A metric changed when a two-sided Welch t-test of the two runs' samples is significant at ${rule.confidence * 100}% and the change is at least ${rule.minChange * 100}% (failure ratio: at least ${rule.minFailureChange * 100} percentage points too); fewer than ${rule.minSamples} samples in a run is not enough data. Endpoints are judged on p50, p95, p99 and failures; requests/s judges only the aggregate.</p></section>
</main>
<footer>Generated by Locust Studio on ${timestamp(generatedAt)} from the run records.</footer>`,
  );
}
