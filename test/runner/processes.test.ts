// Runs with local workers on every Locust of the matrix: Locust's own --processes where its parser has it (one Locust
// that forks its workers; the bridge speaks for the master only, final counts equal the master's CSV, the master listens
// on 127.0.0.1 only, stop and a killed owner leave no forked worker), and a master plus workers started here where not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BridgeMessage } from '../../protocol/runner';
import { defaultWorkerCount, freePort } from '../../runner/locustRun';
import { locustOffers, resolveInterpreter } from '../../runner/python';
import { workerMode } from '../../runner/runChoices';
import { isTick, liveGroupMembers, LOCUSTS, locustOptions, requireLocust, runsAgainstTarget, statsCsvCounts, titled, type LocustUnderTest, type Tick } from './support';

const runs = runsAgainstTarget('processes');

/** A steady mix of endpoints, one of which fails now and then. */
const MIXED = `
from locust import HttpUser, constant, task

class Mixed(HttpUser):
    wait_time = constant(0.02)

    @task(5)
    def products(self):
        self.client.get("/products")

    @task(2)
    def product(self):
        self.client.get("/products/3", name="/products/[id]")

    @task(1)
    def flaky(self):
        self.client.get("/error")
`;

const WORKERS = 2;

/** The run's worker mode as the editor and the CLI choose it: from what the interpreter's own parser says. */
async function modeFor(locust: LocustUnderTest) {
  const interpreter = await resolveInterpreter(locust.python);
  const mode = workerMode(WORKERS, locustOffers(interpreter, 'processes'), defaultWorkerCount);
  // The probe and Locust's --help agree (two ways of asking Locust itself).
  assert.equal(mode.mode === 'processes', locustOptions(locust).has('--processes'), `${locust.label}: --processes detected as --help lists it`);
  return mode;
}

/** The local addresses (hex, as /proc/net/tcp writes them) of sockets listening on `port`. */
async function listenersOn(port: number): Promise<string[]> {
  const table = await readFile('/proc/net/tcp', 'utf8');
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return table
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A')
    .map((fields) => fields[1]!.split(':')[0]!);
}

for (const locust of LOCUSTS) {
  test(titled(locust, `${WORKERS} local workers: --processes where Locust has it (else master + workers started here); final counts equal the master's CSV`), { timeout: 120_000 }, async () => {
    requireLocust(locust);
    const mode = await modeFor(locust);
    const masterPort = await freePort();
    const { run, messages, protocolErrors, next } = await runs.start(`exact-${locust.version}`, MIXED, {
      python: locust.python,
      ...mode,
      masterPort,
      users: 4,
      spawnRate: 4,
      runTime: '5s',
      csvPrefix: 'master',
    });
    const withUsers = await next('a tick with 4 users', (m): m is Tick => isTick(m) && m.userCount === 4);
    assert.equal(withUsers.workers?.length, WORKERS, 'ticks list both workers');
    assert.deepEqual((withUsers.workers ?? []).map((w) => w.userCount).sort(), [2, 2], 'the users are split between them');
    if (mode.mode === 'processes') {
      assert.deepEqual(run.workerPids, [], 'Locust forked the workers itself');
      const members = await liveGroupMembers(run.pid!);
      assert.ok(members.length >= 1 + WORKERS, `the master and its forked workers share the run's process group: ${members.join('; ')}`);
      assert.deepEqual(await listenersOn(masterPort), ['0100007F'], 'the master listens on 127.0.0.1 only');
    } else {
      assert.equal(run.workerPids.length, WORKERS, 'the workers were started here');
    }
    const exit = await run.exit;
    assert.deepEqual(protocolErrors, []);
    assert.deepEqual(messages.filter((m) => m.type === 'error'), []);
    const hellos = messages.filter((m): m is Extract<BridgeMessage, { type: 'hello' }> => m.type === 'hello');
    assert.deepEqual(
      hellos.map((h) => [h.runnerKind, h.pid]),
      [['master', run.pid]],
      'only the master speaks on the channel (a forked worker lets it go)',
    );
    const final = run.final;
    assert.ok(final, 'final statistics from the master');
    assert.ok(final.total.requests > 50, `requests made: ${final.total.requests}`);
    assert.equal(exit.code, final.total.failures > 0 ? 1 : 0);
    const fromBridge = Object.fromEntries([
      ...final.endpoints.map((e): [string, string] => [`${e.method} ${e.name}`, `${e.requests}/${e.failures}`]),
      [' Aggregated', `${final.total.requests}/${final.total.failures}`],
    ]);
    const csv = await statsCsvCounts(path.join(runs.folder(`exact-${locust.version}`), 'master_stats.csv'));
    assert.deepEqual(fromBridge, csv.counts, 'final statistics equal the master’s _stats.csv');
    assert.deepEqual(await liveGroupMembers(run.pid!), [], 'nothing of the run is left');
    for (const pid of run.workerPids) assert.deepEqual(await liveGroupMembers(pid), [], `worker group ${pid} is gone`);
    console.log(`${locust.label} ${mode.mode}: final vs master_stats.csv ${JSON.stringify(fromBridge)}`);
  });
}

for (const locust of LOCUSTS) {
  test(titled(locust, 'stop() of a run with local workers quits the master and every worker; nothing is left'), { timeout: 90_000 }, async () => {
    requireLocust(locust);
    const mode = await modeFor(locust);
    const { run, next } = await runs.start(`stop-${locust.version}`, MIXED, { python: locust.python, ...mode, masterPort: await freePort(), users: 2, spawnRate: 2 });
    await next('a tick with 2 users', (m): m is Tick => isTick(m) && m.userCount === 2);
    const before = mode.mode === 'processes' ? (await liveGroupMembers(run.pid!)).length : 1 + run.workerPids.length;
    assert.ok(before >= 1 + WORKERS, `master and workers alive before the stop (${before})`);
    const exit = await run.stop();
    assert.equal(exit.signal, null, 'graceful: no signal was needed');
    assert.ok(run.final, 'final statistics sent');
    for (const pid of [run.pid!, ...run.workerPids]) assert.deepEqual(await liveGroupMembers(pid), [], `process group ${pid} is gone`);
  });
}
