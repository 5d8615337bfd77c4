// Traffic import with real parts: Chromium records the demo target's account flow (HAR), the CLI writes locustfiles from it
// and from .http, curl and Postman versions of the flow; each imports under Locust, is clean for the language server, and a
// short real run against a fresh target (which knows none of the recorded tokens, CSRF fields or ids) has 0 failures.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startTarget } from '../../examples/target/server.mjs';
import { launchChromium } from '../helpers/browser';
import { syntheticHar } from '../helpers/syntheticHar';
import { cliAgainstTarget, runCli } from '../helpers/cliProcess';
import { startLanguageServer, type LspSession } from '../helpers/lspClient';
import { watchDiagnostics, type DiagnosticsWaiter } from '../lsp/diagnosticsWaiter';
import { locustsFor, requireLocust, titled } from './support';

const run = promisify(execFile);
const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'traffic');
/** The host the fixtures were written against; the tests point them at the fresh target. */
const FIXTURE_HOST = 'http://127.0.0.1:8080';
const PASSWORD = 'secret-pass';

const cli = cliAgainstTarget('traffic');
let lsp: LspSession;
let diagnostics: DiagnosticsWaiter;
let har = '';
/** Values the recording's server issued: none of them may be written into a generated locustfile. */
let issued: string[] = [];

/** Records the account flow with Chromium against a target of its own, closed afterwards: the run target never saw these values. */
async function recordFlow(file: string): Promise<void> {
  const target = await startTarget({ port: 0, quiet: true });
  const browser = await launchChromium({ recordHar: file });
  try {
    const page = await browser.context.newPage();
    await page.goto(`${target.url}/account/login`);
    await page.fill('#username', 'demo');
    await page.fill('#password', PASSWORD);
    await page.click('#submit');
    await page.locator('#status', { hasText: /Order \d+ ready/ }).waitFor({ timeout: 30_000 });
  } finally {
    await browser.close();
    await target.close();
  }
}

before(async () => {
  lsp = await startLanguageServer();
  diagnostics = watchDiagnostics(lsp.connection);
  har = path.join(cli.scratch, 'flow.har');
  await recordFlow(har);
  const entries = (JSON.parse(await readFile(har, 'utf8')) as { log: { entries: { response: { content: { text?: string } } }[] } }).log.entries;
  const bodies = entries.map((e) => e.response.content.text ?? '').join('\n');
  issued = [
    /name="csrf_token" value="([0-9a-f]+)"/.exec(bodies)?.[1],
    /"token":"([^"]+)"/.exec(bodies)?.[1],
    /"id":(\d+)/.exec(bodies)?.[1],
  ].filter((v): v is string => v !== undefined);
  assert.equal(issued.length, 3, 'the recording holds a CSRF token, a bearer token and an order id');
});
after(async () => {
  await lsp.close();
});

/** Imports `source` with the CLI (pointed at the run target) and reads the locustfile it wrote. */
async function importFile(source: string, name: string, extra: string[] = []): Promise<{ file: string; text: string; stdout: string }> {
  const file = path.join(cli.scratch, `${name}.py`);
  const result = await runCli(['import', source, '-o', file, '--host', cli.url, ...extra], { cwd: cli.scratch });
  assert.equal(result.code, 0, `import ${name}: ${result.stderr}`);
  return { file, text: await readFile(file, 'utf8'), stdout: result.stdout };
}

async function assertNoDiagnostics(file: string, text: string): Promise<void> {
  const uri = pathToFileURL(file).toString();
  const published = diagnostics.next(uri, 1);
  await lsp.open(uri, text);
  const found = await published;
  assert.deepEqual(found.map((d) => `${d.range.start.line + 1}: ${String(d.code)} ${typeof d.message === 'string' ? d.message : d.message.value}`), [], `${path.basename(file)}: no diagnostics`);
}

/** A short real headless run through the CLI; the final table's rows by endpoint name. */
async function runOnce(file: string, python: string): Promise<Map<string, { requests: number; failures: number }>> {
  const result = await runCli(['run', file, '-u', '3', '-r', '3', '-t', '4s', '--no-record', '--python', python, '-H', cli.url], {
    cwd: cli.scratch,
    env: { ...process.env, LOCUST_PASSWORD: PASSWORD },
  });
  assert.equal(result.code, 0, `the run passes (0 failures, no exceptions):\n${result.stdout}\n${result.stderr}`);
  const rows = new Map<string, { requests: number; failures: number }>();
  for (const match of result.stdout.matchAll(/^(GET|POST)\s+(\S+)\s+(\d+)\s+(\d+) \(/gm)) rows.set(`${match[1]} ${match[2]}`, { requests: Number(match[3]), failures: Number(match[4]) });
  return rows;
}

/** The flow's five endpoints all ran, without a failure (the login ones once per user, the order ones in the task). */
function assertWholeFlowRan(rows: Map<string, { requests: number; failures: number }>): void {
  for (const endpoint of ['GET /account/login', 'POST /account/login', 'POST /api/token', 'POST /api/orders', 'GET /api/orders/[id]']) {
    const row = rows.get(endpoint);
    assert.ok(row && row.requests > 0, `${endpoint} ran: ${JSON.stringify([...rows])}`);
    assert.equal(row.failures, 0, `${endpoint} never failed`);
  }
}

for (const locust of locustsFor('full')) test(titled(locust, 'a Chromium recording (HAR) becomes a locustfile that runs with 0 failures against a fresh target'), async () => {
  requireLocust(locust);
  const { file, text, stdout } = await importFile(har, `har-${locust.role}`);
  for (const value of issued) assert.ok(!text.includes(value), `the recorded value ${value} is taken from a response, not written in`);
  assert.ok(!text.includes(PASSWORD), 'the password is not in the file');
  assert.match(text, /os\.environ\["LOCUST_PASSWORD"\]/);
  assert.match(stdout, /Set LOCUST_PASSWORD before running it/);
  assert.match(text, /def on_start\(self\):\n(.*\n)*?\s+response = self\.client\.get\("\/account\/login"\)/, 'the login steps are in on_start');
  assert.match(text, /name="\/api\/orders\/\[id\]"/, 'ids are grouped by name=');
  assert.match(text, /self\.client\.headers\["Authorization"\] = f"Bearer \{self\.token\}"/, 'the bearer token from the login goes on the session');
  assert.match(text, /# Left out \(3\):\n# {3}GET \S+\/static\/site\.css \(static asset\)/, 'static assets are left out and listed');
  assert.doesNotMatch(text, /User-Agent|Sec-Fetch|Cookie/i, 'browser headers and cookies are left to the client');
  await run(locust.python, ['-m', 'locust', '-f', file, '--list'], { cwd: cli.scratch, timeout: 30_000 });
  await assertNoDiagnostics(file, text);
  assertWholeFlowRan(await runOnce(file, locust.python));
});

test('the run target rejects the recording\'s own values: only a correlated locustfile can pass', async () => {
  const [csrf, token, id] = issued;
  const login = await fetch(`${cli.url}/account/login`, { method: 'POST', body: new URLSearchParams({ csrf_token: csrf!, username: 'demo', password: PASSWORD }), redirect: 'manual' });
  assert.equal(login.status, 403, 'a recorded CSRF token is refused');
  const order = await fetch(`${cli.url}/api/orders/${id!}`, { headers: { Authorization: `Bearer ${token!}` } });
  assert.equal(order.status, 401, 'a recorded bearer token is refused');
});

for (const [format, fixture] of [
  ['.http', 'shopFlow.http'],
  ['curl', 'shopFlow.curl'],
  ['Postman', 'shopFlow.postman_collection.json'],
] as const) {
  test(`the flow as ${format} becomes a locustfile that runs with 0 failures against a fresh target`, async () => {
    // The fixture, pointed at the target under test.
    const source = path.join(cli.scratch, fixture);
    await writeFile(source, (await readFile(path.join(FIXTURES, fixture), 'utf8')).replaceAll(FIXTURE_HOST, cli.url));
    const { file, text } = await importFile(source, `flow-${format.replace(/\W/g, '')}`);
    assert.ok(!/secret-pass|not-kept|gFb7adtw|281050|4f1c0a7e/.test(text), 'no recorded secret, token, id or CSRF field is written in');
    await run(locustsFor('full')[0]!.python, ['-m', 'locust', '-f', file, '--list'], { cwd: cli.scratch, timeout: 30_000 });
    await assertNoDiagnostics(file, text);
    assertWholeFlowRan(await runOnce(file, locustsFor('full')[0]!.python));
  });
}

test('FastHttpUser on request: the recorded flow runs with 0 failures as a FastHttpUser too', async () => {
  const { file, text } = await importFile(har, 'har-fast', ['--fast-http']);
  assert.match(text, /class RecordedUser\(FastHttpUser\):/);
  await assertNoDiagnostics(file, text);
  assertWholeFlowRan(await runOnce(file, locustsFor('full')[0]!.python));
});

test('bad input still gives usable locustfiles: 10,000 entries, binary bodies, a WebSocket, a redirect, Latin-1 text, a truncated recording', async () => {
  const recorded = await readFile(har, 'utf8');
  const cut = recorded.slice(0, Math.floor(recorded.length * 0.6));
  const mixed = JSON.stringify({
    log: {
      version: '1.2',
      entries: [
        { startedDateTime: '2026-01-01T10:00:00.000Z', request: { method: 'GET', url: 'ws://127.0.0.1:1/live', headers: [] }, response: { status: 101, headers: [], content: {} }, _resourceType: 'websocket' },
        { startedDateTime: '2026-01-01T10:00:01.000Z', request: { method: 'GET', url: `${cli.url}/old`, headers: [] }, response: { status: 301, headers: [{ name: 'Location', value: '/health' }], content: {}, redirectURL: `${cli.url}/health` } },
        { startedDateTime: '2026-01-01T10:00:01.100Z', request: { method: 'GET', url: `${cli.url}/health`, headers: [] }, response: { status: 200, headers: [], content: { mimeType: 'application/json', text: '{"status":"ok"}' } } },
        { startedDateTime: '2026-01-01T10:00:02.000Z', request: { method: 'POST', url: `${cli.url}/upload`, headers: [], postData: { mimeType: 'application/octet-stream', encoding: 'base64', text: Buffer.from([0, 159, 146, 150, 255]).toString('base64') } }, response: { status: 200, headers: [], content: { mimeType: 'image/png', encoding: 'base64', text: 'iVBORw0KGgo=' } } },
      ],
    },
  });
  const inputs: [string, string | Buffer, RegExp][] = [
    ['big.har', syntheticHar(10_000), /… and 476 more/],
    ['mixed.har', mixed, /WebSocket/],
    ['latin1.http', Buffer.from(`POST ${cli.url}/notes\nContent-Type: text/plain\n\ncaf\u00e9\n`, 'latin1'), /read as Latin-1/],
    ['cut.har', cut, /the file ends early/],
  ];
  for (const [name, content, expected] of inputs) {
    const source = path.join(cli.scratch, name);
    await writeFile(source, content);
    const { file, text } = await importFile(source, `bad-${name.replace(/\W/g, '-')}`);
    assert.match(text, expected, name);
    await run(locustsFor('full')[0]!.python, ['-m', 'locust', '-f', file, '--list'], { cwd: cli.scratch, timeout: 30_000 });
    await assertNoDiagnostics(file, text);
  }
});

test('an unreadable or unsupported file: exit status 2 and a message that says why', async () => {
  const cases: [string, string | undefined, RegExp][] = [
    ['missing.har', undefined, /cannot read .*missing\.har/],
    ['notes.txt', 'Just some notes, no requests here.\n', /unsupported file/],
    ['other.json', '{"name": "not traffic"}', /neither a HAR file .* nor a Postman collection/],
    ['empty.http', '', /the file is empty/],
    ['cut.har', '{"log": {"version": "1.2", "entries": [{"request": {"method": "GET", "url": "http://127.0.0.1:1/a"', /no complete entry could be read/],
  ];
  for (const [name, content, message] of cases) {
    const file = path.join(cli.scratch, name);
    if (content !== undefined) await writeFile(file, content);
    const result = await runCli(['import', file, '-o', path.join(cli.scratch, 'never.py')], { cwd: cli.scratch });
    assert.equal(result.code, 2, `${name}: exit status 2`);
    assert.match(result.stderr, message, name);
  }
});
