// Attach over https: a TLS-terminating proxy (node:https, a self-signed certificate made by the openssl CLI at test time,
// 127.0.0.1 only) in front of a real Locust 2.12.1 web UI that loads the demo target. An untrusted certificate fails with
// a message that names the problem; trusted through --ca FILE, attaching works end to end (polls, swarm, stop, final).
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { attachToLocust, type LocustAttachment } from '../../runner/attach';
import { AttachedRun } from '../../runner/attachRun';
import { parseAttachArgs } from '../../runner/cli';
import { freePort } from '../../runner/locustRun';
import { startTarget } from '../../examples/target/server.mjs';
import { isTick, liveGroupMembers, PYTHON, WAIT_MS, type Tick } from './support';

const run = promisify(execFile);

const LOCUSTFILE = `
from locust import HttpUser, constant, task

class Browser(HttpUser):
    wait_time = constant(0.05)

    @task
    def products(self):
        self.client.get("/products")
`;

let target: Awaited<ReturnType<typeof startTarget>>;
let dir: string;
let locust: ChildProcess;
let proxy: https.Server;
let httpsUrl: string;
/** Locust's web UI itself, over plain http (for its own numbers). */
let webUrl: string;
/** The proxy's certificate (PEM file), and another self-signed one that did not sign it. */
let certFile: string;
let otherCertFile: string;
/** Every request that made it through the TLS handshake to the proxy: "METHOD /path". */
const proxied: string[] = [];
const locustLog: string[] = [];
const attachments: LocustAttachment[] = [];

/** A self-signed certificate for 127.0.0.1 (EC key: quick to make), written as `<name>.pem` and `<name>.key`. */
async function selfSigned(name: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, `${name}.pem`);
  const key = path.join(dir, `${name}.key`);
  await run(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
      '-subj', `/CN=Locust Studio test ${name}`, '-addext', 'subjectAltName=IP:127.0.0.1'],
    { timeout: 20_000 },
  );
  return { cert, key };
}

/** Resolves with the first `count` poll errors of an attachment. */
function pollErrors(attachment: LocustAttachment, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    const timer = setTimeout(() => reject(new Error(`only ${seen.length} poll errors: ${seen.join(' | ')}`)), WAIT_MS);
    attachment.on('pollError', (message) => {
      seen.push(message);
      if (seen.length === count) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
  });
}

before(async () => {
  [target, dir] = await Promise.all([startTarget({ port: 0, quiet: true }), mkdtemp(path.join(os.tmpdir(), 'locust-studio-https-'))]);
  const [mine, other] = await Promise.all([selfSigned('proxy'), selfSigned('other')]);
  certFile = mine.cert;
  otherCertFile = other.cert;
  await writeFile(path.join(dir, 'locustfile.py'), LOCUSTFILE);

  const webPort = await freePort();
  webUrl = `http://127.0.0.1:${webPort}`;
  locust = spawn(PYTHON, ['-m', 'locust', '-f', 'locustfile.py', '--web-host', '127.0.0.1', '--web-port', String(webPort), '-H', target.url], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  locust.stdout!.on('data', (d: Buffer) => locustLog.push(d.toString()));
  locust.stderr!.on('data', (d: Buffer) => locustLog.push(d.toString()));

  // TLS ends here; the request goes on, as it came, to the web UI over plain http on loopback.
  proxy = https.createServer({ key: await readFile(mine.key), cert: await readFile(mine.cert) }, (req, res) => {
    proxied.push(`${req.method} ${req.url}`);
    const upstream = http.request({ host: '127.0.0.1', port: webPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${error.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  httpsUrl = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  // Ready when the web UI answers (directly, over http): a bounded wait for an event, not a fixed sleep.
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const up = await fetch(`${webUrl}/stats/requests`).then((r) => r.ok, () => false);
    if (up) break;
    assert.ok(locust.exitCode === null && Date.now() < deadline, `Locust's web UI did not come up:\n${locustLog.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});

after(async () => {
  await Promise.all(attachments.map((a) => a.close()));
  if (locust?.pid && locust.exitCode === null && locust.signalCode === null) {
    const exited = new Promise((resolve) => locust.once('exit', resolve));
    process.kill(-locust.pid, 'SIGTERM');
    await exited;
  }
  if (locust?.pid) assert.deepEqual(await liveGroupMembers(locust.pid), [], 'no Locust process remains');
  if (proxy) {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
  }
  await target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('an untrusted self-signed certificate: a clear message naming the certificate problem, polling goes on, no request leaks', async () => {
  const attachment = attachToLocust({ url: httpsUrl, intervalMs: 100, maxBackoffMs: 200 });
  attachments.push(attachment);
  const messages = await pollErrors(attachment, 2);
  await attachment.close();
  assert.match(messages[0]!, new RegExp(`^Locust web UI at ${httpsUrl}: its TLS certificate is not trusted \\(self-signed certificate, DEPTH_ZERO_SELF_SIGNED_CERT\\)`));
  assert.match(messages[0]!, /--ca FILE/, 'the message says how to trust it');
  assert.equal(messages[1], messages[0], 'the next poll fails the same way');
  // The same sentence when attaching as a run (what the CLI prints after "cannot attach:").
  const attached = new AttachedRun({ url: httpsUrl });
  await assert.rejects(attached.connect(), (error: Error) => error.message === messages[0]);
  assert.deepEqual(await attached.exit, { code: null, signal: null, spawnError: messages[0] });
  assert.deepEqual(proxied, [], 'no HTTP request was sent over the unverified connection');
});

test('trusting another certificate does not make this one trusted, and the message says the given CA does not cover it', async () => {
  const attachment = attachToLocust({ url: httpsUrl, ca: await readFile(otherCertFile, 'utf8'), intervalMs: 100 });
  attachments.push(attachment);
  const [message] = await pollErrors(attachment, 1);
  await attachment.close();
  assert.match(message!, /its TLS certificate is not trusted, also with the CA certificates given \(self-signed certificate, DEPTH_ZERO_SELF_SIGNED_CERT\)/);
  assert.deepEqual(proxied, []);
});

test('--ca FILE: wrong uses are usage errors', () => {
  assert.throws(() => parseAttachArgs(['http://127.0.0.1:8089', '--ca', certFile]), /--ca goes with an https URL/);
  assert.throws(() => parseAttachArgs([httpsUrl, '--ca', path.join(dir, 'missing.pem')]), /--ca: cannot read ".*missing\.pem": ENOENT/);
  assert.throws(() => parseAttachArgs([httpsUrl, '--ca', path.join(dir, 'proxy.key')]), /--ca needs a PEM file with a certificate in it/);
});

test('with the certificate trusted (--ca FILE): attached over https, ticks grow, swarm and stop go through, final equals the web UI', { timeout: 60_000 }, async () => {
  const { options } = parseAttachArgs([httpsUrl, '--ca', certFile, '-u', '2', '-r', '2', '--interval', '0.5', '--stop', '--no-record']);
  assert.equal(options.ca, await readFile(certFile, 'utf8'), 'the CLI passes the PEM text of the file');
  const attached = new AttachedRun(options);
  const messages: { type: string }[] = [];
  const logs: string[] = [];
  attached.on('message', (m) => messages.push(m));
  attached.on('log', (line) => logs.push(line));
  const hello = await attached.connect();
  assert.deepEqual(hello.features, ['attached', 'webApi:legacy'], 'Locust 2.12.1 answered through the proxy');

  const running = new Promise<Tick>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no tick with 2 users and requests; logs: ${logs.join(' | ')}\n${locustLog.slice(-10).join('')}`)), WAIT_MS);
    attached.on('message', (m) => {
      if (isTick(m) && m.userCount === 2 && m.total.requests > 0) {
        clearTimeout(timer);
        resolve(m);
      }
    });
  });
  attached.start();
  const tick = await running;
  assert.equal(tick.state, 'running');

  const exit = await attached.stop();
  assert.deepEqual(exit, { code: 0, signal: null });
  const final = attached.final;
  assert.ok(final, 'final statistics');
  assert.ok(final.total.requests >= tick.total.requests);
  assert.deepEqual(messages.filter((m) => m.type === 'error'), [], 'no poll failed');

  // Locust's own numbers, straight from the web UI (http, behind the proxy): the test is stopped, so they hold still.
  const direct = (await (await fetch(`${webUrl}/stats/requests`)).json()) as {
    state: string;
    stats: { method: string | null; name: string; num_requests: number; num_failures: number }[];
  };
  assert.equal(direct.state, 'stopped');
  const products = direct.stats.find((s) => s.name === '/products');
  const finalProducts = final.endpoints.find((e) => e.name === '/products');
  assert.ok(products && finalProducts, 'GET /products in both');
  assert.equal(finalProducts.method, 'GET');
  assert.deepEqual([finalProducts.requests, finalProducts.failures], [products.num_requests, products.num_failures], 'final equals Locust’s own statistics');

  // Everything went over TLS through the proxy: polls, the swarm (POST) and the stop.
  assert.ok(proxied.includes('POST /swarm'), proxied.slice(0, 5).join(', '));
  assert.ok(proxied.includes('GET /stop'));
  assert.ok(proxied.filter((r) => r === 'GET /stats/requests').length >= 3);
});
