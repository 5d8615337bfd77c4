// The thresholds a locustfile declares (its module-level THRESHOLDS), read by the language server's own model of the file
// without running it: the one reader for the CLI, the Testing view and the run.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { Threshold } from '../protocol/thresholds';
import { DocumentAnalyses } from '../server/documentAnalysis';

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

/** Reads `file`'s THRESHOLDS; a file without them declares none. Rejects only when the file cannot be read. */
export async function readDeclaredThresholds(file: string): Promise<DeclaredThresholds> {
  const text = await readFile(file, 'utf8');
  const uri = pathToFileURL(file).href;
  const analyses = new DocumentAnalyses();
  analyses.openDocument(uri, 'python', 1, text);
  const model = await analyses.modelOf(uri);
  analyses.forget(uri);
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
