// Rebuilds the panel's view of a run from its record on disk, by replaying the recorded messages through RunAggregate.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunMeta, LoadedRunRecord } from './runRecord';
import { loadRunRecord } from './runRecord';
import { parseRunTime, RunAggregate } from './runAggregate';
import type { RunView } from '../protocol/webview';

/** Why a recorded run that did not finish normally ended, in the words the panel shows. */
function outcomeMessage(meta: RunMeta): string | undefined {
  const exit = meta.exit;
  switch (meta.outcome) {
    case 'finished':
      return undefined;
    case 'failedToStart':
      return `Could not start ${meta.interpreter?.path ?? 'the interpreter'}: ${exit?.spawnError ?? 'unknown error'}.`;
    case 'killed':
      return `Locust was killed (${exit?.signal ?? 'signal'}).`;
    case 'crashed':
      return `Locust exited (${exit?.signal ?? `code ${exit?.code ?? '?'}`}) before reporting final statistics.`;
    case 'incomplete':
      return 'The record has no end: the run was interrupted (VS Code closed or crashed) or is still going elsewhere.';
  }
}

/**
 * The aggregate a live run would have ended with: same endpoints, series, failures and exceptions, and the last target
 * users / spawn rate Locust accepted (meta.json keeps a change made from the panel).
 */
export function replayRunRecord(record: LoadedRunRecord): RunAggregate {
  const { options, meta } = record;
  const attachedUrl = (options as { attach?: unknown }).attach;
  const aggregate = new RunAggregate({
    id: meta.id,
    locustfile: options.locustfile ?? '',
    host: options.host || meta.host || '',
    userClasses: options.userClasses?.length ? options.userClasses : (meta.userClasses ?? []),
    // A target changed during the run (from the panel) is the one the run ended with.
    targetUsers: meta.target?.users ?? options.users ?? 0,
    ...((meta.target?.spawnRate ?? options.spawnRate) !== undefined && { spawnRate: meta.target?.spawnRate ?? options.spawnRate }),
    startedAt: meta.startedAt,
    ...(parseRunTime(options.runTime) !== undefined && { runTimeSeconds: parseRunTime(options.runTime) }),
    // An attached run's record names the web UI it followed instead of a locustfile.
    ...(typeof attachedUrl === 'string' && { attachedTo: attachedUrl }),
  });
  aggregate.locustVersion = meta.locustVersion;
  for (const tick of record.ticks) aggregate.apply(tick);
  if (record.final) aggregate.apply(record.final);
  const exit = meta.exit ?? { code: null, signal: null };
  aggregate.finish({ code: exit.code ?? null, signal: exit.signal ?? null }, outcomeMessage(meta), meta.outcome !== 'finished');
  return aggregate;
}

/** Loads a record folder and returns the view of its run, as the panel shows a finished run. */
export async function loadRunView(dir: string): Promise<RunView> {
  return replayRunRecord(await loadRunRecord(dir)).snapshot;
}

/** What a list of recorded runs shows of each, read without its ticks (a long run's ticks.jsonl is large). */
export interface RecordSummary {
  dir: string;
  meta: RunMeta;
  locustfile: string | undefined;
  host: string | undefined;
  /** From the final statistics; absent when the run has none. */
  requests: number | undefined;
  failures: number | undefined;
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The summary of a record folder, or undefined when it is not one (no readable meta.json). */
export async function readRecordSummary(dir: string): Promise<RecordSummary | undefined> {
  const [meta, options, final] = await Promise.all(['meta.json', 'options.json', 'final.json'].map((f) => readJson(path.join(dir, f))));
  if (!isObject(meta) || typeof meta['id'] !== 'string' || typeof meta['startedAt'] !== 'number') return undefined;
  const total = isObject(final) && isObject(final['total']) ? final['total'] : undefined;
  const text = (o: unknown, key: string) => (isObject(o) && typeof o[key] === 'string' ? o[key] : undefined);
  return {
    dir,
    meta: meta as unknown as RunMeta,
    locustfile: text(options, 'locustfile'),
    host: text(options, 'host') || text(meta, 'host'),
    requests: typeof total?.['requests'] === 'number' ? total['requests'] : undefined,
    failures: typeof total?.['failures'] === 'number' ? total['failures'] : undefined,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
