// The run's charts (requests/s with failures/s, response-time percentiles, users) drawn with chart.js from bounded series.
import {
  Chart,
  Decimation,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset,
  type ChartOptions,
} from 'chart.js';
import { SERIES_FIELDS, seriesXY, TOTAL_USERS_FIELD, type Series } from '../protocol/webview';
import { formatDuration, formatMs, formatRate } from '../protocol/format';
import { element } from './dom';
import { readTheme, type ChartTheme } from './theme';

// Only what these line charts use, so the bundle stays small.
Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip, Decimation);

const FIELD = Object.fromEntries(SERIES_FIELDS.map((name, i) => [name, i])) as Record<(typeof SERIES_FIELDS)[number], number>;

type Point = { x: number; y: number | null };
type LineDataset = ChartDataset<'line', Point[]>;

/** What the charts show: the run or one endpoint for requests and response times, always the run for users. */
export interface ChartInput {
  scope: Series;
  scopeLabel: string;
  total: Series;
  userClasses: { name: string; value: Series }[];
}

interface LineSpec {
  label: string;
  field: number;
  colour: (theme: ChartTheme) => string;
  format: (v: number) => string;
  dash?: number[];
  /** Join across samples without a value (a window without requests has no percentile, not a zero one). */
  spanGaps?: boolean;
}

class LineChart {
  readonly figure: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly caption: HTMLElement;
  private readonly chart: Chart<'line', Point[]>;
  private specs: LineSpec[];

  constructor(
    readonly id: string,
    private readonly title: string,
    specs: LineSpec[],
    private readonly yTitle: string,
    theme: ChartTheme,
  ) {
    this.specs = specs;
    this.figure = element('figure', { className: 'chart' });
    this.figure.dataset['chart'] = id;
    this.caption = element('figcaption', { text: title });
    const box = element('div', { className: 'chart-box' });
    this.canvas = element('canvas');
    // The canvas is a picture to a screen reader; its label carries the latest values instead.
    this.canvas.setAttribute('role', 'img');
    box.append(this.canvas);
    this.figure.append(this.caption, box);
    this.chart = new Chart(this.canvas, { type: 'line', data: { datasets: [] }, options: this.options(theme) });
    this.setSpecs(specs, theme);
  }

  setTitle(text: string): void {
    if (this.caption.textContent !== text) this.caption.textContent = text;
  }

  setSpecs(specs: LineSpec[], theme: ChartTheme): void {
    this.specs = specs;
    const previous = new Map(this.chart.data.datasets.map((d) => [d.label, d]));
    this.chart.data.datasets = specs.map((spec) => previous.get(spec.label) ?? this.dataset(spec, theme));
  }

  private dataset(spec: LineSpec, theme: ChartTheme): LineDataset {
    return {
      label: spec.label,
      data: [],
      borderColor: spec.colour(theme),
      backgroundColor: spec.colour(theme),
      borderWidth: theme.contrast ? 2.5 : 1.5,
      borderDash: spec.dash ?? [],
      pointRadius: 0,
      pointHoverRadius: 3,
      spanGaps: spec.spanGaps ?? false,
    };
  }

  private options(theme: ChartTheme): ChartOptions<'line'> {
    return {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: 'x',
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      // What the tooltip shows, also kept on the figure (data-hover) so that it can be read without the canvas.
      onHover: (_event, active) => {
        const lines = active.map(({ datasetIndex, index }) => {
          const point = this.chart.data.datasets[datasetIndex]?.data[index];
          return point ? `${formatDuration(point.x)} ${this.valueText(datasetIndex, point.y)}` : '';
        });
        this.figure.dataset['hover'] = lines.filter(Boolean).join('; ');
      },
      scales: {
        x: {
          type: 'linear',
          min: 0,
          ticks: { color: theme.foreground, maxTicksLimit: 8, precision: 0, callback: (value) => formatDuration(Number(value)) },
          grid: { color: theme.grid },
          border: { color: theme.axis, width: theme.contrast ? 2 : 1 },
        },
        y: {
          type: 'linear',
          beginAtZero: true,
          title: { display: true, text: this.yTitle, color: theme.foreground },
          ticks: { color: theme.foreground, maxTicksLimit: 6 },
          grid: { color: theme.grid },
          border: { color: theme.axis, width: theme.contrast ? 2 : 1 },
        },
      },
      plugins: {
        decimation: { enabled: true, algorithm: 'min-max' },
        legend: { labels: { color: theme.foreground, boxWidth: 12, boxHeight: theme.contrast ? 3 : 2, font: { family: theme.fontFamily } } },
        tooltip: {
          callbacks: {
            title: (items) => (items[0] ? formatDuration(items[0].parsed.x ?? 0) : ''),
            label: (item) => this.valueText(item.datasetIndex, item.parsed.y),
          },
        },
      },
    };
  }

  /** One line's value as the tooltip says it: `p95: 120 ms`. */
  private valueText(datasetIndex: number, y: number | null): string {
    const spec = this.specs[datasetIndex];
    return `${spec?.label ?? ''}: ${spec && y !== null ? spec.format(y) : '–'}`;
  }

  /** Re-colours everything from the theme (datasets keep their data). */
  applyTheme(theme: ChartTheme): void {
    this.chart.options = this.options(theme);
    this.chart.data.datasets.forEach((d, i) => {
      const spec = this.specs[i];
      if (!spec) return;
      d.borderColor = spec.colour(theme);
      d.backgroundColor = spec.colour(theme);
      d.borderWidth = theme.contrast ? 2.5 : 1.5;
    });
    this.chart.update('none');
  }

  setData(series: Series[]): void {
    this.chart.data.datasets.forEach((d, i) => {
      const spec = this.specs[i];
      const source = series[i];
      d.data = spec && source ? seriesXY(source, spec.field) : [];
    });
    this.chart.update('none');
    this.describe(series);
  }

  /** The latest value of each line, for screen readers (aria-label) and tests (data-latest). */
  private describe(series: Series[]): void {
    const parts: string[] = [];
    const latest: Record<string, number | null> = {};
    let points = 0;
    this.specs.forEach((spec, i) => {
      const s = series[i];
      if (!s) return;
      points = Math.max(points, s.recent.length + 2 * s.older.length);
      const last = s.recent.at(-1)?.v[spec.field] ?? null;
      latest[spec.label] = last;
      parts.push(`${spec.label} ${last === null ? 'no data' : spec.format(last)}`);
    });
    this.canvas.setAttribute('aria-label', `${this.caption.textContent ?? this.title}, latest: ${parts.join(', ')}`);
    this.figure.dataset['latest'] = JSON.stringify(latest);
    this.figure.dataset['points'] = String(points);
  }

  destroy(): void {
    this.chart.destroy();
  }
}

const rate = (v: number) => `${formatRate(v)}/s`;
const ms = (v: number) => `${formatMs(v)} ms`;
const users = (v: number) => String(Math.round(v));

export class RunCharts {
  readonly element = element('section', { className: 'charts' });
  private theme = readTheme();
  private readonly requests: LineChart;
  private readonly times: LineChart;
  private readonly users: LineChart;
  private classNames: string[] = [];

  constructor() {
    this.element.setAttribute('aria-label', 'Charts');
    this.element.dataset['foreground'] = this.theme.foreground;
    this.requests = new LineChart('requests', 'Requests/s', [
      { label: 'Requests/s', field: FIELD.rps, colour: (t) => t.requests, format: rate },
      { label: 'Failures/s', field: FIELD.fps, colour: (t) => t.failures, format: rate },
    ], 'per second', this.theme);
    this.times = new LineChart('times', 'Response times', [
      { label: 'p50', field: FIELD.p50, colour: (t) => t.palette[1]!, format: ms, spanGaps: true },
      { label: 'p95', field: FIELD.p95, colour: (t) => t.palette[2]!, format: ms, spanGaps: true },
      // Per window like p50/p95 (records made before window p99 and attached runs carry the cumulative p99 here).
      { label: 'p99', field: FIELD.p99, colour: (t) => t.palette[3]!, format: ms, spanGaps: true },
    ], 'ms', this.theme);
    this.users = new LineChart('users', 'Users', this.userSpecs(), 'users', this.theme);
    this.element.append(this.requests.figure, this.times.figure, this.users.figure);
  }

  private userSpecs(): LineSpec[] {
    return [
      { label: 'Users', field: TOTAL_USERS_FIELD, colour: (t) => t.foreground, format: users },
      ...this.classNames.map((name, i): LineSpec => ({
        label: name,
        field: 0,
        colour: (t) => t.palette[i % t.palette.length]!,
        format: users,
        dash: [3, 2],
      })),
    ];
  }

  update(input: ChartInput): void {
    const scoped = input.scopeLabel ? ` · ${input.scopeLabel}` : '';
    this.requests.setTitle(`Requests/s${scoped}`);
    this.times.setTitle(`Response times${scoped}`);
    this.requests.setData([input.scope, input.scope]);
    this.times.setData([input.scope, input.scope, input.scope]);
    const names = input.userClasses.map((c) => c.name);
    // One class alone repeats the total: draw it only when there are several.
    const shown = names.length > 1 ? names : [];
    if (shown.join('\u0000') !== this.classNames.join('\u0000')) {
      this.classNames = shown;
      this.users.setSpecs(this.userSpecs(), this.theme);
    }
    const byName = new Map(input.userClasses.map((c) => [c.name, c.value]));
    this.users.setData([input.total, ...this.classNames.map((n) => byName.get(n)!)]);
  }

  applyTheme(): void {
    this.theme = readTheme();
    // Which colours the charts use now, for tests and for anyone inspecting the panel.
    this.element.dataset['foreground'] = this.theme.foreground;
    for (const chart of [this.requests, this.times, this.users]) chart.applyTheme(this.theme);
  }
}
