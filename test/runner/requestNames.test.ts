// The model's request sites against what a real Locust names: every example and every snippet that makes requests runs
// against the demo target, and the run's statistics names map back to the lines that made them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTarget } from '../../examples/target/server.mjs';
import { pythonParser } from '../../server/parser';
import { buildModel } from '../../server/locustfileModel';
import { RequestNameIndex } from '../../protocol/requestNames';
import type { RequestSite } from '../../protocol/model';
import { CONTEXTS, expandSnippet, locustfileFor, NEEDS, type Snippet } from '../helpers/snippetExpansion';
import { locustExports, locustsFor, parseCsv, requireLocust, titled } from './support';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
/** Share of a run's names that must map back to a line (the issue's bar). */
const MAPPED_SHARE = 0.95;
/** Runs of a file set that must have made requests (examples and snippets alike are more). */
const MIN_RUNS = 8;

let target: Awaited<ReturnType<typeof startTarget>>;
let scratch: string;
before(async () => {
  [target, scratch] = await Promise.all([startTarget({ port: 0, quiet: true }), mkdtemp(path.join(os.tmpdir(), 'locust-studio-names-'))]);
});
after(async () => {
  await target?.close();
  await rm(scratch, { recursive: true, force: true });
});

async function modelOf(text: string): Promise<{ requests: RequestSite[]; shaped: boolean }> {
  const tree = (await pythonParser()).parse(text);
  assert.ok(tree);
  try {
    const model = buildModel(tree, 'file:///t.py', 1);
    return { requests: model.requests, shaped: model.shapes.length > 0 };
  } finally {
    tree.delete();
  }
}

/** The `Type Name` rows of a short headless run (Aggregated left out). */
async function namesOfRun(python: string, file: string, cwd: string, shaped: boolean): Promise<{ method: string; name: string }[]> {
  const prefix = path.join(cwd, path.basename(file, '.py'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('LOCUST_')));
  // A shape ends the run itself (Locust 2.12 refuses --run-time beside one).
  await run(python, ['-m', 'locust', '-f', file, '--headless', '-u', '6', '-r', '6', '-t', '4s', '--host', target.url, '--csv', prefix, '--only-summary', '--exit-code-on-error', '0'].filter((arg, i, all) => !shaped || (arg !== '-t' && all[i - 1] !== '-t')), {
    cwd,
    env: { ...env, PYTHONDONTWRITEBYTECODE: '1' },
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
  const [, ...rows] = parseCsv(await readFile(`${prefix}_stats.csv`, 'utf8'));
  return rows.filter((r) => r[1] !== 'Aggregated').map((r) => ({ method: r[0]!, name: r[1]! }));
}

/** Runs `file`, maps its names and checks the mapping; returns a line for the test's diagnostics. */
async function checkMapping(python: string, label: string, file: string, cwd: string): Promise<string> {
  const { requests: sites, shaped } = await modelOf(await readFile(file, 'utf8'));
  const names = await namesOfRun(python, file, cwd, shaped);
  // on_stop's requests come after the run's statistics are written.
  if (names.length === 0) return `${label}: the run made no request (${sites.length} sites)`;
  const index = new RequestNameIndex(sites);
  const unmapped = names.filter((n) => index.sitesOf(n.method, n.name).length === 0);
  for (const n of names) {
    for (const i of index.sitesOf(n.method, n.name)) {
      const site = sites[i]!;
      // Mapped, and to a site that can say so: its method (when known) is the row's, its exact name (when known) too.
      assert.ok(site.method === null || site.method === n.method, `${label}: ${n.method} ${n.name} mapped to a ${site.method} line`);
      assert.ok(site.name === null || site.name === n.name, `${label}: ${n.method} ${n.name} mapped to the line of ${site.name}`);
    }
  }
  const share = (names.length - unmapped.length) / names.length;
  assert.ok(share >= MAPPED_SHARE, `${label}: ${Math.round(share * 100)} % of the names map to a line; unmapped: ${unmapped.map((n) => `${n.method} ${n.name}`).join(', ')}`);
  // Each site with a known pattern explains a name of the run, unless the run never reached it (a tag left out, on_stop…).
  const explained = new Set(names.flatMap((n) => index.sitesOf(n.method, n.name)));
  const silent = sites.filter((s, i) => s.pattern && !explained.has(i)).map((s) => `line ${s.range.start.line + 1} ${s.method ?? '?'} ${s.pattern!.map((p) => p ?? '…').join('')}`);
  return `${label}: ${names.length} names, ${names.length - unmapped.length} mapped to ${explained.size} of ${sites.length} sites${silent.length ? `; not reached: ${silent.join(', ')}` : ''}`;
}

/** At most this many Locusts at a time (two cores, other agents). */
async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<string>): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return out;
}

for (const locust of locustsFor('full')) test(titled(locust, 'every example: the names of a real run map back to the lines that made them'), async (t) => {
  requireLocust(locust);
  const files = (await readdir(path.join(ROOT, 'examples'))).filter((f) => f.endsWith('.py') && f !== 'legacy_0x.py');
  assert.ok(files.length >= 10);
  const lines = await inBatches(files, 3, async (file) => {
    const cwd = path.join(scratch, `example-${file}`);
    await mkdir(cwd, { recursive: true });
    return checkMapping(locust.python, file, path.join(ROOT, 'examples', file), cwd);
  });
  for (const line of lines) t.diagnostic(line);
  assert.ok(lines.filter((l) => !l.includes('made no request')).length >= MIN_RUNS, lines.join('\n'));
});

for (const locust of locustsFor('full')) test(titled(locust, 'every snippet that makes requests: the names of a real run map back to its lines'), async (t) => {
  requireLocust(locust);
  const snippets = JSON.parse(await readFile(path.join(ROOT, 'snippets', 'locust.code-snippets'), 'utf8')) as Record<string, Snippet>;
  const requesting: { prefix: string; text: string }[] = [];
  for (const snippet of Object.values(snippets)) {
    const prefix = snippet.prefix[0]!;
    const context = CONTEXTS[prefix];
    if (!context || !snippet.scope.split(',').includes('python')) continue;
    if (NEEDS[prefix] && !(await locustExports(locust.python, NEEDS[prefix]))) continue;
    const text = locustfileFor(context, expandSnippet(snippet.body.join('\n')));
    if ((await modelOf(text)).requests.length > 0) requesting.push({ prefix, text });
  }
  assert.ok(requesting.length >= 8, `snippets that make requests: ${requesting.map((s) => s.prefix).join(', ')}`);
  const lines = await inBatches(requesting, 3, async ({ prefix, text }) => {
    const cwd = path.join(scratch, `snippet-${prefix.replace(/\W/g, '_')}`);
    await mkdir(cwd, { recursive: true });
    // The data-driven snippet reads users.csv beside the locustfile.
    await writeFile(path.join(cwd, 'users.csv'), 'username,password\nalice,secret\nbob,secret\n');
    const file = path.join(cwd, 'locustfile.py');
    await writeFile(file, text);
    return checkMapping(locust.python, `snippet ${prefix}`, file, cwd);
  });
  for (const line of lines) t.diagnostic(line);
  assert.ok(lines.filter((l) => !l.includes('made no request')).length >= MIN_RUNS, lines.join('\n'));
});
