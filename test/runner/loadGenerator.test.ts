// The load generator's health with real Locust processes: a CPU-bound locustfile on a process pinned to one core (taskset)
// raises the saturation warning before the run ends (local, and distributed with one worker) and the record, the view
// and the verdict keep it; a light locustfile never does over 10 short runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LOAD_GENERATOR_CPU_LIMIT, LOAD_GENERATOR_LOOP_LAG_LIMIT_MS, LOCAL_PROCESS_ID } from '../../protocol/loadGenerator';
import { parseThreshold } from '../../protocol/thresholds';
import { escapeHtml, renderHtmlReport } from '../../runner/htmlReport';
import { loadRunRecord } from '../../runner/runRecord';
import { replayRunRecord } from '../../runner/runReplay';
import { RunSession, type RunEnd } from '../../runner/runSession';
import { runCli, killCliProcesses } from '../helpers/cliProcess';
import { liveGroupMembers, locustsFor, requireLocust, titled } from './support';

// Each task burns 50 ms of CPU and reports it as a request: the process can do nothing but this.
const BUSY = `
import time
from locust import User, constant, task

class Busy(User):
    wait_time = constant(0)

    @task
    def spin(self):
        end = time.perf_counter() + 0.05
        while time.perf_counter() < end:
            pass
        self.environment.events.request.fire(request_type="CPU", name="spin", response_time=50, response_length=0, exception=None, context={})
`;

// A request event every half second per user: nothing a process notices.
const LIGHT = `
from locust import User, constant, task

class Light(User):
    wait_time = constant(0.5)

    @task
    def idle(self):
        self.environment.events.request.fire(request_type="NOOP", name="idle", response_time=1, response_length=0, exception=None, context={})
`;

/** Generous bound on the wait for the warning: Locust samples CPU every 5 s and the rule wants 8 s of it (loaded machine). */
const SATURATION_WAIT_MS = 60_000;

const parsedThreshold = parseThreshold('fail_ratio < 1%');
assert.ok(parsedThreshold.ok);
/** A threshold the busy runs hold: their verdict passes, and is then marked unreliable. */
const NO_FAILURES = parsedThreshold.threshold;

let scratch: string;
const sessions: RunSession[] = [];

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-loadgen-'));
});

after(async () => {
  killCliProcesses();
  for (const session of sessions) session.kill();
  await Promise.all(sessions.map((session) => session.ended));
  await rm(scratch, { recursive: true, force: true });
});

/**
 * An interpreter that runs `python` pinned to core 0, so that every process of the run (workers too) has one core. On a
 * machine busy with other work the process may get only a share of that core: its loop's lag then says what its CPU
 * cannot.
 */
async function pinnedPython(dir: string, python: string): Promise<string> {
  const wrapper = path.join(dir, 'python-on-one-core');
  await writeFile(wrapper, `#!/bin/sh\nexec taskset -c 0 ${JSON.stringify(python)} "$@"\n`);
  await chmod(wrapper, 0o755);
  return wrapper;
}

/** Resolves with the session's saturation warning, or rejects when the run ends first (or after SATURATION_WAIT_MS). */
function saturationBeforeEnd(session: RunSession): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no saturation warning in time')), SATURATION_WAIT_MS);
    session.once('saturated', (warning) => {
      clearTimeout(timer);
      resolve(warning);
    });
    session.once('ended', () => {
      clearTimeout(timer);
      reject(new Error('the run ended without a saturation warning'));
    });
  });
}

for (const locust of locustsFor('full')) {
  for (const mode of ['local', 'distributed'] as const) {
    test(titled(locust, `${mode}: a CPU-bound locustfile on one core is named as saturated before the run ends; view, record and verdict keep it`), { timeout: 150_000 }, async () => {
      requireLocust(locust);
      const cwd = path.join(scratch, `busy-${mode}-${locust.version}`);
      await mkdir(cwd, { recursive: true });
      await writeFile(path.join(cwd, 'locustfile.py'), BUSY);
      const python = await pinnedPython(cwd, locust.python);
      const session = await RunSession.launch(
        {
          python,
          locustfile: path.join(cwd, 'locustfile.py'),
          cwd,
          users: 4,
          spawnRate: 100,
          runTime: '120s',
          ...(mode === 'distributed' && { mode, workers: 1 }),
        },
        { record: { baseDir: path.join(cwd, 'records') }, thresholds: [NO_FAILURES] },
      );
      sessions.push(session);
      const warning = await saturationBeforeEnd(session);
      assert.equal(session.aggregate.snapshot.state === 'stopped' || session.aggregate.snapshot.state === 'failed', false, 'warned while the run goes on');
      const health = session.aggregate.snapshot.loadGenerator;
      assert.equal(health?.saturated, true, 'the view carries it');
      const [saturatedId] = health.saturatedProcesses;
      if (mode === 'local') {
        assert.deepEqual(health.saturatedProcesses, [LOCAL_PROCESS_ID]);
        assert.match(warning, /the local Locust process/);
      } else {
        assert.equal(health.saturatedProcesses.length, 1);
        assert.notEqual(saturatedId, LOCAL_PROCESS_ID, 'a worker, by its id');
        assert.ok(warning.includes(`worker ${saturatedId}`), warning);
      }
      assert.match(warning, /not to be trusted/);
      const process = health.processes.find((p) => p.id === saturatedId)!;
      assert.ok((process.peakCpu >= LOAD_GENERATOR_CPU_LIMIT || (process.peakLoopLag ?? 0) >= LOAD_GENERATOR_LOOP_LAG_LIMIT_MS) && process.longestHighSeconds >= 8, JSON.stringify(process));

      const end: RunEnd = await session.stop();
      assert.equal(end.outcome, 'finished');
      assert.equal(end.loadWarning, warning);
      assert.equal(end.verdict?.outcome, 'passed', 'the thresholds held…');
      assert.equal(end.verdict?.unreliable, warning, '…and the verdict says it is not to be trusted');
      const record = await loadRunRecord(end.recordDir!);
      assert.equal(record.meta.loadGenerator?.saturated, true);
      assert.deepEqual(record.meta.loadGenerator?.saturatedProcesses, [saturatedId]);
      assert.equal(record.meta.verdict?.unreliable, warning);
      assert.deepEqual(replayRunRecord(record).snapshot.loadGenerator, record.meta.loadGenerator, 'a reopened run warns as it did live');
      // The report says it too: the warning, the thresholds marked unreliable, and the process's peak CPU.
      const report = renderHtmlReport(record);
      assert.ok(report.includes(`<p class="warning">${escapeHtml(warning)}</p>`), 'the report carries the warning');
      assert.match(report, /Thresholds passed \(1 of 1 held\)[^<]* · unreliable: the load generator was saturated/);
      assert.match(report, new RegExp(`peak \\d+ % CPU \\(saturated\\)`));
      assert.deepEqual(await liveGroupMembers(record.meta.pid!), [], 'nothing of the run is left');
    });
  }
}

test('the CLI says it on its screen when it happens and after the final table, and the verdict line says unreliable', { timeout: 150_000 }, async () => {
  const [locust] = locustsFor('full');
  requireLocust(locust!);
  const cwd = path.join(scratch, 'busy-cli');
  await mkdir(cwd, { recursive: true });
  await writeFile(path.join(cwd, 'locustfile.py'), BUSY);
  const python = await pinnedPython(cwd, locust!.python);
  let warnedLive = false;
  const junit = path.join(cwd, 'junit.xml');
  const result = await runCli(['run', 'locustfile.py', '--python', python, '--users', '4', '--spawn-rate', '100', '--run-time', '120s', '--threshold', 'fail_ratio < 1%', '--junit', junit], {
    cwd,
    onOutput: (_stdout, stderr, child) => {
      // Stopped as soon as it warned (Ctrl-C): the warning came while the run went on.
      if (!warnedLive && stderr.includes('warning: The load generator was saturated')) {
        warnedLive = true;
        child.kill('SIGINT');
      }
    },
  });
  assert.ok(warnedLive, result.stderr);
  assert.equal(result.stderr.match(/warning: The load generator was saturated: the local Locust process/g)?.length, 2, result.stderr);
  assert.match(result.stdout, /Thresholds: passed \(unreliable: the load generator was saturated\)/);
  // CI's report keeps the outcome and says the measurements are not to be trusted.
  const xml = await readFile(junit, 'utf8');
  assert.match(xml, /<property name="outcome" value="passed"\/>/);
  assert.match(xml, /<property name="unreliable" value="The load generator was saturated: the local Locust process [^"]*"\/>/);
});

test('a light locustfile never counts as saturated: 10 short local runs, five at a time', { timeout: 240_000 }, async () => {
  const locusts = locustsFor('full');
  for (const locust of locusts) requireLocust(locust);
  const RUNS = 10;
  const PARALLEL = 5;
  for (let first = 0; first < RUNS; first += PARALLEL) {
    const batch = Array.from({ length: Math.min(PARALLEL, RUNS - first) }, (_, i) => first + i);
    const ends = await Promise.all(
      batch.map(async (run) => {
        const locust = locusts[run % locusts.length]!;
        const cwd = path.join(scratch, `light-${run}`);
        await mkdir(cwd, { recursive: true });
        await writeFile(path.join(cwd, 'locustfile.py'), LIGHT);
        // Longer than the rule's 8 s and than Locust's first CPU samples, so that the rule had its chance.
        const session = await RunSession.launch({ python: locust.python, locustfile: path.join(cwd, 'locustfile.py'), cwd, users: 5, spawnRate: 50, runTime: '12s' });
        sessions.push(session);
        let warned: string | undefined;
        session.on('saturated', (warning) => (warned = warning));
        const end = await session.ended;
        return { run, locust: locust.label, end, warned };
      }),
    );
    for (const { run, locust, end, warned } of ends) {
      assert.equal(end.outcome, 'finished', `run ${run} (${locust}): ${end.message ?? ''}`);
      assert.equal(warned, undefined, `run ${run} (${locust}) warned: ${warned}`);
      assert.equal(end.loadWarning, undefined);
      assert.equal(end.loadGenerator?.saturated, false, `run ${run} (${locust}): its CPU was reported and judged`);
      const local = end.loadGenerator.processes.find((p) => p.id === LOCAL_PROCESS_ID);
      assert.ok(local && local.loopLag !== undefined, `run ${run} (${locust}): its loop's lag was reported and judged too`);
    }
  }
});
