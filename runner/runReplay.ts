// Rebuilds the panel's view of a run from its record on disk, by replaying the recorded messages through RunAggregate.
import { outcomeMessage, type RunMeta } from '../protocol/runRecord';
import type { LoadedRunRecord } from './runRecord';
import { loadRunRecord } from './runRecord';
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
  // A reopened run warns on its charts as it did live.
  if (meta.loadGenerator) aggregate.setLoadGenerator(meta.loadGenerator);
  const exit = meta.exit ?? { code: null, signal: null };
  aggregate.finish(exit, { outcome: meta.outcome, message: outcomeMessage(meta.outcome, meta.exit, { ...(meta.interpreter && { interpreter: meta.interpreter.path }), hadFinal: record.final !== undefined, ...(meta.shortfalls && { shortfalls: meta.shortfalls }) }) });
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
