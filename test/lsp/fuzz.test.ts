// Fuzz: ≥ 10,000 mutated examples through one bundled server over JSON-RPC; every request is answered and the server never dies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DocumentSymbol, Position, Range } from 'vscode-languageserver';
import { REPO_ROOT, startLanguageServer, type LspSession } from '../helpers/lspClient';
import { DocumentModelRequest, type DocumentModelResult } from '../../protocol/lsp';
import { watchDiagnostics, type DiagnosticsWaiter } from './diagnosticsWaiter';
import { seededRandom } from '../helpers/synthetic';

const MUTANTS = 10_000;
/** Documents edited side by side; each gets one mutant per round, all of a round's requests in flight at once. */
const SLOTS = 25;
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);

const rand = seededRandom(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(items: T[]): T => items[int(items.length)]!;

const SOURCES = [path.join(REPO_ROOT, 'examples'), path.join(REPO_ROOT, 'test', 'fixtures', 'locustfiles')].flatMap((folder) =>
  readdirSync(folder)
    .filter((f) => f.endsWith('.py'))
    .map((f) => readFileSync(path.join(folder, f), 'utf8')),
);
const NOISE = ['\0', '\r', '\r\n', '\t', '(', ')', '[', '{', ':', '"', "'", '"""', '\\', '@', '#', 'é', '😀', '\u2028', '\ud800', 'class ', 'def ', '@task(', 'self.client.', '    '];

function mutate(text: string): string {
  let lines = text.split('\n');
  for (let n = 1 + int(3); n > 0; n--) {
    const at = int(lines.length);
    switch (int(5)) {
      case 0:
        lines.splice(at, 1 + int(3));
        break;
      case 1:
        lines.splice(at, 0, ...lines.slice(at, at + 1 + int(4)));
        break;
      case 2: {
        // Cut a token-sized piece out of the text.
        const joined = lines.join('\n');
        const start = int(joined.length);
        lines = (joined.slice(0, start) + joined.slice(start + 1 + int(12))).split('\n');
        break;
      }
      case 3: {
        const joined = lines.join('\n');
        const start = int(joined.length + 1);
        let noise = '';
        for (let k = 1 + int(4); k > 0; k--) noise += rand() < 0.5 ? pick(NOISE) : String.fromCharCode(int(0x3000));
        lines = (joined.slice(0, start) + noise + joined.slice(start)).split('\n');
        break;
      }
      default: {
        const other = int(lines.length);
        [lines[at], lines[other]] = [lines[other] ?? '', lines[at] ?? ''];
      }
    }
  }
  return lines.join('\n');
}

/** The LSP position of a UTF-16 offset, the way the server's TextDocument counts lines (\n, \r\n and \r). */
function positionAt(text: string, offset: number): Position {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 || c === 10) {
      if (c === 13 && text.charCodeAt(i + 1) === 10) {
        if (i + 1 >= offset) break;
        i++;
      }
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

/** One incremental change turning `before` into `after`: the span between their common prefix and suffix. */
function incrementalChange(before: string, after: string): { range: Range; text: string } {
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix++;
  // Never split a \r\n pair or a surrogate pair: back off one unit when the seam falls inside one.
  if (prefix > 0 && (before[prefix - 1] === '\r' || /[\ud800-\udbff]/.test(before[prefix - 1] ?? ''))) prefix--;
  let suffix = 0;
  while (suffix < before.length - prefix && suffix < after.length - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  if (suffix > 0 && (before[before.length - suffix] === '\n' || /[\udc00-\udfff]/.test(before[before.length - suffix] ?? ''))) suffix--;
  return { range: { start: positionAt(before, prefix), end: positionAt(before, before.length - suffix) }, text: after.slice(prefix, after.length - suffix) };
}

function within(outer: Range, inner: Range): boolean {
  const atOrBefore = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return atOrBefore(outer.start, inner.start) && atOrBefore(inner.end, outer.end);
}

/** Outline symbols whose selection range is not inside their range (VS Code rejects such an outline). */
function badSymbols(symbols: DocumentSymbol[]): string[] {
  return symbols.flatMap((s) => [...(within(s.range, s.selectionRange) ? [] : [`${s.name} ${JSON.stringify(s.selectionRange)} outside ${JSON.stringify(s.range)}`]), ...badSymbols(s.children ?? [])]);
}

function randomPosition(text: string): Position {
  const lines = text.split('\n').length;
  return { line: int(lines + 2), character: int(100) };
}

let lsp: LspSession;
let diagnostics: DiagnosticsWaiter;
const errorsLogged: string[] = [];
before(async () => {
  lsp = await startLanguageServer();
  diagnostics = watchDiagnostics(lsp.connection);
  lsp.connection.onNotification('window/logMessage', (params: { type: number; message: string }) => {
    if (params.type === 1) errorsLogged.push(params.message);
  });
});
after(async () => {
  await lsp.close();
});

// Bounded by count (MUTANTS), not by time: about 40 s on an idle 2-core machine; the timeout only catches a hung server,
// with room for a machine loaded several times over.
test(`${MUTANTS} mutated locustfiles: every request answered, no analysis failure, the server alive`, { timeout: 15 * 60_000 }, async (t) => {
  const started = performance.now();
  const texts: string[] = [];
  const versions: number[] = [];
  for (let slot = 0; slot < SLOTS; slot++) {
    texts.push(pick(SOURCES));
    versions.push(1);
    await lsp.open(`file:///fuzz/slot${slot}.py`, texts[slot]!);
  }
  let answered = 0;
  let sent = 0;
  const outlineProblems: string[] = [];
  for (let done = 0; done < MUTANTS; ) {
    const pending: Promise<unknown>[] = [];
    for (let slot = 0; slot < SLOTS && done < MUTANTS; slot++, done++) {
      const uri = `file:///fuzz/slot${slot}.py`;
      const previous = texts[slot]!;
      // Mostly mutate what the slot holds (edits pile up), sometimes start over from a clean example.
      const next = mutate(rand() < 0.8 ? previous : pick(SOURCES));
      const version = ++versions[slot]!;
      const change = rand() < 0.75 ? incrementalChange(previous, next) : { text: next };
      texts[slot] = next;
      pending.push(lsp.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] }));
      const textDocument = { uri };
      const position = randomPosition(next);
      const requests: [string, object][] = [
        ['textDocument/codeLens', { textDocument }],
        ['textDocument/documentSymbol', { textDocument }],
        ['textDocument/hover', { textDocument, position }],
        ['textDocument/completion', { textDocument, position: randomPosition(next) }],
        ['textDocument/codeAction', { textDocument, range: { start: { line: 0, character: 0 }, end: position }, context: { diagnostics: [] } }],
        [DocumentModelRequest.method, { uri }],
      ];
      for (const [method, params] of requests) {
        sent++;
        pending.push(
          lsp.connection.sendRequest(method, params).then((result) => {
            answered++;
            if (method === 'textDocument/documentSymbol') outlineProblems.push(...badSymbols(result as DocumentSymbol[]));
          }),
        );
      }
    }
    await Promise.all(pending);
  }
  // Diagnostics are debounced: each document ends with one publication for its last version.
  const finals = await Promise.all(texts.map((_, slot) => diagnostics.next(`file:///fuzz/slot${slot}.py`, versions[slot])));
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`fuzz: ${MUTANTS} mutants, ${sent} requests in ${seconds.toFixed(1)} s (seed ${SEED})`);
  assert.equal(answered, sent);
  assert.deepEqual(outlineProblems.slice(0, 5), []);
  assert.equal(finals.length, SLOTS);
  assert.deepEqual(errorsLogged, [], 'no analysis failed');
  assert.equal(lsp.process.exitCode, null, `server exited: ${lsp.stderr()}`);
  // Incremental parsing kept every model equal to the model of the same text opened fresh.
  for (let slot = 0; slot < SLOTS; slot++) {
    const edited = await lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri: `file:///fuzz/slot${slot}.py` });
    await lsp.open(`file:///fuzz/fresh${slot}.py`, texts[slot]!);
    const fresh = await lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri: `file:///fuzz/fresh${slot}.py` });
    assert.deepEqual(edited?.users, fresh?.users, `slot ${slot}`);
    assert.deepEqual(edited?.shapes, fresh?.shapes, `slot ${slot}`);
    assert.deepEqual(edited?.taskSets, fresh?.taskSets, `slot ${slot}`);
    assert.deepEqual(edited?.listeners, fresh?.listeners, `slot ${slot}`);
  }
  // And the server still understands a clean file after all that.
  await lsp.open('file:///fuzz/clean.py', SOURCES[0]!);
  const lenses = await lsp.connection.sendRequest<unknown[]>('textDocument/codeLens', { textDocument: { uri: 'file:///fuzz/clean.py' } });
  assert.ok(Array.isArray(lenses));
});
