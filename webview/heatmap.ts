// The latency heatmap: time × response-time buckets, requests per second as colour, drawn on a canvas from the bounded series.
import { formatDuration, formatRate } from '../protocol/format';
import { LATENCY_BUCKETS_MS, latencyField, type Series } from '../protocol/webview';
import { element } from './dom';
import type { ChartTheme } from './theme';

const LABEL_WIDTH = 66;
const AXIS_HEIGHT = 18;
const FONT_PX = 11;

/** A bucket's label by its upper bound: "≤ 25 ms", "≤ 1 s", "> 2.5 s". */
function bucketLabel(i: number): string {
  const upper = LATENCY_BUCKETS_MS[i]!;
  const ms = (v: number) => (v >= 1000 ? `${v / 1000} s` : `${v} ms`);
  return upper === Infinity ? `> ${ms(LATENCY_BUCKETS_MS[i - 1]!)}` : `≤ ${ms(upper)}`;
}

interface Column {
  from: number;
  to: number;
  rates: (number | null)[];
}

/**
 * One column per sample (its window's requests per latency bucket); older stretches of the series are buckets of
 * several seconds whose highest rate per latency bucket is drawn (the series keeps min and max, not sums).
 */
function columnsOf(series: Series): Column[] {
  const columns: Column[] = [];
  const fields = LATENCY_BUCKETS_MS.map((_, i) => latencyField(i));
  series.older.forEach((b, i) => {
    const next = series.older[i + 1]?.t ?? series.recent[0]?.t ?? b.t + series.bucketSeconds;
    columns.push({ from: b.t, to: next, rates: fields.map((f) => b.hi[f] ?? null) });
  });
  series.recent.forEach((p, i) => {
    const previous = series.recent[i - 1]?.t ?? columns.at(-1)?.to ?? p.t - 1;
    columns.push({ from: Math.min(previous, p.t), to: p.t, rates: fields.map((f) => p.v[f] ?? null) });
  });
  return columns.filter((c) => c.rates.some((r) => r !== null));
}

export class LatencyHeatmap {
  readonly figure = element('figure', { className: 'chart heatmap' });
  private readonly caption = element('figcaption', { text: 'Latency distribution' });
  private readonly canvas = element('canvas');
  private readonly box = element('div', { className: 'chart-box' });
  private series: Series | null = null;

  constructor(private theme: ChartTheme) {
    this.figure.dataset['chart'] = 'latency';
    this.canvas.setAttribute('role', 'img');
    this.box.append(this.canvas);
    this.figure.append(this.caption, this.box);
    // Drawn at the box's size in device pixels: again whenever the box changes size (a tab shown, the panel resized).
    new ResizeObserver(() => this.draw()).observe(this.box);
  }

  setTitle(text: string): void {
    if (this.caption.textContent !== text) this.caption.textContent = text;
  }

  update(series: Series): void {
    this.series = series;
    this.draw();
  }

  applyTheme(theme: ChartTheme): void {
    this.theme = theme;
    this.draw();
  }

  private draw(): void {
    const width = this.box.clientWidth;
    const height = this.box.clientHeight;
    const columns = this.series ? columnsOf(this.series) : [];
    let peak = 0;
    for (const c of columns) for (const r of c.rates) if (r !== null && r > peak) peak = r;
    this.describe(columns, peak);
    if (!width || !height) return;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const plot = { left: LABEL_WIDTH, top: 4, right: width - 4, bottom: height - AXIS_HEIGHT };
    const rows = LATENCY_BUCKETS_MS.length;
    const rowHeight = (plot.bottom - plot.top) / rows;
    ctx.font = `${FONT_PX}px ${this.theme.fontFamily}`;
    ctx.fillStyle = this.theme.foreground;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    for (let i = 0; i < rows; i++) ctx.fillText(bucketLabel(i), plot.left - 6, plot.bottom - (i + 0.5) * rowHeight);
    ctx.strokeStyle = this.theme.axis;
    ctx.strokeRect(plot.left, plot.top, plot.right - plot.left, plot.bottom - plot.top);
    if (!columns.length || peak <= 0) return;
    const first = columns[0]!.from;
    const last = columns.at(-1)!.to;
    const span = Math.max(1, last - first);
    const x = (t: number) => plot.left + ((t - first) / span) * (plot.right - plot.left);
    // Colour by the square root of the rate: a band of a few requests per second stays visible beside a busy one.
    ctx.fillStyle = this.theme.percentiles[0];
    for (const c of columns) {
      // Whole pixels: neighbouring columns neither overlap nor leave a seam (either would stripe the bands).
      const left = Math.round(x(c.from));
      const w = Math.max(1, Math.round(x(c.to)) - left);
      c.rates.forEach((rate, i) => {
        if (!rate) return;
        ctx.globalAlpha = 0.12 + 0.88 * Math.sqrt(rate / peak);
        const top = Math.round(plot.bottom - (i + 1) * rowHeight);
        ctx.fillRect(left, top, w, Math.round(plot.bottom - i * rowHeight) - top);
      });
    }
    ctx.globalAlpha = 1;
    ctx.fillStyle = this.theme.foreground;
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillText(formatDuration(first), plot.left, plot.bottom + 4);
    ctx.textAlign = 'right';
    ctx.fillText(formatDuration(last), plot.right, plot.bottom + 4);
  }

  /** What the picture shows, in words (screen readers) and as data (tests): the latest column's busiest buckets. */
  private describe(columns: Column[], peak: number): void {
    const latest = columns.at(-1);
    const busiest = latest
      ? latest.rates.map((rate, i) => ({ rate: rate ?? 0, i })).filter((b) => b.rate > 0).sort((a, b) => b.rate - a.rate).slice(0, 3)
      : [];
    const text = busiest.length
      ? `latest: ${busiest.map((b) => `${bucketLabel(b.i)} ${formatRate(b.rate)}/s`).join(', ')}`
      : 'no response times with their distribution yet';
    this.canvas.setAttribute('aria-label', `${this.caption.textContent ?? ''}, requests per second by response time over the run; ${text}`);
    this.figure.dataset['columns'] = String(columns.length);
    this.figure.dataset['peak'] = String(peak);
    this.figure.dataset['latest'] = JSON.stringify(latest ? Object.fromEntries(latest.rates.map((r, i) => [bucketLabel(i), r])) : {});
  }
}
