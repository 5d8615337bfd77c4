// The bridge's one-pass percentiles against Locust 2.12.1's own functions, on random and edge-case histograms (real Locust, no run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { PYTHON } from './support';

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

test('one-pass percentiles equal Locust’s calculate_response_time_percentile and get_response_time_percentile', { timeout: 60_000 }, async () => {
  const { stdout } = await promisify(execFile)(PYTHON, ['-c', SCRIPT, BRIDGE_DIR], { env: { ...process.env, LOCUST_STUDIO_CHANNEL_FD: '' } });
  const result = JSON.parse(stdout) as { sameWalk: boolean; checked: number; mismatches: number; examples: unknown[]; entries: number; entryMismatches: number };
  assert.equal(result.sameWalk, true, 'the bridge recognises Locust 2.12.1’s percentile walk and uses the one-pass path');
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
    got = {p: window[p] for p in want}
    checked += 1
    if got != want or window["requests"] != count:
        mismatches.append([got, want, window["requests"], count])
print(json.dumps({"checked": checked, "mismatches": mismatches[:3], "windowKeys": sorted(window)}))
`;

test('window p50/p95/p99 equal Locust’s own percentile of the window’s response times (histogram delta since the last tick)', { timeout: 60_000 }, async () => {
  const { stdout } = await promisify(execFile)(PYTHON, ['-c', WINDOW_SCRIPT, BRIDGE_DIR], { env: { ...process.env, LOCUST_STUDIO_CHANNEL_FD: '' } });
  const result = JSON.parse(stdout) as { checked: number; mismatches: unknown[]; windowKeys: string[] };
  assert.equal(result.checked, 200);
  assert.deepEqual(result.mismatches, []);
  assert.deepEqual(result.windowKeys, ['failures', 'p50', 'p95', 'p99', 'requests', 'seconds']);
});
