// RunAggregate: how the bridge's messages become the run the panel shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBridgeLine, type BridgeMessage } from '../../protocol/runner';
import { appendPoint, emptySeries, ENDPOINT_SERIES_BUDGET, SERIES_BUDGET, seriesXY } from '../../protocol/webview';
import { parseDuration as parseRunTime } from '../../protocol/duration';
import { endpointKey, RunAggregate } from '../../runner/runAggregate';
import { endpointStats } from '../helpers/runFixtures';

const description = { id: 'r1', locustfile: '/w/locustfile.py', host: '', userClasses: [], targetUsers: 5, startedAt: 0 };
const total = (requests: number) => endpointStats({ method: '', name: 'Aggregated', requests });

test('ticks carry only changed endpoints; the snapshot keeps every endpoint seen', () => {
  const run = new RunAggregate(description);
  run.apply({ type: 'hello', protocol: 1, pid: 1, locustVersion: '2.12.1', runnerKind: 'local', userClasses: ['A', 'B'], shape: null, host: 'http://127.0.0.1:9', features: [] });
  run.apply({ type: 'tick', seq: 1, t: 1, state: 'spawning', userCount: 2, usersByClass: { A: 2 }, omitted: 0,
    endpoints: [endpointStats({ name: '/a', requests: 3 }), endpointStats({ name: '/b', requests: 1 })], total: total(4) });
  const changed = run.apply({ type: 'tick', seq: 2, t: 2, state: 'running', userCount: 5, usersByClass: { A: 5 }, omitted: 0,
    endpoints: [endpointStats({ name: '/a', requests: 9 })], total: total(10) });
  assert.deepEqual(changed.endpoints.map((e) => e.name), ['/a']);
  const snapshot = run.snapshot;
  assert.deepEqual(snapshot.endpoints.map((e) => [e.name, e.requests]), [['/a', 9], ['/b', 1]]);
  assert.deepEqual(snapshot.userClasses, ['A', 'B'], 'an all-classes run learns its classes from hello');
  assert.equal(snapshot.host, 'http://127.0.0.1:9', 'and the host Locust resolved');
  assert.equal(snapshot.state, 'running');
  assert.equal(snapshot.total?.requests, 10);
});

test('a run that exits without final statistics is failed, with a message; one with them is stopped', () => {
  const crashed = new RunAggregate(description);
  crashed.finish({ code: null, signal: 'SIGKILL' });
  assert.equal(crashed.state, 'failed');
  assert.match(crashed.snapshot.message ?? '', /SIGKILL.*before reporting final statistics/);

  const finished = new RunAggregate(description);
  finished.apply({ type: 'final', t: 3, endpoints: [endpointStats({ name: '/a', requests: 12 })], total: total(12), failures: [] });
  finished.finish({ code: 0, signal: null });
  assert.equal(finished.state, 'stopped');
  assert.equal(finished.snapshot.message, undefined);
  assert.equal(finished.snapshot.endpoints[0]?.requests, 12, 'final statistics replace the last tick');
});

const tick = (t: number, endpoints: ReturnType<typeof endpointStats>[], extra: Partial<Extract<BridgeMessage, { type: 'tick' }>> = {}): BridgeMessage => ({
  type: 'tick', seq: t, t: t * 1000, state: 'running', userCount: 4, usersByClass: { A: 3, B: 1 }, omitted: 0,
  endpoints, total: total(10), ...extra,
});

test('each tick adds a point to the total, per User class and per endpoint series; the snapshot carries run series', () => {
  const run = new RunAggregate(description);
  const change = run.apply(tick(1, [endpointStats({ name: '/a', window: { seconds: 2, requests: 10, failures: 2, p50: 12, p95: 80 } })]));
  const p99 = endpointStats({ name: 'x' }).percentiles[7]!;
  // Rates per second of the window, its percentiles, users, then p50/p95/p99 over 10 s and 30 s (without window
  // histograms, as here, those repeat the tick's).
  assert.deepEqual(change.points?.total, { t: 1, v: [10, 0, 15, 90, p99, 4, 15, 90, p99, 15, 90, p99] }, 'rates per second of the window, then users');
  assert.deepEqual(change.points?.byEndpoint.get(endpointKey({ method: 'GET', name: '/a' })), [{ t: 1, v: [5, 1, 12, 80, p99, null, 12, 80, p99, 12, 80, p99] }]);
  assert.deepEqual(change.points?.userClasses.map((c) => [c.name, c.value.v[0]]), [['A', 3], ['B', 1]]);
  const series = run.snapshot.series!;
  assert.equal(series.total.recent.length, 1);
  assert.deepEqual(series.userClasses.map((c) => c.name), ['A', 'B']);
  assert.equal(run.seriesOf({ method: 'GET', name: '/a' }).recent.length, 1);
  assert.equal(run.seriesOf({ method: 'GET', name: '/nope' }).recent.length, 0);
});

test('p99 samples are the window’s when the tick carries one, the cumulative p99 for older records without it', () => {
  const cumulativeP99 = endpointStats({ name: 'x' }).percentiles[7]!;
  const window = (p99?: number | null) => ({ seconds: 1, requests: 10, failures: 0, p50: 12, p95: 80, ...(p99 !== undefined && { p99 }) });
  const run = new RunAggregate(description);
  const withP99 = run.apply(tick(1, [endpointStats({ name: '/a', window: window(95) })], { total: endpointStats({ name: 'Aggregated', window: window(140) }) }));
  assert.notEqual(cumulativeP99, 140, 'the fixture tells the two apart');
  assert.equal(withP99.points?.total.v[4], 140, 'the total’s p99 is its window p99');
  assert.equal(withP99.points?.byEndpoint.get(endpointKey({ method: 'GET', name: '/a' }))?.[0]?.v[4], 95, 'and an endpoint’s too');
  const quiet = run.apply(tick(2, [endpointStats({ name: '/a', window: window(null) })], { total: endpointStats({ name: 'Aggregated', window: window(null) }) }));
  assert.equal(quiet.points?.total.v[4], null, 'a window without requests has no p99 (a gap, like p50 and p95), not the cumulative one');
  const old = run.apply(tick(3, [endpointStats({ name: '/a', window: window() })], { total: endpointStats({ name: 'Aggregated', window: window() }) }));
  assert.equal(old.points?.total.v[4], cumulativeP99, 'a record from before window p99 falls back to the cumulative p99');
  assert.equal(old.points?.byEndpoint.get(endpointKey({ method: 'GET', name: '/a' }))?.[0]?.v[4], cumulativeP99);
});

test('the protocol takes ticks with and without a window p99 (records written before it existed still validate)', () => {
  const line = (p99?: number | null) =>
    JSON.stringify(tick(1, [], { total: endpointStats({ name: 'Aggregated', window: { seconds: 1, requests: 1, failures: 0, p50: 1, p95: 2, ...(p99 !== undefined && { p99 }) } }) }));
  for (const p99 of [undefined, null, 7]) {
    const parsed = parseBridgeLine(line(p99));
    assert.ok(parsed.ok, `p99 ${String(p99)}: ${parsed.ok ? '' : parsed.error}`);
    assert.equal(parsed.message.type === 'tick' && parsed.message.total.window.p99, p99);
  }
  assert.equal(parseBridgeLine(line(-1)).ok, false, 'a negative window p99 is refused');
});

test('an endpoint missing from a tick drops to zero once, and rises from zero when it comes back', () => {
  const run = new RunAggregate(description);
  const a = endpointStats({ name: '/a' });
  run.apply(tick(1, [a]));
  const gone = run.apply(tick(2, []));
  assert.deepEqual(gone.points?.byEndpoint.get(endpointKey({ method: 'GET', name: '/a' })), [{ t: 2, v: [0, 0, ...Array<null>(10).fill(null)] }]);
  run.apply(tick(3, []));
  const back = run.apply(tick(4, [a]));
  assert.deepEqual(back.points?.byEndpoint.get(endpointKey({ method: 'GET', name: '/a' }))?.map((p) => [p.t, p.v[0]]), [[3, 0], [4, 10]]);
  assert.deepEqual(run.seriesOf(a).recent.map((p) => p.t), [1, 2, 3, 4], 'no point for the ticks it was absent');
  const capped = run.apply(tick(5, [], { omitted: 3 }));
  assert.equal(capped.points?.byEndpoint.size, 0, 'absence under the per-message cap says nothing about traffic');
});

test('failures merge by (method, name, error) in ticks and final replaces them; exceptions merge by message and traceback', () => {
  const run = new RunAggregate(description);
  const failure = (error: string, occurrences: number) => ({ method: 'GET', name: '/a', error, occurrences, firstSeen: 1, lastSeen: 2 });
  run.apply(tick(1, [], { failures: [failure('500', 1), failure('timeout', 1)], exceptions: [{ count: 1, message: 'boom', traceback: 'tb' }] }));
  const second = run.apply(tick(2, [], { failures: [failure('500', 4)], exceptions: [{ count: 2, message: 'boom', traceback: 'tb' }] }));
  assert.deepEqual(second.failures?.map((f) => f.occurrences), [4], 'a tick passes on only what changed');
  assert.deepEqual(run.snapshot.failures?.map((f) => [f.error, f.occurrences]), [['500', 4], ['timeout', 1]]);
  assert.deepEqual(run.snapshot.exceptions?.map((e) => e.count), [2]);
  const final = run.apply({ type: 'final', t: 3, endpoints: [], total: total(5), failures: [failure('500', 5)] });
  assert.equal(final.replaceFailures, true);
  assert.deepEqual(run.snapshot.failures?.map((f) => [f.error, f.occurrences]), [['500', 5]]);
});

test('a series keeps full resolution for the recent window and min/max buckets for older data', () => {
  const budget = { recentSeconds: 60, maxBuckets: 20 };
  const series = emptySeries();
  // A spike at t=30 must survive downsampling as a bucket maximum; a dip at t=31 as a minimum.
  for (let t = 0; t <= 200; t++) appendPoint(series, { t, v: [t === 30 ? 1000 : t === 31 ? -5 : 10] }, budget);
  assert.equal(series.recent[0]?.t, 140, 'the last 60 s at full resolution');
  assert.equal(series.recent.length, 61);
  assert.ok(series.older.length > 0 && series.older.length <= 20);
  const spike = series.older.find((b) => b.t <= 30 && 30 < b.t + series.bucketSeconds)!;
  assert.equal(spike.hi[0], 1000);
  assert.equal(series.older.find((b) => b.t <= 31 && 31 < b.t + series.bucketSeconds)!.lo[0], -5);
  const xs = seriesXY(series, 0).map((p) => p.x);
  assert.deepEqual(xs, [...xs].sort((a, b) => a - b), 'drawn x values never go back (decimation needs sorted data)');
  assert.equal(seriesXY(series, 0).length, 2 * series.older.length + series.recent.length);
});

test('a 24-hour run costs what a 1-hour run costs', () => {
  const points = (hours: number) => {
    const series = emptySeries();
    for (let t = 0; t < hours * 3600; t++) appendPoint(series, { t, v: [1, 2, 3, 4, 5, 6] });
    return { recent: series.recent.length, older: series.older.length, total: series.recent.length + 2 * series.older.length };
  };
  const hour = points(1);
  const day = points(24);
  assert.equal(day.recent, SERIES_BUDGET.recentSeconds + 1);
  assert.ok(day.older <= SERIES_BUDGET.maxBuckets, `${day.older} buckets`);
  assert.ok(day.total <= hour.total * 1.6 && day.total <= SERIES_BUDGET.recentSeconds + 1 + 2 * SERIES_BUDGET.maxBuckets, JSON.stringify({ hour, day }));
});

test('a point older than the last one is ignored, and the host copy equals a panel copy fed by snapshot + ticks', () => {
  const host = emptySeries();
  const budget = { recentSeconds: 10, maxBuckets: 4 };
  for (let t = 0; t < 50; t++) appendPoint(host, { t, v: [t % 7] }, budget);
  const panel = structuredClone(host);
  for (let t = 50; t < 120; t++) {
    appendPoint(host, { t, v: [t % 7] }, budget);
    appendPoint(panel, { t, v: [t % 7] }, budget);
  }
  appendPoint(host, { t: 3, v: [99] }, budget);
  assert.deepEqual(panel, host);
});

test('per-endpoint series use the smaller endpoint budget, so thousands of endpoints stay affordable', () => {
  const run = new RunAggregate(description);
  const a = endpointStats({ name: '/a' });
  for (let t = 1; t <= 4 * 3600; t++) run.apply(tick(t, [a]));
  const series = run.seriesOf(a);
  assert.equal(series.recent.length, ENDPOINT_SERIES_BUDGET.recentSeconds + 1);
  assert.ok(series.older.length <= ENDPOINT_SERIES_BUDGET.maxBuckets, `${series.older.length} buckets`);
  assert.equal(run.snapshot.series?.total.recent.length, SERIES_BUDGET.recentSeconds + 1, 'the run’s own series keeps the larger budget');
});

test('parseDuration (the one run-time parser) reads Locust run times into seconds and rejects what Locust would not take', () => {
  assert.equal(parseRunTime('30s'), 30);
  assert.equal(parseRunTime('5m'), 300);
  assert.equal(parseRunTime('1h30m'), 5400);
  assert.equal(parseRunTime('1h2m3s'), 3723);
  assert.equal(parseRunTime('90'), 90);
  assert.equal(parseRunTime(' 2m '), 120);
  for (const bad of ['', undefined, '5 minutes', '1.5m', 'm', '-3s']) assert.equal(parseRunTime(bad), undefined, String(bad));
});
