// The bundled server on a MarkovTaskSet over JSON-RPC: diagnostics at their places, the quick fix, hover, outline and lenses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticSeverity, type CodeAction, type CodeLens, type Diagnostic, type DocumentSymbol, type Hover, type MarkupContent } from 'vscode-languageserver';
import { startLanguageServer, type LspSession } from '../helpers/lspClient';
import { watchDiagnostics, type DiagnosticsWaiter } from './diagnosticsWaiter';
import { applyEdits } from './textEdits';

const FILE = `from locust import HttpUser, MarkovTaskSet, tag, transition, transitions


class Shop(MarkovTaskSet):
    @transition("cart", 2)
    @transition("home")
    def home(self):
        self.client.get("/")

    @transitions({"home": 1, "chekout": 3})
    def cart(self):
        self.client.get("/cart")

    @transitions(["home", ("helper", 0)])
    def checkout(self):
        self.client.get("/checkout")

    @transitions({})
    def lost(self):
        pass

    @tag("x")
    @transition("home")
    def tagged(self):
        pass

    def helper(self):
        pass


class Buyer(HttpUser):
    host = "http://127.0.0.1:8080"
    tasks = [Shop]
`;
const URI = 'file:///virtual/markov.py';

let lsp: LspSession;
let diagnostics: DiagnosticsWaiter;
let found: Diagnostic[];
before(async () => {
  lsp = await startLanguageServer();
  diagnostics = watchDiagnostics(lsp.connection);
  const published = diagnostics.next(URI, 1);
  await lsp.open(URI, FILE);
  found = await published;
});
after(async () => {
  await lsp.close();
});

function lineOf(needle: string): number {
  const index = FILE.indexOf(needle);
  assert.ok(index >= 0, needle);
  return FILE.slice(0, index).split('\n').length - 1;
}

test('each chain problem is reported where it is written: Errors for what Locust refuses, Warnings for the rest', () => {
  const seen = found
    .filter((d) => String(d.code).startsWith('markov-'))
    .map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.character} ${String(d.code)} ${d.severity === DiagnosticSeverity.Error ? 'E' : 'W'}`)
    .sort();
  const col = (needle: string, within: string) => FILE.split('\n')[lineOf(within)]!.indexOf(needle);
  const at = (within: string, needle: string) => `${lineOf(within)}:${col(needle, within)}-${col(needle, within) + needle.length}`;
  assert.deepEqual(
    seen,
    [
      `${at('"chekout"', '"chekout"')} markov-unknown-state E`,
      `${at('("helper", 0)', '"helper"')} markov-target-not-state E`,
      `${at('("helper", 0)', '0')} markov-weight-not-positive W`,
      // Unreachable because the transition meant for it is misspelt.
      `${at('def checkout', 'checkout')} markov-unreachable W`,
      `${at('def lost', 'lost')} markov-dead-end W`,
      `${at('def lost', 'lost')} markov-unreachable W`,
      `${at('def tagged', 'tagged')} markov-unreachable W`,
      `${at('@tag("x")', '@tag("x")')} markov-tagged-state E`,
    ].sort(),
  );
  assert.ok(found.every((d) => d.source === 'Locust Studio'));
  const unknown = found.find((d) => d.code === 'markov-unknown-state');
  assert.match(typeof unknown?.message === 'string' ? unknown.message : '', /Did you mean `checkout`\?/);
});

test('the "did you mean" fix renames the target inside its quotes', async () => {
  const unknown = found.find((d) => d.code === 'markov-unknown-state');
  assert.ok(unknown);
  const actions = await lsp.connection.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: URI }, range: unknown.range, context: { diagnostics: [unknown] } });
  const fix = actions.find((a) => a.title === "Change to 'checkout'");
  assert.ok(fix?.edit?.changes?.[URI], JSON.stringify(actions));
  assert.match(applyEdits(FILE, fix.edit.changes[URI]), /@transitions\(\{"home": 1, "checkout": 3\}\)/);
});

test('hover on a state shows where it goes, how likely, and where it comes from', async () => {
  const line = lineOf('def home');
  const hover = await lsp.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: URI }, position: { line, character: 9 } });
  const text = (hover?.contents as MarkupContent | undefined)?.value ?? '';
  assert.match(text, /the start state/);
  assert.match(text, /→ cart 67 %, → home 33 %/);
  assert.match(text, /From: `home`, `cart`, `checkout`/);
});

test('the outline shows the states under the TaskSet with their transitions', async () => {
  const symbols = await lsp.connection.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: URI } });
  const shop = symbols.find((s) => s.name === 'Buyer')?.children?.find((s) => s.name === 'Shop');
  assert.equal(shop?.detail?.startsWith('MarkovTaskSet'), true, JSON.stringify(shop));
  assert.deepEqual(
    shop?.children?.map((s) => [s.name, s.detail]),
    [
      ['home', '→ cart 2, → home 1'],
      ['cart', '→ home 1, → chekout 3'],
      ['checkout', '→ home 1, → helper 0'],
      ['lost', 'no transitions'],
      ['tagged', '→ home 1'],
    ],
  );
});

test('"Run task once" on a state enters the MarkovTaskSet like on a task', async () => {
  const lenses = await lsp.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: URI } });
  const cart = lenses.find((l) => l.command?.title.includes('Run task once') && l.range.start.line === lineOf('@transitions({"home": 1'));
  assert.deepEqual(cart?.command?.arguments?.[0], {
    uri: URI,
    userClasses: ['Buyer'],
    task: 'cart',
    taskSet: ['Shop'],
    range: { start: { line: lineOf('@transitions({"home": 1'), character: 4 }, end: { line: lineOf('def cart') + 1, character: '        self.client.get("/cart")'.length } },
    host: 'http://127.0.0.1:8080',
  });
});

test('a MarkovTaskSet without states is refused by Locust; an abstract one is not checked', async () => {
  const uri = 'file:///virtual/markov-empty.py';
  const text = 'from locust import MarkovTaskSet\n\nclass Empty(MarkovTaskSet):\n    pass\n\nclass Base(MarkovTaskSet):\n    abstract = True\n';
  const published = diagnostics.next(uri, 1);
  await lsp.open(uri, text);
  const codes = (await published).map((d) => `${d.range.start.line}:${String(d.code)}:${d.severity}`);
  assert.deepEqual(codes, [`2:markov-no-states:${DiagnosticSeverity.Error}`]);
});
