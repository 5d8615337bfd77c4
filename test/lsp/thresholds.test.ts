// The bundled server and a locustfile's THRESHOLDS over JSON-RPC: the model, diagnostics at the exact place, completion and hover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DiagnosticSeverity, type CompletionItem, type CompletionList, type Diagnostic, type Hover, type MarkupContent, type Range } from 'vscode-languageserver';
import { REPO_ROOT } from '../helpers/lspClient';
import { expandSnippet } from '../helpers/snippetExpansion';
import { languageServerFixture } from './diagnosticsWaiter';
import { applyEdits } from './textEdits';
import { DocumentModelRequest, type DocumentModelResult } from '../../protocol/lsp';
import { METRIC_INFO, THRESHOLD_METRICS } from '../../protocol/thresholds';

const server = languageServerFixture('thresholds');
const open = (text: string) => server.open(text);

/** The position of a text offset (the test texts break lines with \n only). */
function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length - 1, character: offset - before.lastIndexOf('\n') - 1 };
}

/** A diagnostic's message as text (the protocol allows markup too). */
function messageOf(diagnostic: Diagnostic | undefined): string {
  const message = diagnostic?.message ?? '';
  return typeof message === 'string' ? message : message.value;
}

/** The range of the first occurrence of `needle` in `text`. */
function rangeOf(text: string, needle: string): Range {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `${needle} not found`);
  return { start: positionAt(text, index), end: positionAt(text, index + needle.length) };
}

const REQUESTS = `

class Shop(HttpUser):
    host = "http://127.0.0.1:8080"

    @task
    def cart(self):
        self.client.get("/cart")
        self.client.post("/checkout/1", name="/checkout")
`;

test('the model: each string of THRESHOLDS with its text, the range of its contents and its parse; the declaration; requests', async () => {
  const text = `from locust import HttpUser, task

THRESHOLDS: list[str] = (
    "p95 < 250ms",
    'GET /cart: p99 <= 1s',  # a comment
    "fail_" "ratio < 1%",
    f"p95 < {LIMIT}ms",
    42,
)
${REQUESTS}`;
  const { uri } = await open(text);
  const model = await server.lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri });
  assert.ok(model);
  assert.deepEqual(model.thresholdsDeclaredAt, { start: { line: 2, character: 0 }, end: { line: 8, character: 1 } });
  assert.deepEqual(
    model.thresholds.map((t) => [t.text, t.range]),
    [
      ['p95 < 250ms', rangeOf(text, 'p95 < 250ms')],
      ['GET /cart: p99 <= 1s', rangeOf(text, 'GET /cart: p99 <= 1s')],
      ['fail_ratio < 1%', rangeOf(text, 'fail_" "ratio < 1%')],
      [null, rangeOf(text, 'p95 < {LIMIT}ms')],
    ],
  );
  const parsed = model.thresholds.map((t) => (t.parsed?.ok ? [t.parsed.threshold.scope, t.parsed.threshold.metric, t.parsed.threshold.op, t.parsed.threshold.value] : t.parsed));
  assert.deepEqual(parsed, [
    [null, 'p95', '<', 250],
    [{ method: 'GET', name: '/cart' }, 'p99', '<=', 1000],
    [null, 'fail_ratio', '<', 0.01],
    null,
  ]);
  assert.deepEqual(
    model.requests.map((r) => [r.method, r.name, r.range]),
    [
      ['GET', '/cart', rangeOf(text, 'self.client.get("/cart")')],
      ['POST', '/checkout', rangeOf(text, 'self.client.post("/checkout/1", name="/checkout")')],
    ],
  );
});

test('a malformed threshold is an error at the exact faulty part, through escapes, raw strings, concatenations and line breaks', async () => {
  // Each case: the string as written in the file, and the part of it the error must cover.
  const cases: [string, string, RegExp][] = [
    ['"p96 < 250ms"', 'p96', /unknown metric "p96"/],
    ['"p95 250ms"', '250ms', /operator missing after p95/],
    ['"p95 =< 250ms"', '=<', /unknown operator "=<"/],
    ['"p95 < fast"', 'fast', /"fast" is not a number/],
    ['"avg < 250"', '250', /unit missing/],
    ['"max < 2kb"', 'kb', /wrong unit "kb"/],
    ['"fail_ratio < 5"', '5', /fraction from 0 to 1/],
    ['"rps > 50 over 30x"', '30x', /unreadable duration "30x"/],
    ['"p99 < 1s sometimes"', 'sometimes', /unknown modifier "sometimes"/],
    // An escape before the fault: the value is one character shorter than the source there.
    ['"\\tp90 < 1s over"', 'over', /over needs a duration/],
    ['"\\u00e9p50 < 1s"', '\\u00e9p50', /unknown metric/],
    ['r"p95 < 1s \\d"', '\\d', /unknown modifier "\\d"/],
    ['"p95 < 1s " "abortt"', 'abortt', /unknown modifier "abortt" \(did you mean abort\?\)/],
    ['"""p95 < 1s\n    nope"""', 'nope', /unknown modifier "nope"/],
  ];
  const lines = cases.map(([literal]) => `    ${literal},`).join('\n');
  const text = `from locust import HttpUser, task\n\nTHRESHOLDS = [\n${lines}\n]\n${REQUESTS}`;
  const { found } = await open(text);
  const malformed = found.filter((d) => d.code === 'threshold-malformed');
  assert.equal(malformed.length, cases.length, JSON.stringify(found, null, 1));
  for (const [index, [literal, faulty, message]] of cases.entries()) {
    const at = text.indexOf(`    ${literal},`) + 4 + literal.indexOf(faulty);
    const expected = { start: positionAt(text, at), end: positionAt(text, at + faulty.length) };
    const diagnostic = malformed[index];
    assert.deepEqual(diagnostic?.range, expected, `${literal}: the error covers ${faulty}`);
    assert.match(messageOf(diagnostic), message);
    assert.equal(diagnostic?.severity, DiagnosticSeverity.Error);
    assert.equal(diagnostic?.source, 'Locust Studio');
  }
  assert.deepEqual(found.filter((d) => d.code !== 'threshold-malformed'), [], 'nothing else to say');
});

test('an empty threshold is an error at its (empty) contents', async () => {
  const text = `from locust import HttpUser, task\n\nTHRESHOLDS = ["p95 < 1s", ""]\n${REQUESTS}`;
  const { found } = await open(text);
  const position = rangeOf(text, '""').start;
  const inside = { line: position.line, character: position.character + 1 };
  assert.deepEqual(found.map((d) => [d.code, d.range]), [['threshold-malformed', { start: inside, end: inside }]]);
});

test('a scope that names no request of the file is a warning on the scope; names known only at run time silence it', async () => {
  const thresholds = `THRESHOLDS = [
    "GET /cart: p95 < 250ms",
    "/checkout: p95 < 1s",
    "POST /checkout: p95 < 1s",
    "GET /nowhere: p95 < 1s",
    "POST /cart: p95 < 1s",
    "p95 < 1s",
]`;
  const text = `from locust import HttpUser, task\n\n${thresholds}\n${REQUESTS}`;
  const { found } = await open(text);
  assert.deepEqual(
    found.map((d) => [d.code, d.severity, d.range]),
    [
      ['threshold-unknown-endpoint', DiagnosticSeverity.Warning, rangeOf(text, 'GET /nowhere')],
      ['threshold-unknown-endpoint', DiagnosticSeverity.Warning, rangeOf(text, 'POST /cart')],
    ],
  );
  assert.match(messageOf(found[0]), /^No request in this file is named GET \/nowhere: [\s\S]*GET \/cart, POST \/checkout/);

  const dynamic = text.replace('        self.client.get("/cart")', '        self.client.get("/cart")\n        self.client.get(f"/items/{self.item}")');
  assert.deepEqual((await open(dynamic)).found, [], 'a request named at run time could be any of them');
  const noRequests = `from locust import User, task\n\n${thresholds}\n\nclass Quiet(User):\n    host = "http://127.0.0.1:8080"\n\n    @task\n    def idle(self):\n        pass\n`;
  assert.deepEqual((await open(noRequests)).found, [], 'without a request in sight, nothing is known about names');
});

test('THRESHOLDS that is no list of string literals: an error on the value, or on each element that is no string; an f-string is a hint', async () => {
  const notList = `from locust import HttpUser, task\n\nTHRESHOLDS = "p95 < 1s"\n${REQUESTS}`;
  const first = await open(notList);
  assert.deepEqual(first.found.map((d) => [d.code, d.severity, d.range]), [['thresholds-not-a-list', DiagnosticSeverity.Error, rangeOf(notList, '"p95 < 1s"')]]);

  const computed = `from locust import HttpUser, task\n\nTHRESHOLDS = load_thresholds()\n${REQUESTS}`;
  assert.deepEqual((await open(computed)).found.map((d) => [d.code, d.range]), [['thresholds-not-a-list', rangeOf(computed, 'load_thresholds()')]]);

  const elements = `from locust import HttpUser, task\n\nLIMIT = 250\nTHRESHOLDS = [\n    "p95 < 1s",\n    42,\n    SLOW,\n    b"p95 < 1s",\n    f"p95 < {LIMIT}ms",\n]\n${REQUESTS}`;
  const { found } = await open(elements);
  assert.deepEqual(
    found.map((d) => [d.code, d.severity, d.range]),
    [
      ['threshold-not-a-string', DiagnosticSeverity.Error, rangeOf(elements, '42')],
      ['threshold-not-a-string', DiagnosticSeverity.Error, rangeOf(elements, 'SLOW')],
      ['threshold-not-a-string', DiagnosticSeverity.Error, rangeOf(elements, 'b"p95 < 1s"')],
      ['threshold-f-string', DiagnosticSeverity.Hint, rangeOf(elements, 'p95 < {LIMIT}ms')],
    ],
  );
  assert.match(messageOf(found[0]), /string literal/);
});

test('typing inside a THRESHOLDS string gives a new model and new diagnostics', async () => {
  const text = `from locust import HttpUser, task\n\nTHRESHOLDS = ["p95 < 250ms"]\n${REQUESTS}`;
  const { uri, found } = await open(text);
  assert.deepEqual(found, []);
  const at = rangeOf(text, 'p95').end;
  const published = server.diagnostics.next(uri, 2);
  await server.lsp.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: at, end: at }, text: 'x' }],
  });
  assert.deepEqual((await published).map((d) => [d.code, d.range.start.character, d.range.end.character]), [['threshold-malformed', at.character - 3, at.character + 1]]);
  const model = await server.lsp.connection.sendRequest<DocumentModelResult>(DocumentModelRequest.method, { uri });
  assert.equal(model?.version, 2);
  assert.deepEqual(model?.thresholds.map((t) => [t.text, t.parsed?.ok]), [['p95x < 250ms', false]]);
});

async function completionsAt(text: string): Promise<{ items: CompletionItem[]; apply: (label: string) => string }> {
  const cursor = text.indexOf('|');
  const source = text.slice(0, cursor) + text.slice(cursor + 1);
  const uri = server.nextUri();
  await server.lsp.open(uri, source);
  const position = positionAt(source, cursor);
  const result = await server.lsp.connection.sendRequest<CompletionItem[] | CompletionList | null>('textDocument/completion', { textDocument: { uri }, position });
  const items = Array.isArray(result) ? result : (result?.items ?? []);
  const apply = (label: string) => {
    const chosen = items.find((i) => i.label === label);
    assert.ok(chosen?.textEdit && 'range' in chosen.textEdit, `${label} among ${items.map((i) => i.label).join(' ')}`);
    return applyEdits(source, [chosen.textEdit]);
  };
  return { items, apply };
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);
const HEADER = 'from locust import HttpUser, task\n\nTHRESHOLDS = [\n    "p95 < 250ms",\n';
const FOOTER = `\n]\n${REQUESTS}`;

test('completion at the start of a threshold string: the metrics, with their descriptions, and the endpoints of the file', async () => {
  const { items, apply } = await completionsAt(`${HEADER}    "|"${FOOTER}`);
  assert.deepEqual(labels(items), [...THRESHOLD_METRICS, 'GET /cart', 'POST /checkout']);
  const p95 = items.find((i) => i.label === 'p95');
  assert.deepEqual(p95?.documentation, { kind: 'markdown', value: METRIC_INFO.p95.description });
  assert.match(apply('GET /cart'), /\n {4}"GET \/cart: ",?\n/);
  // A half-typed word is replaced, not appended to; a half-typed scope is matched as a whole.
  assert.match((await completionsAt(`${HEADER}    "p9|"${FOOTER}`)).apply('p99'), /\n {4}"p99",?\n/);
  const scope = await completionsAt(`${HEADER}    "GET /ca|"${FOOTER}`);
  assert.deepEqual(labels(scope.items), ['GET /cart', 'POST /checkout']);
  assert.match(scope.apply('GET /cart'), /\n {4}"GET \/cart: "/);
});

test('completion after a scope: metrics only; after a metric: operators; after a number: the units of that metric', async () => {
  assert.deepEqual(labels((await completionsAt(`${HEADER}    "GET /cart: |"${FOOTER}`)).items), [...THRESHOLD_METRICS]);
  assert.deepEqual(labels((await completionsAt(`${HEADER}    "GET /cart: p95 |"${FOOTER}`)).items), ['<', '<=', '>', '>=']);
  const partialOp = await completionsAt(`${HEADER}    "p95 <|"${FOOTER}`);
  assert.match(partialOp.apply('<='), /"p95 <= "/);
  assert.deepEqual(labels((await completionsAt(`${HEADER}    "p95 < 250|"${FOOTER}`)).items), ['ms', 's']);
  assert.match((await completionsAt(`${HEADER}    "p95 < 250m|"${FOOTER}`)).apply('ms'), /"p95 < 250ms"/);
  assert.deepEqual(labels((await completionsAt(`${HEADER}    "avg < 250 |"${FOOTER}`)).items), ['ms', 's'], 'a time still needs its unit after a space');
  assert.deepEqual(labels((await completionsAt(`${HEADER}    "fail_ratio < 1|"${FOOTER}`)).items), ['%']);
  assert.deepEqual(labels((await completionsAt(`${HEADER}    "rps > 50|"${FOOTER}`)).items), ['/s']);
});

test('completion after the value: the modifiers not used yet, and durations after over/after; nothing between strings', async () => {
  assert.deepEqual(labels((await completionsAt(`${HEADER}    "p95 < 250ms |"${FOOTER}`)).items), ['over', 'after', 'abort']);
  assert.deepEqual(labels((await completionsAt(`${HEADER}    "rps > 50 over 30s ab|"${FOOTER}`)).items), ['after', 'abort']);
  assert.deepEqual(labels((await completionsAt(`${HEADER}    "p95 < 250ms over |"${FOOTER}`)).items), ['30s', '1m', '5m']);
  // An unterminated string being typed (no closing quote yet) is still a threshold string.
  assert.deepEqual(labels((await completionsAt(`${HEADER}    "p95 < 250ms abort |${FOOTER}`)).items), ['over', 'after']);
  assert.deepEqual(labels((await completionsAt(`${HEADER}    |${FOOTER}`)).items), [], 'between strings');
  assert.deepEqual(labels((await completionsAt(`${HEADER.replace('THRESHOLDS', 'OTHER')}    "|"${FOOTER}`)).items), [], 'another list is none of ours');
});

test('completion at module level: a THRESHOLDS item that inserts the thresholds snippet, unless the file declares them already', async () => {
  const snippets = JSON.parse(await readFile(path.join(REPO_ROOT, 'snippets', 'locust.code-snippets'), 'utf8')) as Record<string, { prefix: string[]; body: string[] }>;
  const snippet = Object.values(snippets).find((s) => s.prefix.includes('thresholds'));
  assert.ok(snippet, 'a thresholds snippet');
  const { items } = await completionsAt(`from locust import HttpUser, task\n\nTHR|\n${REQUESTS}`);
  const declaration = items.find((i) => i.label === 'THRESHOLDS');
  assert.ok(declaration?.textEdit && 'range' in declaration.textEdit);
  assert.equal(declaration.textEdit.newText, snippet.body.join('\n'));
  assert.deepEqual(declaration.textEdit.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 3 } });
  // The snippet, expanded, is thresholds the server finds nothing wrong with.
  const expanded = `from locust import HttpUser, task\n\n${expandSnippet(snippet.body.join('\n'))}\n${REQUESTS}`;
  assert.deepEqual((await open(expanded)).found, []);
  assert.equal(
    (await completionsAt(`${HEADER}]\n\nTHR|\n${REQUESTS}`)).items.find((i) => i.label === 'THRESHOLDS'),
    undefined,
    'not a second declaration',
  );
});

async function hoverAt(text: string, needle: string, offset = 1): Promise<string> {
  const uri = server.nextUri();
  await server.lsp.open(uri, text);
  const start = rangeOf(text, needle).start;
  const hover = await server.lsp.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: start.line, character: start.character + offset } });
  return (hover?.contents as MarkupContent | undefined)?.value ?? '';
}

test('hover over a threshold: what it means in plain English, and the grammar; over THRESHOLDS: what it is', async () => {
  const text = `from locust import HttpUser, task\n\nTHRESHOLDS = [\n    "/checkout: p95 < 300ms over 30s after 60s abort",\n    "p95 < 1x",\n]\n${REQUESTS}`;
  const scoped = await hoverAt(text, '/checkout: p95', 3);
  assert.match(scoped, /95th percentile response time of \/checkout \(all methods\) in every 30 s window after a 1 min warm-up stays below 300 ms; the run is stopped early when it fails/);
  assert.match(scoped, /\[SCOPE:\] METRIC OP VALUE\[UNIT\] \[over DURATION\] \[after DURATION\] \[abort\]/);
  assert.match(await hoverAt(text, 'p95 < 1x'), /Malformed threshold[\s\S]*wrong unit "x"/);
  const declaration = await hoverAt(text, 'THRESHOLDS');
  assert.match(declaration, /Pass\/fail targets of the load test \(2 thresholds\)/);
  assert.match(declaration, /Plain Locust ignores this variable/);
});
