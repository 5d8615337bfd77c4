// Attach mode against the real web UI of each Locust of the matrix (127.0.0.1 only, basic auth on), loading the demo target.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { attachToLocust, normalizeStatsReport, type LocustAttachment, type TickMessage } from '../../runner/attach';
import { freePort } from '../../runner/locustRun';
import { startTarget } from '../../examples/target/server.mjs';
import { liveGroupMembers, locustOptions, locustsFor, requireLocust, titled, WAIT_MS, type LocustUnderTest } from './support';

const LOCUSTFILE = `
import os

from locust import HttpUser, constant, events, task

class Shopper(HttpUser):
    wait_time = constant(0.05)

    @task
    def home(self):
        self.client.get("/")

    @task
    def boom(self):
        raise ValueError("bad <value> & 'quote'")


@events.init.add_listener
def basic_auth(environment, **_kwargs):
    # Where this Locust has no --web-auth, basic auth sits in front of its web UI (ATTACH_TEST_BASIC_AUTH=user:password).
    credentials = os.environ.get("ATTACH_TEST_BASIC_AUTH")
    if not credentials or environment.web_ui is None:
        return
    from flask import Response, request

    @environment.web_ui.app.before_request
    def require_credentials():
        given = request.authorization
        if given is None or f"{given.username}:{given.password}" != credentials:
            return Response("credentials required", 401, {"WWW-Authenticate": 'Basic realm="locust"'})
`;

let target: { url: string; close(): Promise<void> };
let scratch: string;

before(async () => {
  target = await startTarget({ port: 0, quiet: true });
  scratch = await mkdtemp(path.join(os.tmpdir(), 'attach-'));
});

after(async () => {
  await target.close();
  await rm(scratch, { recursive: true, force: true });
});

/** Waits for a tick that satisfies `accepts` (polling errors while Locust starts up are expected and ignored). */
function nextTickOf(attachment: LocustAttachment, log: string[], what: string, accepts: (t: TickMessage) => boolean): Promise<TickMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      attachment.off('message', onMessage);
      reject(new Error(`timed out waiting for ${what}; Locust said:\n${log.slice(-10).join('')}`));
    }, WAIT_MS);
    function onMessage(m: { type: string }) {
      if (m.type === 'tick' && accepts(m as TickMessage)) {
        clearTimeout(timer);
        attachment.off('message', onMessage);
        resolve(m as TickMessage);
      }
    }
    attachment.on('message', onMessage);
  });
}

const CREDENTIALS = 'user:s3cret';

interface WebUi {
  url: string;
  /** What Locust printed, for failure messages. */
  log: string[];
  stop(): Promise<void>;
}

/**
 * Starts `locust` with its web UI on 127.0.0.1, its test running (3 users on the demo target for at most 20 s), behind
 * HTTP basic auth: Locust's own --web-auth where its --help offers it; newer Locusts replaced that by a login page
 * (--web-login), so there the locustfile puts basic auth in front of the web UI, as a proxy in front of it would.
 */
async function startWebUi(locust: LocustUnderTest): Promise<WebUi> {
  requireLocust(locust);
  const dir = path.join(scratch, locust.version);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'locustfile.py'), LOCUSTFILE);
  const port = await freePort();
  const nativeAuth = locustOptions(locust).has('--web-auth');
  const env = { ...process.env, ...(nativeAuth ? {} : { ATTACH_TEST_BASIC_AUTH: CREDENTIALS }) };
  const child = spawn(
    locust.python,
    ['-m', 'locust', '-f', 'locustfile.py', '--web-host', '127.0.0.1', '--web-port', String(port), ...(nativeAuth ? ['--web-auth', CREDENTIALS] : []),
      '--autostart', '-u', '3', '-r', '3', '-t', '20s', '-H', target.url],
    { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log: string[] = [];
  child.stdout.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => log.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await answering(url, log);
  return {
    url,
    log,
    async stop() {
      if (child.pid && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(-child.pid, 'SIGTERM');
        await exited;
      }
      if (child.pid) assert.deepEqual(await liveGroupMembers(child.pid), [], 'no Locust process remains');
    },
  };
}

/** Resolves once the web UI answers HTTP at all (401 included): it listens a moment after Locust starts. */
async function answering(url: string, log: string[]): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the web UI at ${url} never answered (${String(error)}); Locust said:\n${log.slice(-10).join('')}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The report shape of the JSON captured from this Locust's web UI (test/fixtures/attach), which the live one must match. */
function fixtureShape(locust: LocustUnderTest): string {
  const raw = JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'attach', `stats-${locust.version}.json`), 'utf8')) as unknown;
  return normalizeStatsReport(raw).shape;
}

for (const locust of locustsFor('smoke')) {
  describe(locust.label, () => {
    let webUi: WebUi | undefined;
    before(async () => {
      webUi = await startWebUi(locust);
    });
    after(async () => {
      await webUi?.stop();
    });

    test(titled(locust, 'without credentials: a clear 401 message, and polling goes on'), async () => {
      const attachment = attachToLocust({ url: webUi!.url, intervalMs: 100, maxBackoffMs: 200 });
      try {
        const message = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no 401 error; Locust said:\n${webUi!.log.slice(-10).join('')}`)), WAIT_MS);
          attachment.on('pollError', (m) => {
            // (Not just "401": the port in a refusal's message may contain it.)
            if (m.includes('(401)')) {
              clearTimeout(timer);
              resolve(m);
            }
          });
        });
        assert.match(message, /asks for credentials \(401\): set a username and password/);
      } finally {
        await attachment.close();
      }
    });

    test(titled(locust, 'with credentials: ticks grow, swarm changes users, reset, stop ends the test'), async () => {
      const [username, password] = CREDENTIALS.split(':');
      const attachment = attachToLocust({ url: webUi!.url, username, password, intervalMs: 250 });
      const errors: string[] = [];
      attachment.on('pollError', (m) => errors.push(m));
      let latest: TickMessage | undefined;
      attachment.on('message', (m) => {
        if (m.type === 'tick') latest = m;
      });
      const nextTick = (what: string, accepts: (t: TickMessage) => boolean) => nextTickOf(attachment, webUi!.log, what, accepts);
      try {
        const first = await nextTick('a tick with requests', (t) => t.total.requests > 0 && t.userCount === 3);
        const later = await nextTick('more requests', (t) => t.total.requests > first.total.requests + 20);
        assert.equal(later.state, 'running');
        assert.ok(later.seq > first.seq);
        assert.ok(later.total.window.seconds > 0);
        const home = later.endpoints.find((e) => e.name === '/');
        assert.ok(home, 'the "/" endpoint changed and is in the tick');
        assert.equal(home.method, 'GET');
        assert.ok(home.percentiles[0] !== null && home.percentiles[9] !== null, 'p50 and p100 known');
        assert.equal(attachment.reportShape, fixtureShape(locust), 'the live web UI has the shape of the JSON captured from it');

        // Exceptions arrive HTML-escaped from some web UIs and plain from others; either way we render the text.
        const withException = await nextTick('an exception', (t) => (t.exceptions ?? []).length > 0);
        assert.match(withException.exceptions![0]!.message, /bad <value> & 'quote'/);
        assert.match(withException.exceptions![0]!.traceback, /raise ValueError\("bad <value> & 'quote'"\)/);

        const swarm = await attachment.swarm(6, 6);
        assert.equal(swarm.success, true, swarm.message);
        await nextTick('6 users', (t) => t.userCount === 6);

        // Counts only go down on a reset (the web UI caches /stats/requests for up to 2 s, so wait for the drop).
        let last = latest!.total.requests;
        const reset = await attachment.reset();
        assert.equal(reset.success, true);
        const dropped = await nextTick('counts going down after reset', (t) => {
          const drop = t.total.requests < last;
          last = t.total.requests;
          return drop;
        });
        assert.ok(dropped.total.window.requests <= dropped.total.requests, 'the window restarts from zero after a reset');

        const stop = await attachment.stop();
        assert.equal(stop.success, true, stop.message);
        const stopped = await nextTick('stopped', (t) => t.state === 'stopped');
        assert.equal(stopped.userCount, 0);
        assert.deepEqual(errors, [], 'no poll failed while attached');
      } finally {
        await attachment.close();
      }
    });
  });
}

test('refused connection: a clear message, then backoff', async () => {
  const port = await freePort();
  const attachment = attachToLocust({ url: `http://127.0.0.1:${port}`, intervalMs: 50, maxBackoffMs: 400 });
  const times: number[] = [];
  try {
    const messages = await new Promise<string[]>((resolve) => {
      const seen: string[] = [];
      attachment.on('pollError', (m) => {
        seen.push(m);
        times.push(Date.now());
        if (seen.length === 4) resolve(seen);
      });
    });
    assert.match(messages[0]!, /refused the connection/);
    // Pauses double: 50, 100, 200 ms.
    assert.ok(times[3]! - times[2]! > times[1]! - times[0]!, `backoff grows: ${times.map((t) => t - times[0]!).join(', ')}`);
  } finally {
    await attachment.close();
  }
});

test('something that is not a Locust web UI: non-JSON is a clear message', async () => {
  // The demo target's home page is HTML, not a stats report.
  const attachment = attachToLocust({ url: `${target.url}/`, intervalMs: 100 });
  try {
    const message = await new Promise<string>((resolve) => attachment.once('pollError', resolve));
    assert.match(message, /did not answer JSON|HTTP 404|not a Locust/);
  } finally {
    await attachment.close();
  }
});

test('a web UI behind a login page (newer Locusts’ --web-login): a clear message, not “no JSON”', async () => {
  // What Locust 2.47 answers without a session when --web-login is on (seen on a real one): a redirect to its login page.
  const server = http.createServer((request, response) => {
    response.writeHead(302, { location: `/login?next=${encodeURIComponent(request.url ?? '/')}`, 'content-type': 'text/html' });
    response.end('<a href="/login">login</a>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const attachment = attachToLocust({ url: `http://127.0.0.1:${port}`, intervalMs: 100 });
  try {
    const message = await new Promise<string>((resolve) => attachment.once('pollError', resolve));
    assert.match(message, /sends to its login page \(Locust's --web-login\): attach needs a web UI that is open or behind HTTP basic auth/);
  } finally {
    await attachment.close();
    await new Promise((resolve) => server.close(resolve));
  }
});
