// Thresholds: the parser (every documented form, every error with its span), the wording, and the evaluator live and replayed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v from 'valibot';
import { formatDuration, parseDuration } from '../../protocol/duration';
import { BridgeMessageSchema, PERCENTILES, type BridgeMessage, type EndpointStats } from '../../protocol/runner';
import { judgeRecord, ThresholdEvaluator } from '../../runner/thresholds';
import {
  describeThreshold,
  formatThresholdValue,
  parseThreshold,
  ThresholdStatusSchema,
  VerdictSchema,
  type Threshold,
} from '../../protocol/thresholds';
import { locustRoundedTime } from '../helpers/synthetic';

function parsed(text: string): Threshold {
  const result = parseThreshold(text);
  if (!result.ok) assert.fail(`${text}: ${result.error} at [${result.start}, ${result.end})`);
  return result.threshold;
}

/** The error of `text`, with the faulty part it underlines. */
function rejected(text: string): { error: string; part: string } {
  const result = parseThreshold(text);
  if (result.ok) assert.fail(`${text} was accepted: ${JSON.stringify(result.threshold)}`);
  return { error: result.error, part: text.slice(result.start, result.end) };
}

test('durations: Locust run-time syntax, in seconds; formatted for people', () => {
  assert.deepEqual(['30s', '5m', '1h30m', '60', ' 2h ', '1m30s', '0'].map(parseDuration), [30, 300, 5400, 60, 7200, 90, 0]);
  assert.deepEqual(['', '1.5s', '30x', '1 h', '-5', 's', undefined].map(parseDuration), [undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  assert.deepEqual([45, 300, 5400, 90, 0, 0.5].map(formatDuration), ['45 s', '5 min', '1 h 30 min', '1 min 30 s', '0 s', '0.5 s']);
});

test('parser: aggregate thresholds of every metric, with their units converted', () => {
  const cases: [string, Partial<Threshold>][] = [
    ['p95 < 250ms', { metric: 'p95', op: '<', value: 250 }],
    ['p50<=1s', { metric: 'p50', op: '<=', value: 1000 }],
    ['p90 < 1.5s', { metric: 'p90', value: 1500 }],
    ['p99 <= 250 ms', { metric: 'p99', value: 250 }],
    ['avg < 0.25 s', { metric: 'avg', value: 250 }],
    ['max < 2s', { metric: 'max', value: 2000 }],
    ['rps > 50', { metric: 'rps', op: '>', value: 50 }],
    ['rps >= 52.5/s', { metric: 'rps', op: '>=', value: 52.5 }],
    ['failures_per_s <= 0', { metric: 'failures_per_s', op: '<=', value: 0 }],
    ['failures_per_s < 2 /s', { metric: 'failures_per_s', value: 2 }],
    ['fail_ratio < 1%', { metric: 'fail_ratio', value: 0.01 }],
    ['fail_ratio < 0.01', { metric: 'fail_ratio', value: 0.01 }],
    ['fail_ratio <= 1', { metric: 'fail_ratio', value: 1 }],
    ['fail_ratio < 0.5 %', { metric: 'fail_ratio', value: 0.005 }],
    ['  p95 < 250ms  ', { metric: 'p95', value: 250 }],
  ];
  for (const [text, want] of cases) {
    const t = parsed(text);
    assert.equal(t.scope, null, text);
    assert.equal(t.text, text);
    for (const [key, value] of Object.entries(want)) assert.deepEqual(t[key as keyof Threshold], value, `${text}: ${key}`);
  }
});

test('parser: spans of scope, metric, operator and value', () => {
  const text = 'GET /cart: p99 <= 1.5 s over 30s';
  const t = parsed(text);
  const part = ([start, end]: [number, number]) => text.slice(start, end);
  assert.equal(part(t.spans.scope!), 'GET /cart');
  assert.equal(part(t.spans.metric), 'p99');
  assert.equal(part(t.spans.op), '<=');
  assert.equal(part(t.spans.value), '1.5 s');
  assert.equal(parsed('p95 < 250ms').spans.scope, undefined);
});

test('parser: scopes with and without a method, names with colons and spaces', () => {
  assert.deepEqual(parsed('GET /cart: p99 <= 1s').scope, { method: 'GET', name: '/cart' });
  assert.deepEqual(parsed('/cart: p95 < 250ms').scope, { name: '/cart' });
  assert.deepEqual(parsed('GET /verify/slow: max < 3s').scope, { method: 'GET', name: '/verify/slow' });
  assert.deepEqual(parsed('/items/[id]: avg < 100ms').scope, { name: '/items/[id]' });
  assert.deepEqual(parsed('Login step: p95 < 1s').scope, { name: 'Login step' }, 'a first word that is not upper case is part of the name');
  assert.deepEqual(parsed('GET: p95 < 1s').scope, { name: 'GET' }, 'an upper-case word alone is a name, not a method');
  assert.deepEqual(parsed('CUSTOM_RPC do thing: p50 < 5ms').scope, { method: 'CUSTOM_RPC', name: 'do thing' });
  assert.deepEqual(parsed('GET http://host:8080/a: b: p95 < 1s').scope, { method: 'GET', name: 'http://host:8080/a: b' }, 'the last ":" before a metric separates');
  assert.deepEqual(parsed('ws: rps > 1: p95<1s').scope, { name: 'ws: rps > 1' }, 'even when an earlier ":" is followed by a metric word');
  assert.deepEqual(parsed('  POST   /login :p95<1s').scope, { method: 'POST', name: '/login' });
});

test('parser: modifiers in any order, each once', () => {
  const t = parsed('p95 < 300ms over 30s after 1m abort');
  assert.equal(t.windowSeconds, 30);
  assert.equal(t.warmupSeconds, 60);
  assert.equal(t.abort, true);
  const u = parsed('fail_ratio < 2% abort after 1h30m over 60');
  assert.deepEqual([u.windowSeconds, u.warmupSeconds, u.abort], [60, 5400, true]);
  const plain = parsed('p95 < 300ms');
  assert.deepEqual([plain.windowSeconds, plain.warmupSeconds, plain.abort], [undefined, undefined, undefined]);
  assert.equal(parsed('p95 < 300ms after 0').warmupSeconds, undefined, 'a warm-up of 0 is none');
});

test('parser: each error names the fault and underlines exactly it', () => {
  const cases: [string, RegExp, string][] = [
    ['', /empty threshold/, ''],
    ['p96 < 250ms', /unknown metric "p96" \(did you mean p95\?\)/, 'p96'],
    ['P95 < 250ms', /did you mean p95/, 'P95'],
    ['median < 250ms', /did you mean p50/, 'median'],
    ['GET /cart: p96 < 1s', /unknown metric "p96"/, 'p96'],
    ['GET /cart p95 < 1s', /write ":" between the endpoint and the metric/, 'GET /cart'],
    ['p95 = 250ms', /unknown operator "="/, '='],
    ['p95 == 250ms', /unknown operator "=="/, '=='],
    ['p95 => 250ms', /unknown operator/, '=>'],
    ['p95 250ms', /operator missing/, '250ms'],
    ['p95 <', /value missing/, '<'],
    ['p95 < fast', /"fast" is not a number/, 'fast'],
    ['p95 < 250', /unit missing: write 250ms or 0\.25s/, '250'],
    ['p95 < 250 over 30s', /unit missing/, '250'],
    ['p95 < 250m', /wrong unit "m" for p95/, 'm'],
    ['avg < 2%', /wrong unit "%"/, '%'],
    ['fail_ratio < 5', /write 5% for a percentage/, '5'],
    ['fail_ratio < 1ms', /wrong unit "ms" for fail_ratio/, 'ms'],
    ['fail_ratio < 150%', /cannot exceed 100%/, '150%'],
    ['rps > 5ms', /wrong unit "ms" for rps/, 'ms'],
    ['rps > -5', /cannot be negative/, '-5'],
    ['p95 < -1s', /cannot be negative/, '-1s'],
    ['rps < 0', /impossible bound/, '< 0'],
    ['p95 < 0ms', /impossible bound/, '< 0ms'],
    ['p95 < 250ms over 0s', /window of 0/, '0s'],
    ['p95 < 250ms over', /over needs a duration/, 'over'],
    ['p95 < 250ms over abort', /over needs a duration/, 'over'],
    ['p95 < 250ms over 30x', /unreadable duration "30x"/, '30x'],
    ['p95 < 250ms after 1.5s', /unreadable duration/, '1.5s'],
    ['p95 < 250ms over 30s over 1m', /over given twice/, 'over 1m'],
    ['p95 < 250ms abort abort', /abort given twice/, 'abort'],
    ['p95 < 250ms durring 30s', /unknown modifier "durring"/, 'durring'],
    ['p95 < 250ms ovr 30s', /did you mean over/, 'ovr'],
    [': p95 < 250ms', /empty scope/, ':'],
    ['   : p95 < 250ms', /empty scope/, '   :'],
    ['< 250ms', /metric missing/, '<'],
  ];
  for (const [text, error, part] of cases) {
    const got = rejected(text);
    assert.match(got.error, error, text);
    assert.equal(got.part, part, `${text}: underlines ${JSON.stringify(got.part)}`);
  }
  // The second "abort" is the faulty one, not the first.
  const twice = parseThreshold('p95 < 250ms abort abort');
  assert.equal(!twice.ok && twice.start, 'p95 < 250ms abort '.length);
});

test('formatThresholdValue: one reading of every value', () => {
  assert.equal(formatThresholdValue('p95', 182), '182 ms');
  assert.equal(formatThresholdValue('p95', 182.4), '182 ms');
  assert.equal(formatThresholdValue('avg', 2.45), '2.5 ms');
  assert.equal(formatThresholdValue('p99', 1250), '1.25 s');
  assert.equal(formatThresholdValue('max', 1000), '1 s');
  assert.equal(formatThresholdValue('max', 999.7), '1 s');
  assert.equal(formatThresholdValue('fail_ratio', 0.004), '0.40 %');
  assert.equal(formatThresholdValue('fail_ratio', 0), '0.00 %');
  assert.equal(formatThresholdValue('rps', 52.34), '52.3/s');
  assert.equal(formatThresholdValue('failures_per_s', 0.0234), '0.023/s');
  assert.equal(formatThresholdValue('failures_per_s', 0), '0.0/s');
  assert.equal(formatThresholdValue('rps', null), '–');
});

test('describeThreshold: plain English for hover and reports', () => {
  assert.equal(describeThreshold(parsed('GET /cart: p95 < 250ms')), '95th percentile response time of GET /cart over the whole run stays below 250 ms');
  assert.equal(describeThreshold(parsed('fail_ratio <= 1%')), 'Share of failed requests of all requests over the whole run stays at or below 1.00 %');
  assert.equal(
    describeThreshold(parsed('/cart: rps >= 20 over 30s after 1m abort')),
    'Requests per second of /cart (all methods) in every 30 s window after a 1 min warm-up stays at or above 20.0/s; the run is stopped early when it fails',
  );
});

test('status and verdict schemas accept what the evaluator writes and refuse bad numbers', () => {
  const ok = { text: 'p95 < 250ms', state: 'failed', value: 312, failedAt: 12.5, reason: 'x' };
  assert.ok(v.safeParse(ThresholdStatusSchema, ok).success);
  assert.ok(v.safeParse(ThresholdStatusSchema, { text: 'p95 < 250ms', state: 'unknown', value: null }).success);
  assert.ok(!v.safeParse(ThresholdStatusSchema, { ...ok, value: Number.NaN }).success);
  assert.ok(!v.safeParse(ThresholdStatusSchema, { ...ok, failedAt: -1 }).success);
  assert.ok(!v.safeParse(ThresholdStatusSchema, { ...ok, state: 'great' }).success);
  assert.ok(v.safeParse(VerdictSchema, { outcome: 'failed', thresholds: [ok], abortedBy: 'p95 < 250ms' }).success);
  assert.ok(!v.safeParse(VerdictSchema, { outcome: 'maybe', thresholds: [] }).success);
});

// ---- the evaluator, fed by a stand-in for the bridge ----

/** The run's start; ticks come every second after it. */
const START = 1_800_000_000_000;


/** Locust's calculate_response_time_percentile, to give cumulative percentiles to the messages as the bridge does. */
function locustPercentile(histogram: Map<number, number>, count: number, q: number): number {
  let processed = 0;
  for (const ms of [...histogram.keys()].sort((a, b) => b - a)) {
    processed += histogram.get(ms)!;
    if (count - processed <= Math.floor(count * q)) return ms;
  }
  return 0;
}

interface Entry { method: string; name: string; requests: number; failures: number; totalResponseTime: number; min: number | null; max: number; histogram: Map<number, number> }
interface Seen { requests: number; failures: number; histogram: Map<number, number>; at: number }

type Tick = Extract<BridgeMessage, { type: 'tick' }>;
type Final = Extract<BridgeMessage, { type: 'final' }>;

/**
 * Shapes messages as runner/python/locust_studio_bridge.py does: cumulative entries, changed endpoints only (at most
 * `cap` per tick, the longest-unsent first), windows since each endpoint was last sent (a reset makes the window all
 * since), the final message with every endpoint and Locust's start and last request times. Every message is validated.
 */
class FakeBridge {
  /** The bridge starts counting at the run's start and ticks a second later. */
  now = START + 1000;
  private lastTickAt = START;
  private readonly entries = new Map<string, Entry>();
  private total = FakeBridge.entry('', 'Aggregated');
  private readonly seen = new Map<string, Seen>();
  private totalSeen: Seen | undefined;
  startTime = START / 1000;
  lastRequestTime: number | undefined;
  withHistograms = true;
  seq = 0;

  private static entry(method: string, name: string): Entry {
    return { method, name, requests: 0, failures: 0, totalResponseTime: 0, min: null, max: 0, histogram: new Map() };
  }

  /** `count` requests of `ms` each to method + name, completed now. */
  log(method: string, name: string, ms: number, count = 1, failed = false): this {
    const key = `${method} ${name}`;
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = FakeBridge.entry(method, name)));
    for (const e of [entry, this.total]) {
      e.requests += count;
      if (failed) e.failures += count;
      e.totalResponseTime += ms * count;
      e.min = e.min === null ? ms : Math.min(e.min, ms);
      e.max = Math.max(e.max, ms);
      e.histogram.set(locustRoundedTime(ms), (e.histogram.get(locustRoundedTime(ms)) ?? 0) + count);
    }
    this.lastRequestTime = this.now / 1000;
    return this;
  }

  /** Locust's "reset stats": every entry back to zero, the statistics' start time now. */
  reset(): this {
    for (const [key, e] of this.entries) this.entries.set(key, FakeBridge.entry(e.method, e.name));
    this.total = FakeBridge.entry('', 'Aggregated');
    this.startTime = this.now / 1000;
    this.lastRequestTime = undefined;
    return this;
  }

  private stats(e: Entry, seen: Seen | undefined): EndpointStats {
    const base = seen === undefined || e.requests < seen.requests || e.failures < seen.failures ? undefined : seen;
    const histogram: number[] = [];
    const delta = new Map<number, number>();
    for (const ms of [...e.histogram.keys()].sort((a, b) => a - b)) {
      const grown = e.histogram.get(ms)! - (base?.histogram.get(ms) ?? 0);
      if (grown > 0) {
        delta.set(ms, grown);
        histogram.push(ms, grown);
      }
    }
    const windowCount = [...delta.values()].reduce((a, b) => a + b, 0);
    const windowPercentile = (q: number) => (windowCount ? locustPercentile(delta, windowCount, q) : null);
    return {
      method: e.method,
      name: e.name,
      requests: e.requests,
      failures: e.failures,
      totalResponseTime: e.totalResponseTime,
      minResponseTime: e.min,
      maxResponseTime: e.max,
      totalContentLength: 0,
      percentiles: PERCENTILES.map((q) => (e.requests ? locustPercentile(e.histogram, e.requests, q) : null)),
      window: {
        seconds: (this.now - (seen?.at ?? this.lastTickAt)) / 1000,
        requests: e.requests - (base?.requests ?? 0),
        failures: e.failures - (base?.failures ?? 0),
        p50: windowPercentile(0.5),
        p95: windowPercentile(0.95),
        p99: windowPercentile(0.99),
        ...(this.withHistograms && { histogram }),
      },
    };
  }

  private snapshot(e: Entry): Seen {
    return { requests: e.requests, failures: e.failures, histogram: new Map(e.histogram), at: this.now };
  }

  /** The tick at `now`, then one second passes. */
  tick(cap = Infinity): Tick {
    const changed = [...this.entries].filter(([key, e]) => {
      const seen = this.seen.get(key);
      return !seen || seen.requests !== e.requests || seen.failures !== e.failures;
    });
    changed.sort(([a], [b]) => (this.seen.get(a)?.at ?? this.lastTickAt) - (this.seen.get(b)?.at ?? this.lastTickAt));
    const sent = changed.slice(0, cap);
    const endpoints = sent.map(([key, e]) => this.stats(e, this.seen.get(key)));
    for (const [key, e] of sent) this.seen.set(key, this.snapshot(e));
    const total = this.stats(this.total, this.totalSeen);
    this.totalSeen = this.snapshot(this.total);
    this.lastTickAt = this.now;
    const tick = v.parse(BridgeMessageSchema, {
      type: 'tick', seq: ++this.seq, t: this.now, state: 'running', userCount: 5, usersByClass: { U: 5 },
      endpoints, total, omitted: changed.length - sent.length,
    }) as Tick;
    this.now += 1000;
    return tick;
  }

  /** The final statistics at `now`: every endpoint, windows since each was last sent. */
  final(): Final {
    return v.parse(BridgeMessageSchema, {
      type: 'final', t: this.now, failures: [],
      endpoints: [...this.entries].map(([key, e]) => this.stats(e, this.seen.get(key))),
      total: this.stats(this.total, this.totalSeen),
      startTime: this.startTime,
      ...(this.lastRequestTime !== undefined && { lastRequestTime: this.lastRequestTime }),
    }) as Final;
  }
}

function thresholds(...texts: string[]): Threshold[] {
  return texts.map(parsed);
}

/** A live evaluator and everything it was fed, to replay through judgeRecord. */
function live(texts: string[]) {
  const evaluator = new ThresholdEvaluator(thresholds(...texts), { startedAt: START });
  const ticks: BridgeMessage[] = [];
  let final: Final | undefined;
  return {
    evaluator,
    tick(message: Tick) {
      ticks.push(message);
      return evaluator.apply(message);
    },
    final(message: Final) {
      final = message;
      evaluator.apply(message);
      const verdict = evaluator.verdict({ completed: true })!;
      assert.ok(v.safeParse(VerdictSchema, verdict).success, 'the verdict validates');
      assert.deepEqual(judgeRecord(thresholds(...texts), { startedAt: START, ticks, final, completed: true }), verdict, 'a replayed record gets the live verdict');
      return verdict;
    },
    state: (i: number) => evaluator.statuses()[i]!,
  };
}

test('whole run: holding live and passed at the end; failing live and failed at the end', () => {
  const bridge = new FakeBridge();
  const run = live(['p95 < 250ms', 'p95 < 150ms', 'avg <= 120ms']);
  assert.deepEqual(run.evaluator.statuses().map((s) => s.state), ['pending', 'pending', 'pending']);
  run.tick(bridge.tick());
  assert.equal(run.state(0).state, 'pending', 'nothing to judge before the first request');
  for (let i = 0; i < 5; i++) run.tick(bridge.log('GET', '/a', 100, 10).log('GET', '/b', 200, 1).tick());
  // 1 in 11 requests took 200 ms: more than 5 %, so p95 is 200 ms.
  assert.deepEqual(run.evaluator.statuses().map((s) => [s.state, s.value]), [['holding', 200], ['failing', 200], ['holding', 1200 / 11]]);
  const verdict = run.final(bridge.log('GET', '/a', 100, 5).final());
  assert.deepEqual(verdict.thresholds.map((s) => s.state), ['passed', 'failed', 'passed']);
  assert.equal(verdict.outcome, 'failed');
  assert.equal(verdict.thresholds[2]!.value, (5 * 1200 + 500) / 60, 'the end values come from the final statistics');
});

test('a scoped threshold judges its endpoint only; a method-less one combines every method exactly', () => {
  const bridge = new FakeBridge();
  const run = live(['GET /cart: p95 < 250ms', 'p95 < 250ms', '/cart: avg < 200ms', '/cart: p95 < 500ms', '/cart: p95 < 250ms', '/cart: fail_ratio < 40%', 'POST /cart: max < 1s']);
  for (let i = 0; i < 3; i++) run.tick(bridge.log('GET', '/cart', 300, 2).log('GET', '/home', 10, 100).log('POST', '/cart', 100, 2, true).tick());
  const verdict = run.final(bridge.final());
  const [cart, all, avg, bothBelow, straddle, ratio, post] = verdict.thresholds;
  assert.deepEqual([cart!.state, cart!.value], ['failed', 300]);
  assert.deepEqual([all!.state, all!.value], ['passed', 10]);
  assert.deepEqual([avg!.state, avg!.value], ['failed', 200], 'GET and POST /cart together average (300 + 100) / 2');
  assert.deepEqual([bothBelow!.state, bothBelow!.value], ['passed', 300], 'both methods’ p95 are below: so is their combination');
  assert.equal(straddle!.state, 'unknown');
  assert.match(straddle!.reason ?? '', /GET and POST \/cart together.*between 100 ms and 300 ms; name the method/);
  assert.deepEqual([ratio!.state, ratio!.value], ['failed', 0.5]);
  assert.deepEqual([post!.state, post!.value], ['passed', 100]);
});

test('an endpoint that never appears is pending live and unknown at the end, never passed', () => {
  const bridge = new FakeBridge();
  const run = live(['GET /nope: p95 < 1s', '/nope: rps < 100', 'GET /nope: rps < 100 over 2s', 'p95 < 1s']);
  for (let i = 0; i < 4; i++) run.tick(bridge.log('GET', '/home', 10, 10).log('POST', '/nope', 10).tick());
  assert.equal(run.state(0).state, 'pending');
  assert.match(run.state(0).reason ?? '', /no request named GET \/nope yet/);
  const verdict = run.final(bridge.final());
  assert.deepEqual(verdict.thresholds.map((s) => s.state), ['unknown', 'passed', 'unknown', 'passed'], 'POST /nope exists, so "/nope" is judged');
  assert.equal(verdict.thresholds[0]!.reason, 'no request named GET /nope was made');
  assert.equal(verdict.thresholds[2]!.reason, 'no request named GET /nope was made');
  assert.equal(verdict.outcome, 'unknown');
});

test('warm-up: pending until it is over, then only what followed is judged; a run that ends before it is unknown', () => {
  const bridge = new FakeBridge();
  const run = live(['p95 < 250ms after 5s', 'p95 < 250ms', 'max < 250ms after 5s', 'fail_ratio < 1% after 5s', 'rps > 5 after 5s']);
  // Ticks at 1..4 s: slow and failing warm-up; the tick at 5 s ends it; afterwards fast.
  for (let s = 0; s < 4; s++) run.tick(bridge.log('GET', '/a', 1000, 10, true).tick());
  assert.equal(run.state(0).state, 'pending');
  assert.match(run.state(0).reason ?? '', /warm-up: judged after 5 s/);
  run.tick(bridge.log('GET', '/a', 1000, 10, true).tick());
  assert.equal(run.state(0).state, 'pending', 'the report that ends the warm-up carries warm-up requests only');
  for (let s = 0; s < 4; s++) run.tick(bridge.log('GET', '/a', 100, 10).tick());
  assert.deepEqual([run.state(0).state, run.state(0).value], ['holding', 100]);
  assert.equal(run.state(1).state, 'failing', 'the same threshold over the whole run includes the warm-up');
  assert.deepEqual([run.state(4).state, run.state(4).value], ['holding', 10], '40 requests in the 4 s after the warm-up');
  const verdict = run.final(bridge.log('GET', '/a', 100, 10).final());
  assert.deepEqual(verdict.thresholds.map((s) => s.state), ['passed', 'failed', 'passed', 'passed', 'passed']);
  assert.deepEqual(verdict.thresholds.map((s) => s.value), [100, 1000, 100, 0, 50 / 5]);

  const short = new FakeBridge();
  const early = live(['p95 < 250ms after 1m']);
  for (let s = 0; s < 3; s++) early.tick(short.log('GET', '/a', 100, 10).tick());
  const ended = early.final(short.final());
  assert.deepEqual([ended.outcome, ended.thresholds[0]!.state, ended.thresholds[0]!.reason], ['unknown', 'unknown', 'the run ended before the 1 min warm-up was over']);
});

test('windowed: judged in every full window; one window that breaks it fails it for good', () => {
  const bridge = new FakeBridge();
  const run = live(['p95 < 250ms over 3s', 'p95 < 2s over 3s', 'GET /a: rps >= 10 over 2s', 'p95 < 250ms over 1h']);
  const states: string[] = [];
  for (let s = 0; s < 12; s++) {
    // Slow requests in seconds 6 and 7 only.
    run.tick(bridge.log('GET', '/a', s === 6 || s === 7 ? 900 : 100, 10).tick());
    states.push(run.state(0).state);
  }
  assert.deepEqual(states.slice(0, 3), ['pending', 'pending', 'holding'], 'the first full 3 s window ends at the third tick');
  assert.equal(states[5], 'holding');
  assert.deepEqual(states.slice(6), ['failed', 'failed', 'failed', 'failed', 'failed', 'failed'], 'failed for good, though later windows are fast again');
  assert.equal(run.state(0).value, 900);
  assert.equal(run.state(0).failedAt, 7, 'at the end of the window that broke it (seconds since the start)');
  assert.match(run.state(0).reason ?? '', /in the 3 s window ending at 7 s/);
  const verdict = run.final(bridge.log('GET', '/a', 100, 10).final());
  assert.deepEqual(verdict.thresholds.map((s) => s.state), ['failed', 'passed', 'passed', 'unknown']);
  assert.equal(verdict.thresholds[1]!.value, 900, 'the worst window');
  assert.equal(verdict.thresholds[2]!.value, 10);
  assert.equal(verdict.thresholds[3]!.reason, 'the run ended before a full 1 h window');
});

test('the final statistics close one more window: requests after the last tick are judged too', () => {
  const bridge = new FakeBridge();
  const run = live(['p95 < 250ms over 2s', 'GET /a: max < 250ms over 2s']);
  for (let s = 0; s < 4; s++) run.tick(bridge.log('GET', '/a', 100, 10).tick());
  bridge.now -= 700;
  const verdict = run.final(bridge.log('GET', '/a', 900, 10).final());
  assert.deepEqual(verdict.thresholds.map((s) => [s.state, s.value, s.failedAt]), [['failed', 900, 4.3], ['failed', 900, 4.3]]);
});

test('a windowed rate fails when its traffic stops; windows after a warm-up start after it', () => {
  const bridge = new FakeBridge();
  const run = live(['rps > 4 over 2s after 3s', 'rps > 4 over 2s']);
  for (let s = 0; s < 8; s++) run.tick((s < 2 ? bridge : bridge.log('GET', '/a', 10, 10)).tick());
  assert.deepEqual([run.state(0).state, run.state(1).state], ['holding', 'holding'], 'no window before the first request is judged');
  for (let s = 0; s < 3; s++) run.tick(bridge.tick());
  assert.deepEqual([run.state(0).state, run.state(0).value, run.state(0).failedAt], ['failed', 0, 10]);
});

test('a stats reset restarts whole-run statistics; a maximum crossed before it stays failed', () => {
  const bridge = new FakeBridge();
  const run = live(['fail_ratio < 10%', 'max < 500ms', 'rps > 5']);
  for (let s = 0; s < 3; s++) run.tick(bridge.log('GET', '/a', 600, 10, true).tick());
  assert.deepEqual(run.evaluator.statuses().map((s) => s.state), ['failing', 'failed', 'holding']);
  bridge.reset();
  for (let s = 0; s < 4; s++) run.tick(bridge.log('GET', '/a', 100, 20).tick());
  assert.deepEqual([run.state(0).state, run.state(0).value], ['holding', 0], 'failures before the reset no longer count');
  assert.equal(run.state(1).state, 'failed');
  assert.equal(run.state(2).value, 20, 'live rates count from the tick before the reset');
  const verdict = run.final(bridge.final());
  assert.deepEqual(verdict.thresholds.map((s) => s.state), ['passed', 'failed', 'passed']);
  assert.equal(verdict.thresholds[1]!.failedAt, 1, 'at the first tick, 1 s into the run');
});

test('at the end, rates are exactly Locust’s: count / (lastRequestTime - startTime)', () => {
  const bridge = new FakeBridge();
  bridge.startTime = START / 1000 + 0.123;
  const run = live(['rps > 1', 'failures_per_s < 1', 'GET /b: rps < 1']);
  for (let s = 0; s < 4; s++) run.tick(bridge.log('GET', '/a', 10, 7).log('GET', '/b', 10, 1, true).tick());
  bridge.now += 250;
  const final = bridge.log('GET', '/a', 10, 3).final();
  const verdict = run.final(final);
  const seconds = final.lastRequestTime! - final.startTime!;
  assert.equal(verdict.thresholds[0]!.value, 35 / seconds);
  assert.equal(verdict.thresholds[1]!.value, 4 / seconds);
  assert.equal(verdict.thresholds[2]!.value, 4 / seconds, 'an endpoint divides by the same global times, as Locust’s total_rps');
});

test('abort: an abort threshold that fails is reported at once and fails the verdict', () => {
  const bridge = new FakeBridge();
  const run = live(['fail_ratio < 10% after 2s abort', 'p95 < 1s over 2s abort', 'p95 < 1s']);
  for (let s = 0; s < 2; s++) run.tick(bridge.log('GET', '/a', 10, 10, true).tick());
  assert.equal(run.evaluator.abortedBy, undefined, 'failures during the warm-up do not abort');
  run.tick(bridge.log('GET', '/a', 10, 10).tick());
  assert.equal(run.evaluator.abortedBy, undefined);
  run.tick(bridge.log('GET', '/a', 10, 10, true).log('GET', '/a', 10, 10).tick());
  assert.equal(run.evaluator.abortedBy, 'fail_ratio < 10% after 2s abort');
  assert.deepEqual([run.state(0).state, run.state(0).failedAt], ['failed', 4]);
  assert.match(run.state(0).reason ?? '', /stopped early/);
  // The run goes on until it stops: a later recovery does not undo it, and a second abort threshold does not take over.
  run.tick(bridge.log('GET', '/a', 5000, 100).tick());
  assert.equal(run.evaluator.abortedBy, 'fail_ratio < 10% after 2s abort');
  const verdict = run.final(bridge.log('GET', '/a', 10, 1000).final());
  assert.deepEqual([verdict.outcome, verdict.abortedBy], ['failed', 'fail_ratio < 10% after 2s abort']);
  assert.equal(verdict.thresholds[0]!.state, 'failed');
  assert.equal(verdict.thresholds[1]!.state, 'failed');
});

test('no verdict for a crashed run, one without final statistics, or one without thresholds', () => {
  const bridge = new FakeBridge();
  const evaluator = new ThresholdEvaluator(thresholds('p95 < 1s'), { startedAt: START });
  evaluator.apply(bridge.log('GET', '/a', 10).tick());
  assert.equal(evaluator.verdict({ completed: true }), undefined, 'no final statistics');
  const final = bridge.final();
  evaluator.apply(final);
  assert.equal(evaluator.verdict({ completed: false }), undefined, 'the caller says it crashed');
  assert.equal(evaluator.verdict({ completed: true })?.outcome, 'passed');
  assert.equal(new ThresholdEvaluator([], { startedAt: START }).verdict({ completed: true }), undefined);
  assert.equal(judgeRecord(thresholds('p95 < 1s'), { startedAt: START, ticks: [], final: undefined, completed: true }), undefined);
});

test('apply returns the statuses only when one of them changed', () => {
  const bridge = new FakeBridge();
  const evaluator = new ThresholdEvaluator(thresholds('max < 1s', 'GET /x: p95 < 1s'), { startedAt: START });
  assert.equal(evaluator.apply({ type: 'state', state: 'running', userCount: 1, t: START }), undefined);
  assert.equal(evaluator.apply(bridge.tick()), undefined, 'still pending');
  assert.deepEqual(evaluator.apply(bridge.log('GET', '/a', 10).tick())?.map((s) => s.state), ['holding', 'pending']);
  assert.equal(evaluator.apply(bridge.log('GET', '/a', 10).tick()), undefined, 'same state, same value');
});

test('without window histograms (attached runs, older records) partial-run percentiles are unknown; counts still judged', () => {
  const bridge = new FakeBridge();
  bridge.withHistograms = false;
  const run = live(['p95 < 1s over 2s', 'p95 < 1s after 2s', 'fail_ratio < 1% over 2s', 'avg < 1s after 2s', 'p95 < 1s']);
  for (let s = 0; s < 6; s++) run.tick(bridge.log('GET', '/a', 10, 10).tick());
  const verdict = run.final(bridge.final());
  assert.deepEqual(verdict.thresholds.map((s) => s.state), ['unknown', 'unknown', 'passed', 'passed', 'passed']);
  assert.match(verdict.thresholds[0]!.reason ?? '', /no window histograms/);
  assert.equal(verdict.thresholds[3]!.value, 10);
});

test('the per-tick cap of changed endpoints: scoped windows and warm-ups start only where nothing was left out', () => {
  const bridge = new FakeBridge();
  const run = live(['GET /a: p95 < 1s after 2s', 'GET /a: p95 < 1s over 2s', 'p95 < 1s over 2s']);
  // Three endpoints change every tick but only two fit: every tick leaves one out.
  const busy = () => bridge.log('GET', '/a', 10).log('GET', '/b', 10).log('GET', '/c', 10);
  for (let s = 0; s < 6; s++) run.tick(busy().tick(2));
  assert.deepEqual(run.evaluator.statuses().map((s) => s.state), ['pending', 'pending', 'holding'], 'the aggregate is always whole');
  // Quieter: every change fits again.
  for (let s = 0; s < 3; s++) run.tick(bridge.log('GET', '/a', 10).tick(2));
  assert.equal(run.state(0).state, 'holding');
  const verdict = run.final(bridge.final());
  assert.deepEqual(verdict.thresholds.map((s) => s.state), ['passed', 'unknown', 'passed']);
  assert.match(verdict.thresholds[1]!.reason ?? '', /could not be judged exactly/);
});
