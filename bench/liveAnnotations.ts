// Benchmark of the live annotations' host side: one tick of a 2,000-line locustfile with 500 request sites laid on its lines.
import { PERCENTILES, type EndpointStats } from '../protocol/runner';
import { pythonParser } from '../server/parser';
import { buildModel } from '../server/locustfileModel';
import { linesSignature, RequestLineStats } from '../extension/requestLineStats';

const TASKS = 50;
const SITES_PER_TASK = 10;
const FILE_LINES = 2000;
/** Names each f-string site produces at run time (ids, as in `/products/{id}` without a name=). */
const NAMES_PER_PATTERN = 5;
const TICKS = 300;
const WARM_TICKS = 30;
const GOAL_MS = 2;

/** 50 tasks of 10 requests each (a fifth of them f-strings without name=), padded with other code to 2,000 lines. */
function locustfile(): string {
  const lines = ['import random', 'from locust import HttpUser, task, between', '', 'class Shopper(HttpUser):', '    wait_time = between(1, 2)', ''];
  for (let t = 0; t < TASKS; t++) {
    lines.push('    @task', `    def task_${t}(self):`);
    for (let s = 0; s < SITES_PER_TASK; s++) {
      const n = t * SITES_PER_TASK + s;
      lines.push(s % 5 === 4 ? `        self.client.get(f"/items/${n}/{random.randint(1, 5)}")` : `        self.client.${s % 2 ? 'post' : 'get'}("/endpoint/${n}", name="/endpoint/${n}")`);
      lines.push(`        value_${n} = ${n} * 2  # some work between requests`);
    }
    lines.push('');
  }
  while (lines.length < FILE_LINES) lines.push(`# padding ${lines.length}`);
  return lines.join('\n');
}

/** Every endpoint the run has, with numbers that move each tick. */
function endpointsOf(tick: number): EndpointStats[] {
  const out: EndpointStats[] = [];
  for (let n = 0; n < TASKS * SITES_PER_TASK; n++) {
    const names = n % 5 === 4 ? Array.from({ length: NAMES_PER_PATTERN }, (_, i) => `/items/${n}/${i + 1}`) : [`/endpoint/${n}`];
    for (const name of names) {
      const requests = tick * (5 + (n % 7));
      out.push({
        method: n % 5 === 4 || n % 2 === 0 ? 'GET' : 'POST',
        name,
        requests,
        failures: n % 13 === 0 ? Math.floor(requests / 20) : 0,
        totalResponseTime: requests * 40,
        minResponseTime: 3,
        maxResponseTime: 900,
        totalContentLength: requests * 512,
        percentiles: PERCENTILES.map((p) => Math.round(10 + p * 300)),
        window: { seconds: 1, requests: 5 + ((n + tick) % 7), failures: 0, p50: 12, p95: 100 + ((n + tick) % 50), p99: 300 },
      });
    }
  }
  return out;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function benchLiveAnnotations(): Promise<void> {
  const text = locustfile();
  const tree = (await pythonParser()).parse(text);
  if (!tree) throw new Error('the bench locustfile did not parse');
  const model = buildModel(tree, 'file:///bench.py', 1);
  tree.delete();
  if (model.requests.length !== TASKS * SITES_PER_TASK) throw new Error(`expected ${TASKS * SITES_PER_TASK} request sites, the model has ${model.requests.length}`);
  const stats = new RequestLineStats(model);
  const ticks = Array.from({ length: TICKS }, (_, i) => endpointsOf(i + 1));
  const annotate: number[] = [];
  const reference: number[] = [];
  let previous = '';
  let shown = 0;
  for (let i = 0; i < TICKS; i++) {
    const endpoints = ticks[i]!;
    // What the host does per tick for an editor of the file: fold the tick in, lay out the lines and lenses, compare.
    let began = performance.now();
    stats.update(endpoints);
    const lines = stats.lines();
    const tasks = stats.tasks();
    const signature = linesSignature(lines);
    if (signature !== previous) shown = lines.length + tasks.length;
    previous = signature;
    const took = performance.now() - began;
    // Reference: serialising the same tick's endpoints, as posting it to the panel does (the host does that every tick anyway).
    began = performance.now();
    JSON.stringify(endpoints);
    const serialised = performance.now() - began;
    if (i >= WARM_TICKS) {
      annotate.push(took);
      reference.push(serialised);
    }
  }
  if (stats.unexplained.length !== 0) throw new Error(`${stats.unexplained.length} endpoints unexplained`);
  const m = median(annotate);
  const r = median(reference);
  console.log(
    `live annotations, ${FILE_LINES}-line locustfile, ${model.requests.length} request sites, ${ticks[0]!.length} endpoints per tick (${shown} lines and lenses): ` +
      `update median ${m.toFixed(3)} ms vs posting the tick's endpoints (JSON.stringify) ${r.toFixed(3)} ms in the same run, ratio ${(m / r).toFixed(2)} ` +
      `(goal ≤ ${GOAL_MS} ms: ${m <= GOAL_MS ? 'goal met' : 'goal missed'})`,
  );
}

if (require.main === module) void benchLiveAnnotations();
