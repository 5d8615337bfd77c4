// The bridge's one-pass percentiles and window histograms against each Locust's own functions (real Locust, in process and in a run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { PERCENTILES, type BridgeMessage } from '../../protocol/runner';
import { parseThreshold } from '../../protocol/thresholds';
import { judgeRecord, ResponseTimeHistogram } from '../../runner/thresholds';
import { locustsFor, requireLocust, runsAgainstTarget, titled, type Tick } from './support';

type Final = Extract<BridgeMessage, { type: 'final' }>;

const BRIDGE_DIR = path.resolve(__dirname, '..', '..', 'runner', 'python');

const SCRIPT = `
import json, random, sys
sys.path.insert(0, sys.argv[1])
import locust.stats as st
import locust_studio_bridge as bridge

random.seed(20261122)
percents = bridge.PERCENTILES + (0.9999, 0.0, 0.333, 0.999999)
checked = mismatches = 0
examples = []
for trial in range(20000):
    histogram = {}
    for _ in range(random.randint(0, 40)):
        rt = random.choice([random.randint(0, 20), random.randint(0, 5000), round(random.lognormvariate(4, 2))])
        histogram[rt] = random.randint(1, 50)
    total = sum(histogram.values())
    # Also counts that disagree with the histogram (requests without a response time, a torn master aggregate).
    count = random.choice([total, total, total + random.randint(0, 10), max(0, total - random.randint(0, 10))])
    got = bridge._percentiles_of(histogram, count, percents)
    want = [st.calculate_response_time_percentile(histogram, count, p) for p in percents]
    checked += 1
    if got != want:
        mismatches += 1
        examples.append([histogram, count, got, want])

# Whole entries: the bridge's per-entry percentiles against the entry's own get_response_time_percentile.
stats = st.RequestStats()
for i in range(30):
    for _ in range(random.randint(1, 3000)):
        stats.log_request("GET", f"/e{i}", random.lognormvariate(3, 1.5), 10)
entries = list(stats.entries.values()) + [stats.total]
entry_mismatches = sum(
    bridge._locust_percentiles(e) != [e.get_response_time_percentile(p) for p in bridge.PERCENTILES + (0.9999,)] for e in entries
)
print(json.dumps({"sameWalk": bridge._SAME_WALK, "checked": checked, "mismatches": mismatches, "examples": examples[:3],
                  "entries": len(entries), "entryMismatches": entry_mismatches}))
`;

// (Each test below runs once per Locust: the loop's body is the test call.)
for (const locust of locustsFor('full')) test(titled(locust, 'one-pass percentiles equal Locust’s calculate_response_time_percentile and get_response_time_percentile'), { timeout: 60_000 }, async () => {
  requireLocust(locust);
  const { stdout } = await promisify(execFile)(locust.python, ['-c', SCRIPT, BRIDGE_DIR], { env: { ...process.env, LOCUST_STUDIO_CHANNEL_FD: '' } });
  const result = JSON.parse(stdout) as { sameWalk: boolean; checked: number; mismatches: number; examples: unknown[]; entries: number; entryMismatches: number };
  assert.equal(result.sameWalk, true, `the bridge recognises ${locust.label}’s percentile walk and uses the one-pass path`);
  assert.equal(result.checked, 20000);
  assert.deepEqual({ mismatches: result.mismatches, examples: result.examples }, { mismatches: 0, examples: [] });
  assert.equal(result.entryMismatches, 0, `all ${result.entries} entries agree`);
});

const WINDOW_SCRIPT = `
import json, random, sys
sys.path.insert(0, sys.argv[1])
import locust.stats as st
import locust_studio_bridge as bridge

class NoChannel:
    open = True
    def send(self, message):
        return True

random.seed(20261123)
b = bridge.Bridge(NoChannel(), 1.0)
stats = st.RequestStats()
checked = 0
mismatches = []
for round in range(200):
    entry_name = f"/w{round % 5}"
    for _ in range(random.randint(1, 300)):
        stats.log_request("GET", entry_name, random.lognormvariate(3, 1.5), 10)
    entry = stats.entries[(entry_name, "GET")]
    seen = bridge._Seen(entry, 0.0)
    # This window's requests: a new burst on top of what was seen.
    for _ in range(random.randint(0, 200)):
        stats.log_request("GET", entry_name, random.choice([random.lognormvariate(5, 1), random.randint(0, 3)]), 10)
    delta = {rt: n - seen.response_times.get(rt, 0) for rt, n in entry.response_times.items() if n > seen.response_times.get(rt, 0)}
    count = sum(delta.values())
    window = b._endpoint(entry, seen, 1.0)["window"]
    want = {p: (st.calculate_response_time_percentile(delta, count, q) if count else None) for p, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))}
    # The window's histogram: the same delta, flat and sorted by response time.
    want["histogram"] = [x for rt in sorted(delta) for x in (rt, delta[rt])]
    got = {p: window[p] for p in want}
    checked += 1
    if got != want or window["requests"] != count:
        mismatches.append([got, want, window["requests"], count])
print(json.dumps({"checked": checked, "mismatches": mismatches[:3], "windowKeys": sorted(window)}))
`;

for (const locust of locustsFor('full')) test(titled(locust, 'window p50/p95/p99 and histogram equal Locust’s own percentile and histogram delta of the window’s response times'), { timeout: 60_000 }, async () => {
  requireLocust(locust);
  const { stdout } = await promisify(execFile)(locust.python, ['-c', WINDOW_SCRIPT, BRIDGE_DIR], { env: { ...process.env, LOCUST_STUDIO_CHANNEL_FD: '' } });
  const result = JSON.parse(stdout) as { checked: number; mismatches: unknown[]; windowKeys: string[] };
  assert.equal(result.checked, 200);
  assert.deepEqual(result.mismatches, []);
  assert.deepEqual(result.windowKeys, ['failures', 'histogram', 'p50', 'p95', 'p99', 'requests', 'seconds']);
});

// Response times spread over Locust's rounding steps (exact below 100 ms, by 10 ms below 1 s).
const SPREAD = `
import random
from locust import HttpUser, constant, task

class Spread(HttpUser):
    wait_time = constant(0)

    @task(3)
    def slow(self):
        self.client.get(f"/slow?ms={random.choice([0, 3, 17, 45, 90, 140, 260, 330])}", name="/slow")

    @task
    def health(self):
        self.client.get("/health")
`;

const target = runsAgainstTarget('window-histograms');

for (const locust of locustsFor('full')) test(titled(locust, 'a real run’s window histograms: each sums to its window’s requests, and all merged give Locust’s own percentiles and verdicts'), { timeout: 60_000 }, async () => {
  requireLocust(locust);
  const startedAt = Date.now();
  const { run, messages, protocolErrors } = await target.start(`spread-${locust.version}`, SPREAD, { python: locust.python, users: 8, spawnRate: 100, runTime: '4s' });
  const exit = await run.exit;
  assert.deepEqual(protocolErrors, []);
  assert.equal(exit.code, 0, 'no request failed');
  const reports = messages.filter((m): m is Tick | Final => m.type === 'tick' || m.type === 'final');
  const final = reports.at(-1);
  assert.equal(final?.type, 'final');
  if (final?.type !== 'final') return;

  const merged = new Map<string, ResponseTimeHistogram>();
  let windows = 0;
  for (const report of reports) {
    for (const e of [report.total, ...report.endpoints]) {
      const histogram = e.window.histogram;
      assert.ok(histogram, `${e.method} ${e.name}: the window carries a histogram`);
      const keys = histogram.filter((_, i) => i % 2 === 0);
      assert.deepEqual(keys, [...keys].sort((a, b) => a - b), 'sorted by response time');
      assert.equal(histogram.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0), e.window.requests, `${e.method} ${e.name}: counts sum to the window's requests`);
      const key = `${e.method} ${e.name}`;
      if (!merged.has(key)) merged.set(key, new ResponseTimeHistogram());
      merged.get(key)!.add(histogram);
      windows++;
    }
  }
  assert.ok(windows > 20, `${windows} windows`);
  for (const e of [final.total, ...final.endpoints]) {
    const histogram = merged.get(`${e.method} ${e.name}`)!;
    // Enough requests for the percentiles to differ (not a speed check: a busy machine makes fewer).
    assert.ok(e.requests >= 20, `${e.name}: ${e.requests} requests`);
    assert.deepEqual(PERCENTILES.map((q) => histogram.percentile(q)), e.percentiles, `${e.method} ${e.name}: merged windows give Locust's cumulative percentiles`);
  }

  // The same record judged: generous targets pass, strict ones fail, including those merging histograms.
  const texts = ['p95 < 10s', 'GET /slow: p99 < 10s over 1s', '/health: max < 10s after 1s', 'fail_ratio <= 0%', 'max < 1ms', 'GET /slow: p50 < 1ms over 1s'];
  const thresholds = texts.map((text) => {
    const parsed = parseThreshold(text);
    assert.ok(parsed.ok, text);
    return parsed.threshold;
  });
  const verdict = judgeRecord(thresholds, { startedAt, ticks: reports.filter((m) => m.type === 'tick'), final, completed: true });
  assert.deepEqual(verdict?.thresholds.map((s) => s.state), ['passed', 'passed', 'passed', 'passed', 'failed', 'failed']);
  assert.equal(verdict?.outcome, 'failed');
});
