// The history of recorded runs (runner/runHistory.ts): listing real records, grouping, baselines, labels and deletion.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BridgeMessage } from '../../protocol/runner';
import { MAX_RUN_LABEL_LENGTH, RUN_HISTORY_FILE, RUN_HISTORY_FORMAT } from '../../protocol/runHistory';
import { RUN_RECORD_FORMAT } from '../../protocol/runRecord';
import { RunRecorder } from '../../runner/runRecord';
import {
  baselineFor,
  baselineKey,
  baselineKeyOf,
  deleteRecord,
  groupRuns,
  isBaseline,
  labelOf,
  listRuns,
  pinBaseline,
  readHistory,
  setLabel,
  unpinBaseline,
} from '../../runner/runHistory';
import { endpointStats } from '../helpers/runFixtures';

const STARTED = Date.UTC(2026, 10, 22, 1, 0, 0);

async function runFolder(): Promise<string> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'locust-history-'));
  after(() => rm(base, { recursive: true, force: true }));
  return base;
}

/** A real record written by the recorder: hello, a few ticks, final statistics (unless `final: false`), then the exit. */
function record(
  base: string,
  { id, startedAt, locustfile, attach, userClasses = [], final = true, requests = 600, failures = 6 }: {
    id: string;
    startedAt: number;
    locustfile?: string;
    attach?: string;
    userClasses?: string[];
    final?: boolean;
    requests?: number;
    failures?: number;
  },
): string {
  const recorder = RunRecorder.create(base, { python: 'python3', users: 10, spawnRate: 5, userClasses, ...(locustfile && { locustfile }), ...(attach && { attach }) }, { id, startedAt });
  const hello: BridgeMessage = { type: 'hello', protocol: 1, pid: 1, locustVersion: '2.47.0', runnerKind: 'local', userClasses: ['Shopper', 'Browser'], shape: null, host: 'http://127.0.0.1:1', features: [] };
  recorder.onMessage(hello);
  for (let t = 1; t <= 5; t++) {
    const total = endpointStats({ name: 'Aggregated', method: '', requests: t * 100, failures: t });
    recorder.onMessage({ type: 'tick', seq: t, t: startedAt + t * 1000, state: 'running', userCount: 10, usersByClass: { Shopper: 10 }, endpoints: [total], total, omitted: 0 });
  }
  if (final) {
    const total = endpointStats({ name: 'Aggregated', method: '', requests, failures });
    recorder.onMessage({ type: 'final', t: startedAt + 6000, endpoints: [], total, failures: [], exceptions: [], startTime: startedAt / 1000, lastRequestTime: startedAt / 1000 + 6 });
  }
  recorder.finish({ code: final ? 0 : 1, signal: null });
  return recorder.dir;
}

/** meta.json as an older Locust Studio wrote it: no headline (the listing then reads final.json). */
async function withoutHeadline(dir: string): Promise<void> {
  const meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
  delete meta['headline'];
  await writeFile(path.join(dir, 'meta.json'), JSON.stringify(meta));
}

async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}

test('records are listed newest first with their numbers, from the headline or else from final.json', async () => {
  const base = await runFolder();
  const older = record(base, { id: 'aaaaaa', startedAt: STARTED, locustfile: '/w/shop.py', requests: 600, failures: 6 });
  const newer = record(base, { id: 'bbbbbb', startedAt: STARTED + 60_000, locustfile: '/w/shop.py', requests: 900, failures: 0 });
  const crashed = record(base, { id: 'cccccc', startedAt: STARTED + 120_000, locustfile: '/w/shop.py', final: false });
  await withoutHeadline(older);
  // A current record: the headline alone is read (final.json is not even needed).
  const meta = JSON.parse(await readFile(path.join(newer, 'meta.json'), 'utf8')) as Record<string, unknown>;
  meta['headline'] = { seconds: 6, requests: 900, failures: 0, requestsPerSecond: 150, p50: 12, p95: 80, p99: 99, peakUsers: 10 };
  await writeFile(path.join(newer, 'meta.json'), JSON.stringify(meta));
  await rm(path.join(newer, 'final.json'));

  const { runs, skipped } = await listRuns(base);
  assert.deepEqual(skipped, []);
  assert.deepEqual(runs.map((r) => r.dir), [crashed, newer, older]);
  const [c, n, o] = runs;
  assert.deepEqual(n!.numbers, { seconds: 6, requests: 900, failures: 0, requestsPerSecond: 150, p50: 12, p95: 80, p99: 99, peakUsers: 10, source: 'headline' });
  // From final.json: Locust's first to last request (6 s), its total's p50/p95/p99 (endpointStats: 10 + p × 100).
  assert.deepEqual(o!.numbers, { seconds: 6, requests: 600, failures: 6, requestsPerSecond: 100, p50: 60, p95: 105, p99: 109, peakUsers: undefined, source: 'final' });
  assert.equal(o!.targetUsers, 10);
  assert.equal(c!.meta.outcome, 'crashed');
  assert.equal(c!.numbers, undefined, 'a crashed run has no final numbers');
  assert.equal(o!.locustfile, '/w/shop.py');
  assert.equal(o!.host, 'http://127.0.0.1:1');
  assert.equal(o!.name, path.basename(older));
});

test('runs are grouped by locustfile, attached runs by the web UI they followed', async () => {
  const base = await runFolder();
  record(base, { id: 'a00001', startedAt: STARTED, locustfile: '/w/shop.py' });
  record(base, { id: 'a00002', startedAt: STARTED + 1000, locustfile: '/w/api.py' });
  record(base, { id: 'a00003', startedAt: STARTED + 2000, locustfile: '/w/./shop.py' });
  record(base, { id: 'a00004', startedAt: STARTED + 3000, attach: 'http://127.0.0.1:8089' });
  record(base, { id: 'a00005', startedAt: STARTED + 4000, attach: 'http://127.0.0.1:8089' });
  const groups = groupRuns((await listRuns(base)).runs);
  assert.deepEqual(
    groups.map((g) => [g.subject.kind, g.subject.key, g.runs.map((r) => r.meta.id)]),
    [
      ['attached', 'http://127.0.0.1:8089', ['a00005', 'a00004']],
      ['locustfile', '/w/shop.py', ['a00003', 'a00001']],
      ['locustfile', '/w/api.py', ['a00002']],
    ],
  );
});

test('folders that are not readable records are skipped with a reason, and nothing is changed on disk', async () => {
  const base = await runFolder();
  const good = record(base, { id: 'good01', startedAt: STARTED, locustfile: '/w/shop.py' });
  await mkdir(path.join(base, 'not-a-record'));
  await writeFile(path.join(base, 'not-a-record', 'notes.txt'), 'hello');
  await mkdir(path.join(base, 'half-written'));
  await writeFile(path.join(base, 'half-written', 'options.json'), '{"locustfile":"/w/shop.py"}');
  await mkdir(path.join(base, 'torn'));
  await writeFile(path.join(base, 'torn', 'meta.json'), '{"id":"torn","startedAt":');
  await mkdir(path.join(base, 'future'));
  await writeFile(path.join(base, 'future', 'meta.json'), JSON.stringify({ format: RUN_RECORD_FORMAT + 1, id: 'f', startedAt: STARTED, outcome: 'finished', ticks: 0 }));
  await mkdir(path.join(base, 'foreign'));
  await writeFile(path.join(base, 'foreign', 'meta.json'), JSON.stringify({ name: 'something else' }));
  // Files beside the records are not records and not mentioned.
  await writeFile(path.join(base, 'README.txt'), 'runs');
  await writeFile(path.join(base, RUN_HISTORY_FILE), '{ not json');
  const before = await tree(base);

  const { runs, skipped } = await listRuns(base);
  assert.deepEqual(runs.map((r) => r.dir), [good]);
  const reasons = Object.fromEntries(skipped.map((s) => [path.basename(s.dir), s.reason]));
  assert.deepEqual(Object.keys(reasons).sort(), ['foreign', 'future', 'half-written', 'not-a-record', 'torn']);
  assert.match(reasons['not-a-record']!, /not a run record \(no meta\.json\)/);
  assert.match(reasons['half-written']!, /half-written record/);
  assert.match(reasons['torn']!, /meta\.json is not valid JSON/);
  assert.match(reasons['future']!, /newer than this version/);
  assert.match(reasons['foreign']!, /^meta\.json: /);
  // An unreadable history.json: pins and labels read as none, with why.
  const history = await readHistory(base);
  assert.deepEqual(history.history.baselines, {});
  assert.match(history.problem ?? '', /history\.json is not valid JSON/);
  assert.deepEqual(await tree(base), before, 'listing changed nothing');
  // A folder that does not exist lists nothing.
  assert.deepEqual(await listRuns(path.join(base, 'missing')), { runs: [], skipped: [] });
});

test('the baseline key: one locustfile and one User class selection, in any order', () => {
  assert.equal(baselineKey('/w/shop.py', ['B', 'A']), baselineKey('/w/shop.py', ['A', 'B', 'A']));
  assert.equal(baselineKey('/w/./shop.py', []), baselineKey('/w/shop.py', []));
  assert.notEqual(baselineKey('/w/shop.py', []), baselineKey('/w/shop.py', ['A']), 'all classes is a selection of its own');
  assert.notEqual(baselineKey('/w/shop.py', ['A']), baselineKey('/w/api.py', ['A']));
  // Names are not joined ambiguously.
  assert.notEqual(baselineKey('/w/shop.py', ['A,B']), baselineKey('/w/shop.py', ['A', 'B']));
  // An attached run's key keeps its URL as it is.
  assert.equal(baselineKeyOf({ locustfile: undefined, attachedTo: 'http://h:8089', userClasses: [] }), baselineKey('http://h:8089', []));
  assert.match(baselineKey('http://h:8089', []), /http:\/\/h:8089/);
});

test('a pinned baseline is one per locustfile and selection: pinning another replaces it; unpin removes it', async () => {
  const base = await runFolder();
  const first = record(base, { id: 'pin001', startedAt: STARTED, locustfile: '/w/shop.py', userClasses: ['Shopper'] });
  const second = record(base, { id: 'pin002', startedAt: STARTED + 1000, locustfile: '/w/shop.py', userClasses: ['Shopper'] });
  const all = record(base, { id: 'pin003', startedAt: STARTED + 2000, locustfile: '/w/shop.py' });
  assert.equal(await baselineFor(base, '/w/shop.py', ['Shopper']), undefined);

  const key = await pinBaseline(base, first);
  assert.equal(key, baselineKey('/w/shop.py', ['Shopper']));
  assert.equal(await baselineFor(base, '/w/shop.py', ['Shopper']), first);
  await pinBaseline(base, second);
  await pinBaseline(base, all);
  assert.equal(await baselineFor(base, '/w/shop.py', ['Shopper']), second, 'the second pin replaced the first');
  assert.equal(await baselineFor(base, '/w/shop.py', []), all, 'all classes have a baseline of their own');
  const { runs } = await listRuns(base);
  const { history } = await readHistory(base);
  assert.deepEqual(runs.filter((r) => isBaseline(history, r)).map((r) => r.dir).sort(), [second, all].sort());
  // history.json names records by folder name, in the versioned format.
  const stored = JSON.parse(await readFile(path.join(base, RUN_HISTORY_FILE), 'utf8')) as { format: number; baselines: Record<string, string> };
  assert.equal(stored.format, RUN_HISTORY_FORMAT);
  assert.equal(stored.baselines[key], path.basename(second));

  await unpinBaseline(base, second);
  assert.equal(await baselineFor(base, '/w/shop.py', ['Shopper']), undefined);
  assert.equal(await baselineFor(base, '/w/shop.py', []), all, 'other pins stay');
  // Only records of the run folder can be pinned.
  await assert.rejects(pinBaseline(base, path.join(os.tmpdir(), 'elsewhere')), /is not a record of the run folder/);
  await mkdir(path.join(base, 'empty'));
  await assert.rejects(pinBaseline(base, path.join(base, 'empty')), /not a run record/);
});

test('labels: a user name for a run, trimmed and cut; empty removes it; concurrent changes all land', async () => {
  const base = await runFolder();
  const dir = record(base, { id: 'lab001', startedAt: STARTED, locustfile: '/w/shop.py' });
  assert.equal(await setLabel(base, dir, '  before   the cache  '), 'before the cache');
  let { history } = await readHistory(base);
  assert.equal(labelOf(history, { name: path.basename(dir) }), 'before the cache');
  assert.equal((await setLabel(base, dir, 'x'.repeat(MAX_RUN_LABEL_LENGTH + 50)))?.length, MAX_RUN_LABEL_LENGTH);
  assert.equal(await setLabel(base, dir, '   '), undefined);
  ({ history } = await readHistory(base));
  assert.equal(labelOf(history, { name: path.basename(dir) }), undefined);
  // A label is never confused with an inherited property of the store.
  assert.equal(labelOf(history, { name: 'constructor' }), undefined);

  const dirs = Array.from({ length: 12 }, (_, i) => record(base, { id: `con${String(i).padStart(3, '0')}`, startedAt: STARTED + i, locustfile: '/w/shop.py' }));
  await Promise.all(dirs.map((d, i) => setLabel(base, d, `run ${i}`)));
  ({ history } = await readHistory(base));
  assert.deepEqual(dirs.map((d) => labelOf(history, { name: path.basename(d) })), dirs.map((_, i) => `run ${i}`));
});

test('an unreadable history.json is kept aside before a new one is written; a newer one is never overwritten', async () => {
  const base = await runFolder();
  const dir = record(base, { id: 'his001', startedAt: STARTED, locustfile: '/w/shop.py' });
  const file = path.join(base, RUN_HISTORY_FILE);
  await writeFile(file, '{ torn');
  await setLabel(base, dir, 'kept');
  const aside = (await readdir(base)).filter((name) => name.startsWith(`${RUN_HISTORY_FILE}.unreadable-`));
  assert.equal(aside.length, 1);
  assert.equal(await readFile(path.join(base, aside[0]!), 'utf8'), '{ torn');
  assert.equal(labelOf((await readHistory(base)).history, { name: path.basename(dir) }), 'kept');

  const newer = JSON.stringify({ format: RUN_HISTORY_FORMAT + 1, pins: {} });
  await writeFile(file, newer);
  await assert.rejects(setLabel(base, dir, 'other'), /newer than this version.*left as it is/);
  assert.equal(await readFile(file, 'utf8'), newer);
  assert.match((await readHistory(base)).problem ?? '', /newer/);
});

test('delete: refused while the run is live and for a folder that is not a record; a deleted record takes its pins and label', async () => {
  const base = await runFolder();
  const keep = record(base, { id: 'del001', startedAt: STARTED, locustfile: '/w/shop.py' });
  const gone = record(base, { id: 'del002', startedAt: STARTED + 1000, locustfile: '/w/shop.py' });
  await pinBaseline(base, gone);
  await setLabel(base, gone, 'doomed');
  await setLabel(base, keep, 'kept');

  await assert.rejects(deleteRecord(base, gone, [path.join(base, '.', path.basename(gone))]), /still going on/);
  assert.ok((await readdir(base)).includes(path.basename(gone)), 'a live record is not deleted');
  await mkdir(path.join(base, 'not-a-record'));
  await writeFile(path.join(base, 'not-a-record', 'important.txt'), 'data');
  await assert.rejects(deleteRecord(base, path.join(base, 'not-a-record'), []), /not a run record/);
  assert.equal(await readFile(path.join(base, 'not-a-record', 'important.txt'), 'utf8'), 'data');
  const outside = await mkdtemp(path.join(os.tmpdir(), 'locust-outside-'));
  after(() => rm(outside, { recursive: true, force: true }));
  await assert.rejects(deleteRecord(base, outside, []), /is not a record of the run folder/);
  await assert.rejects(deleteRecord(base, path.join(base, '..'), []), /is not a record of the run folder/);

  await deleteRecord(base, gone, [keep]);
  assert.ok(!(await readdir(base)).includes(path.basename(gone)));
  const { history } = await readHistory(base);
  assert.deepEqual(history.baselines, {});
  assert.deepEqual(history.labels, { [path.basename(keep)]: 'kept' });
  assert.deepEqual((await listRuns(base)).runs.map((r) => r.dir), [keep]);
});
