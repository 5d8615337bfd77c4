// User classes whose bases come from the project's other modules (`from common import BaseUser`), read from files on disk and open documents.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DocumentAnalyses } from '../../server/documentAnalysis';
import { codeLensesFor } from '../../server/codeLenses';
import { documentSymbolsFor } from '../../server/documentSymbols';
import { diagnosticsFor } from '../../server/diagnostics';
import { MAX_PROJECT_MODULE_BYTES } from '../../server/projectModules';
import { LensCommand } from '../../protocol/lsp';

const root = mkdtempSync(path.join(tmpdir(), 'locust-studio-project-'));
after(() => rmSync(root, { recursive: true, force: true }));

const COMMON = `from locust import HttpUser, task, between

class BaseUser(HttpUser):
    abstract = True
    host = "http://127.0.0.1:8089"
    wait_time = between(1, 2)
    weight = 3

    def on_start(self):
        self.client.post("/login")

    @task(2)
    def health(self):
        self.client.get("/health")
`;

const SHOPPER = `from locust import task
from common import BaseUser

class Shopper(BaseUser):
    @task
    def browse(self):
        self.client.get("/items")
`;

/** Writes files under a fresh folder of the temporary root; returns the folder. */
function project(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const uriOf = (file: string) => pathToFileURL(file).href;

async function analyse(file: string, text: string, analyses = new DocumentAnalyses()) {
  analyses.openDocument(uriOf(file), 'python', 1, text);
  const analysis = await analyses.analysisOf(uriOf(file));
  assert.ok(analysis);
  return analysis;
}

test('a User class whose base is in another module of the project is a User: host, weight, wait_time, on_start and tasks inherited', async () => {
  const dir = project('plain', { 'common.py': COMMON });
  const { model, facts, tree } = await analyse(path.join(dir, 'locustfile.py'), SHOPPER);
  assert.equal(model.isLocustfile, true);
  assert.deepEqual(
    model.users.map((u) => [u.name, u.abstract, u.host, u.weight, u.waitTime && [u.waitTime.kind, u.waitTime.args], u.onStart !== null]),
    [['Shopper', false, 'http://127.0.0.1:8089', 3, ['between', [1, 2]], true]],
  );
  // Locust puts the base's tasks first; the inherited one says where it is.
  assert.deepEqual(
    model.users[0]!.tasks.map((t) => [t.name, t.weight, t.uri ?? null, t.range.start.line]),
    [
      ['health', 2, uriOf(path.join(dir, 'common.py')), 11],
      ['browse', 1, null, 4],
    ],
  );
  // Lenses and outline: Shopper runs; only the task written in this file gets "Run task once".
  const lenses = codeLensesFor(model);
  const runs = lenses.filter((l) => l.command?.command === LensCommand.runLoadTest).map((l) => l.range.start.line);
  assert.deepEqual(runs, [0, 3]);
  const once = lenses.filter((l) => l.command?.command === LensCommand.runTaskOnce).map((l) => (l.command?.arguments?.[0] as { task: string }).task);
  assert.deepEqual(once, ['browse']);
  const outline = documentSymbolsFor(model, tree);
  assert.deepEqual(
    outline.map((s) => [s.name, (s.children ?? []).map((c) => c.name)]),
    [['Shopper', ['browse']]],
  );
  assert.deepEqual(
    diagnosticsFor(tree, model, facts, { hostConfiguredElsewhere: false }).map((d) => d.code),
    [],
    'no "no host" or "no tasks" from what the base gives',
  );
});

test('every way Python names a module of the project: import as, a package, a submodule, a relative import, a re-export', async () => {
  const dir = project('ways', {
    'common.py': COMMON,
    'pkg/__init__.py': 'from .users import ApiUser\n',
    'pkg/users.py': 'from .base import Root\n\nclass ApiUser(Root):\n    host = "http://127.0.0.1:9000"\n',
    'pkg/base.py': 'from locust import FastHttpUser, task\n\nclass Root(FastHttpUser):\n    abstract = True\n    @task\n    def ping(self):\n        self.client.get("/ping")\n',
    'shim.py': 'from locust import HttpUser as Base\nfrom common import BaseUser as Again\n',
  });
  const text = [
    'import common',
    'import common as c',
    'import pkg.users',
    'from pkg import users',
    'from pkg import ApiUser',
    'from shim import Base, Again',
    '',
    'class A(common.BaseUser): pass',
    'class B(c.BaseUser): pass',
    'class C(pkg.users.ApiUser): pass',
    'class D(users.ApiUser): pass',
    'class E(ApiUser): pass',
    'class F(Base):',
    '    host = "http://127.0.0.1:1"',
    'class G(Again): pass',
    '',
  ].join('\n');
  const { model } = await analyse(path.join(dir, 'locustfile.py'), text);
  assert.deepEqual(
    model.users.map((u) => [u.name, u.host, u.tasks.map((t) => t.name).join()]),
    [
      ['A', 'http://127.0.0.1:8089', 'health'],
      ['B', 'http://127.0.0.1:8089', 'health'],
      ['C', 'http://127.0.0.1:9000', 'ping'],
      ['D', 'http://127.0.0.1:9000', 'ping'],
      ['E', 'http://127.0.0.1:9000', 'ping'],
      ['F', 'http://127.0.0.1:1', ''],
      ['G', 'http://127.0.0.1:8089', 'health'],
    ],
  );
  assert.equal(model.isLocustfile, true, 'a file whose Users all come through the project is a locustfile');
});

test('what the project does not define stays unknown: a library, a missing module, an import cycle, a file too large', async () => {
  const dir = project('unknown', {
    'a.py': 'from b import Loop\nclass Loop(Loop): pass\n',
    'b.py': 'from a import Loop\n',
    'big.py': `from locust import HttpUser\nclass Huge(HttpUser):\n    pass\n${'#'.repeat(MAX_PROJECT_MODULE_BYTES)}\n`,
  });
  const text = 'from locust import task\nfrom requests import Session\nfrom missing import Gone\nfrom a import Loop\nfrom big import Huge\n\nclass S(Session): pass\nclass M(Gone): pass\nclass L(Loop): pass\nclass H(Huge): pass\n';
  const { model } = await analyse(path.join(dir, 'locustfile.py'), text);
  assert.deepEqual(model.users, []);
});

test('an edit of an open module, or a module saved anew on disk, changes the model of the files that import it', async () => {
  const dir = project('edits', { 'common.py': COMMON });
  const analyses = new DocumentAnalyses();
  const locustfile = uriOf(path.join(dir, 'locustfile.py'));
  const first = await analyse(path.join(dir, 'locustfile.py'), SHOPPER, analyses);
  assert.equal(first.model.users[0]?.host, 'http://127.0.0.1:8089');
  assert.equal(await analyses.analysisOf(locustfile), first, 'nothing changed: the same analysis');
  assert.deepEqual(analyses.outdatedByProject(), []);

  // The module opened in the editor and edited (not saved): its text is the open document's.
  const common = uriOf(path.join(dir, 'common.py'));
  analyses.openDocument(common, 'python', 1, COMMON);
  analyses.changeDocument(common, 2, [{ range: { start: { line: 4, character: 29 }, end: { line: 4, character: 33 } }, text: '9999' }]);
  assert.deepEqual(analyses.outdatedByProject(), [locustfile]);
  const edited = await analyses.analysisOf(locustfile);
  assert.notEqual(edited, first);
  assert.equal(edited?.model.users[0]?.host, 'http://127.0.0.1:9999');
  assert.deepEqual(analyses.outdatedByProject(), []);

  // Closed without saving: the disk's text again.
  analyses.forget(common);
  assert.equal((await analyses.analysisOf(locustfile))?.model.users[0]?.host, 'http://127.0.0.1:8089');

  // Saved by another program: a new modification time.
  writeFileSync(path.join(dir, 'common.py'), COMMON.replace('@task(2)', '@task(7)'));
  const later = new Date(Date.now() + 5000);
  utimesSync(path.join(dir, 'common.py'), later, later);
  assert.deepEqual(analyses.outdatedByProject(), [locustfile]);
  assert.equal((await analyses.analysisOf(locustfile))?.model.users[0]?.tasks[0]?.weight, 7);

  // Deleted: Shopper is no User the editor can tell.
  rmSync(path.join(dir, 'common.py'));
  assert.deepEqual((await analyses.analysisOf(locustfile))?.model.users, []);
});

test('a document that is no file (untitled) imports nothing from a project', async () => {
  const analyses = new DocumentAnalyses();
  analyses.openDocument('untitled:Untitled-1', 'python', 1, SHOPPER);
  const analysis = await analyses.analysisOf('untitled:Untitled-1');
  assert.deepEqual(analysis?.model.users, []);
  assert.equal(analysis?.facts.projectSignature, '');
});
