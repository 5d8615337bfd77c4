// The numbers of a run laid on a locustfile's request lines and tasks: free of `vscode`, so it is unit-tested and benched plainly.
import type { LocustfileModel, RequestSite, SourceRange, TaskInfo } from '../protocol/model';
import { endpointKey, type EndpointStats } from '../protocol/runner';
import { RequestNameIndex } from '../protocol/requestNames';
import { parseThreshold, type ThresholdScope, type ThresholdStatus } from '../protocol/thresholds';
import { formatCount, formatMs, formatPercent, formatRate } from '../protocol/format';

/** What one request line shows: its endpoints' numbers summed (p95: the slowest), and whether it deserves a gutter mark. */
export interface LineStats {
  /** 0-based line of the request call's start. */
  line: number;
  /** The endpoints the line's request(s) produced, in the order the run reported them. */
  endpoints: EndpointStats[];
  /** The after-line text, e.g. `42 req/s · p95 180 ms · 0.4% failed`. */
  text: string;
  /** Some endpoint of the line failed or breaks a threshold. */
  alarming: boolean;
}

/** What an editor shows for `lines`, as one string: an editor whose signature did not change is not touched. */
export function linesSignature(lines: readonly LineStats[]): string {
  return lines.map((l) => `${l.line}${l.alarming ? '!' : ''}${l.text}`).join('\n');
}

/** A task's share of the run's requests and its failures (the sum over the request lines inside it). */
export interface TaskStats {
  range: SourceRange;
  name: string;
  text: string;
}

/** `42 req/s · p95 180 ms · 0.4% failed`: current rate and p95 (the tick's window), failures over the whole run. */
export function lineText(endpoints: readonly EndpointStats[]): string {
  let perSecond = 0;
  let p95: number | null = null;
  let requests = 0;
  let failures = 0;
  for (const e of endpoints) {
    perSecond += e.window.seconds > 0 ? e.window.requests / e.window.seconds : 0;
    if (e.window.p95 !== null && (p95 === null || e.window.p95 > p95)) p95 = e.window.p95;
    requests += e.requests;
    failures += e.failures;
  }
  return `${formatRate(perSecond)} req/s · p95 ${formatMs(p95)} ms · ${formatPercent(failures, requests)} failed`;
}

function inside(line: number, range: SourceRange): boolean {
  return line >= range.start.line && line <= range.end.line;
}

function scopeSelects(scope: ThresholdScope, e: EndpointStats): boolean {
  return scope.name === e.name && (scope.method === undefined || scope.method === e.method);
}

/**
 * One locustfile's request lines and tasks against one run's endpoints. Build it when the model changes; `update` with
 * the endpoints a tick changed; `lines` and `tasks` are what the editor shows.
 */
export class RequestLineStats {
  private readonly index: RequestNameIndex;
  /** The run's endpoints by key (the latest numbers of each). */
  private readonly endpoints = new Map<string, EndpointStats>();
  /** Endpoint key → site indexes; endpoints no site explains are kept in `unexplained`. */
  private readonly sitesByEndpoint = new Map<string, readonly number[]>();
  private readonly unexplainedKeys = new Set<string>();
  /** Scopes of the thresholds that are failing now (or failed for good). */
  private breached: ThresholdScope[] = [];
  private readonly siteLines: number[];
  /** endpointsByLine's answer until the next update (lines, tasks and hovers of one tick share it). */
  private byLine: Map<number, EndpointStats[]> | undefined;
  private readonly tasksOfFile: TaskInfo[];

  constructor(readonly model: Pick<LocustfileModel, 'requests' | 'users' | 'taskSets'>) {
    this.index = new RequestNameIndex(model.requests);
    this.siteLines = model.requests.map((s) => s.range.start.line);
    const seen = new Set<string>();
    this.tasksOfFile = [...model.users.flatMap((u) => u.tasks), ...model.taskSets.flatMap((s) => s.tasks)].filter((t) => {
      if (t.uri) return false; // inherited from another file: its lines are there
      const key = `${t.range.start.line}:${t.range.start.character}`;
      return !seen.has(key) && seen.add(key);
    });
  }

  get sites(): readonly RequestSite[] {
    return this.model.requests;
  }

  /** Folds in the endpoints of a tick (or a whole snapshot) and the thresholds' statuses when they came with it. */
  update(endpoints: readonly EndpointStats[], thresholds?: readonly ThresholdStatus[]): void {
    this.byLine = undefined;
    for (const e of endpoints) {
      const key = endpointKey(e);
      this.endpoints.set(key, e);
      if (this.sitesByEndpoint.has(key)) continue;
      const sites = this.index.sitesOf(e.method, e.name);
      this.sitesByEndpoint.set(key, sites);
      if (sites.length === 0) this.unexplainedKeys.add(key);
    }
    if (thresholds) {
      this.breached = thresholds
        .filter((t) => t.state === 'failing' || t.state === 'failed')
        .map((t) => parseThreshold(t.text))
        .flatMap((p) => (p.ok && p.threshold.scope ? [p.threshold.scope] : []));
    }
  }

  /** How many endpoints no line explains (cheap: the lens asks every tick). */
  get unexplainedCount(): number {
    return this.unexplainedKeys.size;
  }

  /** Endpoints that no line explains (names built at run time), by `method name`. */
  get unexplained(): EndpointStats[] {
    return [...this.unexplainedKeys].map((k) => this.endpoints.get(k)!);
  }

  /** The endpoints of each request line, by line. */
  private endpointsByLine(): Map<number, EndpointStats[]> {
    if (this.byLine) return this.byLine;
    const byLine = new Map<number, EndpointStats[]>();
    this.byLine = byLine;
    for (const [key, sites] of this.sitesByEndpoint) {
      const e = this.endpoints.get(key)!;
      const lines = new Set(sites.map((i) => this.siteLines[i]!));
      for (const line of lines) {
        const list = byLine.get(line);
        if (list) list.push(e);
        else byLine.set(line, [e]);
      }
    }
    return byLine;
  }

  /** What each request line with numbers shows, in line order. */
  lines(): LineStats[] {
    const out: LineStats[] = [];
    for (const [line, endpoints] of this.endpointsByLine()) {
      const alarming = endpoints.some((e) => e.failures > 0 || this.breached.some((s) => scopeSelects(s, e)));
      out.push({ line, endpoints, text: lineText(endpoints), alarming });
    }
    return out.sort((a, b) => a.line - b.line);
  }

  /** The endpoints of the request line `line` (none when it has no numbers). */
  endpointsAt(line: number): EndpointStats[] {
    return this.endpointsByLine().get(line) ?? [];
  }

  /** The lines of the requests that produce `endpoint`. */
  linesOf(endpoint: { method: string; name: string }): number[] {
    return [...new Set(this.index.sitesOf(endpoint.method, endpoint.name).map((i) => this.siteLines[i]!))].sort((a, b) => a - b);
  }

  /** Each task with requests: its share of the run's requests (mapped ones) and its failures. */
  tasks(): TaskStats[] {
    let total = 0;
    const perLine = new Map<number, { requests: number; failures: number }>();
    for (const [line, endpoints] of this.endpointsByLine()) {
      const sum = { requests: 0, failures: 0 };
      for (const e of endpoints) {
        sum.requests += e.requests;
        sum.failures += e.failures;
      }
      perLine.set(line, sum);
    }
    for (const e of this.endpoints.values()) total += e.requests;
    const out: TaskStats[] = [];
    for (const task of this.tasksOfFile) {
      let requests = 0;
      let failures = 0;
      for (const [line, sum] of perLine) {
        if (!inside(line, task.range)) continue;
        requests += sum.requests;
        failures += sum.failures;
      }
      if (requests === 0) continue;
      const failed = failures > 0 ? `${formatCount(failures)} failed (${formatPercent(failures, requests)})` : 'no failures';
      out.push({ range: task.range, name: task.name, text: `${formatPercent(requests, total)} of requests · ${failed}` });
    }
    return out;
  }
}
