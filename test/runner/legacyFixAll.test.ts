// A locustfile with every legacy form, fixed by the bundled server's "update every legacy Locust API use" over real JSON-RPC: each Locust of the
// matrix refuses the file before and imports it after, with the tasks, order and ratios the 0.x file meant (and its request events), and the
// model agrees with it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import { REPO_ROOT, startLanguageServer, type LspSession } from '../helpers/lspClient';
import { watchDiagnostics, type DiagnosticsWaiter } from '../lsp/diagnosticsWaiter';
import { applyEdits } from '../lsp/textEdits';
import { pythonParser } from '../../server/parser';
import { buildModel } from '../../server/locustfileModel';
import { taskShares } from '../../protocol/model';
import { locustsFor, requireLocust, titled } from './support';

const run = promisify(execFile);
const LEGACY = path.join(REPO_ROOT, 'test', 'fixtures', 'model', 'legacy', 'every_form.py');

/** What the 0.x file meant, as Locust's `--show-task-ratio-json -u 10` says it (User weights 1, 2, 1, 1). */
const MEANT = {
  WebsiteUser: { ratio: 0.2, tasks: { Browse: { ratio: 1, tasks: { index: { ratio: 0.75 }, about: { ratio: 0.25 } } } } },
  FastUser: { ratio: 0.4, tasks: { FastUserTasks: { ratio: 1, tasks: { fast_a: { ratio: 2 / 3 }, fast_b: { ratio: 1 / 3 } } } } },
  StepsUser: { ratio: 0.2, tasks: { Steps: { ratio: 1, tasks: { first: { ratio: 1 / 3 }, second: { ratio: 1 / 3 }, third: { ratio: 1 / 3 } } } } },
  Plain: { ratio: 0.2, tasks: { plain: { ratio: 1 } } },
};

let lsp: LspSession;
let diagnostics: DiagnosticsWaiter;
let fixed = '';
let rounds = 0;
before(async () => {
  lsp = await startLanguageServer();
  diagnostics = watchDiagnostics(lsp.connection);
  // As an editor's "fix all" on save: applied until no legacy diagnostic is left (a fix that clashed with another waits a round).
  let text = await readFile(LEGACY, 'utf8');
  for (;;) {
    const uri = `file:///virtual/every_form_${rounds}.py`;
    const published = diagnostics.next(uri, 1);
    await lsp.open(uri, text);
    const legacy = (await published).filter((d: Diagnostic) => String(d.code).startsWith('legacy-'));
    if (legacy.length === 0) break;
    assert.ok(++rounds <= 3, `legacy diagnostics left after ${rounds - 1} rounds: ${legacy.map((d) => `${d.range.start.line + 1}:${String(d.code)}`).join(', ')}`);
    const actions = await lsp.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: legacy, only: ['source.fixAll'] },
    });
    const edits = actions[0]?.edit?.changes?.[uri];
    assert.ok(edits && edits.length > 0, 'a fix-all action with edits');
    text = applyEdits(text, edits);
  }
  fixed = text;
});
after(async () => {
  await lsp.close();
});

test('the fixes leave no legacy name and no import line listing a name twice', () => {
  assert.ok(rounds >= 1);
  const code = fixed.split('\n').filter((line) => !line.trimStart().startsWith('#')).join('\n');
  assert.doesNotMatch(code, /HttpLocust|FastHttpLocust|\bLocust\b|TaskSequence|seq_task|request_success|request_failure|hatch_rate|min_wait|max_wait|self\.locust|task_set\b/);
  for (const line of fixed.split('\n').filter((l) => l.startsWith('from locust'))) {
    const names = line.replace(/^from \S+ import /, '').split(',').map((n) => n.trim());
    assert.equal(new Set(names).size, names.length, line);
  }
});

for (const locust of locustsFor('full')) test(titled(locust, 'the fixed file imports and runs what the legacy file meant'), { timeout: 120_000 }, async () => {
  requireLocust(locust);
  const folder = await mkdtemp(path.join(tmpdir(), 'locust-studio-fix-all-'));
  try {
    await writeFile(path.join(folder, 'legacy.py'), await readFile(LEGACY, 'utf8'));
    await writeFile(path.join(folder, 'fixed.py'), fixed);
    const options = { cwd: folder, timeout: 60_000 };
    await assert.rejects(run(locust.python, ['-m', 'locust', '-f', 'legacy.py', '--list'], options), 'Locust 2 refuses the legacy file');
    const { stdout, stderr } = await run(locust.python, ['-m', 'locust', '-f', 'fixed.py', '--show-task-ratio-json', '-u', '10'], options);
    assert.doesNotMatch(stderr, /deprecated/i);
    const ratios = (JSON.parse(stdout) as { per_class: unknown }).per_class;
    const rounded = (value: unknown): unknown =>
      typeof value === 'number' ? Math.round(value * 1e9) / 1e9 : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)])) : value;
    assert.deepEqual(rounded(ratios), rounded(MEANT));
    // The SequentialTaskSet runs its steps in the order of their old `@seq_task(n)`, not as they are written.
    const order = await run(locust.python, ['-c', 'import fixed; print(" ".join(t.__name__ for t in fixed.Steps.tasks))'], options);
    assert.equal(order.stdout.trim(), 'first second third');
    // The old `request_success.fire(...)` / `request_failure.fire(...)` calls fire `events.request`, which the fixed listener filters.
    const fired = await run(locust.python, ['-c', 'import fixed; fixed.Steps.second(None); fixed.Steps.third(None)'], options);
    assert.equal(fired.stdout, 'OK GET /second\n');
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('the model of the fixed file has the ratios Locust has', async () => {
  const tree = (await pythonParser()).parse(fixed);
  assert.ok(tree);
  const model = buildModel(tree, 'file:///fixed.py', 1);
  tree.delete();
  const shares = (tasks: { name: string; weight: number | null }[]) => Object.fromEntries(tasks.map((t, i) => [t.name, Math.round((taskShares(tasks)[i] ?? NaN) * 1e9) / 1e9]));
  const of = (user: string, set: string) => model.users.find((u) => u.name === user)?.taskSets.find((s) => s.name === set)?.tasks ?? [];
  assert.deepEqual(model.users.map((u) => [u.name, u.weight ?? 1]), [['WebsiteUser', 1], ['FastUser', 2], ['StepsUser', 1], ['Plain', 1]]);
  assert.deepEqual(shares(of('WebsiteUser', 'Browse')), { index: 0.75, about: 0.25 });
  assert.deepEqual(shares(of('FastUser', 'FastUserTasks')), { fast_a: 0.666666667, fast_b: 0.333333333 });
  assert.deepEqual(of('StepsUser', 'Steps').map((t) => t.name), ['first', 'second', 'third']);
});
