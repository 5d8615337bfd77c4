// Workers on other hosts, with real hosts: network namespaces with an sshd each (test/helpers/sshHosts.ts), the master in
// this namespace bound to its bridge address, two remote workers started through ssh (Debian's 2.12.1 gets a copy of the
// locustfile and the module beside it; the newest takes the locustfile from its master, the module by copy). Final counts
// equal the master's own CSV; a host that dies mid-run is named and the run goes on; a worker that cannot start is named
// with its reason; Stop leaves no process in any namespace.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RunSession, type RunEnd } from '../../runner/runSession';
import type { RunOptions } from '../../runner/locustRun';
import { loadRunRecord } from '../../runner/runRecord';
import { createSshNetwork, workerFoldersLeft, type SshNetwork } from '../helpers/sshHosts';
import { killCliProcesses, runCli } from '../helpers/cliProcess';
import { LOCUSTS, requireLocust, statsCsvCounts, titled, type LocustUnderTest } from './support';

/** The demo target's port inside each worker namespace (each worker loads the target on its own host's loopback). */
const TARGET_PORT = 18_089;
/** Requests the running cluster must make after a host died, to show the run went on (bounded by count). */
const REQUESTS_AFTER_LOSS = 50;
const WAIT_MS = 90_000;
/** Requests counted before the reset in the cluster-control test. */
const COUNTED_BEFORE_RESET = 1_000;

const LOCUSTFILE = `
from locust import HttpUser, constant, task
from endpoints import PING, ITEMS

class Remote(HttpUser):
    wait_time = constant(0.05)

    @task(3)
    def ping(self):
        self.client.get(PING)

    @task
    def items(self):
        self.client.get(ITEMS)
`;
const BESIDE = `PING = "/"\nITEMS = "/api/items"\n`;

const scratchDirs: string[] = [];
const sessions: RunSession[] = [];
after(async () => {
  killCliProcesses();
  for (const session of sessions) session.kill();
  await Promise.all(sessions.map((session) => session.ended));
  await Promise.all(scratchDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function project(): Promise<{ dir: string; locustfile: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-remote-'));
  scratchDirs.push(dir);
  await mkdir(path.join(dir, 'project'));
  const locustfile = path.join(dir, 'project', 'locustfile.py');
  await writeFile(locustfile, LOCUSTFILE);
  await writeFile(path.join(dir, 'project', 'endpoints.py'), BESIDE);
  return { dir, locustfile };
}

function remoteRun(locust: LocustUnderTest, network: SshNetwork, locustfile: string, extra: Partial<RunOptions> = {}): RunOptions {
  return {
    python: locust.python,
    locustfile,
    cwd: path.dirname(locustfile),
    host: `http://127.0.0.1:${TARGET_PORT}`,
    users: 4,
    spawnRate: 4,
    statsInterval: 0.5,
    mode: 'distributed',
    masterBind: network.masterAddress,
    remoteWorkers: { hosts: network.hosts.map((h) => h.target), python: locust.python, sshConfig: network.sshConfig },
    ...extra,
  };
}

/** Resolves once `accepts` holds for a change of the session; rejects when the run ends first or after WAIT_MS. */
function until(session: RunSession, what: string, accepts: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    if (accepts()) return resolve();
    const timer = setTimeout(() => done(new Error(`no ${what} within ${WAIT_MS} ms`)), WAIT_MS);
    const onChange = () => accepts() && done();
    const onEnd = (end: RunEnd) => done(new Error(`the run ended (${end.outcome}: ${end.message ?? ''}) before ${what}\n${end.logTail.slice(-30).join('\n')}`));
    function done(error?: Error) {
      clearTimeout(timer);
      session.off('change', onChange);
      session.off('ended', onEnd);
      if (error) reject(error);
      else resolve();
    }
    session.on('change', onChange);
    session.on('ended', onEnd);
  });
}

const remoteHosts = (session: RunSession) => (session.aggregate.snapshot.loadGenerator?.processes ?? []).filter((p) => p.host !== undefined);

/** The Locusts the remote tests run on: Debian's (copy) and the newest (the locustfile from the master). */
const MATRIX = LOCUSTS.filter((l) => l.role === 'debian' || l.role === 'newest');

for (const locust of MATRIX) {
  test(titled(locust, 'two workers on other hosts: final counts equal the master’s CSV, each worker’s host is shown, nothing is left'), { timeout: 240_000 }, async (t) => {
    requireLocust(locust);
    const network = await createSshNetwork(t, 2);
    await Promise.all(network.hosts.map((h) => h.startTarget(TARGET_PORT)));
    const { dir, locustfile } = await project();
    const csvPrefix = path.join(dir, 'run');
    const session = await RunSession.launch(remoteRun(locust, network, locustfile, { runTime: '6s', csvPrefix }), { record: { baseDir: path.join(dir, 'runs') } });
    sessions.push(session);
    const logs: string[] = [];
    session.on('log', (line) => logs.push(line));
    await until(session, 'both remote workers reporting their host', () => new Set(remoteHosts(session).map((p) => p.host)).size === 2);
    const end = await session.ended;
    assert.equal(end.outcome, 'finished', `${end.message ?? ''}\n${end.logTail.slice(-40).join('\n')}`);

    const final = session.final;
    assert.ok(final && final.total.requests > 0, 'requests were made');
    const fromBridge = Object.fromEntries([
      ...final.endpoints.map((e): [string, string] => [`${e.method} ${e.name}`, `${e.requests}/${e.failures}`]),
      [' Aggregated', `${final.total.requests}/${final.total.failures}`],
    ]);
    assert.deepEqual(fromBridge, (await statsCsvCounts(`${csvPrefix}_stats.csv`)).counts, 'final statistics equal the master’s run_stats.csv');
    console.log(`${locust.label}: final vs the master's CSV:`, JSON.stringify(fromBridge));

    const shown = remoteHosts(session).map((p) => p.host).sort();
    assert.deepEqual(shown, network.hosts.map((h) => h.target).sort(), 'the Workers view names each worker’s host');
    // Feature detection, asked of each host's Locust: the newest takes the locustfile from its master, Debian's 2.12.1 cannot.
    const shipping = logs.filter((l) => / started \(/.test(l));
    assert.equal(shipping.length, 2, logs.join('\n'));
    const fromMaster = shipping.every((l) => l.includes('the locustfile comes from the master'));
    const copied = shipping.every((l) => l.includes('the locustfile was copied'));
    assert.ok(locust.role === 'newest' ? fromMaster : copied, shipping.join('\n'));

    const record = await loadRunRecord(end.recordDir!);
    assert.equal(record.final?.total.requests, final.total.requests, 'the record keeps the final counts');
    for (const host of network.hosts) assert.deepEqual(await host.settled(), [], `no process left in ${host.namespace} but its sshd`);
    assert.deepEqual(await network.sshClientsSettled(), [], 'no ssh left on this machine');
  });
}

test(titled(MATRIX.at(-1)!, 'a host that dies mid-run is named, the run and the record go on; Stop leaves no process on the other host'), { timeout: 240_000 }, async (t) => {
  const locust = MATRIX.at(-1)!;
  requireLocust(locust);
  const network = await createSshNetwork(t, 2);
  await Promise.all(network.hosts.map((h) => h.startTarget(TARGET_PORT)));
  const { dir, locustfile } = await project();
  const session = await RunSession.launch(remoteRun(locust, network, locustfile), { record: { baseDir: path.join(dir, 'runs') } });
  sessions.push(session);
  await until(session, 'both remote workers running users', () => remoteHosts(session).filter((p) => p.userCount > 0).length === 2);

  // Commands act on the whole cluster: the master spreads a new number of users over both hosts, a reset clears its counts.
  assert.equal((await session.setUsers(6, 6)).ok, true);
  await until(session, '6 users over both hosts', () => remoteHosts(session).filter((p) => p.userCount === 3).length === 2);
  // Enough requests before the reset that the first ticks after it (a few hundred at most) are plainly fewer.
  await until(session, `${COUNTED_BEFORE_RESET} requests counted`, () => (session.aggregate.total?.requests ?? 0) >= COUNTED_BEFORE_RESET);
  const counted = session.aggregate.total!.requests;
  assert.equal((await session.reset()).ok, true);
  await until(session, 'counts restarted after the reset', () => (session.aggregate.total?.requests ?? Infinity) < counted / 2);

  const [survivor, victim] = network.hosts as [typeof network.hosts[0], typeof network.hosts[0]];
  await victim.kill();
  await until(session, 'the lost worker named', () => (session.aggregate.snapshot.loadGenerator?.lostWorkers ?? []).some((w) => w.host === victim.target && w.midRun));
  const lost = session.aggregate.snapshot.loadGenerator!.lostWorkers!;
  console.log('lost worker as the panel says it:', JSON.stringify(lost));

  const before = session.aggregate.total?.requests ?? 0;
  await until(session, `${REQUESTS_AFTER_LOSS} more requests from the remaining worker`, () => (session.aggregate.total?.requests ?? 0) >= before + REQUESTS_AFTER_LOSS);
  const end = await session.stop();
  assert.equal(end.outcome, 'cutShort', end.message);
  assert.match(end.message ?? '', new RegExp(`on ${victim.target.replaceAll('.', '\\.')}`), 'the end names the lost host');
  assert.match(end.message ?? '', /The run went on with fewer workers/);
  assert.ok(session.final && session.final.total.requests >= before + REQUESTS_AFTER_LOSS, 'final statistics came from the master');
  const record = await loadRunRecord(end.recordDir!);
  assert.ok(record.meta.shortfalls?.some((s) => s.message.includes(victim.target)), 'the record names the lost host');
  assert.equal(record.final?.total.requests, session.final.total.requests);
  assert.deepEqual(await survivor.settled(), [], `no process left in ${survivor.namespace} but its sshd`);
  assert.deepEqual(await network.sshClientsSettled(), [], 'no ssh left on this machine');
});

test(titled(MATRIX[0]!, 'a worker that cannot start is named with its reason: the run stops, or goes on with the others when asked'), { timeout: 240_000 }, async (t) => {
  const locust = MATRIX[0]!;
  requireLocust(locust);
  const network = await createSshNetwork(t, 1);
  await network.hosts[0]!.startTarget(TARGET_PORT);
  const { locustfile } = await project();
  const absent = `root@${network.absentAddress}`;

  // No host there at all: ssh cannot connect; by default the run stops and says which worker and why.
  const stopped = await RunSession.launch(
    remoteRun(locust, network, locustfile, { remoteWorkers: { hosts: [network.hosts[0]!.target, absent], python: locust.python, sshConfig: network.sshConfig } }),
  );
  sessions.push(stopped);
  const stoppedEnd = await stopped.ended;
  assert.notEqual(stoppedEnd.outcome, 'finished');
  assert.match(stoppedEnd.message ?? '', new RegExp(`${absent.replaceAll('.', '\\.')}: the connection to ${absent.replaceAll('.', '\\.')} failed`), stoppedEnd.message);
  assert.deepEqual(await network.hosts[0]!.settled(), [], 'the worker that had started is gone again');

  // A host whose interpreter has no Locust: named with what Python said.
  const bare = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  assert.throws(() => execFileSync(bare, ['-c', 'import locust'], { stdio: 'ignore' }), `${bare} has no Locust (TOOLCHAIN.md)`);
  const noLocust = await RunSession.launch(remoteRun(locust, network, locustfile, { remoteWorkers: { hosts: [network.hosts[0]!.target], python: bare, sshConfig: network.sshConfig } }));
  sessions.push(noLocust);
  const noLocustEnd = await noLocust.ended;
  assert.match(noLocustEnd.message ?? '', new RegExp(`Locust is not installed for ${bare.replaceAll('.', '\\.')} on this host`), noLocustEnd.message);

  // With "go on with the others": the host that is not there is named, and the run finishes on the other one.
  const goesOn = await RunSession.launch(
    remoteRun(locust, network, locustfile, {
      runTime: '3s',
      remoteWorkers: { hosts: [network.hosts[0]!.target, `nobody-here@${network.absentAddress}`], python: locust.python, sshConfig: network.sshConfig, onFailure: 'continue' },
    }),
  );
  sessions.push(goesOn);
  const goesOnEnd = await goesOn.ended;
  assert.ok(goesOn.final && goesOn.final.total.requests > 0, `${goesOnEnd.message ?? ''}\n${goesOnEnd.logTail.slice(-30).join('\n')}`);
  assert.match(goesOnEnd.message ?? '', /nobody-here@.* could not start|could not start \(nobody-here@/, goesOnEnd.message);
  assert.deepEqual(await network.hosts[0]!.settled(), []);
});

test(titled(MATRIX[0]!, 'the CLI: --worker-hosts with --master-bind and --ssh-config runs on the other hosts and prints the command for a worker by hand'), { timeout: 240_000 }, async (t) => {
  const locust = MATRIX[0]!;
  requireLocust(locust);
  const network = await createSshNetwork(t, 2);
  await Promise.all(network.hosts.map((h) => h.startTarget(TARGET_PORT)));
  const { dir, locustfile } = await project();
  const result = await runCli(
    [
      'run', locustfile, '--users', '4', '--spawn-rate', '4', '--run-time', '4s', '--host', `http://127.0.0.1:${TARGET_PORT}`, '--python', locust.python,
      '--worker-hosts', network.hosts.map((h) => h.target).join(','), '--master-bind', network.masterAddress, '--worker-python', locust.python,
      '--ssh-config', network.sshConfig, '--record-dir', path.join(dir, 'records'), '--csv', path.join(dir, 'export', 'run'),
    ],
    { cwd: dir },
  );
  assert.equal(result.code, 0, result.stderr);
  const command = /start more workers by hand with: (.*)$/m.exec(result.stderr)?.[1];
  assert.ok(command, result.stderr);
  assert.match(command, new RegExp(`^locust --locustfile=locustfile\\.py --worker --master-host=${network.masterAddress.replaceAll('.', '\\.')} --master-port=\\d+$`));
  const aggregated = /^\s+Aggregated\s+(\d+)\s+(\d+) \(/m.exec(result.stdout);
  assert.ok(aggregated && Number(aggregated[1]) > 0, result.stdout);
  const csv = await statsCsvCounts(path.join(dir, 'export', 'run_stats.csv'));
  assert.equal(csv.counts[' Aggregated'], `${aggregated[1]}/${aggregated[2]}`, 'the table equals the exported CSV');
  for (const host of network.hosts) assert.deepEqual(await host.settled(), [], `no process left in ${host.namespace}`);
});

test(titled(MATRIX[0]!, 'the process that ran the workers dies (SIGKILL): every worker ends on its host and leaves nothing there'), { timeout: 240_000 }, async (t) => {
  const locust = MATRIX[0]!;
  requireLocust(locust);
  const network = await createSshNetwork(t, 2);
  await Promise.all(network.hosts.map((h) => h.startTarget(TARGET_PORT)));
  const { dir, locustfile } = await project();
  const foldersBefore = new Set(await workerFoldersLeft());
  let killed = false;
  const result = await runCli(
    [
      'run', locustfile, '--users', '4', '--spawn-rate', '4', '--host', `http://127.0.0.1:${TARGET_PORT}`, '--python', locust.python, '--no-record',
      '--worker-hosts', network.hosts.map((h) => h.target).join(','), '--master-bind', network.masterAddress, '--worker-python', locust.python,
      '--ssh-config', network.sshConfig, '--interval', '0.5',
    ],
    {
      cwd: dir,
      onOutput: (stdout, _stderr, child) => {
        // Killed once users run on the hosts: no exit hook, no quit; only stdin's end reaches them.
        if (!killed && /^running\s+users\s+4\s/m.test(stdout)) {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    },
  );
  assert.equal(result.signal, 'SIGKILL', result.stderr);
  for (const host of network.hosts) assert.deepEqual(await host.settled(), [], `no worker left in ${host.namespace}`);
  assert.deepEqual(await network.sshClientsSettled(), [], 'no ssh left on this machine');
  assert.deepEqual((await workerFoldersLeft()).filter((f) => !foldersBefore.has(f)), [], 'every host removed its worker’s folder');
});

test('a host whose Locust is another version than the master’s is named in the log', { timeout: 240_000 }, async (t) => {
  const master = LOCUSTS.find((l) => l.role === 'newest')!;
  const other = LOCUSTS.find((l) => l.role === 'middle')!;
  requireLocust(master);
  requireLocust(other);
  const network = await createSshNetwork(t, 1);
  await network.hosts[0]!.startTarget(TARGET_PORT);
  const { locustfile } = await project();
  const session = await RunSession.launch(
    remoteRun(master, network, locustfile, { runTime: '3s', remoteWorkers: { hosts: [network.hosts[0]!.target], python: other.python, sshConfig: network.sshConfig } }),
  );
  sessions.push(session);
  const logs: string[] = [];
  session.on('log', (line) => logs.push(line));
  const end = await session.ended;
  const said = logs.find((l) => l.includes(`runs Locust ${other.version}, the master ${master.version}`));
  assert.ok(said, logs.join('\n'));
  console.log(`mixed versions: ${said}; outcome ${end.outcome}${end.message ? `: ${end.message}` : ''}`);
  assert.deepEqual(await network.hosts[0]!.settled(), []);
});

test(titled(MATRIX[0]!, 'the network to a host is cut mid-run: ssh gives up and the worker is named lost, its host ends the worker by itself'), { timeout: 240_000 }, async (t) => {
  const locust = MATRIX[0]!;
  requireLocust(locust);
  const network = await createSshNetwork(t, 2);
  await Promise.all(network.hosts.map((h) => h.startTarget(TARGET_PORT)));
  const { locustfile } = await project();
  const foldersBefore = new Set(await workerFoldersLeft());
  const session = await RunSession.launch(remoteRun(locust, network, locustfile));
  sessions.push(session);
  await until(session, 'both remote workers running users', () => remoteHosts(session).filter((p) => p.userCount > 0).length === 2);
  const [survivor, cut] = network.hosts as [typeof network.hosts[0], typeof network.hosts[0]];
  await cut.cutLink();
  // Nothing ends the connection: ssh notices by its keep-alives (ServerAlive), the host by the missing heartbeats.
  await until(session, 'the cut-off worker named', () => (session.aggregate.snapshot.loadGenerator?.lostWorkers ?? []).some((w) => w.host === cut.target));
  console.log('cut-off worker as the panel says it:', JSON.stringify(session.aggregate.snapshot.loadGenerator?.lostWorkers));
  assert.deepEqual(await cut.settled(300), [], `the worker in ${cut.namespace} ended by itself`);
  const before = session.aggregate.total?.requests ?? 0;
  await until(session, `${REQUESTS_AFTER_LOSS} more requests`, () => (session.aggregate.total?.requests ?? 0) >= before + REQUESTS_AFTER_LOSS);
  const end = await session.stop();
  assert.equal(end.outcome, 'cutShort', end.message);
  assert.deepEqual(await survivor.settled(), []);
  assert.deepEqual(await network.sshClientsSettled(), []);
  assert.deepEqual((await workerFoldersLeft()).filter((f) => !foldersBefore.has(f)), [], 'every host removed its worker’s folder');
});
