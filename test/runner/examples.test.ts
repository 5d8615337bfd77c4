// The examples folder against each real Locust of the matrix and the demo target.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTarget } from '../../examples/target/server.mjs';
import { parse } from 'csv-parse/sync';
import { locustsFor, requireLocust, titled } from './support';

const REPO = path.resolve(__dirname, '../..');
const EXAMPLES = path.join(REPO, 'examples');

/** What `locust -f FILE --list` must print for every runnable example. */
const EXPECTED_USERS: Record<string, string[]> = {
  'locustfile.py': ['ShopVisitor'],
  'auth_on_start.py': ['Shopper'],
  'taskset_flows.py': ['WebShopUser'],
  'shape_stages.py': ['StageVisitor'],
  'custom_metrics.py': ['JourneyUser'],
  'rest_crud.py': ['ItemsApiUser'],
  'graphql.py': ['GraphQLUser'],
  'multiple_users.py': ['WebVisitor', 'ApiClient', 'ReportViewer', 'HealthMonitor'],
  'tags.py': ['TaggedUser'],
  'fast_http.py': ['FastShopper'],
  'thresholds.py': ['Checkout'],
};

/** Children still running; after() kills whatever a failed test left behind. */
const children = new Set<ChildProcess>();

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment for Locust: no LOCUST_* settings from the developer's shell, no .pyc files in examples/. */
function locustEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('LOCUST_')));
  return { ...env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };
}

/** Runs a child to completion (or until timeoutMs, then SIGKILL) and collects its output. */
function run(command: string, args: string[], options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
      killSignal: 'SIGKILL',
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (err) => {
      children.delete(child);
      reject(err);
    });
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const locustCli = (python: string, args: string[], timeoutMs = 20_000) =>
  run(python, ['-m', 'locust', ...args], { cwd: EXAMPLES, timeoutMs, env: locustEnv() });

/** The class names under "Available Users:" in `--list` output (Locust 2.12: one per line, indented by 4). */
function listedUsers(stdout: string): string[] {
  const lines = stdout.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() === 'Available Users:');
  assert.notEqual(start, -1, `no "Available Users:" in:\n${stdout}`);
  return lines.slice(start + 1).filter((l) => /^\s+\S/.test(l)).map((l) => l.trim());
}

/** Rows of Locust's CSV as objects keyed by the header. */
function parseCsv(text: string): Record<string, string>[] {
  return parse(text, { columns: true, skip_empty_lines: true });
}

let target: Awaited<ReturnType<typeof startTarget>>;

before(async () => {
  target = await startTarget({ port: 0, quiet: true });
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await target?.close();
});

// (The loop's body is the suite: one per Locust.)
for (const under of locustsFor('full')) describe(titled(under, 'every example lists the User classes we expect (locust --list)'), { concurrency: 4 }, () => {
  const locust = (args: string[], timeoutMs?: number) => locustCli(under.python, args, timeoutMs);
  before(() => requireLocust(under));

  for (const [file, users] of Object.entries(EXPECTED_USERS)) {
    test(titled(under, file), async () => {
      const exit = await locust(['-f', file, '--list']);
      assert.equal(exit.code, 0, `--list failed:\n${exit.stderr}`);
      assert.deepEqual(listedUsers(exit.stdout), users);
    });
  }

  test(titled(under, 'every .py example is covered by the table above (legacy_0x.py excepted)'), () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.py') && f !== 'legacy_0x.py');
    assert.deepEqual(files.sort(), Object.keys(EXPECTED_USERS).sort());
  });

  test(titled(under, 'legacy_0x.py does not import on Locust 2 (on purpose)'), async () => {
    const exit = await locust(['-f', 'legacy_0x.py', '--list']);
    assert.notEqual(exit.code, 0);
    assert.match(exit.stderr, /ImportError: cannot import name '(TaskSequence|seq_task|HttpLocust)'/);
  });

  test(titled(under, '--show-task-ratio-json gives the weights of locustfile.py'), async () => {
    const exit = await locust(['-f', 'locustfile.py', '--show-task-ratio-json']);
    assert.equal(exit.code, 0, exit.stderr);
    const ratios = JSON.parse(exit.stdout) as { per_class: Record<string, { ratio: number; tasks: Record<string, { ratio: number }> }> };
    const visitor = ratios.per_class.ShopVisitor;
    assert.ok(visitor);
    assert.equal(visitor.ratio, 1);
    const tasks = Object.fromEntries(Object.entries(visitor.tasks).map(([name, t]) => [name, Math.round(t.ratio * 11 * 1000) / 1000]));
    assert.deepEqual(tasks, { browse_products: 5, view_product: 3, search: 2, home: 1 });
  });
});

for (const under of locustsFor('full')) test(titled(under, 'a short headless run of locustfile.py against the demo target'), async () => {
  requireLocust(under);
  const locust = (args: string[], timeoutMs?: number) => locustCli(under.python, args, timeoutMs);
  const dir = await mkdtemp(path.join(tmpdir(), 'locust-studio-examples-'));
  try {
    const prefix = path.join(dir, 'run');
    const exit = await locust(
      ['-f', 'locustfile.py', '--headless', '-u', '5', '-r', '5', '-t', '4s', '--host', target.url, '--csv', prefix, '--only-summary'],
      30_000,
    );
    assert.equal(exit.signal, null, 'Locust finished by itself');
    assert.equal(exit.code, 0, `Locust exited with ${exit.code}:\n${exit.stderr}`);

    const rows = parseCsv(await readFile(`${prefix}_stats.csv`, 'utf8'));
    const aggregated = rows.find((r) => r.Name === 'Aggregated');
    const endpoints = rows.filter((r) => r.Name !== 'Aggregated');
    assert.ok(aggregated, 'an Aggregated row');
    const total = Number(aggregated['Request Count']);
    assert.ok(total > 0, 'requests were made');
    assert.equal(total, endpoints.reduce((sum, r) => sum + Number(r['Request Count']), 0), 'Aggregated = sum of endpoint rows');
    assert.equal(Number(aggregated['Failure Count']), 0, 'no failures on these endpoints');
    for (const r of endpoints) assert.match(r.Name ?? '', /^\/(products)?/, `only demo-shop pages: ${r.Name}`);

    // Locust 2.12's CSV writer refreshes once a second and is not rewritten at shutdown, so the file can
    // trail the final summary printed at exit (by the last second and requests made in on_stop).
    const summary = /^\s+Aggregated\s+(\d+)\s+(\d+)\(/m.exec(exit.stdout + exit.stderr);
    assert.ok(summary, 'the final summary has an Aggregated row');
    assert.ok(Number(summary[1]) >= total, `summary ${summary[1]} >= csv ${total}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe('the demo target', () => {
  test('login gives a token; the cart needs it', async () => {
    assert.equal((await fetch(`${target.url}/cart`)).status, 401);
    const missing = await fetch(`${target.url}/login`, { method: 'POST', body: JSON.stringify({ username: 'u' }) });
    assert.equal(missing.status, 400);

    const login = await fetch(`${target.url}/login`, { method: 'POST', body: JSON.stringify({ username: 'u', password: 'p' }) });
    assert.equal(login.status, 200);
    const { token } = (await login.json()) as { token: string };
    assert.ok(token.length >= 16);
    const auth = { Authorization: `Bearer ${token}` };

    const added = await fetch(`${target.url}/cart`, { method: 'POST', headers: auth, body: JSON.stringify({ productId: 3, quantity: 2 }) });
    assert.equal(added.status, 200);
    assert.equal(((await added.json()) as { itemCount: number }).itemCount, 2);
    assert.equal((await fetch(`${target.url}/cart`, { headers: { Authorization: 'Bearer nope' } })).status, 401);
    assert.equal((await fetch(`${target.url}/cart/3`, { method: 'DELETE', headers: auth })).status, 200);
    assert.equal((await fetch(`${target.url}/logout`, { method: 'POST', headers: auth })).status, 200);
    assert.equal((await fetch(`${target.url}/cart`, { headers: auth })).status, 401, 'token is gone after logout');
  });

  test('products: list, filter, detail, 404 for an unknown id', async () => {
    const list = (await (await fetch(`${target.url}/products`)).json()) as { products: unknown[]; total: number };
    assert.equal(list.products.length, 20);
    const lamps = (await (await fetch(`${target.url}/products?q=lamp`)).json()) as { products: { name: string }[] };
    assert.ok(lamps.products.length > 0 && lamps.products.every((p) => /lamp/i.test(p.name)));
    assert.equal((await fetch(`${target.url}/products/7`)).status, 200);
    const missing = await fetch(`${target.url}/products/999999`);
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type') ?? '', /application\/json/);
    assert.equal((await fetch(`${target.url}/no/such/path`)).status, 404);
  });

  test('REST items: 201 / 422 / 204; GraphQL errors come back with 200', async () => {
    const bad = await fetch(`${target.url}/api/items`, { method: 'POST', body: JSON.stringify({ name: '' }) });
    assert.equal(bad.status, 422);
    const created = await fetch(`${target.url}/api/items`, { method: 'POST', body: JSON.stringify({ name: 'x', price: 1 }) });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: number };
    assert.equal((await fetch(`${target.url}/api/items/${id}`, { method: 'PATCH', body: JSON.stringify({ price: 2 }) })).status, 200);
    assert.equal((await fetch(`${target.url}/api/items/${id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await fetch(`${target.url}/api/items/${id}`)).status, 404);

    const gql = async (query: string, variables?: object) =>
      (await (await fetch(`${target.url}/graphql`, { method: 'POST', body: JSON.stringify({ query, variables }) })).json()) as {
        data?: { product?: { name: string } | null };
        errors?: { message: string }[];
      };
    assert.deepEqual(await gql('query P($id: ID!) { product(id: $id) { name } }', { id: 2 }), { data: { product: { name: 'Desk Lamp' } } });
    const broken = await gql('{ products { id colour } }');
    assert.match(broken.errors?.[0]?.message ?? '', /Cannot query field "colour"/);
  });

  test('/flaky fails on a plausible fraction of ~400 calls', async () => {
    const own = await startTarget({ port: 0, quiet: true });
    try {
      let failures = 0;
      for (let batch = 0; batch < 40; batch++) {
        const statuses = await Promise.all(Array.from({ length: 10 }, async () => (await fetch(`${own.url}/flaky`)).status));
        failures += statuses.filter((s) => s === 500).length;
        assert.ok(statuses.every((s) => s === 200 || s === 500));
      }
      assert.ok(failures >= 8 && failures <= 40, `${failures} of 400 failed (expected about 5 %)`);
    } finally {
      await own.close();
    }
  });

  test('a body over 1 MB is refused with 413', async () => {
    const response = await fetch(`${target.url}/api/items`, { method: 'POST', body: Buffer.alloc(1024 * 1024 + 1, 0x20) });
    assert.equal(response.status, 413);
    assert.match(((await response.json()) as { message: string }).message, /larger than/);
  });

  test('listens on 127.0.0.1 only', async () => {
    assert.match(target.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    await assert.rejects(startTarget({ port: 0, host: '0.0.0.0', quiet: true }), /loopback/);
    // The kernel's socket table: every listening socket on the target's port is bound to 127.0.0.1.
    const hexPort = target.port.toString(16).toUpperCase().padStart(4, '0');
    const listening: string[] = [];
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      if (!existsSync(table)) continue;
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const [, local, , state] = line.trim().split(/\s+/);
        if (state === '0A' && local?.endsWith(`:${hexPort}`)) listening.push(local.split(':')[0] ?? '');
      }
    }
    if (existsSync('/proc/net/tcp')) assert.deepEqual(listening, ['0100007F']);
  });

  test('close() returns promptly even with a request in flight', async () => {
    const own = await startTarget({ port: 0, quiet: true });
    const slow = fetch(`${own.url}/slow?ms=10000`).then(
      (r) => r.status,
      () => 'aborted',
    );
    // Wait (by polling, not sleeping) until the server has seen the slow request: /health counts requests.
    for (let i = 0; i < 100; i++) {
      const health = (await (await fetch(`${own.url}/health`)).json()) as { requests: number };
      if (health.requests >= i + 2) break;
    }
    const started = Date.now();
    await own.close();
    assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);
    assert.equal(await slow, 'aborted');
  });

  test('run directly: one "listening" line, clean exit on SIGTERM', async () => {
    const child = spawn(process.execPath, [path.join(EXAMPLES, 'target/server.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    child.stdout.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('\n')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
    child.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null]);
    children.delete(child);
    assert.match(stdout, /^Demo target listening on http:\/\/127\.0\.0\.1:\d+\n$/);
  });
});
