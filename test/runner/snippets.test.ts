// Every snippet, expanded with its defaults, is code the real Locust imports and the language server reports clean
// (fragments inside a minimal locustfile); the locust.conf snippet is a config Locust reads.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { CONTEXTS, expandSnippet, locustfileFor, NEEDS, snippetLocustfileHeader as HEADER, snippetUserClass as userClass, type Snippet } from '../helpers/snippetExpansion';
import { startLanguageServer, type LspSession } from '../helpers/lspClient';
import { watchDiagnostics, type DiagnosticsWaiter } from '../lsp/diagnosticsWaiter';
import { locustExports, locustsFor, requireLocust, titled } from './support';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

let lsp: LspSession;
let diagnostics: DiagnosticsWaiter;
before(async () => {
  lsp = await startLanguageServer();
  diagnostics = watchDiagnostics(lsp.connection);
});
after(async () => {
  await lsp.close();
});

test('snippet expansion follows VS Code syntax: defaults, first choice, escapes', () => {
  assert.equal(expandSnippet('a ${1:x} $2 ${3|get,post|} ${4:q {\\}} \\$5 $0'), 'a x  get q {} $5 ');
  assert.equal(expandSnippet('${1:outer ${2:inner}}'), 'outer inner');
});

// (Each loop's body is the test call: one per Locust.)
for (const locust of locustsFor('full')) test(titled(locust, 'every Python snippet expands to a locustfile the real Locust imports'), async (t) => {
  requireLocust(locust);
  const snippets = JSON.parse(await readFile(path.join(ROOT, 'snippets', 'locust.code-snippets'), 'utf8')) as Record<string, Snippet>;
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-snippets-'));
  try {
    // The data-driven snippet reads users.csv beside the locustfile.
    await writeFile(path.join(scratch, 'users.csv'), 'username,password\nalice,secret\nbob,secret\n');
    const python = Object.entries(snippets).filter(([, s]) => s.scope.split(',').includes('python'));
    assert.ok(python.length >= 20, `expected the full set of snippets, found ${python.length}`);
    for (const [name, snippet] of python) {
      const context = CONTEXTS[snippet.prefix[0]!];
      assert.ok(context, `snippet "${name}" (${snippet.prefix[0]}) needs a context in this test`);
      const needed = NEEDS[snippet.prefix[0]!];
      if (needed && !(await locustExports(locust.python, needed))) {
        t.diagnostic(`snippet "${name}" skipped: this Locust has no ${needed}`);
        continue;
      }
      const file = path.join(scratch, `${snippet.prefix[0]!.replace(/\W/g, '_')}.py`);
      await writeFile(file, locustfileFor(context, expandSnippet(snippet.body.join('\n'))));
      const listed = await run(locust.python, ['-m', 'locust', '-f', file, '--list'], { cwd: scratch, timeout: 30_000 }).catch(
        (error: { stderr?: string; message: string }) => assert.fail(`snippet "${name}" does not import:\n${error.stderr ?? error.message}`),
      );
      assert.match(listed.stdout, /Available Users:\n\s+\w+/, `snippet "${name}": Locust lists its User classes`);
      // The language server has nothing to say about it either (not even the "no host" hint: snippets name one).
      const uri = pathToFileURL(file).toString();
      const published = diagnostics.next(uri, 1);
      await lsp.open(uri, await readFile(file, 'utf8'));
      const found = await published;
      assert.deepEqual(found.map((d) => `${d.range.start.line + 1}: ${String(d.code)} ${typeof d.message === 'string' ? d.message : d.message.value}`), [], `snippet "${name}": no diagnostics`);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});

for (const locust of locustsFor('full')) test(titled(locust, 'the locust.conf snippet is a config file Locust reads: its host and users reach the run'), async () => {
  requireLocust(locust);
  const snippets = JSON.parse(await readFile(path.join(ROOT, 'snippets', 'locust.code-snippets'), 'utf8')) as Record<string, Snippet>;
  const conf = Object.values(snippets).find((s) => s.prefix.includes('locust.conf'));
  assert.ok(conf, 'a locust.conf snippet');
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-snippets-'));
  try {
    await writeFile(path.join(scratch, 'locust.conf'), expandSnippet(conf.body.join('\n')));
    await writeFile(path.join(scratch, 'locustfile.py'), `${HEADER}\n${userClass('')}`);
    // The values as Locust's own argument parser reads them from the file; then a --list that reads it as well.
    const script = [
      'from locust.argument_parser import get_parser',
      'from locust.util.timespan import parse_timespan',
      'o = get_parser().parse_args(["--config", "locust.conf", "-f", "locustfile.py"])',
      // Newer Locusts parse the run time into seconds as they read it, older ones keep the text.
      'run_time = parse_timespan(o.run_time) if isinstance(o.run_time, str) else o.run_time',
      'print(o.host, o.num_users, o.spawn_rate, run_time)',
    ].join('\n');
    const parsed = await run(locust.python, ['-c', script], { cwd: scratch, timeout: 30_000 });
    assert.equal(parsed.stdout.trim(), 'http://127.0.0.1:8080 10 2.0 300');
    await run(locust.python, ['-m', 'locust', '--config', 'locust.conf', '--list'], { cwd: scratch, timeout: 30_000 });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
