// The traffic readers and the locustfile writer on what real recordings contain: browser quirks (Chromium, Firefox, Safari),
// binary bodies, WebSockets, redirects, non-UTF-8 text, truncated files, 10,000 entries, shell quoting of curl commands.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shellCommands } from '../../runner/trafficImport/curl';
import { readHar } from '../../runner/trafficImport/har';
import { readHttpFile } from '../../runner/trafficImport/httpFile';
import { generateLocustfile } from '../../runner/trafficImport/locustfile';
import { decodeSource } from '../../runner/trafficImport/sourceText';
import { parseTraffic } from '../../runner/trafficImport/trafficFile';
import { syntheticHar } from '../helpers/syntheticHar';

const HOST = 'http://127.0.0.1:8080';

function har(entries: unknown[], pages: unknown[] = []): string {
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, pages, entries } });
}

function entry(method: string, url: string, extra: { status?: number; request?: object; response?: object; at?: number; [key: string]: unknown } = {}): object {
  const { status = 200, request = {}, response = {}, at = 0, ...rest } = extra;
  return {
    startedDateTime: new Date(Date.parse('2026-01-01T10:00:00Z') + at).toISOString(),
    request: { method, url, headers: [], ...request },
    response: { status, headers: [], content: { size: 0, mimeType: 'text/html' }, redirectURL: '', ...response },
    ...rest,
  };
}

test('Firefox: entries out of order, form fields as params only, HTTP/2 pseudo-headers; Safari: no pages, -1 sizes', () => {
  const firefox = readHar(
    har([
      entry('GET', `${HOST}/second`, { at: 20, request: { headers: [{ name: ':authority', value: '127.0.0.1' }, { name: 'X-Trace', value: 'on' }] } }),
      entry('POST', `${HOST}/login`, { at: 10, request: { postData: { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'user', value: 'ann' }] } } }),
    ]),
  );
  assert.deepEqual(firefox.exchanges.map((e) => e.url), [`${HOST}/login`, `${HOST}/second`], 'sorted by start time');
  assert.deepEqual(firefox.exchanges[0]!.body, { kind: 'form', fields: [['user', 'ann']] });
  assert.deepEqual(firefox.exchanges[1]!.headers, [['X-Trace', 'on']]);
  const safari = readHar(har([entry('GET', `${HOST}/a`, { response: { content: { size: -1, mimeType: 'application/json' } }, _fetchType: 'Network Load' })]));
  assert.equal(safari.exchanges.length, 1);
  assert.equal(safari.exchanges[0]!.step, undefined);
  assert.equal(safari.exchanges[0]!.response?.text, undefined);
});

test('binary bodies: a base64 request body is sent as bytes, a base64 JSON response is still searched for values', () => {
  const traffic = readHar(
    har([
      entry('GET', `${HOST}/session`, { response: { content: { size: 20, mimeType: 'application/json', encoding: 'base64', text: Buffer.from('{"sessionId":"s-4f9a8b7c6d5e"}').toString('base64') } } }),
      entry('POST', `${HOST}/upload?session=s-4f9a8b7c6d5e`, { request: { postData: { mimeType: 'application/octet-stream', encoding: 'base64', text: Buffer.from([0, 1, 2, 255]).toString('base64') } } }),
    ]),
  );
  const { text } = generateLocustfile(traffic);
  assert.match(text, /^import base64$/m);
  assert.match(text, /data=base64\.b64decode\("AAEC\/w=="\)/);
  assert.match(text, /session_id = response\.json\(\)\["sessionId"\]/);
  assert.match(text, /f"\/upload\?session=\{session_id\}"/);
});

test('WebSockets are left out and named; a redirect the client follows is one request whose final response is used', () => {
  const traffic = readHar(
    har([
      entry('GET', 'ws://127.0.0.1:8080/live', { status: 101, _resourceType: 'websocket', _webSocketMessages: [] }),
      entry('POST', `${HOST}/login`, { at: 1, status: 302, response: { redirectURL: '/home', headers: [{ name: 'Location', value: '/home' }] } }),
      entry('GET', `${HOST}/home`, { at: 2, response: { content: { size: 60, mimeType: 'text/html', text: '<input type="hidden" name="nonce" value="n-98a7b6c5d4">' } } }),
      entry('POST', `${HOST}/act`, { at: 3, request: { postData: { mimeType: 'application/x-www-form-urlencoded', text: 'nonce=n-98a7b6c5d4' } } }),
    ]),
  );
  assert.deepEqual(traffic.exchanges.map((e) => `${e.method} ${new URL(e.url).pathname}`), ['POST /login', 'POST /act']);
  assert.equal(traffic.exchanges[0]!.response?.status, 200, 'the login carries the final response');
  const { text, leftOut } = generateLocustfile(traffic);
  assert.ok(leftOut.some((l) => /ws:\/\/.*live/.test(l.what) && /WebSocket/.test(l.why)));
  assert.match(text, /# Left out \(1\):\n# {3}GET ws:\/\/127\.0\.0\.1:8080\/live \(WebSocket/);
  assert.match(text, /nonce = re\.search\(.*name=.*nonce.*response\.text\)\.group\(1\)/, 'the hidden field of the redirected-to page is used');
});

test('non-UTF-8 text is read as Latin-1 with a note; UTF-16 with a BOM is read as such', () => {
  const latin1 = Buffer.from(`POST ${HOST}/notes\nContent-Type: text/plain\n\ncaf\u00e9 cr\u00e8me\n`, 'latin1');
  const decoded = decodeSource(latin1);
  assert.match(decoded.note ?? '', /not valid UTF-8: it was read as Latin-1/);
  const traffic = parseTraffic(decoded.text, 'notes.http');
  assert.deepEqual(traffic.exchanges[0]!.body, { kind: 'text', text: 'caf\u00e9 cr\u00e8me', contentType: 'text/plain' });
  assert.match(generateLocustfile(traffic).text, /data="caf\u00e9 cr\u00e8me"/);
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`GET ${HOST}/x\n`, 'utf16le')]);
  assert.deepEqual(decodeSource(utf16), { text: `GET ${HOST}/x\n`, note: undefined });
});

test('a truncated HAR gives its complete entries and says how much was lost', () => {
  const whole = har([entry('GET', `${HOST}/a`), entry('GET', `${HOST}/b`, { at: 1 }), entry('GET', `${HOST}/c`, { at: 2 })]);
  const cut = whole.slice(0, whole.indexOf(`${HOST}/c`) + 5);
  const traffic = parseTraffic(cut, 'cut.har');
  assert.deepEqual(traffic.exchanges.map((e) => new URL(e.url).pathname), ['/a', '/b']);
  assert.match(traffic.notes[0]!, /the file ends early .*the 2 complete entries before the cut were read, the rest is lost/);
  assert.match(generateLocustfile(traffic).text, /# Note: the file ends early/);
});

test('10,000 entries: ids grouped by name=, repeated pages one weighted task, static assets and the CDN left out and counted', () => {
  const traffic = parseTraffic(syntheticHar(10_000), 'big.har');
  assert.equal(traffic.exchanges.length, 10_000);
  const { text, leftOut } = generateLocustfile(traffic);
  assert.equal(leftOut.length, 4000, 'images and CDN scripts');
  assert.match(text, /# {3}… and 476 more/, '501 distinct lines: 500 images and the CDN script');
  assert.match(text, /# {3}GET https:\/\/cdn\.example\.com\/lib\.js \(static asset\) ×2000/);
  assert.match(text, /@task\(2000\)\n {4}def products\(self\):/);
  assert.match(text, /self\.client\.get\("\/products\/1000", name="\/products\/\[id\]"\)/);
  assert.match(text, /self\.client\.get\("\/api\/products\/1000\?view=full", name="\/api\/products\/\[id\]\?view=full"\)/);
  assert.equal(text.match(/@task/g)?.length, 1);
});

test('.http: variables, ### titles, request variables from JSON and headers, environment reads', () => {
  const traffic = readHttpFile(
    [
      `@base = ${HOST}`,
      '@apiKey = k-123',
      '### Sign in',
      '# @name signin',
      'POST {{base}}/auth',
      'Content-Type: application/json',
      '',
      '{"user": "ann", "pin": {{$processEnv PIN}}}',
      '',
      '### Profile',
      'GET {{base}}/me?trace={{signin.response.headers.X-Trace}}',
      'X-Api-Key: {{apiKey}}',
      'Authorization: Bearer {{signin.response.body.$.data.token}}',
    ].join('\n'),
  );
  assert.equal(traffic.exchanges.length, 2);
  const { text, environment } = generateLocustfile(traffic);
  assert.deepEqual(environment.sort(), ['LOCUST_API_KEY', 'PIN']);
  assert.match(text, /json=\{"user": "ann", "pin": os\.environ\["PIN"\]\}/);
  // No password in the flow, so no on_start: the value crosses steps, which makes them one task.
  assert.match(text, /@task\n {4}def sign_in\(self\):/);
  assert.match(text, /token = response\.json\(\)\["data"\]\["token"\]/);
  assert.match(text, /x_trace = response\.headers\["X-Trace"\]/);
  assert.match(text, /"X-Api-Key": os\.environ\["LOCUST_API_KEY"\], "Authorization": f"Bearer \{token\}"/);
});

test('curl: bash quoting ($\'…\', "…", \\ line continuations) and several commands', () => {
  assert.deepEqual(shellCommands(`curl 'http://h/a b' \\\n  -H "X-A: \\"q\\"" --data-raw $'x\\ny' && curl http://h/c; echo done`), [
    ['curl', 'http://h/a b', '-H', 'X-A: "q"', '--data-raw', 'x\ny'],
    ['curl', 'http://h/c'],
    ['echo', 'done'],
  ]);
  const traffic = parseTraffic(`curl -u ann:pw '${HOST}/x' --json '{"a":1}'`, 'cmds.curl');
  assert.equal(traffic.exchanges[0]!.method, 'POST');
  const { text } = generateLocustfile(traffic);
  assert.match(text, /json=\{"a": 1\}/);
  assert.match(text, /headers=\{"Authorization": os\.environ\["LOCUST_AUTHORIZATION"\]\}/);
  assert.doesNotMatch(text, /ann:pw/);
});

test('other hosts are kept on request, with absolute URLs', () => {
  const traffic = readHar(har([entry('GET', `${HOST}/`, { _resourceType: 'document' }), entry('GET', 'https://api.example.com/v1/rates', { at: 1, _resourceType: 'fetch' })]));
  assert.doesNotMatch(generateLocustfile(traffic).text, /self\.client\.get\("https:\/\/api\.example\.com/);
  assert.match(generateLocustfile(traffic, { keepThirdParty: true }).text, /self\.client\.get\("https:\/\/api\.example\.com\/v1\/rates"\)/);
});

test('static assets are kept on request; a CSRF meta tag and a response header are sources too', () => {
  const traffic = readHar(
    har([
      entry('GET', `${HOST}/app`, { _resourceType: 'document', response: { content: { size: 80, mimeType: 'text/html', text: '<meta name="csrf-token" content="c-0a1b2c3d4e5f">' }, headers: [{ name: 'X-Request-Key', value: 'rk-77aa88bb99' }] } }),
      entry('GET', `${HOST}/app.css`, { at: 1, _resourceType: 'stylesheet' }),
      entry('POST', `${HOST}/api/save`, { at: 2, _resourceType: 'fetch', request: { headers: [{ name: 'X-CSRF-Token', value: 'c-0a1b2c3d4e5f' }, { name: 'X-Request-Key', value: 'rk-77aa88bb99' }] } }),
    ]),
  );
  const { text } = generateLocustfile(traffic);
  assert.doesNotMatch(text, /app\.css"\)/);
  assert.match(generateLocustfile(traffic, { keepStatic: true }).text, /self\.client\.get\("\/app\.css"\)/);
  assert.ok(text.includes(`csrf_token = re.search(r'name="csrf-token"[^>]*content="([^"]*)"', response.text).group(1)`), text);
  assert.match(text, /x_request_key = response\.headers\["X-Request-Key"\]/);
  assert.match(text, /headers=\{"X-CSRF-Token": csrf_token, "X-Request-Key": x_request_key\}/);
});

test('markup written value-first or with single quotes gets a pattern for any attribute order', () => {
  const traffic = readHar(
    har([
      entry('GET', `${HOST}/form`, { _resourceType: 'document', response: { content: { size: 60, mimeType: 'text/html', text: "<input value='t-5e6f7a8b9c' type='hidden' name='token_field'>" } } }),
      entry('POST', `${HOST}/form`, { at: 1, request: { postData: { mimeType: 'application/x-www-form-urlencoded', text: 'token_field=t-5e6f7a8b9c' } } }),
    ]),
  );
  const { text } = generateLocustfile(traffic);
  assert.ok(text.includes(`token_field = re.search("<input(?=[^>]*name=[\\"']token_field[\\"'])[^>]*value=`), text);
});
