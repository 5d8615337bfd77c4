// Benchmark: analysis of a generated 10,000-line locustfile vs the bare tree-sitter parse of the same text.
import { performance } from 'node:perf_hooks';
import { pythonParser } from '../server/parser';
import { buildModel } from '../server/locustfileModel';

/** A locustfile of about `lines` lines: many User classes with decorated, tagged tasks and a TaskSet each. */
export function generatedLocustfile(lines: number): string {
  const out = ['from locust import HttpUser, TaskSet, task, tag, between', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(`class Flow${i}(TaskSet):`, '    @task(2)', '    def browse(self):', `        self.client.get("/products/${i}")`, '');
    out.push(`class User${i}(HttpUser):`, '    wait_time = between(1, 2)', `    tasks = {Flow${i}: 1}`, '');
    for (let t = 0; t < 5; t++) {
      out.push(`    @tag("t${t}")`, `    @task(${t + 1})`, `    def task_${t}(self):`, `        self.client.get("/item/${t}", name="/item/[id]")`, '');
    }
  }
  return out.join('\n');
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function benchLanguageServer(rounds = 15): Promise<void> {
  const parser = await pythonParser();
  const text = generatedLocustfile(10_000);
  const parseTimes: number[] = [];
  const analysisTimes: number[] = [];
  // Interleaved rounds: both measurements see the same machine load.
  for (let i = 0; i < rounds + 2; i++) {
    let start = performance.now();
    parser.parse(text)?.delete();
    const parse = performance.now() - start;
    start = performance.now();
    const tree = parser.parse(text);
    if (!tree) throw new Error('no tree');
    const model = buildModel(tree, 'file:///bench.py', 1);
    const analysis = performance.now() - start;
    tree.delete();
    if (model.users.length === 0) throw new Error('benchmark file produced no model');
    if (i >= 2) {
      parseTimes.push(parse);
      analysisTimes.push(analysis);
    }
  }
  const p = median(parseTimes);
  const a = median(analysisTimes);
  console.log(`language server, ${text.split('\n').length} lines: full analysis ${a.toFixed(1)} ms (goal ≤ 30 ms), bare parse ${p.toFixed(1)} ms, ratio analysis/parse ${(a / p).toFixed(2)}`);
}
