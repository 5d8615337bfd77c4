// Attach mode against a real Locust 2.12.1 web UI (127.0.0.1 only, basic auth on), loading the demo target.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { attachToLocust, type LocustAttachment, type TickMessage } from '../../runner/attach';
import { freePort } from '../../runner/locustRun';
import { startTarget } from '../../examples/target/server.mjs';
import { liveGroupMembers, PYTHON, WAIT_MS } from './support';

const LOCUSTFILE = `
from locust import HttpUser, task, constant

class Shopper(HttpUser):
    wait_time = constant(0.05)

    @task
    def home(self):
        self.client.get("/")

    @task
    def boom(self):
        raise ValueError("bad <value> & 'quote'")
`;

let target: { url: string; close(): Promise<void> };
let locust: ChildProcess;
let dir: string;
let webUrl: string;
const log: string[] = [];

/** Waits for a tick that satisfies `accepts` (polling errors while Locust starts up are expected and ignored). */
function nextTick(attachment: LocustAttachment, what: string, accepts: (t: TickMessage) => boolean): Promise<TickMessage> {
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

before(async () => {
  target = await startTarget({ port: 0, quiet: true });
  dir = await mkdtemp(path.join(os.tmpdir(), 'attach-'));
  await writeFile(path.join(dir, 'locustfile.py'), LOCUSTFILE);
  const port = await freePort();
  webUrl = `http://127.0.0.1:${port}`;
  locust = spawn(
    PYTHON,
    ['-m', 'locust', '-f', 'locustfile.py', '--web-host', '127.0.0.1', '--web-port', String(port), '--web-auth', 'user:s3cret',
      '--autostart', '-u', '3', '-r', '3', '-t', '20s', '-H', target.url],
    { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  locust.stdout!.on('data', (d: Buffer) => log.push(d.toString()));
  locust.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
});

after(async () => {
  if (locust.pid && locust.exitCode === null) {
    const exited = new Promise((resolve) => locust.once('exit', resolve));
    process.kill(-locust.pid, 'SIGTERM');
    await exited;
  }
  if (locust.pid) assert.deepEqual(await liveGroupMembers(locust.pid), [], 'no Locust process remains');
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

test('without credentials: a clear 401 message, and polling goes on', async () => {
  const attachment = attachToLocust({ url: webUrl, intervalMs: 100, maxBackoffMs: 200 });
  try {
    const message = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no 401 error')), WAIT_MS);
      attachment.on('pollError', (m) => {
        if (m.includes('401')) {
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

test('with credentials: ticks grow, swarm changes users, reset, stop ends the test', async () => {
  const attachment = attachToLocust({ url: webUrl, username: 'user', password: 's3cret', intervalMs: 250 });
  const errors: string[] = [];
  attachment.on('pollError', (m) => errors.push(m));
  let latest: TickMessage | undefined;
  attachment.on('message', (m) => {
    if (m.type === 'tick') latest = m;
  });
  try {
    const first = await nextTick(attachment, 'a tick with requests', (t) => t.total.requests > 0 && t.userCount === 3);
    const later = await nextTick(attachment, 'more requests', (t) => t.total.requests > first.total.requests + 20);
    assert.equal(later.state, 'running');
    assert.ok(later.seq > first.seq);
    assert.ok(later.total.window.seconds > 0);
    const home = later.endpoints.find((e) => e.name === '/');
    assert.ok(home, 'the "/" endpoint changed and is in the tick');
    assert.equal(home.method, 'GET');
    assert.ok(home.percentiles[0] !== null && home.percentiles[9] !== null, 'p50 and p100 known');
    assert.equal(attachment.reportShape, 'legacy');

    // Exceptions arrive HTML-escaped from 2.12 and are unescaped (we render text).
    const withException = await nextTick(attachment, 'an exception', (t) => (t.exceptions ?? []).length > 0);
    assert.match(withException.exceptions![0]!.message, /bad <value> & 'quote'/);
    assert.match(withException.exceptions![0]!.traceback, /raise ValueError\("bad <value> & 'quote'"\)/);

    const swarm = await attachment.swarm(6, 6);
    assert.equal(swarm.success, true, swarm.message);
    await nextTick(attachment, '6 users', (t) => t.userCount === 6);

    // Counts only go down on a reset (the web UI caches /stats/requests for up to 2 s, so wait for the drop).
    let last = latest!.total.requests;
    const reset = await attachment.reset();
    assert.equal(reset.success, true);
    const dropped = await nextTick(attachment, 'counts going down after reset', (t) => {
      const drop = t.total.requests < last;
      last = t.total.requests;
      return drop;
    });
    assert.ok(dropped.total.window.requests <= dropped.total.requests, 'the window restarts from zero after a reset');

    const stop = await attachment.stop();
    assert.equal(stop.success, true, stop.message);
    const stopped = await nextTick(attachment, 'stopped', (t) => t.state === 'stopped');
    assert.equal(stopped.userCount, 0);
    assert.deepEqual(errors, [], 'no poll failed while attached');
  } finally {
    await attachment.close();
  }
});

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
