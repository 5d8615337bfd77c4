// The thresholds a locustfile declares (its module-level THRESHOLDS), taken from the language server's model of the file:
// the one reading for the CLI, the editor's runs and the Testing view, without running the file.
import type { LocustfileModel } from '../protocol/model';
import type { Threshold } from '../protocol/thresholds';

/** A THRESHOLDS entry that cannot be judged: its 1-based line, its text (null: an f-string) and why. */
export interface ThresholdProblem {
  line: number;
  text: string | null;
  error: string;
}

export interface DeclaredThresholds {
  thresholds: Threshold[];
  problems: ThresholdProblem[];
}

/** The thresholds of a model, and the entries that cannot be judged; a file without THRESHOLDS declares none. */
export function declaredThresholds(model: LocustfileModel | null | undefined): DeclaredThresholds {
  const thresholds: Threshold[] = [];
  const problems: ThresholdProblem[] = [];
  for (const declared of model?.thresholds ?? []) {
    const line = declared.range.start.line + 1;
    if (declared.text === null || declared.parsed === null) {
      problems.push({ line, text: null, error: 'an f-string: its value is known only when the file runs; write the threshold as a plain string' });
    } else if (declared.parsed.ok) thresholds.push(declared.parsed.threshold);
    else problems.push({ line, text: declared.text, error: declared.parsed.error });
  }
  return { thresholds, problems };
}
