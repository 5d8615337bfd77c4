// The run's charts (requests/s with failures/s, response-time percentiles, latency heatmap, users) drawn from bounded series.
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
  type Plugin,
} from 'chart.js';
import { METRIC_INFO, type ThresholdMetric, type ThresholdState } from '../protocol/thresholds';
import {
  DEFAULT_ROLLING_WINDOW,
  rollingField,
  ROLLING_PERCENTILES,
  SERIES_FIELDS,
  seriesXY,
  TOTAL_USERS_FIELD,
  type RollingWindowSeconds,
  type Series,
} from '../protocol/webview';
import { formatDuration, formatMs, formatRate } from '../protocol/format';
import { element } from './dom';
import { LatencyHeatmap } from './heatmap';
import { DASHES, readTheme, type ChartTheme } from './theme';
import type { BaselineView } from '../protocol/compare';

// Only what these line charts use, so the bundle stays small.
Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip, Decimation);

const FIELD = Object.fromEntries(SERIES_FIELDS.map((name, i) => [name, i])) as Record<(typeof SERIES_FIELDS)[number], number>;

type Point = { x: number; y: number | null };
type LineDataset = ChartDataset<'line', Point[]>;

/** A threshold's limit, drawn as a dashed horizontal line on the chart of its metric (value in ms or per second). */
export interface LimitLine {
  text: string;
  metric: ThresholdMetric;
  value: number;
  state: ThresholdState;
  /** The state as a glyph (✓ ! ✗ … ?), so that the line does not speak by colour alone. */
  mark: string;
}

/** What the charts show: the run or one endpoint for requests and response times, always the run for users. */
export interface ChartInput {
  scope: Series;
  scopeLabel: string;
  total: Series;
  userClasses: { name: string; value: Series }[];
  /** Thresholds whose scope is what the charts show. */
  limits: LimitLine[];
  /** The baseline's aggregate over elapsed time, overlaid on the requests and response-time charts. */
  baseline?: BaselineView['series'];
}

/** The baseline's aggregate as a series of the panel's fields (requests/s and p95), so the charts draw it like the run's. */
function baselineSeries(series: BaselineView['series']): Series {
  const recent = series.elapsed.map((t, i) => {
    const v: (number | null)[] = SERIES_FIELDS.map(() => null);
    v[FIELD.rps] = series.rps[i] ?? null;
    v[FIELD.p95] = series.p95[i] ?? null;
    return { t, v };
  });
  return { recent, older: [], bucketSeconds: 0 };
}

/**
 * A limit further above the data than this factor would squash the data into the bottom of the chart (a 2 s limit over
 * a 20 ms line): it is not drawn in scale but named at the top edge ("↑"), and the y axis keeps fitting the data.
 */
const LIMIT_IN_SCALE_FACTOR = 2;
/** Head room above the highest limit in scale, so its line and label do not sit on the chart's top edge. */
const LIMIT_HEADROOM = 1.08;
const LIMIT_LABEL_FONT_PX = 11;

function limitColour(state: ThresholdState, theme: ChartTheme): string {
  switch (state) {
    case 'holding':
    case 'passed':
      return theme.limitMet;
    case 'failing':
      return theme.limitFailing;
    case 'failed':
      return theme.limitFailed;
    case 'pending':
    case 'unknown':
      return theme.limitOpen;
  }
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
  private theme: ChartTheme;
  /** The datasets of the lines (one per spec), then those of the limits: kept apart so each list is rebuilt alone. */
  private lines: LineDataset[] = [];
  private limits: LimitLine[] = [];
  private limitSets: LineDataset[] = [];
  /** The y axis reaches at least this far, so the highest limit in scale is drawn (undefined: the data alone decide). */
  private limitTop: number | undefined;
  /** Labels on the limit lines, drawn by this chart only (an inline plugin, not a registered one). */
  private readonly limitLabels: Plugin<'line'> = { id: 'limitLabels', afterDatasetsDraw: (chart) => this.drawLimitLabels(chart) };

  constructor(
    readonly id: string,
    private readonly title: string,
    specs: LineSpec[],
    private readonly yTitle: string,
    theme: ChartTheme,
  ) {
    this.specs = specs;
    this.theme = theme;
    this.figure = element('figure', { className: 'chart' });
    this.figure.dataset['chart'] = id;
    this.caption = element('figcaption', { text: title });
    const box = element('div', { className: 'chart-box' });
    this.canvas = element('canvas');
    // The canvas is a picture to a screen reader; its label carries the latest values instead.
    this.canvas.setAttribute('role', 'img');
    box.append(this.canvas);
    this.figure.append(this.caption, box);
    this.chart = new Chart(this.canvas, { type: 'line', data: { datasets: [] }, options: this.options(theme), plugins: [this.limitLabels] });
    this.setSpecs(specs, theme);
  }

  setTitle(text: string): void {
    if (this.caption.textContent !== text) this.caption.textContent = text;
  }

  setSpecs(specs: LineSpec[], theme: ChartTheme): void {
    this.specs = specs;
    const previous = new Map(this.lines.map((d) => [d.label, d]));
    this.lines = specs.map((spec) => previous.get(spec.label) ?? this.dataset(spec, theme));
    this.chart.data.datasets = [...this.lines, ...this.limitSets];
  }

  /** The thresholds to draw; their datasets are rebuilt only when a line appears, goes or changes state. */
  setLimits(limits: LimitLine[]): void {
    const key = (l: LimitLine) => `${l.text}\u0000${l.state}`;
    if (limits.length === this.limits.length && limits.every((l, i) => key(l) === key(this.limits[i]!))) return;
    this.limits = limits;
    this.limitSets = limits.map((limit) => this.limitDataset(limit));
    this.chart.data.datasets = [...this.lines, ...this.limitSets];
  }

  private limitDataset(limit: LimitLine): LineDataset {
    const colour = limitColour(limit.state, this.theme);
    return {
      label: limit.text,
      data: [],
      borderColor: colour,
      backgroundColor: colour,
      borderWidth: this.theme.contrast ? 2.5 : 1.5,
      borderDash: [6, 4],
      pointRadius: 0,
      pointHoverRadius: 0,
    };
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
        // Limit lines have no value at a time: the hover text is about the data.
        const lines = active.filter(({ datasetIndex }) => datasetIndex < this.lines.length).map(({ datasetIndex, index }) => {
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
          suggestedMax: this.limitTop,
          title: { display: true, text: this.yTitle, color: theme.foreground },
          ticks: { color: theme.foreground, maxTicksLimit: 6 },
          grid: { color: theme.grid },
          border: { color: theme.axis, width: theme.contrast ? 2 : 1 },
        },
      },
      plugins: {
        decimation: { enabled: true, algorithm: 'min-max' },
        legend: {
          labels: {
            color: theme.foreground, boxWidth: 12, boxHeight: theme.contrast ? 3 : 2, font: { family: theme.fontFamily },
            // Limits are labelled on their lines: in the legend they would crowd out the data on a narrow panel.
            filter: (item) => (item.datasetIndex ?? 0) < this.lines.length,
          },
        },
        tooltip: {
          filter: (item) => item.datasetIndex < this.lines.length,
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
    this.theme = theme;
    this.chart.options = this.options(theme);
    this.lines.forEach((d, i) => {
      const spec = this.specs[i];
      if (!spec) return;
      d.borderColor = spec.colour(theme);
      d.backgroundColor = spec.colour(theme);
      d.borderWidth = theme.contrast ? 2.5 : 1.5;
    });
    this.limitSets.forEach((d, i) => {
      const colour = limitColour(this.limits[i]!.state, theme);
      d.borderColor = colour;
      d.backgroundColor = colour;
      d.borderWidth = theme.contrast ? 2.5 : 1.5;
    });
    this.chart.update('none');
  }

  setData(series: Series[]): void {
    let first = Infinity;
    let last = -Infinity;
    let highest = -Infinity;
    this.lines.forEach((d, i) => {
      const spec = this.specs[i];
      const source = series[i];
      const data = spec && source ? seriesXY(source, spec.field) : [];
      d.data = data;
      if (data.length) {
        first = Math.min(first, data[0]!.x);
        last = Math.max(last, data.at(-1)!.x);
      }
      for (const p of data) if (p.y !== null && p.y > highest) highest = p.y;
    });
    this.placeLimits(first, last, highest);
    this.chart.update('none');
    this.describe(series);
  }

  /**
   * Each limit spans the data's time range. One far above the data is hidden (a hidden dataset does not stretch the
   * y axis) and named at the top edge instead; the highest one in scale gets some head room.
   */
  private placeLimits(first: number, last: number, highest: number): void {
    let top: number | undefined;
    this.limitSets.forEach((d, i) => {
      const value = this.limits[i]!.value;
      d.data = first <= last ? [{ x: first, y: value }, { x: last, y: value }] : [];
      const inScale = value <= 0 || (highest > 0 && value <= highest * LIMIT_IN_SCALE_FACTOR);
      d.hidden = !inScale;
      if (inScale && d.data.length) top = Math.max(top ?? 0, value * LIMIT_HEADROOM);
    });
    this.setSuggestedMax(top);
  }

  private setSuggestedMax(value: number | undefined): void {
    this.limitTop = value;
    // The configured options, not chart.options (a resolver whose writes the next update drops).
    const y = this.chart.config.options?.scales?.['y'];
    if (y) y.suggestedMax = value;
  }

  /**
   * Each limit's label: on its line at the left (the newest data is on the right); one out of scale is named with "↑" in
   * the top right corner, apart from the labels on lines, so that it never sits next to a line that is not its own.
   */
  private drawLimitLabels(chart: Chart): void {
    const area = chart.chartArea;
    const y = chart.scales['y'];
    if (!y || !this.limits.length) return;
    const ctx = chart.ctx;
    const height = LIMIT_LABEL_FONT_PX + 3;
    ctx.save();
    ctx.font = `${LIMIT_LABEL_FONT_PX}px ${this.theme.fontFamily}`;
    ctx.textBaseline = 'top';
    ctx.lineJoin = 'round';
    ctx.lineWidth = 3;
    ctx.strokeStyle = this.theme.background;
    const taken: number[] = [];
    let above = 0;
    this.limitSets.forEach((d, i) => {
      const limit = this.limits[i]!;
      if (!d.data.length) return;
      let top: number;
      let text: string;
      if (d.hidden) {
        text = `↑ ${limit.mark} ${limit.text}`;
        top = area.top + 2 + above++ * height;
        ctx.textAlign = 'right';
      } else {
        text = `${limit.mark} ${limit.text}`;
        const line = y.getPixelForValue(limit.value);
        // Above its line, or below it when the line runs along the top edge.
        top = line - height - 1 < area.top ? line + 2 : line - height - 1;
        // Two limits close together: the later label moves down out of the earlier one's way.
        while (taken.some((t) => Math.abs(t - top) < height)) top += height;
        taken.push(top);
        ctx.textAlign = 'left';
      }
      // Half the width each, so a label on a line and a name in the corner do not run into each other.
      const shown = fit(ctx, text, (area.right - area.left) / 2 - 8);
      const x = d.hidden ? area.right - 4 : area.left + 4;
      // A halo in the background colour keeps the label readable over grid and data lines without hiding them.
      ctx.strokeText(shown, x, top);
      ctx.fillStyle = limitColour(limit.state, this.theme);
      ctx.fillText(shown, x, top);
    });
    ctx.restore();
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
    const limits = this.limitSets.map((d, i) => {
      const limit = this.limits[i]!;
      return { text: limit.text, state: limit.state, value: limit.value, shown: d.data.length === 0 ? 'none' : d.hidden ? 'above' : 'line', colour: d.borderColor };
    });
    const limitText = limits.filter((l) => l.shown !== 'none').map((l) => `${l.text} (${l.state}${l.shown === 'above' ? ', above the chart' : ''})`);
    this.canvas.setAttribute(
      'aria-label',
      `${this.caption.textContent ?? this.title}, latest: ${parts.join(', ')}${limitText.length ? `; limits: ${limitText.join(', ')}` : ''}`,
    );
    this.figure.dataset['latest'] = JSON.stringify(latest);
    this.figure.dataset['points'] = String(points);
    // What the chart drew, read back from chart.js (the limit datasets and the y axis it settled on), for tests.
    this.figure.dataset['limits'] = JSON.stringify(limits);
    this.figure.dataset['yMax'] = String(this.chart.scales['y']?.max ?? '');
  }

  destroy(): void {
    this.chart.destroy();
  }
}

/** The text cut with an ellipsis to fit `width` pixels (a long endpoint name on a narrow chart). */
function fit(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= width) low = mid;
    else high = mid - 1;
  }
  return `${text.slice(0, low)}…`;
}

/** The baseline's lines: muted and dashed, behind the run's own in meaning (the legend names them). */
const BASELINE_COLOUR = (t: ChartTheme) => t.limitOpen;
const BASELINE_DASH = [6, 3];

const rate = (v: number) => `${formatRate(v)}/s`;
const ms = (v: number) => `${formatMs(v)} ms`;
const users = (v: number) => String(Math.round(v));

export class RunCharts {
  readonly element = element('section', { className: 'charts' });
  private theme = readTheme();
  private readonly requests: LineChart;
  private readonly times: LineChart;
  private readonly users: LineChart;
  private readonly latency: LatencyHeatmap;
  private classNames: string[] = [];
  private percentileWindow: RollingWindowSeconds;
  private lastInput: ChartInput | undefined;
  /** The baseline drawn (its series as given, and converted), undefined when there is none to draw. */
  private baselineInput: BaselineView['series'] | undefined;
  private baseline: Series | undefined;

  constructor(percentileWindow: RollingWindowSeconds = DEFAULT_ROLLING_WINDOW) {
    this.percentileWindow = percentileWindow;
    this.element.setAttribute('aria-label', 'Charts');
    this.element.dataset['foreground'] = this.theme.foreground;
    this.requests = new LineChart('requests', 'Requests/s', this.requestSpecs(), 'per second', this.theme);
    this.times = new LineChart('times', 'Response times', this.timeSpecs(), 'ms', this.theme);
    this.users = new LineChart('users', 'Users', this.userSpecs(), 'users', this.theme);
    this.latency = new LatencyHeatmap(this.theme);
    this.element.append(this.requests.figure, this.times.figure, this.latency.figure, this.users.figure);
  }

  private requestSpecs(): LineSpec[] {
    return [
      { label: 'Requests/s', field: FIELD.rps, colour: (t) => t.requests, format: rate },
      { label: 'Failures/s', field: FIELD.fps, colour: (t) => t.failures, format: rate },
      ...(this.baseline ? [{ label: 'Baseline requests/s', field: FIELD.rps, colour: BASELINE_COLOUR, format: rate, dash: BASELINE_DASH, spanGaps: true }] : []),
    ];
  }

  /**
   * p50, p95, p99 over the chosen window (rolling over several ticks; the 1 s window is the tick's own). Attached runs
   * and records made before window p99 carry the cumulative p99 in the 1 s p99 field, which longer windows repeat.
   * The baseline's p95 is its own series' (per batch of its record).
   */
  private timeSpecs(): LineSpec[] {
    return [
      ...ROLLING_PERCENTILES.map((name, i): LineSpec => ({
        label: name,
        field: rollingField(name, this.percentileWindow),
        colour: (t) => t.percentiles[i]!,
        format: ms,
        dash: DASHES[i]!,
        spanGaps: true,
      })),
      ...(this.baseline ? [{ label: 'Baseline p95', field: FIELD.p95, colour: BASELINE_COLOUR, format: ms, dash: BASELINE_DASH, spanGaps: true }] : []),
    ];
  }

  /** Response-time percentiles over this rolling window (seconds); the chart redraws from the points it has. */
  setPercentileWindow(seconds: RollingWindowSeconds): void {
    if (seconds === this.percentileWindow) return;
    this.percentileWindow = seconds;
    this.times.setSpecs(this.timeSpecs(), this.theme);
    if (this.lastInput) this.update(this.lastInput);
  }

  private userSpecs(): LineSpec[] {
    return [
      { label: 'Users', field: TOTAL_USERS_FIELD, colour: (t) => t.foreground, format: users },
      ...this.classNames.map((name, i): LineSpec => ({
        label: name,
        field: 0,
        colour: (t) => t.palette[i % t.palette.length]!,
        format: users,
        // The total is solid: each class gets a dash pattern of its own, beside its colour.
        dash: DASHES[1 + (i % (DASHES.length - 1))]!,
      })),
    ];
  }

  update(input: ChartInput): void {
    this.lastInput = input;
    const scoped = input.scopeLabel ? ` · ${input.scopeLabel}` : '';
    this.requests.setTitle(`Requests/s${scoped}`);
    this.times.setTitle(`Response times (${this.percentileWindow} s window)${scoped}`);
    this.latency.setTitle(`Latency distribution${scoped}`);
    this.latency.update(input.scope);
    // fail_ratio has no chart of its own: its chip says it all.
    this.requests.setLimits(input.limits.filter((l) => l.metric === 'rps' || l.metric === 'failures_per_s'));
    this.times.setLimits(input.limits.filter((l) => METRIC_INFO[l.metric].kind === 'time'));
    if (input.baseline !== this.baselineInput) {
      this.baselineInput = input.baseline;
      this.baseline = input.baseline && input.baseline.elapsed.length ? baselineSeries(input.baseline) : undefined;
      this.requests.setSpecs(this.requestSpecs(), this.theme);
      this.times.setSpecs(this.timeSpecs(), this.theme);
    }
    // Aligned on elapsed time and drawn only as far as the run has come, so a long baseline does not squeeze the run.
    const now = input.total.recent.at(-1)?.t ?? input.total.older.at(-1)?.t;
    const baseline = this.baseline && now !== undefined ? [{ ...this.baseline, recent: this.baseline.recent.filter((p) => p.t <= now) }] : [];
    this.requests.setData([input.scope, input.scope, ...baseline]);
    this.times.setData([input.scope, input.scope, input.scope, ...baseline]);
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
    this.latency.applyTheme(this.theme);
  }
}
