// The language server over JSON-RPC on a locustfile whose User class derives from a module beside it: its lenses and diagnostics, and
// both again (a code lens refresh asked of the client) when that module is edited in the editor or changes on disk.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeLens } from 'vscode-languageserver';
import { startLanguageServer } from '../helpers/lspClient';
import { watchDiagnostics } from './diagnosticsWaiter';
import { DocumentModelRequest, LensCommand, type DocumentModelResult, type RunTarget } from '../../protocol/lsp';

const dir = mkdtempSync(path.join(tmpdir(), 'locust-studio-lsp-project-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const COMMON = `from locust import HttpUser, task


class BaseUser(HttpUser):
    abstract = True
    host = "http://127.0.0.1:8089"

    @task
    def health(self):
        self.client.get("/health")
`;
const LOCUSTFILE = `from locust import task
from common import BaseUser


class Shopper(BaseUser):
    @task(3)
    def browse(self):
        self.client.get("/items")
`;

test('a User class of a base beside the file: its lenses, no false diagnostics, and both follow edits of the base', async () => {
  writeFileSync(path.join(dir, 'common.py'), COMMON);
  writeFileSync(path.join(dir, 'locustfile.py'), LOCUSTFILE);
  const lsp = await startLanguageServer({ workspace: { codeLens: { refreshSupport: true } } });
  try {
    const diagnostics = watchDiagnostics(lsp.connection);
    const refreshWaiters: (() => void)[] = [];
    lsp.connection.onRequest('workspace/codeLens/refresh', () => {
      refreshWaiters.splice(0).forEach((resolve) => resolve());
      return null;
    });
    const refreshed = () => new Promise<void>((resolve) => refreshWaiters.push(resolve));
    const uri = pathToFileURL(path.join(dir, 'locustfile.py')).href;
    const lensesOf = () => lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });

    const first = diagnostics.next(uri, 1);
    await lsp.open(uri, LOCUSTFILE);
    assert.deepEqual(await first, [], 'no "no host", no "no tasks": the base has them');
    const lenses = await lensesOf();
    const run = lenses.find((l) => l.command?.command === LensCommand.runLoadTest && l.range.start.line === 4);
    assert.deepEqual((run?.command?.arguments?.[0] as RunTarget | undefined)?.userClasses, ['Shopper']);
    assert.deepEqual(
      lenses.filter((l) => l.command?.command === LensCommand.runTaskOnce).map((l) => [l.range.start.line, (l.command?.arguments?.[0] as RunTarget).task]),
      [[5, 'browse']],
      'only the task written here has a "Run task once" lens here',
    );
    const model = await lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri });
    assert.deepEqual(model?.users[0]?.tasks.map((t) => [t.name, t.weight, t.uri ?? null]), [
      ['health', 1, pathToFileURL(path.join(dir, 'common.py')).href],
      ['browse', 3, null],
    ]);

    // The base opened and edited, not saved: the locustfile's model, lenses and diagnostics follow the open text.
    const common = pathToFileURL(path.join(dir, 'common.py')).href;
    await lsp.open(common, COMMON);
    const asked = refreshed();
    const republished = diagnostics.next(uri, 1);
    await lsp.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: common, version: 2 },
      contentChanges: [{ range: { start: { line: 5, character: 29 }, end: { line: 5, character: 33 } }, text: '7000' }],
    });
    await asked;
    assert.deepEqual(await republished, [], 'the diagnostics are published again, still with nothing to report');
    const edited = await lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri });
    assert.equal(edited?.users[0]?.host, 'http://127.0.0.1:7000');

    // Closed without saving, then saved by another program with a new host: the disk's text, once the client reports the change.
    await lsp.connection.sendNotification('textDocument/didClose', { textDocument: { uri: common } });
    writeFileSync(path.join(dir, 'common.py'), COMMON.replace('8089', '9999'));
    const askedAgain = refreshed();
    await lsp.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: common, type: 2 }] });
    await askedAgain;
    const saved = await lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri });
    assert.equal(saved?.users[0]?.host, 'http://127.0.0.1:9999');
  } finally {
    await lsp.close();
  }
});
