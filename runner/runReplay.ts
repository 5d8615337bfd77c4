// Rebuilds the panel's view of a run from its record on disk, by replaying the recorded messages through RunAggregate.
import path from 'node:path';
import { outcomeMessage, parseRecordedOptions, parseRunMeta, type RunMeta } from '../protocol/runRecord';
import type { LoadedRunRecord } from './runRecord';
import { loadRunRecord, readJson } from './runRecord';
import { parseDuration } from '../protocol/duration';
import { parseThreshold, type Threshold } from '../protocol/thresholds';
import { RunAggregate } from './runAggregate';
import { ThresholdEvaluator } from './thresholds';
import type { RunView } from '../protocol/webview';

/**
 * The aggregate a live run would have ended with: same endpoints, series, failures and exceptions, and the last target
 * users / spawn rate Locust accepted (meta.json keeps a change made from the panel).
 */
export function replayRunRecord(record: LoadedRunRecord): RunAggregate {
  const { options, meta } = record;
  const attachedUrl = options.attach;
  const aggregate = new RunAggregate({
    id: meta.id,
    locustfile: options.locustfile ?? '',
    host: options.host || meta.host || '',
    userClasses: options.userClasses?.length ? options.userClasses : (meta.userClasses ?? []),
    // A target changed during the run (from the panel) is the one the run ended with.
    targetUsers: meta.target?.users ?? options.users ?? 0,
    ...((meta.target?.spawnRate ?? options.spawnRate) !== undefined && { spawnRate: meta.target?.spawnRate ?? options.spawnRate }),
    startedAt: meta.startedAt,
    ...(parseDuration(options.runTime) !== undefined && { runTimeSeconds: parseDuration(options.runTime) }),
    // An attached run's record names the web UI it followed instead of a locustfile.
    ...(attachedUrl !== undefined && { attachedTo: attachedUrl }),
  });
  aggregate.locustVersion = meta.locustVersion;
  // The thresholds' states as the run left them, judged again by the same evaluator; the verdict is the one recorded.
  const thresholds = recordedThresholds(meta);
  const evaluator = thresholds.length ? new ThresholdEvaluator(thresholds, { startedAt: meta.startedAt }) : undefined;
  for (const tick of record.ticks) {
    aggregate.apply(tick);
    evaluator?.apply(tick);
  }
  if (record.final) {
    aggregate.apply(record.final);
    evaluator?.apply(record.final);
  }
  if (evaluator) aggregate.setThresholds(evaluator.statuses());
  if (meta.verdict) aggregate.setVerdict(meta.verdict);
  const exit = meta.exit ?? { code: null, signal: null };
  aggregate.finish(exit, { outcome: meta.outcome, message: outcomeMessage(meta.outcome, meta.exit, { ...(meta.interpreter && { interpreter: meta.interpreter.path }), hadFinal: record.final !== undefined }) });
  return aggregate;
}

/** The thresholds a record names, parsed (a text this version cannot read is left out rather than guessed at). */
export function recordedThresholds(meta: RunMeta): Threshold[] {
  return (meta.thresholds ?? []).flatMap((text) => {
    const parsed = parseThreshold(text);
    return parsed.ok ? [parsed.threshold] : [];
  });
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
  /** For an attached run: the web UI it followed. */
  attachedTo: string | undefined;
  host: string | undefined;
  /** From the final statistics; absent when the run has none. */
  requests: number | undefined;
  failures: number | undefined;
}

/** The summary of a record folder, or undefined when it is not one (no readable meta.json). */
export async function readRecordSummary(dir: string): Promise<RecordSummary | undefined> {
  const [rawMeta, rawOptions, final] = await Promise.all(['meta.json', 'options.json', 'final.json'].map((f) => readJson(path.join(dir, f))));
  const meta = parseRunMeta(rawMeta);
  if (!meta.ok) return undefined;
  const options = parseRecordedOptions(rawOptions ?? {});
  const total = isObject(final) && isObject(final['total']) ? final['total'] : undefined;
  return {
    dir,
    meta: meta.value,
    locustfile: options.ok ? options.value.locustfile : undefined,
    attachedTo: options.ok ? options.value.attach : undefined,
    host: (options.ok && options.value.host) || meta.value.host || undefined,
    requests: typeof total?.['requests'] === 'number' ? total['requests'] : undefined,
    failures: typeof total?.['failures'] === 'number' ? total['failures'] : undefined,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
