// Writes test/fixtures/attach/ from real Locust web UIs, one master with two workers per Locust of the matrix: `node --import tsx scripts/captureAttachFixtures.ts`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../runner/locustRun';
import { locustMatrix, type LocustInstall } from './locustVersions';

const ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'attach');
const LAUNCHER = path.join(ROOT, 'runner', 'python', 'locust_studio_launch.py');

/**
 * No traffic at all: each worker's first user fires the same request events (the numbers test/unit/attachNormalize.test.ts
 * expects) and raises once, so every Locust reports the very same statistics. The master adds an endpoint without
 * requests, as a reset leaves them. Names and messages carry characters that HTML escaping changes.
 */
export const CAPTURE_LOCUSTFILE = `
from locust import User, constant, events, task
from locust.runners import MasterRunner

# Per worker: 60 requests of GET /items?q=<b>, 2 of them failing (ms, failed).
SAMPLES = [(2, False)] + [(10, False)] * 35 + [(20, False)] * 10 + [(30, True)] * 2 + [(30, False)] * 4 + [(50, False)] * 5 + [(70, False)] * 2 + [(80, False)]
fired = False


class HTTPError(Exception):
    pass


class Shopper(User):
    wait_time = constant(1)

    @task
    def report(self):
        global fired
        if fired:
            return
        fired = True
        for ms, failed in SAMPLES:
            self.environment.events.request.fire(
                request_type="GET",
                name="/items?q=<b>",
                response_time=ms,
                response_length=512,
                exception=HTTPError("500 Server Error: <script>alert(1)</script> & more") if failed else None,
                context={},
                response=None,
                url=None,
                start_time=None,
            )
        raise ValueError("bad <value> & 'quote'")


master = None


@events.init.add_listener
def remember_master(environment, **_kwargs):
    global master
    if isinstance(environment.runner, MasterRunner):
        master = environment


@events.worker_report.add_listener
def login_without_requests(**_kwargs):
    # Added once the test runs (starting it clears the master's statistics).
    if master is not None:
        master.stats.get("/login", "POST")
`;

/** What the master must report before its JSON is written: every worker's events in, both workers running 5 users. */
const EXPECTED = { requests: 120, failures: 4, exceptions: 2, users: 10 } as const;

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

interface StatsReport {
  stats: { name: string; num_requests: number; num_failures: number }[];
  workers?: { user_count: number; state: string }[];
  state: string;
  user_count: number;
}

/** Polls `read` until `done` accepts its answer (Locust starting, workers reporting every second), or gives up. */
async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await read();
      if (done(value)) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}; last answer: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function startLocust(locust: LocustInstall, cwd: string, args: string[], log: string[]): ChildProcess {
  // Through our launcher without a channel: the bridge then only repairs Debian 2.12.1's master/worker handshake.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('LOCUST_')));
  const child = spawn(locust.python, [LAUNCHER, '-f', 'locustfile.py', ...args], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => log.push(d.toString()));
  return child;
}

async function capture(locust: LocustInstall): Promise<void> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-fixtures-'));
  await writeFile(path.join(cwd, 'locustfile.py'), CAPTURE_LOCUSTFILE);
  const [masterPort, webPort] = [await freePort(), await freePort()];
  const web = `http://127.0.0.1:${webPort}`;
  const log: string[] = [];
  const processes = [
    startLocust(locust, cwd, ['--master', '--master-bind-host=127.0.0.1', `--master-bind-port=${masterPort}`, '--web-host=127.0.0.1', `--web-port=${webPort}`], log),
    ...[1, 2].map(() => startLocust(locust, cwd, ['--worker', '--master-host=127.0.0.1', `--master-port=${masterPort}`], log)),
  ];
  try {
    await until('two workers', () => getJson(`${web}/stats/requests`) as Promise<StatsReport>, (r) => (r.workers ?? []).length === 2);
    const swarm = await fetch(`${web}/swarm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user_count: String(EXPECTED.users), spawn_rate: String(EXPECTED.users) }).toString(),
      signal: AbortSignal.timeout(5_000),
    });
    if (!swarm.ok) throw new Error(`swarm: HTTP ${swarm.status}`);
    const stats = await until(
      'every event at the master',
      () => getJson(`${web}/stats/requests`) as Promise<StatsReport>,
      (r) => {
        const total = r.stats.at(-1);
        return (
          r.state === 'running' &&
          r.user_count === EXPECTED.users &&
          total?.num_requests === EXPECTED.requests &&
          total.num_failures === EXPECTED.failures &&
          r.stats.some((s) => s.name === '/login') &&
          (r.workers ?? []).every((w) => w.user_count === EXPECTED.users / 2)
        );
      },
    );
    const exceptions = await until(
      'both exceptions at the master',
      () => getJson(`${web}/exceptions`) as Promise<{ exceptions: { count: number }[] }>,
      (r) => r.exceptions.reduce((sum, e) => sum + e.count, 0) === EXPECTED.exceptions,
    );
    await writeFile(path.join(FIXTURES, `stats-${locust.version}.json`), `${JSON.stringify(stats, null, 2)}\n`);
    await writeFile(path.join(FIXTURES, `exceptions-${locust.version}.json`), `${JSON.stringify(exceptions, null, 2)}\n`);
    console.log(`[fixtures] ${locust.label}: stats-${locust.version}.json, exceptions-${locust.version}.json`);
  } catch (error) {
    throw new Error(`${locust.label}: ${error instanceof Error ? error.message : String(error)}\n${log.join('').slice(-3000)}`, { cause: error });
  } finally {
    await Promise.all(
      processes.map(async (child) => {
        if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(-child.pid, 'SIGKILL');
        await exited;
      }),
    );
    await rm(cwd, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  for (const locust of locustMatrix()) await capture(locust);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
