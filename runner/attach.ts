// Attach mode: follows a Locust web UI running elsewhere through its web API and turns its JSON into our tick messages.
import { EventEmitter } from 'node:events';
import tls from 'node:tls';
import { Agent, request, type Dispatcher } from 'undici';
import { PERCENTILES, type BridgeMessage, type EndpointStats, type ExceptionEntry, type FailureEntry, type RunState, type WorkerEntry } from '../protocol/runner';

export type TickMessage = Extract<BridgeMessage, { type: 'tick' }>;

export interface AttachOptions {
  /** The web UI's base URL, e.g. http://127.0.0.1:8089 (http or https; credentials in the URL are used for basic auth). */
  url: string;
  username?: string;
  password?: string;
  intervalMs?: number;
  signal?: AbortSignal;
  /** Per-request budget for connect, headers and body (each). */
  timeoutMs?: number;
  /** Longest pause between polls while the web UI keeps failing. */
  maxBackoffMs?: number;
  /**
   * For an https web UI: certificates to trust in PEM (a self-signed certificate, or the CA that signed the web UI's),
   * one or several concatenated. Trusted in addition to Node's usual root CAs. The CLI reads it from `--ca FILE`.
   */
  ca?: string | Buffer;
}

/** One endpoint as every Locust 2.x web UI reports it, with the version differences taken out. */
export interface NormalizedEntry {
  method: string;
  name: string;
  requests: number;
  failures: number;
  avgResponseTime: number;
  minResponseTime: number | null;
  maxResponseTime: number;
  avgContentLength: number;
  median: number | null;
  /** Percentile (0..1) → ms, whatever the web UI offers (2.12: 0.5/0.9/0.99; 2.2x+: 0.5/0.95/0.99…). */
  percentiles: Map<number, number | null>;
}

export interface NormalizedReport {
  /** `legacy`: the 2.12-era shape (percentiles in words); `modern`: to_dict() entries with response_time_percentile_* keys. */
  shape: 'legacy' | 'modern';
  state: RunState;
  locustState: string;
  userCount: number;
  entries: NormalizedEntry[];
  total: NormalizedEntry | undefined;
  errors: FailureEntry[];
  currentP50: number | null;
  currentP95: number | null;
  workers?: WorkerEntry[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Undoes Python's html.escape (and numeric entities): older web UIs escape errors, and we render them as text. */
export function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/**
 * Whether a web UI HTML-escaped these texts, told by the texts themselves: which Locusts escape what changed more than
 * once (2.12 escapes errors and exceptions, 2.32 only exceptions, 2.47 neither). Escaped text keeps none of < > " ' and
 * shows entities instead; undefined when the texts hold neither (then escaping changed nothing that matters, or an `&`).
 */
export function looksHtmlEscaped(texts: readonly string[]): boolean | undefined {
  if (texts.some((t) => /[<>"']/.test(t))) return false;
  if (texts.some((t) => /&(?:[a-z]+|#\d+|#x[0-9a-f]+);/i.test(t))) return true;
  return undefined;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown, fallback = 0): number => (typeof x === 'number' && Number.isFinite(x) ? x : fallback);
const numOrNull = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const str = (x: unknown): string => (typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : '');

/** `response_time_percentile_0.95` (2.2x+) and `response_time_percentile_95` (in between) both mean p95. */
function percentileOfKey(key: string): number | undefined {
  const m = /^response_time_percentile_(\d+(?:\.\d+)?)$/.exec(key);
  if (!m) return undefined;
  const value = Number(m[1]);
  return value > 1 ? value / 100 : value;
}

function normalizeEntry(raw: Record<string, unknown>): NormalizedEntry {
  const percentiles = new Map<number, number | null>();
  for (const [key, value] of Object.entries(raw)) {
    const p = percentileOfKey(key);
    if (p !== undefined) percentiles.set(p, numOrNull(value));
  }
  // 2.12 names two of them in words.
  if ('ninetieth_response_time' in raw) percentiles.set(0.9, numOrNull(raw.ninetieth_response_time));
  if ('ninety_ninth_response_time' in raw) percentiles.set(0.99, numOrNull(raw.ninety_ninth_response_time));
  const requests = num(raw.num_requests);
  const median = numOrNull(raw.median_response_time);
  if (median !== null && !percentiles.has(0.5)) percentiles.set(0.5, median);
  const max = num(raw.max_response_time);
  if (requests > 0) percentiles.set(1, max);
  // 2.12 reports 0 for "no request yet"; only a real request makes a minimum.
  const min = requests > 0 ? numOrNull(raw.min_response_time) : null;
  return {
    method: str(raw.method),
    name: str(raw.name),
    requests,
    failures: num(raw.num_failures),
    avgResponseTime: num(raw.avg_response_time),
    minResponseTime: min,
    maxResponseTime: max,
    avgContentLength: num(raw.avg_content_length),
    median: requests > 0 ? median : null,
    percentiles,
  };
}

/** Locust's runner states onto ours (`cleanup` is 2.x's brief state between stopping and stopped; `missing` is a lost runner). */
function runState(state: string): RunState {
  switch (state) {
    case 'spawning':
    case 'hatching':
      return 'spawning';
    case 'running':
      return 'running';
    case 'stopping':
    case 'cleanup':
      return 'stopping';
    case 'stopped':
    case 'missing':
      return 'stopped';
    case 'quitting':
      return 'quitting';
    default:
      return 'ready';
  }
}

/** Normalises the JSON of `/stats/requests` from Locust 2.12 up to 2.4x; throws on something that is not a stats report. */
export function normalizeStatsReport(raw: unknown): NormalizedReport {
  if (!isRecord(raw) || !Array.isArray(raw.stats)) throw new Error('not a Locust /stats/requests report (no "stats" array)');
  const stats = raw.stats.filter(isRecord);
  const modern = isRecord(raw.current_response_time_percentiles) || stats.some((s) => Object.keys(s).some((k) => percentileOfKey(k) !== undefined));
  const entries = stats.map(normalizeEntry);
  // The aggregated row comes last in every version; 2.12 names it "Aggregated" with method None.
  const last = entries[entries.length - 1];
  const total = last && last.name === 'Aggregated' && !last.method ? entries.pop() : undefined;
  const rawErrors = (Array.isArray(raw.errors) ? raw.errors : []).filter(isRecord);
  const unescape = (looksHtmlEscaped(rawErrors.flatMap((e) => [str(e.name), str(e.error)])) ?? !modern) ? unescapeHtml : (s: string) => s;
  const errors: FailureEntry[] = rawErrors.map((e) => ({
    method: str(e.method),
    name: unescape(str(e.name)),
    error: unescape(str(e.error)),
    occurrences: Math.max(0, Math.trunc(num(e.occurrences))),
  }));
  let currentP50 = numOrNull(raw.current_response_time_percentile_50);
  let currentP95 = numOrNull(raw.current_response_time_percentile_95);
  if (isRecord(raw.current_response_time_percentiles)) {
    for (const [key, value] of Object.entries(raw.current_response_time_percentiles)) {
      const p = percentileOfKey(key);
      if (p === 0.5) currentP50 = numOrNull(value);
      if (p === 0.95) currentP95 = numOrNull(value);
    }
  }
  const report: NormalizedReport = {
    shape: modern ? 'modern' : 'legacy',
    locustState: str(raw.state),
    state: runState(str(raw.state)),
    userCount: Math.max(0, Math.trunc(num(raw.user_count))),
    entries,
    total,
    errors,
    currentP50,
    currentP95,
  };
  if (Array.isArray(raw.workers)) {
    report.workers = raw.workers.filter(isRecord).map((w) => ({
      id: str(w.id),
      state: str(w.state),
      userCount: Math.max(0, Math.trunc(num(w.user_count))),
      cpu: num(w.cpu_usage),
      ...(typeof w.memory_usage === 'number' ? { memory: w.memory_usage } : {}),
    }));
  }
  return report;
}

/**
 * Normalises `/exceptions`, unescaping what the web UI HTML-escaped (tracebacks quote file names, so they tell);
 * `escapedWhenUnsure` is for texts that cannot tell.
 */
export function normalizeExceptions(raw: unknown, escapedWhenUnsure: boolean): ExceptionEntry[] {
  if (!isRecord(raw) || !Array.isArray(raw.exceptions)) throw new Error('not a Locust /exceptions report (no "exceptions" array)');
  const rows = raw.exceptions.filter(isRecord);
  const escaped = looksHtmlEscaped(rows.flatMap((e) => [str(e.msg), str(e.traceback)])) ?? escapedWhenUnsure;
  const unescape = escaped ? unescapeHtml : (s: string) => s;
  return rows.map((e) => ({
    count: Math.max(0, Math.trunc(num(e.count))),
    message: unescape(str(e.msg)),
    traceback: unescape(str(e.traceback)),
    ...(e.nodes !== undefined ? { nodes: Array.isArray(e.nodes) ? e.nodes.map(str).join(', ') : str(e.nodes) } : {}),
  }));
}

const keyOf = (e: { method: string; name: string }) => `${e.method} ${e.name}`;

/** Turns successive normalised reports into tick messages: changed endpoints only, windows from deltas between polls. */
export class TickBuilder {
  private seq = 0;
  private previous = new Map<string, { requests: number; failures: number }>();
  private previousTotal: { requests: number; failures: number } | undefined;
  private previousT: number | undefined;
  private failuresSeen = new Map<string, number>();
  private exceptionsSeen = new Map<string, number>();

  build(report: NormalizedReport, exceptions: ExceptionEntry[] | undefined, t: number): TickMessage {
    const seconds = this.previousT === undefined ? 0 : Math.max(0, (t - this.previousT) / 1000);
    const endpoints: EndpointStats[] = [];
    const next = new Map<string, { requests: number; failures: number }>();
    for (const entry of report.entries) {
      const key = keyOf(entry);
      const before = this.previous.get(key);
      next.set(key, { requests: entry.requests, failures: entry.failures });
      if (before && before.requests === entry.requests && before.failures === entry.failures) continue;
      endpoints.push(toEndpointStats(entry, before, seconds, null, null));
    }
    this.previous = next;
    const totalEntry = report.total ?? sumEntries(report.entries);
    const total = toEndpointStats(totalEntry, this.previousTotal, seconds, report.currentP50, report.currentP95);
    this.previousTotal = { requests: totalEntry.requests, failures: totalEntry.failures };
    this.previousT = t;

    const tick: TickMessage = {
      type: 'tick',
      seq: this.seq++,
      t,
      state: report.state,
      userCount: report.userCount,
      usersByClass: {},
      endpoints,
      total,
      omitted: 0,
    };
    const failures = report.errors.filter((f) => changed(this.failuresSeen, `${keyOf(f)} ${f.error}`, f.occurrences));
    if (failures.length) tick.failures = failures;
    const newExceptions = (exceptions ?? []).filter((e) => changed(this.exceptionsSeen, `${e.message}\n${e.traceback}`, e.count));
    if (newExceptions.length) tick.exceptions = newExceptions;
    if (report.workers) tick.workers = report.workers;
    return tick;
  }
}

function changed(seen: Map<string, number>, key: string, count: number): boolean {
  if (seen.get(key) === count) return false;
  seen.set(key, count);
  return true;
}

function sumEntries(entries: NormalizedEntry[]): NormalizedEntry {
  const requests = entries.reduce((s, e) => s + e.requests, 0);
  const mins = entries.map((e) => e.minResponseTime).filter((m): m is number => m !== null);
  return {
    method: '',
    name: 'Aggregated',
    requests,
    failures: entries.reduce((s, e) => s + e.failures, 0),
    avgResponseTime: requests ? entries.reduce((s, e) => s + e.avgResponseTime * e.requests, 0) / requests : 0,
    minResponseTime: mins.length ? Math.min(...mins) : null,
    maxResponseTime: entries.reduce((s, e) => Math.max(s, e.maxResponseTime), 0),
    avgContentLength: requests ? entries.reduce((s, e) => s + e.avgContentLength * e.requests, 0) / requests : 0,
    median: null,
    percentiles: new Map(),
  };
}

function toEndpointStats(
  entry: NormalizedEntry,
  before: { requests: number; failures: number } | undefined,
  seconds: number,
  p50: number | null,
  p95: number | null,
): EndpointStats {
  // A reset (or a new test) makes counts go down: the window then starts from zero.
  const reset = before !== undefined && entry.requests < before.requests;
  const base = before && !reset ? before : { requests: 0, failures: 0 };
  const stats: EndpointStats = {
    method: entry.method,
    name: entry.name,
    requests: entry.requests,
    failures: entry.failures,
    totalResponseTime: entry.avgResponseTime * entry.requests,
    minResponseTime: entry.minResponseTime,
    maxResponseTime: entry.maxResponseTime,
    totalContentLength: entry.avgContentLength * entry.requests,
    percentiles: PERCENTILES.map((p) => (entry.requests > 0 ? (entry.percentiles.get(p) ?? null) : null)),
    window: {
      seconds,
      requests: Math.max(0, entry.requests - base.requests),
      failures: Math.max(0, entry.failures - base.failures),
      p50,
      p95,
    },
  };
  if (entry.median !== null) stats.median = entry.median;
  return stats;
}

export type AttachEvents = {
  message: [message: BridgeMessage];
  /** A poll failed (a clear sentence); polling goes on, with backoff. Not 'error': an unheard 'error' would throw. */
  pollError: [message: string];
  /** The web UI answered again after errors. */
  recovered: [];
};

export interface ControlResult {
  success: boolean;
  message: string;
}

/** TLS verification errors (OpenSSL's names, as Node reports them) that mean "this certificate is not trusted here". */
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** A web UI's URL as runs and records name it: without credentials and without a trailing slash. */
export function webUiBaseUrl(text: string): string {
  const url = new URL(text);
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/+$/, '');
}

/** True when `error` (an attach failure, through its causes) is a TLS certificate this machine does not trust. */
export function isUntrustedCertificate(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && UNTRUSTED_CERTIFICATE.has(e.code)) return true;
  }
  return false;
}

/** Turns undici and HTTP failures into one sentence a user can act on; `caGiven`: certificates to trust were passed. */
function describeError(url: string, error: unknown, caGiven = false): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  const detail = e.message ?? e.cause?.message ?? String(error);
  if (code && UNTRUSTED_CERTIFICATE.has(code)) {
    return caGiven
      ? `Locust web UI at ${url}: its TLS certificate is not trusted, also with the CA certificates given (${detail}, ${code}): give the web UI's own certificate or the CA that signed it`
      : `Locust web UI at ${url}: its TLS certificate is not trusted (${detail}, ${code}); if the certificate is yours, trust it: the certificate or its CA in PEM as the ca option (command line: --ca FILE)`;
  }
  switch (code) {
    case 'ECONNREFUSED':
      return `Locust web UI at ${url} refused the connection: is Locust running with its web UI on that address?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Locust web UI at ${url}: host not found`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `Locust web UI at ${url} did not accept a connection in time`;
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `Locust web UI at ${url} did not answer in time`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `Locust web UI at ${url} closed the connection`;
    case 'CERT_HAS_EXPIRED':
      return `Locust web UI at ${url}: its TLS certificate has expired (${code})`;
    case 'CERT_NOT_YET_VALID':
      return `Locust web UI at ${url}: its TLS certificate is not valid yet (${code}): check the clocks`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `Locust web UI at ${url}: its TLS certificate is for another host name (${detail})`;
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return `Locust web UI at ${url}: the TLS handshake failed (${detail}): does it serve https on that port, or plain http?`;
    default:
      return `Locust web UI at ${url}: ${detail}`;
  }
}

/** One successful poll, normalised: what a final message is made from. */
export interface PolledReport {
  report: NormalizedReport;
  exceptions: ExceptionEntry[] | undefined;
  /** Epoch ms of the poll. */
  t: number;
}

function safeExceptions(raw: unknown, shape: NormalizedReport['shape']): ExceptionEntry[] | undefined {
  try {
    return raw === undefined ? undefined : normalizeExceptions(raw, shape === 'legacy');
  } catch {
    return undefined;
  }
}

export type FinalMessage = Extract<BridgeMessage, { type: 'final' }>;

/**
 * A `final` message from one report: every endpoint (not only changed ones), the total, every failure and exception.
 * The web API has no start or last-request time: `times` (epoch seconds, as the bridge's final carries them) are what
 * the caller observed, and are left out when it has none.
 */
export function finalFromReport(polled: PolledReport, times?: { startTime?: number; lastRequestTime?: number }): FinalMessage {
  const { report, exceptions } = polled;
  const still = (entry: NormalizedEntry): EndpointStats => {
    const stats = toEndpointStats(entry, undefined, 0, null, null);
    stats.window = { seconds: 0, requests: 0, failures: 0, p50: null, p95: null };
    return stats;
  };
  const final: FinalMessage = {
    type: 'final',
    t: polled.t,
    endpoints: report.entries.map(still),
    total: still(report.total ?? sumEntries(report.entries)),
    failures: report.errors,
    exceptions: exceptions ?? [],
  };
  if (times?.startTime) final.startTime = times.startTime;
  if (times?.lastRequestTime) final.lastRequestTime = times.lastRequestTime;
  return final;
}

export class LocustAttachment extends EventEmitter<AttachEvents> {
  readonly baseUrl: string;
  private readonly agent: Agent;
  private readonly authorization: string | undefined;
  private readonly caGiven: boolean;
  /** Paths this web UI took by another method than first tried (learnt from a 405's Allow header). */
  private readonly methods = new Map<string, 'GET' | 'POST'>();
  private readonly builder = new TickBuilder();
  private readonly intervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private failuresInARow = 0;
  private shape: NormalizedReport['shape'] | undefined;
  private lastStatsText: string | undefined;
  private lastEmitAt = 0;
  private latestReport: PolledReport | undefined;
  private closed = false;
  /** Settles when polling has ended (after close() or the caller's signal). */
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(options: AttachOptions) {
    super();
    const url = new URL(options.url);
    const username = options.username ?? decodeURIComponent(url.username);
    const password = options.password ?? decodeURIComponent(url.password);
    this.baseUrl = webUiBaseUrl(options.url);
    if (username || password) this.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    const timeout = options.timeoutMs ?? 5_000;
    this.caGiven = options.ca !== undefined && options.ca.length > 0;
    // `ca` replaces Node's trusted roots for these connections: keep them, so a --ca for one private CA loses no public one.
    const connect = this.caGiven ? { timeout, ca: [...tls.rootCertificates, options.ca!] } : { timeout };
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: 4, connect, headersTimeout: timeout, bodyTimeout: timeout });
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    if (options.signal?.aborted) void this.close();
    else options.signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  /** Starts polling; the first poll happens at once. */
  start(): this {
    if (!this.closed) void this.poll();
    return this;
  }

  /**
   * One request, its answer as text; throws a clear sentence for a connection failure, 401, a login page or an HTTP
   * error. Newer web UIs take /stop and /stats/reset by POST only, older ones by GET only: on a 405 the method its Allow
   * header names is used instead, from then on.
   */
  private async send(method: Dispatcher.HttpMethod, path: string, body?: string): Promise<{ statusCode: number; text: string }> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.authorization) headers.authorization = this.authorization;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    let response: Dispatcher.ResponseData;
    const used = this.methods.get(path) ?? method;
    try {
      response = await request(url, { method: used, headers, body, dispatcher: this.agent, signal: this.controller.signal });
    } catch (error) {
      throw new Error(describeError(this.baseUrl, error, this.caGiven), { cause: error });
    }
    const text = await response.body.text().catch((error: unknown) => {
      throw new Error(describeError(this.baseUrl, error, this.caGiven), { cause: error });
    });
    const { statusCode } = response;
    if (statusCode === 405 && !this.methods.has(path)) {
      const allowed = String(response.headers['allow'] ?? '').toUpperCase().split(/\s*,\s*/);
      const other = (['POST', 'GET'] as const).find((m) => m !== used && allowed.includes(m));
      if (other) {
        this.methods.set(path, other);
        return this.send(other, path, body);
      }
    }
    if (statusCode === 401) throw new Error(`Locust web UI at ${this.baseUrl} asks for credentials (401): ${this.authorization ? 'the username or password is wrong' : 'set a username and password'}`);
    if (statusCode >= 300 && statusCode < 400) {
      const location = String(response.headers['location'] ?? '');
      // Newer Locusts protect their web UI with a login page (--web-login) rather than basic auth (--web-auth).
      if (/(^|\/)login\b/.test(location)) throw new Error(`Locust web UI at ${this.baseUrl} sends to its login page (Locust's --web-login): attach needs a web UI that is open or behind HTTP basic auth`);
      throw new Error(`Locust web UI at ${this.baseUrl}${path} redirected (HTTP ${statusCode}) to ${location || 'nowhere'}: is this the web UI's address?`);
    }
    if (statusCode >= 400) throw new Error(`Locust web UI at ${this.baseUrl}${path} answered HTTP ${statusCode}`);
    return { statusCode, text };
  }

  private async call(method: Dispatcher.HttpMethod, path: string, body?: string, onText?: (text: string) => void): Promise<unknown> {
    const { statusCode, text } = await this.send(method, path, body);
    try {
      const parsed = JSON.parse(text) as unknown;
      onText?.(text);
      return parsed;
    } catch {
      throw new Error(`Locust web UI at ${this.baseUrl}${path} did not answer JSON (HTTP ${statusCode}, ${JSON.stringify(text.slice(0, 80))}…): is this a Locust web UI?`);
    }
  }

  /**
   * Fetches `/stats/requests` and `/exceptions` now and normalises them, without making a tick (the tick windows are
   * untouched). Throws a clear sentence when the web UI fails or is not a Locust.
   */
  async fetchReport(): Promise<PolledReport> {
    const [statsRaw, exceptionsRaw] = await Promise.all([this.call('GET', '/stats/requests'), this.call('GET', '/exceptions').catch(() => undefined)]);
    const report = normalizeStatsReport(statsRaw);
    this.shape = report.shape;
    const polled = { report, exceptions: safeExceptions(exceptionsRaw, report.shape), t: Date.now() };
    this.latestReport = polled;
    return polled;
  }

  /** The last report a poll got (whether or not it made a tick). */
  get latest(): PolledReport | undefined {
    return this.latestReport;
  }

  /** One poll: stats and exceptions, turned into a tick. Exposed for callers that want a tick now. */
  async pollOnce(): Promise<TickMessage> {
    return (await this.pollChanged(true))!;
  }

  /**
   * Locust memoizes /stats/requests for 2 s: a poll at 1 s often gets the previous answer again, which would make a
   * zero window followed by a double one. An identical body is skipped (undefined), so windows span real changes;
   * `force` (or 5 s without a tick) emits anyway, so an idle run still ticks.
   */
  private async pollChanged(force: boolean): Promise<TickMessage | undefined> {
    let statsText = '';
    const [statsRaw, exceptionsRaw] = await Promise.all([
      this.call('GET', '/stats/requests', undefined, (text) => (statsText = text)),
      this.call('GET', '/exceptions').catch(() => undefined),
    ]);
    const report = normalizeStatsReport(statsRaw);
    const now = Date.now();
    this.shape = report.shape;
    const exceptions = safeExceptions(exceptionsRaw, report.shape);
    this.latestReport = { report, exceptions, t: now };
    if (!force && statsText === this.lastStatsText && now - this.lastEmitAt < 5_000) return undefined;
    this.lastStatsText = statsText;
    this.lastEmitAt = now;
    return this.builder.build(report, exceptions, now);
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    let delay = this.intervalMs;
    try {
      const tick = await this.pollChanged(false);
      if (this.closed) return;
      if (this.failuresInARow > 0) this.emit('recovered');
      this.failuresInARow = 0;
      if (tick) this.emit('message', tick);
    } catch (error) {
      if (this.closed) return;
      this.failuresInARow++;
      // Doubling pauses while the web UI keeps failing, so a dead master is not hammered.
      delay = Math.min(this.maxBackoffMs, this.intervalMs * 2 ** Math.min(this.failuresInARow - 1, 10));
      this.emit('pollError', (error as Error).message);
    }
    if (!this.closed) this.timer = setTimeout(() => void this.poll(), delay);
  }

  private async control(method: Dispatcher.HttpMethod, path: string, body?: string): Promise<ControlResult> {
    const raw = await this.call(method, path, body);
    const r = isRecord(raw) ? raw : {};
    // /stats/reset answers plain "ok" text in 2.12, which is not JSON: call() would have thrown, see reset().
    return { success: r.success !== false, message: str(r.message) };
  }

  /** Stops the test (Locust keeps running, its statistics stay). */
  stop(): Promise<ControlResult> {
    return this.control('GET', '/stop');
  }

  /** Resets Locust's statistics. */
  async reset(): Promise<ControlResult> {
    // Answered with plain text ("ok"), not JSON.
    const { text } = await this.send('GET', '/stats/reset');
    return { success: true, message: text.slice(0, 200) };
  }

  /** Starts or changes the test: target user count and spawn rate (and optionally the host). */
  swarm(users: number, spawnRate: number, host?: string): Promise<ControlResult> {
    const form = new URLSearchParams({ user_count: String(users), spawn_rate: String(spawnRate) });
    if (host !== undefined) form.set('host', host);
    return this.control('POST', '/swarm', form.toString());
  }

  /** The JSON shape seen last (legacy = 2.12-era), once a poll succeeded. */
  get reportShape(): NormalizedReport['shape'] | undefined {
    return this.shape;
  }

  /** Ends polling and closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return this.done;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.controller.abort();
    await this.agent.close().catch(() => undefined);
    this.resolveDone();
  }
}

/** Follows the Locust web UI at `url`: emits `message` ticks every `intervalMs`, `pollError` when a poll fails (polling goes on). */
export function attachToLocust(options: AttachOptions): LocustAttachment {
  return new LocustAttachment(options).start();
}
