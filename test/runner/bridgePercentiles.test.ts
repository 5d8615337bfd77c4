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
