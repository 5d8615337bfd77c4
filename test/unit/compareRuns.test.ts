// Comparing two runs (runner/runBatches.ts, runner/compareRuns.ts, runner/compareReport.ts) on constructed runs: the
// statistics, the batch file the recorder writes, records that are old, torn, foreign or of a newer format.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { COMPARISON_RULE, ENDPOINT_VERDICT_LABEL, minRequestsFor, RUN_BATCHES_FILE, RUN_BATCHES_FORMAT, type Comparison } from '../../protocol/compare';
import { PERCENTILES, type BridgeMessage, type EndpointStats } from '../../protocol/runner';
import { comparisonExitStatus, comparisonTable } from '../../runner/cli';
import { COMPARISON_REPORT_STYLE, COMPARISON_REPORT_STYLE_HASH, renderComparisonHtml } from '../../runner/compareReport';
import { compareBatches, compareRecords, loadRunForComparison, twoSidedP, welchTest } from '../../runner/compareRuns';
import { flatHistogramPercentile } from '../../runner/responseTimes';
import { batchesOfTicks, RunBatches } from '../../runner/runBatches';
import { loadRunRecord, RunRecorder } from '../../runner/runRecord';
import { locustRoundedTime, seededRandom } from '../helpers/synthetic';

type Tick = Extract<BridgeMessage, { type: 'tick' }>;
type Final = Extract<BridgeMessage, { type: 'final' }>;

const STARTED = Date.UTC(2026, 10, 22, 1, 0, 0);



interface EndpointSpec {
  name: string;
  method?: string;
  /** Median response time in ms (log-normal spread around it). */
  ms: number;
  /** Requests per second. */
  rps: number;
  failRatio?: number;
}

interface RunSpec {
  seconds: number;
  seed: number;
  /** Ticks in state spawning at the start. */
  ramp?: number;
  /** Leave window histograms (and p99) out, as older records and attached runs do. */
  noHistograms?: boolean;
}

/** A run as the bridge streams it: ticks of 1 s whose windows hold sampled response times, then the final statistics. */
function syntheticRun(specs: EndpointSpec[], { seconds, seed, ramp = 2, noHistograms = false }: RunSpec): { ticks: Tick[]; final: Final } {
  const rand = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const cumulative = new Map<string, EndpointStats>();
  const totalOf = (): EndpointStats => {
    const all = [...cumulative.values()];
    return stats('', 'Aggregated', all.reduce((n, e) => n + e.requests, 0), all.reduce((n, e) => n + e.failures, 0));
  };
  const ticks: Tick[] = [];
  for (let s = 1; s <= seconds; s++) {
    // A slow second is slow for every endpoint: load tests are autocorrelated.
    const common = Math.exp(0.05 * gauss());
    const endpoints: EndpointStats[] = [];
    const totalCounts = new Map<number, number>();
    let totalRequests = 0;
    let totalFailures = 0;
    for (const spec of specs) {
      const n = Math.max(0, Math.round(spec.rps * (1 + 0.1 * gauss())));
      const counts = new Map<number, number>();
      let failures = 0;
      for (let i = 0; i < n; i++) {
        const ms = locustRoundedTime(spec.ms * common * Math.exp(0.25 * gauss()));
        counts.set(ms, (counts.get(ms) ?? 0) + 1);
        totalCounts.set(ms, (totalCounts.get(ms) ?? 0) + 1);
        if (rand() < (spec.failRatio ?? 0)) failures++;
      }
      totalRequests += n;
      totalFailures += failures;
      const key = `${spec.method ?? 'GET'} ${spec.name}`;
      const before = cumulative.get(key);
      const e = stats(spec.method ?? 'GET', spec.name, (before?.requests ?? 0) + n, (before?.failures ?? 0) + failures, window(counts, n, failures, noHistograms));
      cumulative.set(key, e);
      if (n > 0 || failures > 0) endpoints.push(e);
    }
    const total = { ...totalOf(), window: window(totalCounts, totalRequests, totalFailures, noHistograms) };
    ticks.push({ type: 'tick', seq: s, t: STARTED + s * 1000, state: s <= ramp ? 'spawning' : 'running', userCount: 10, usersByClass: { U: 10 }, endpoints, total, omitted: 0 });
  }
  const final: Final = { type: 'final', t: STARTED + seconds * 1000 + 200, endpoints: [...cumulative.values()], total: totalOf(), failures: [], startTime: STARTED / 1000, lastRequestTime: STARTED / 1000 + seconds };
  return { ticks, final };
}

function window(counts: Map<number, number>, requests: number, failures: number, noHistograms: boolean): EndpointStats['window'] {
  const histogram = [...counts.entries()].sort((a, b) => a[0] - b[0]).flat();
  const p = (q: number) => (requests ? flatHistogramPercentile(histogram, q) : null);
  return { seconds: 1, requests, failures, p50: p(0.5), p95: p(0.95), ...(noHistograms ? {} : { p99: p(0.99), histogram }) };
}

function stats(method: string, name: string, requests: number, failures: number, w?: EndpointStats['window']): EndpointStats {
  return {
    method,
    name,
    requests,
    failures,
    totalResponseTime: requests * 50,
    minResponseTime: requests ? 5 : null,
    maxResponseTime: requests ? 500 : 0,
    totalContentLength: requests * 100,
    percentiles: PERCENTILES.map((q) => (requests ? Math.round(20 + 100 * q) : null)),
    window: w ?? { seconds: 1, requests: 0, failures: 0, p50: null, p95: null },
  };
}

const ENDPOINTS: EndpointSpec[] = [
  { name: '/a', ms: 20, rps: 120 },
  { name: '/b', ms: 50, rps: 120 },
  { name: '/c', ms: 80, rps: 120 },
  { name: '/d', method: 'POST', ms: 120, rps: 120 },
];

function runOf(specs: EndpointSpec[], spec: RunSpec) {
  return { batches: batchesOfTicks(syntheticRun(specs, spec).ticks).snapshot() };
}

function verdicts(comparison: Comparison): Record<string, string> {
  return Object.fromEntries(comparison.endpoints.map((e) => [`${e.method} ${e.name}`, e.verdict]));
}

let scratch: string | undefined;
async function scratchDir(): Promise<string> {
  scratch ??= await mkdtemp(path.join(os.tmpdir(), 'locust-studio-compare-'));
  return scratch;
}
after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Records a synthetic run through the real recorder (batches.json and the headline written at its end). */
async function record(specs: EndpointSpec[], spec: RunSpec, name: string): Promise<string> {
  const base = path.join(await scratchDir(), name);
  const recorder = RunRecorder.create(base, { locustfile: '/work/locustfile.py', users: 10, host: 'http://127.0.0.1:1' }, { startedAt: STARTED, id: name });
  recorder.onMessage({ type: 'hello', protocol: 1, pid: 1, locustVersion: '2.47.0', runnerKind: 'local', userClasses: ['U'], shape: null, host: 'http://127.0.0.1:1', features: [] });
  const { ticks, final } = syntheticRun(specs, spec);
  for (const tick of ticks) recorder.onMessage(tick);
  recorder.onMessage(final);
  recorder.finish({ code: 0, signal: null });
  return recorder.dir;
}

/** Every file of a folder with its bytes' hash: what "nothing changed, nothing deleted" is checked against. */
async function contents(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = createHash('sha256').update(await readFile(path.join(dir, name))).digest('hex');
  return out;
}

test('statistics: Welch p-values match Student’s t tables', () => {
  assert.ok(Math.abs(twoSidedP(2.776445, 4) - 0.05) < 1e-5);
  assert.ok(Math.abs(twoSidedP(63.657, 1) - 0.01) < 1e-5);
  assert.ok(Math.abs(twoSidedP(3.169, 10) - 0.01) < 1e-4);
  assert.equal(twoSidedP(0, 7), 1);
  const same = welchTest([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]);
  assert.equal(same.pValue, 1);
  // t = 5 with 8 degrees of freedom.
  assert.ok(Math.abs(welchTest([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).pValue - 0.001053) < 1e-5);
  assert.equal(welchTest([0, 0, 0, 0, 0], [0.1, 0.1, 0.1, 0.1, 0.1]).pValue, 0, 'no spread: any difference is certain');
});

test('two runs of the same system (different seeds): no endpoint changed, the verdict is ok, exit status 0', () => {
  for (const [seedA, seedB] of [[1, 2], [3, 4], [5, 6]] as const) {
    const comparison = compareBatches(runOf(ENDPOINTS, { seconds: 30, seed: seedA }), runOf(ENDPOINTS, { seconds: 30, seed: seedB }));
    assert.equal(comparison.verdict, 'ok', JSON.stringify(verdicts(comparison)));
    assert.deepEqual(Object.values(verdicts(comparison)), ['noChange', 'noChange', 'noChange', 'noChange']);
    assert.equal(comparison.aggregate.verdict, 'noChange');
    assert.equal(comparisonExitStatus(comparison), 0);
    assert.deepEqual(comparison.notes, [], 'same locustfile, users, host: nothing to warn about');
    const p95 = comparison.endpoints[0]!.metrics.p95;
    assert.ok(p95.samples.base >= COMPARISON_RULE.minSamples && p95.pValue !== null, 'p95 was judged, not skipped');
  }
});

test('one endpoint 30 % slower and one 30 % faster: exactly those change, the comparison regressed', () => {
  const changed = ENDPOINTS.map((e) => (e.name === '/b' ? { ...e, ms: e.ms * 1.3 } : e.name === '/c' ? { ...e, ms: e.ms / 1.3 } : e));
  const comparison = compareBatches(runOf(ENDPOINTS, { seconds: 30, seed: 11 }), runOf(changed, { seconds: 30, seed: 12 }));
  assert.deepEqual(verdicts(comparison), { 'GET /a': 'noChange', 'GET /b': 'regressed', 'GET /c': 'improved', 'POST /d': 'noChange' });
  assert.equal(comparison.verdict, 'regressed');
  assert.equal(comparisonExitStatus(comparison), 1);
  const b = comparison.endpoints.find((e) => e.name === '/b')!;
  assert.equal(b.metrics.p50.verdict, 'regressed');
  assert.ok(b.metrics.p50.change! > 0.2 && b.metrics.p50.change! < 0.4, `measured change ${b.metrics.p50.change}`);
  assert.ok(b.metrics.p50.pValue! < 0.01);
  assert.ok(b.metrics.p95.delta! > 0, 'delta is new − base');
  assert.equal(b.metrics.rps.decides, false, 'requests/s does not judge an endpoint');
  assert.equal(comparison.aggregate.metrics.rps.decides, true, 'it judges the aggregate');
  const table = comparisonTable(comparison);
  assert.match(table, /^GET\s+\/b\s+regressed\s/m);
  assert.match(table, new RegExp(`^GET\\s+/a\\s+${ENDPOINT_VERDICT_LABEL.noChange}`, 'm'));
  assert.match(table, /^Comparison: regressed \(1 of 4 endpoints regressed: GET \/b/m);
});

test('a whole run slower together (a busier machine): only the endpoint that stands out regressed; the aggregate carries the rest, with a note', () => {
  // Every endpoint 15 % slower (the drift of a run), /b 30 % slower on top of it (a real change).
  const drifted = ENDPOINTS.map((e) => ({ ...e, ms: e.ms * 1.15 * (e.name === '/b' ? 1.3 : 1) }));
  const comparison = compareBatches(runOf(ENDPOINTS, { seconds: 30, seed: 21 }), runOf(drifted, { seconds: 30, seed: 22 }));
  assert.deepEqual(verdicts(comparison), { 'GET /a': 'noChange', 'GET /b': 'regressed', 'GET /c': 'noChange', 'POST /d': 'noChange' });
  const a = comparison.endpoints.find((e) => e.name === '/a')!.metrics.p50;
  assert.ok(a.change! > 0.1, `/a did get slower (${a.change}): it is no real change only because every endpoint did`);
  assert.ok(a.commonChange! > 0.1 && a.commonChange! < 0.2, `the common change is about 15 % (${a.commonChange})`);
  assert.equal(comparison.aggregate.verdict, 'regressed', 'the whole run is judged on the aggregate');
  assert.equal(comparison.aggregate.metrics.p50.commonChange, null);
  assert.equal(comparison.verdict, 'regressed');
  assert.match(comparison.notes.join('\n'), /Every endpoint changed together \(median p50 \+1\d %/);
  // Fewer than three endpoints: no common change is assumed, each is judged on its own.
  const two = compareBatches(runOf(ENDPOINTS.slice(0, 2), { seconds: 30, seed: 23 }), runOf(drifted.slice(0, 2), { seconds: 30, seed: 24 }));
  assert.deepEqual(Object.values(verdicts(two)), ['regressed', 'regressed']);
});

test('a tiny but significant difference is no real change; failures rising are a regression', () => {
  const nudged = ENDPOINTS.map((e) => (e.name === '/a' ? { ...e, ms: e.ms * 1.02 } : e.name === '/d' ? { ...e, failRatio: 0.1 } : e));
  const comparison = compareBatches(runOf(ENDPOINTS, { seconds: 40, seed: 21 }), runOf(nudged, { seconds: 40, seed: 22 }));
  const v = verdicts(comparison);
  assert.equal(v['GET /a'], 'noChange', 'a 2 % change is below the smallest change worth reporting');
  assert.equal(v['POST /d'], 'regressed');
  const d = comparison.endpoints.find((e) => e.name === '/d')!;
  assert.equal(d.metrics.failPercent.verdict, 'regressed');
  assert.ok(Math.abs(d.metrics.failPercent.new! - 10) < 2, `failure % ${d.metrics.failPercent.new}`);
});

test('too few requests or too short a run: not enough data, and the comparison is inconclusive', () => {
  const sparse: EndpointSpec[] = [...ENDPOINTS, { name: '/rare', ms: 30, rps: 2 }];
  const comparison = compareBatches(runOf(sparse, { seconds: 20, seed: 31 }), runOf(sparse, { seconds: 20, seed: 32 }));
  const rare = comparison.endpoints.find((e) => e.name === '/rare')!;
  assert.equal(rare.verdict, 'notEnoughData');
  assert.equal(rare.metrics.p95.verdict, 'notEnoughData');
  assert.ok(rare.metrics.p95.samples.base < COMPARISON_RULE.minSamples);
  assert.ok(rare.metrics.p50.base !== null, 'its values are still shown');
  // p99 needs 500 requests a sample: 20 s of 120/s give fewer than 5 of them.
  assert.equal(minRequestsFor(0.99), 500);
  assert.equal(comparison.endpoints[0]!.metrics.p99.verdict, 'notEnoughData');
  assert.equal(comparison.verdict, 'ok');

  const short = compareBatches(runOf(ENDPOINTS, { seconds: 3, seed: 33 }), runOf(ENDPOINTS, { seconds: 3, seed: 34 }));
  assert.equal(short.aggregate.verdict, 'notEnoughData');
  assert.equal(short.verdict, 'inconclusive');
  assert.equal(comparisonExitStatus(short), 0);
  assert.ok(short.notes.some((n) => /ramp is included/.test(n)), short.notes.join('\n'));
});

test('endpoints only in one run are listed, not compared; runs that differ are noted, not refused', () => {
  const base = runOf([...ENDPOINTS, { name: '/old', ms: 10, rps: 50 }], { seconds: 20, seed: 41 });
  const next = runOf([...ENDPOINTS, { name: '/new', method: 'PUT', ms: 10, rps: 50 }], { seconds: 20, seed: 42 });
  const comparison = compareBatches(
    { ...base, options: { locustfile: '/a/locustfile.py', users: 10, host: 'http://x' } },
    { ...next, options: { locustfile: '/b/locustfile.py', users: 10, host: 'http://y' } },
  );
  assert.deepEqual(comparison.onlyInBase.map((e) => `${e.method} ${e.name}`), ['GET /old']);
  assert.deepEqual(comparison.onlyInNew.map((e) => `${e.method} ${e.name}`), ['PUT /new']);
  assert.ok(comparison.onlyInBase[0]!.requests > 0);
  assert.equal(comparison.endpoints.length, 4);
  assert.ok(comparison.notes.some((n) => n.startsWith('Different locustfile')));
  assert.ok(comparison.notes.some((n) => n.startsWith('Different host')));
  assert.match(comparisonTable(comparison), /Only in the baseline:\n {2}GET \/old/);
});

test('batches: the ramp is left out when there are enough steady batches; memory stays bounded over a long run', () => {
  const { ticks } = syntheticRun(ENDPOINTS, { seconds: 12, seed: 51, ramp: 4 });
  const data = batchesOfTicks(ticks).snapshot();
  assert.equal(data.steadyOnly, true);
  assert.deepEqual(data.steady.slice(0, 5), [false, false, false, false, true]);
  assert.ok(data.fromHistograms);

  // 300 ticks with a cap of 16 batches: the width doubles until 300 s fit (32 s × 10), every request still counted.
  const long = syntheticRun(ENDPOINTS.slice(0, 1), { seconds: 300, seed: 52 });
  const batches = new RunBatches({ maxBatches: 16 });
  for (const tick of long.ticks) batches.apply(tick);
  const snap = batches.snapshot();
  assert.ok(snap.seconds.length <= 16, `${snap.seconds.length} batches`);
  assert.equal(snap.width, 32);
  assert.equal(snap.aggregate.requests.reduce((a, b) => a + b, 0), long.final.total.requests);
  assert.ok(Math.abs(snap.seconds.reduce((a, b) => a + b, 0) - 300) < 1e-9);

  // Endpoints beyond the cap are counted and left out.
  const capped = new RunBatches({ maxEndpoints: 2 });
  for (const tick of syntheticRun(ENDPOINTS, { seconds: 3, seed: 53 }).ticks) capped.apply(tick);
  assert.equal(capped.snapshot().endpoints.length, 2);
  assert.equal(capped.snapshot().leftOut, 2);
});

test('the recorder writes batches.json and meta.headline; reading it equals replaying the ticks', async () => {
  const dir = await record(ENDPOINTS, { seconds: 15, seed: 61 }, 'recorded');
  const loaded = await loadRunRecord(dir);
  const headline = loaded.meta.headline!;
  assert.ok(headline, 'meta.json has a headline');
  assert.equal(headline.requests, loaded.final!.total.requests);
  assert.equal(headline.failures, loaded.final!.total.failures);
  assert.equal(headline.seconds, 15);
  assert.equal(headline.requestsPerSecond, loaded.final!.total.requests / 15);
  assert.equal(headline.p95, loaded.final!.total.percentiles[PERCENTILES.indexOf(0.95)]);
  assert.equal(headline.peakUsers, 10);

  const fromFile = await loadRunForComparison(dir);
  assert.equal(fromFile.fromTicks, false);
  assert.equal(fromFile.batches.format, RUN_BATCHES_FORMAT);
  assert.deepEqual(fromFile.batches, batchesOfTicks(loaded.ticks).snapshot(), 'the file holds what replaying the ticks gives');

  // The same record without its batches.json (an older record): computed from ticks.jsonl, and the folder is left as it was.
  const older = path.join(await scratchDir(), 'older');
  await cp(dir, older, { recursive: true });
  await rm(path.join(older, RUN_BATCHES_FILE));
  const before = await contents(older);
  const fromTicks = await loadRunForComparison(older);
  assert.equal(fromTicks.fromTicks, true);
  assert.deepEqual(fromTicks.batches, fromFile.batches);
  assert.deepEqual(await contents(older), before, 'nothing written into an old record');
  const comparison = await compareRecords(dir, older);
  assert.equal(comparison.verdict, 'ok');
  assert.ok(comparison.endpoints.every((e) => e.verdict === 'noChange'));
});

test('bad, half-written, foreign and future records: a clear one-line reason, or a fallback with a note; nothing deleted', async () => {
  const good = await record(ENDPOINTS, { seconds: 10, seed: 71 }, 'good');
  const root = await scratchDir();
  const reject = async (dir: string, pattern: RegExp) => {
    const error = await compareRecords(good, dir).then(() => undefined, (e: unknown) => e as Error);
    assert.ok(error, `${dir} is refused`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'), 'one line');
  };
  await reject(path.join(root, 'missing'), /is not a run record \(no such folder\)/);
  const foreign = path.join(root, 'foreign');
  await mkdir(foreign);
  await writeFile(path.join(foreign, 'notes.txt'), 'hello');
  await reject(foreign, /is not a run record \(no readable meta\.json\)/);
  const future = path.join(root, 'future');
  await cp(good, future, { recursive: true });
  const meta = JSON.parse(await readFile(path.join(future, 'meta.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(path.join(future, 'meta.json'), JSON.stringify({ ...meta, format: 99 }));
  await reject(future, /record format 99 is newer than this version of Locust Studio reads/);
  assert.deepEqual(Object.keys(await contents(foreign)), ['notes.txt'], 'nothing deleted');
  assert.ok((await stat(path.join(future, 'ticks.jsonl'))).size > 0);

  // A torn batches.json, and one of a newer format: the ticks are replayed instead, and the comparison says so.
  for (const [name, text, note] of [
    ['torn', '{"format":1,"origin":12', /batches\.json is not JSON/],
    ['newer-batches', JSON.stringify({ format: RUN_BATCHES_FORMAT + 1 }), /batches\.json: format 2 is newer than this version reads/],
    ['malformed', JSON.stringify({ format: 1, origin: 'x' }), /batches\.json: .*computed from ticks\.jsonl instead/],
  ] as const) {
    const dir = path.join(root, name);
    await cp(good, dir, { recursive: true });
    await writeFile(path.join(dir, RUN_BATCHES_FILE), text);
    const before = await contents(dir);
    const comparison = await compareRecords(good, dir);
    assert.equal(comparison.new.fromTicks, true, name);
    assert.ok(comparison.notes.some((n) => note.test(n)), `${name}: ${comparison.notes.join(' | ')}`);
    assert.deepEqual(Object.values(verdicts(comparison)), ['noChange', 'noChange', 'noChange', 'noChange'], 'the same run compared with itself');
    assert.deepEqual(await contents(dir), before, `${name}: left as it was`);
  }
});

test('a record without window histograms (older bridge, attached run) is compared on the windows’ own percentiles, with a note', () => {
  const old = runOf(ENDPOINTS, { seconds: 30, seed: 81, noHistograms: true });
  assert.equal(old.batches.fromHistograms, false);
  assert.equal(old.batches.aggregate.p99, null, 'no p99 without histograms or window p99');
  const slower = ENDPOINTS.map((e) => (e.name === '/a' ? { ...e, ms: e.ms * 1.3 } : e));
  const comparison = compareBatches(old, runOf(slower, { seconds: 30, seed: 82 }));
  assert.equal(verdicts(comparison)['GET /a'], 'regressed');
  assert.equal(verdicts(comparison)['GET /b'], 'noChange');
  assert.ok(comparison.notes.some((n) => /The baseline has no window histograms/.test(n)));
});

test('the HTML report: self-contained, every string escaped, its one style allowed by the hash it exports', () => {
  const hostile: EndpointSpec[] = [{ name: '/<script>alert(1)</script>', ms: 20, rps: 100 }, { name: "/q?a=1&b='x'", ms: 30, rps: 100 }];
  const comparison = compareBatches(runOf(hostile, { seconds: 15, seed: 91 }), runOf(hostile, { seconds: 15, seed: 92 }));
  const html = renderComparisonHtml(comparison, { generatedAt: STARTED });
  assert.ok(!/<script/i.test(html), 'no script element, and the hostile name is escaped');
  assert.match(html, /\/&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /\/q\?a=1&amp;b=&#39;x&#39;/);
  assert.ok(!/\b(src|href)=/.test(html), 'nothing loaded from elsewhere');
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
  assert.deepEqual(styles, [COMPARISON_REPORT_STYLE]);
  assert.equal(COMPARISON_REPORT_STYLE_HASH, `'sha256-${createHash('sha256').update(COMPARISON_REPORT_STYLE).digest('base64')}'`);
  assert.ok(html.includes(`style-src ${COMPARISON_REPORT_STYLE_HASH};`), 'the page’s own CSP allows its style by that hash');
  assert.match(html, /prefers-color-scheme: dark/);
  assert.equal((html.match(/<svg /g) ?? []).length, 2, 'two overlaid charts: requests/s and p95');
  assert.match(html, /Baseline<\/li>.*New run<\/li>/s);
  // The CLI table shows control characters escaped.
  const bell = compareBatches(runOf([{ name: '/x\x1b[2J', ms: 20, rps: 50 }], { seconds: 10, seed: 93 }), runOf([{ name: '/x\x1b[2J', ms: 20, rps: 50 }], { seconds: 10, seed: 94 }));
  assert.ok(!comparisonTable(bell).includes('\x1b'));
  assert.match(comparisonTable(bell), /\/x\\x1b\[2J/);
});
