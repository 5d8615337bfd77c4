// Benchmark: analysis of a generated 10,000-line locustfile vs the bare tree-sitter parse of the same text.
import { performance } from 'node:perf_hooks';
import { pythonParser } from '../server/parser';
import { analyzeTree, buildModel } from '../server/locustfileModel';
import { diagnosticsFor } from '../server/diagnostics';
import { DocumentAnalyses } from '../server/documentAnalysis';
import { codeLensesFor } from '../server/codeLenses';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** A locustfile of about `lines` lines: many User classes with decorated, tagged tasks and a TaskSet each. */
export function generatedLocustfile(lines: number): string {
  const out = ['from locust import HttpUser, TaskSet, task, tag, between', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(`class Flow${i}(TaskSet):`, '    @task(2)', '    def browse(self):', `        self.client.get("/products/${i}")`, '');
    out.push(`class User${i}(HttpUser):`, '    wait_time = between(1, 2)', `    tasks = {Flow${i}: 1}`, '');
    for (let t = 0; t < 5; t++) {
      out.push(
        `    @tag("t${t}")`, `    @task(${t + 1})`, `    def task_${t}(self):`,
        `        self.client.get("/cart/${t}")`, `        self.client.get("/item/${t}", name="/item/[id]")`, `        step = "checkout ${t}"`, '',
      );
    }
  }
  return out.join('\n');
}

/** The goal and whether the measurement meets it, in words a reader of the bench output spots at once. */
function goal(ms: number, limit: number): string {
  return `(goal ≤ ${limit} ms: ${ms <= limit ? 'goal met' : 'goal missed'})`;
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
  const modelTimes: number[] = [];
  // Interleaved rounds: both measurements see the same machine load.
  for (let i = 0; i < rounds + 2; i++) {
    let start = performance.now();
    parser.parse(text)?.delete();
    const parse = performance.now() - start;
    start = performance.now();
    const tree = parser.parse(text);
    if (!tree) throw new Error('no tree');
    const parsed = performance.now();
    const model = buildModel(tree, 'file:///bench.py', 1);
    const analysis = performance.now() - start;
    const modelOnly = performance.now() - parsed;
    tree.delete();
    if (model.users.length === 0) throw new Error('benchmark file produced no model');
    if (i >= 2) {
      parseTimes.push(parse);
      analysisTimes.push(analysis);
      modelTimes.push(modelOnly);
    }
  }
  const p = median(parseTimes);
  const a = median(analysisTimes);
  const m = median(modelTimes);
  console.log(`language server, ${text.split('\n').length} lines: full analysis ${a.toFixed(1)} ms ${goal(a, 30)}, bare parse ${p.toFixed(1)} ms, ratio analysis/parse ${(a / p).toFixed(2)}`);
  // The full analysis includes the parse: when the bare parse alone takes more than the goal, only the model part can shrink.
  console.log(`language server: model alone (after the parse) ${m.toFixed(1)} ms, ratio to bare parse ${(m / p).toFixed(2)}; the parse is ${Math.round((100 * (a - m)) / a)} % of the full analysis`);

  // Diagnostics on top of the model (computed once per version, after a short debounce).
  const diagnosticTimes: number[] = [];
  for (let i = 0; i < rounds + 2; i++) {
    const tree = parser.parse(text);
    if (!tree) throw new Error('no tree');
    const start = performance.now();
    const { model, facts } = analyzeTree(tree, 'file:///bench.py', 1);
    diagnosticsFor(tree, model, facts, { hostConfiguredElsewhere: true });
    if (i >= 2) diagnosticTimes.push(performance.now() - start);
    tree.delete();
  }
  const d = median(diagnosticTimes);
  console.log(`language server: model + diagnostics ${d.toFixed(1)} ms, ratio to bare parse ${(d / p).toFixed(2)}`);

  // One character typed in the middle of the file → new code lenses (incremental re-parse + model), for two kinds of
  // edit: into the last line of a task (the task's extent changes: the model is rebuilt), and into a line inside a task
  // (nothing the model says changes: the last model and its lenses are reused).
  const lines = text.split('\n');
  const at = (marker: string) => {
    const line = lines.findIndex((l, index) => index >= lines.length / 2 && l.includes(marker));
    return { line, character: (lines[line] ?? '').indexOf(marker) + 2 };
  };
  const edits: [string, { line: number; character: number }][] = [
    ['one-character edit → new lenses', at('"/item/')],
    // Into a plain string: a request's path is part of the model (its statistics name), a local variable is not.
    ['one-character edit inside a task (model unchanged) → new lenses', at('"checkout ')],
  ];
  for (const [label, { line, character }] of edits) {
    const analyses = new DocumentAnalyses();
    const uri = 'file:///bench.py';
    analyses.openDocument(uri, 'python', 1, text);
    await analyses.analysisOf(uri);
    const editTimes: number[] = [];
    // Each round types one character, then deletes it again.
    for (let i = 0; i < rounds * 2 + 2; i++) {
      const start = performance.now();
      const change =
        i % 2 === 0
          ? { range: { start: { line, character }, end: { line, character } }, text: 'x' }
          : { range: { start: { line, character }, end: { line, character: character + 1 } }, text: '' };
      analyses.changeDocument(uri, i + 2, [change]);
      const analysis = await analyses.analysisOf(uri);
      if (!analysis || codeLensesFor(analysis.model).length === 0) throw new Error('no lenses after the edit');
      if (i >= 2) editTimes.push(performance.now() - start);
    }
    if (analyses.incrementalParses < rounds * 2) throw new Error('edits were not parsed incrementally');
    analyses.forget(uri);
    const e = median(editTimes);
    console.log(`language server: ${label} ${e.toFixed(1)} ms ${goal(e, 5)}, ratio to bare parse ${(e / p).toFixed(2)}`);
  }
  await benchProjectModules(parser, rounds);
}

/**
 * A locustfile whose 50 User classes derive from a 2,000-line module beside it: one character typed in the locustfile (the module
 * is only checked, by its modification time) and one typed in the module open in the editor (it is read again, and the locustfile
 * analysed again), each → the locustfile's new lenses, against the bare parse of the module.
 */
async function benchProjectModules(parser: Awaited<ReturnType<typeof pythonParser>>, rounds: number): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'locust-studio-bench-project-'));
  try {
    const module = generatedLocustfile(2_000);
    const users = [...module.matchAll(/^class (User\d+)\(/gm)].map((m) => m[1]!).slice(0, 50);
    const subclass = (user: string) => `class My${user}(${user}):\n    @task\n    def extra(self):\n        self.client.get("/extra")\n`;
    const locustfile = ['from locust import task', `from common import ${users.join(', ')}`, '', ...users.map(subclass)].join('\n');
    writeFileSync(path.join(dir, 'common.py'), module);
    writeFileSync(path.join(dir, 'locustfile.py'), locustfile);
    const moduleParse: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      parser.parse(module)?.delete();
      moduleParse.push(performance.now() - start);
    }
    const p = median(moduleParse);
    const uri = pathToFileURL(path.join(dir, 'locustfile.py')).href;
    const commonUri = pathToFileURL(path.join(dir, 'common.py')).href;
    const analyses = new DocumentAnalyses();
    analyses.openDocument(uri, 'python', 1, locustfile);
    const lensesNow = async () => {
      const analysis = await analyses.analysisOf(uri);
      const runLenses = analysis ? codeLensesFor(analysis.model).filter((l) => l.command?.title.includes('Run load test')).length : 0;
      if (runLenses <= users.length) throw new Error(`${runLenses} run lenses: the User classes with bases in the module were not read`);
    };
    // Each round types one character at the start of `line` of `target`, then deletes it again.
    const timed = async (target: string, line: number) => {
      const times: number[] = [];
      for (let i = 0; i < rounds * 2 + 2; i++) {
        const start = performance.now();
        const at = { line, character: 0 };
        analyses.changeDocument(target, i + 2, [i % 2 === 0 ? { range: { start: at, end: at }, text: '#' } : { range: { start: at, end: { line, character: 1 } }, text: '' }]);
        await lensesNow();
        if (i >= 2) times.push(performance.now() - start);
      }
      return median(times);
    };
    await lensesNow();
    const inLocustfile = await timed(uri, 2);
    analyses.openDocument(commonUri, 'python', 1, module);
    const inModule = await timed(commonUri, 1);
    console.log(
      `language server, 50 User classes with bases in a ${module.split('\n').length}-line module: edit in the locustfile → lenses ${inLocustfile.toFixed(1)} ms, ` +
        `ratio to the module's bare parse ${(inLocustfile / p).toFixed(2)}; edit in the open module → the locustfile's lenses ${inModule.toFixed(1)} ms, ratio ${(inModule / p).toFixed(2)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx bench/languageServer.ts` runs this benchmark alone (`npm run bench` runs every benchmark).
if (require.main === module) {
  benchLanguageServer().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
