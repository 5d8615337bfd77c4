// A run compared live with its pinned baseline, with real Locusts and the demo target: the baseline found through the run
// folder's history (as the editor finds it), comparisons arriving during the run, the verdict at its end kept in the
// record, and the same comparison shown again when the record is reopened.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BaselineView } from '../../protocol/compare';
import { recordedBaselineView } from '../../runner/liveBaseline';
import { loadBaseline, pinBaseline } from '../../runner/runHistory';
import { loadRunRecord } from '../../runner/runRecord';
import { RunSession, type RunEnd } from '../../runner/runSession';
import { startTarget } from '../../examples/target/server.mjs';
import { liveGroupMembers, locustsFor, requireLocust } from './support';

/** Two endpoints of 30 and 50 ms; SLOWER_FACTOR multiplies /checkout's latency (the change between the runs). */
const LOCUSTFILE = `
import os
from locust import HttpUser, constant, task

FACTOR = float(os.environ.get("SLOWER_FACTOR", "1"))

class Shopper(HttpUser):
    wait_time = constant(0)

    @task
    def browse(self):
        self.client.get("/slow?ms=30", name="/browse")

    @task
    def checkout(self):
        self.client.get(f"/slow?ms={50 * FACTOR:.0f}", name="/checkout")
`;

const debian = locustsFor('full').find((l) => l.role === 'debian')!;
const newest = locustsFor('full').find((l) => l.role === 'newest')!;
let target: Awaited<ReturnType<typeof startTarget>>;
let scratch: string;
const sessions: RunSession[] = [];

before(async () => {
  requireLocust(debian);
  requireLocust(newest);
  [target, scratch] = await Promise.all([startTarget({ port: 0, quiet: true }), mkdtemp(path.join(os.tmpdir(), 'locust-studio-live-baseline-'))]);
});

after(async () => {
  for (const session of sessions) session.kill();
  await Promise.all(sessions.map((session) => session.ended));
  await target?.close();
  await rm(scratch, { recursive: true, force: true });
});

test('a run compared live with its pinned baseline (Locust 2.12 baseline, 2.47 run): comparisons while it runs, the verdict at its end in the record and its reopening', { timeout: 90_000 }, async () => {
  const cwd = path.join(scratch, 'project');
  const runFolder = path.join(cwd, 'runs');
  await mkdir(cwd, { recursive: true });
  const locustfile = path.join(cwd, 'locustfile.py');
  await writeFile(locustfile, LOCUSTFILE);
  const launch = async (python: string, factor: string, settings: Parameters<typeof RunSession.launch>[1] = {}) => {
    const session = await RunSession.launch(
      { python, locustfile, cwd, host: target.url, users: 6, spawnRate: 6, runTime: '10s', statsInterval: 0.5, userClasses: ['Shopper'], env: { ...process.env, SLOWER_FACTOR: factor } },
      { record: { baseDir: runFolder, interpreter: { path: python } }, ...settings },
    );
    sessions.push(session);
    return session;
  };

  // The baseline: a run of the unchanged code, pinned for this locustfile and User class, as the Runs view pins it.
  const first = await (await launch(debian.python, '1')).ended;
  assert.equal(first.outcome, 'finished', first.message);
  assert.equal(await loadBaseline(runFolder, locustfile, ['Shopper']), undefined, 'nothing is pinned yet');
  await pinBaseline(runFolder, first.recordDir!);
  const baseline = await loadBaseline(runFolder, locustfile, ['Shopper']);
  assert.ok(baseline, 'the pinned run is found for the same locustfile and User classes');
  assert.equal(baseline.run.dir, first.recordDir);
  assert.equal(await loadBaseline(runFolder, locustfile, []), undefined, 'another User class selection has its own baseline');

  // The new run: /checkout twice as slow, compared while it runs.
  const session = await launch(newest.python, '2', { baseline });
  const initial = session.aggregate.snapshot.baseline;
  assert.ok(initial, 'the view has the baseline from the start');
  assert.equal(initial.verdict, null, 'not compared before the first seconds');
  assert.ok(initial.series.elapsed.length > 0 && initial.series.rps.some((r) => r > 0), 'the baseline series to overlay');
  const live: BaselineView[] = [];
  session.on('change', (change) => change.baseline && live.push(change.baseline));
  const end: RunEnd = await session.ended;
  assert.equal(end.outcome, 'finished', end.message);
  assert.ok(live.length >= 1, 'compared at least once while running');
  assert.ok(live.every((view) => !view.final && view.verdict !== null));
  assert.deepEqual(live.flatMap((view) => view.notes).filter((note) => /did not finish/.test(note)), [], 'a run going on is not one that did not finish');

  // The end: the whole run compared, /checkout regressed; the view, the record and a reopening agree.
  const comparison = end.comparison;
  assert.ok(comparison, 'the end carries the comparison');
  const checkout = comparison.endpoints.find((e) => e.name === '/checkout');
  assert.equal(checkout?.verdict, 'regressed', JSON.stringify(checkout?.metrics));
  assert.equal(comparison.verdict, 'regressed');
  const shown = session.aggregate.snapshot.baseline;
  assert.equal(shown?.final, true);
  assert.equal(shown?.verdict, 'regressed');
  const record = await loadRunRecord(end.recordDir!);
  assert.deepEqual(record.meta.baseline, { dir: first.recordDir, verdict: 'regressed' });
  const reopened = await recordedBaselineView(end.recordDir!, record.meta);
  assert.ok(reopened, 'a reopened record is compared with the same baseline');
  assert.equal(reopened.verdict, comparison.verdict);
  assert.deepEqual(
    reopened.endpoints.map((e) => [e.name, e.verdict]),
    comparison.endpoints.map((e) => [e.name, e.verdict]),
    'the same verdicts from the record as at the end of the run',
  );
  assert.deepEqual(await liveGroupMembers(record.meta.pid!), [], 'nothing of the run is left');
});
