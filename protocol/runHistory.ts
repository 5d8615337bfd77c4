// The history store of a run folder (history.json): pinned baselines and run labels, a typed, versioned format with its validator.
import * as v from 'valibot';

/** The history format this version writes; a newer one is read as empty and never overwritten. */
export const RUN_HISTORY_FORMAT = 1;

/** The file, directly in the run folder, beside the record folders. */
export const RUN_HISTORY_FILE = 'history.json';

/** A label longer than this is cut (a name for a run, not a note). */
export const MAX_RUN_LABEL_LENGTH = 120;

/**
 * history.json. Records are named by their folder's name inside the run folder, so that the run folder can move (or be
 * shared) without losing its pins. Unknown keys of newer writers of the same format are kept.
 */
export const RunHistorySchema = v.looseObject({
  format: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** Baseline key (see baselineKey in runner/runHistory.ts) → the pinned record's folder name. */
  baselines: v.record(v.string(), v.string()),
  /** Record folder name → the user's name for that run. */
  labels: v.record(v.string(), v.pipe(v.string(), v.maxLength(MAX_RUN_LABEL_LENGTH))),
});
export type RunHistory = v.InferOutput<typeof RunHistorySchema>;

export function emptyRunHistory(): RunHistory {
  return { format: RUN_HISTORY_FORMAT, baselines: {}, labels: {} };
}

/** Checks a parsed history.json: `newer` when a later version wrote it (then it is neither trusted nor overwritten). */
export function parseRunHistory(raw: unknown): { ok: true; value: RunHistory } | { ok: false; error: string; newer: boolean } {
  const format = typeof raw === 'object' && raw !== null ? (raw as { format?: unknown }).format : undefined;
  if (typeof format === 'number' && format > RUN_HISTORY_FORMAT) {
    return { ok: false, newer: true, error: `${RUN_HISTORY_FILE}: format ${format} is newer than this version of Locust Studio reads (${RUN_HISTORY_FORMAT})` };
  }
  const result = v.safeParse(RunHistorySchema, raw);
  if (!result.success) return { ok: false, newer: false, error: `${RUN_HISTORY_FILE}: ${v.summarize(result.issues)}` };
  return { ok: true, value: result.output };
}
