// VS Code's Testing view over thresholds: each locustfile that declares THRESHOLDS is a test, each threshold a child at its
// source line; running one runs that load test and reports every threshold as passed or failed with its measured value.
import * as vscode from 'vscode';
import path from 'node:path';
import type { LocustfileModel } from '../protocol/model';
import { describeMeasurement, describeThreshold, parseThreshold, type ThresholdStatus } from '../protocol/thresholds';
import type { RunEnd } from '../runner/runSession';
import { logError } from './log';
import type { AskMode } from './runController';

/** Where a file that may declare thresholds is looked for, and what is never searched. */
const PYTHON_FILES = '**/*.py';
const NOT_SEARCHED = '{**/node_modules/**,**/.venv/**,**/venv/**,**/site-packages/**,**/.git/**,**/__pycache__/**}';
/** Files read when the view opens; a workspace with more Python files than this lists those found first. */
const MAX_FILES = 5_000;
/** A module-level THRESHOLDS assignment, plain or annotated: a cheap look before asking the language server. */
const DECLARES_THRESHOLDS = /^THRESHOLDS[ \t]*(?::|=(?!=))/m;

/** What the Testing view needs from the rest of the extension. */
export interface ThresholdTestHost {
  modelOf(uri: string): Promise<LocustfileModel | null>;
  /** Runs the file's load test (all User classes), asking only what is missing; undefined when it did not start. */
  run(uri: string, ask: AskMode): Promise<RunEnd | undefined>;
  stop(): Promise<void>;
}

/** The Testing view's items for thresholds: discovered from the workspace, refreshed when a locustfile changes. */
export class ThresholdTests implements vscode.Disposable {
  private readonly controller = vscode.tests.createTestController('locustStudio.thresholds', 'Locust thresholds');
  private readonly disposables: vscode.Disposable[] = [this.controller];

  constructor(private readonly host: ThresholdTestHost) {
    // Files are read when the Testing view first asks (not at activation), then kept up to date.
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discover();
    };
    this.controller.refreshHandler = () => this.discover();
    this.controller.createRunProfile('Run load test', vscode.TestRunProfileKind.Run, (request, token) => this.runTests(request, token), true);
    const watcher = vscode.workspace.createFileSystemWatcher(PYTHON_FILES);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => void this.update(uri)),
      watcher.onDidChange((uri) => void this.update(uri)),
      watcher.onDidDelete((uri) => this.controller.items.delete(uri.toString())),
      vscode.workspace.onDidSaveTextDocument((document) => document.languageId === 'python' && void this.update(document.uri)),
    );
  }

  /** Lists every workspace file that declares thresholds. */
  async discover(): Promise<void> {
    const files = await vscode.workspace.findFiles(PYTHON_FILES, NOT_SEARCHED, MAX_FILES);
    await Promise.all(files.map((uri) => this.update(uri)));
  }

  /** Reads one file again: its item and children follow what it declares now (none: no item). */
  private async update(uri: vscode.Uri): Promise<void> {
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const model = DECLARES_THRESHOLDS.test(text) ? await this.host.modelOf(uri.toString()) : null;
      const declared = model?.thresholds ?? [];
      if (declared.length === 0) {
        this.controller.items.delete(uri.toString());
        return;
      }
      const file = this.controller.items.get(uri.toString()) ?? this.controller.createTestItem(uri.toString(), path.basename(uri.fsPath), uri);
      file.description = folderOf(uri);
      if (model?.thresholdsDeclaredAt) file.range = toRange(model.thresholdsDeclaredAt);
      file.children.replace(
        declared.map((threshold, index) => {
          const text = threshold.text ?? '(an f-string: not readable without running the file)';
          // The text is the identity: an edit elsewhere in the list keeps each threshold's results attached to it.
          const child = this.controller.createTestItem(`${uri.toString()}#${index}:${text}`, text, uri);
          child.range = toRange(threshold.range);
          child.description = threshold.parsed?.ok ? undefined : 'cannot be judged';
          if (threshold.parsed?.ok) child.sortText = String(index).padStart(4, '0');
          if (threshold.parsed && !threshold.parsed.ok) child.error = threshold.parsed.error;
          return child;
        }),
      );
      this.controller.items.add(file);
    } catch (error) {
      logError(`Could not read the thresholds of ${uri.fsPath}`, error);
    }
  }

  private async runTests(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(request);
    // One load test per file, whichever of its thresholds were asked for.
    const files = new Map<string, { file: vscode.TestItem; only: Set<string> | undefined }>();
    const requested = request.include ?? [...iterate(this.controller.items)];
    for (const item of requested) {
      const file = item.parent ?? item;
      const entry = files.get(file.id) ?? { file, only: new Set<string>() };
      if (item === file) entry.only = undefined;
      else entry.only?.add(item.id);
      files.set(file.id, entry);
    }
    const stopping = token.onCancellationRequested(() => void this.host.stop());
    try {
      for (const { file, only } of files.values()) {
        if (token.isCancellationRequested) break;
        const children = [...iterate(file.children)].filter((child) => !only || only.has(child.id) || only.size === 0);
        if (request.exclude?.length) children.splice(0, children.length, ...children.filter((c) => !request.exclude!.includes(c)));
        for (const child of [file, ...children]) run.started(child);
        const started = Date.now();
        let end: RunEnd | undefined;
        try {
          end = await this.host.run(file.id, 'missing');
        } catch (error) {
          run.errored(file, new vscode.TestMessage(`The load test could not run: ${(error as Error).message}`));
          continue;
        }
        report(run, file, children, end, Date.now() - started);
      }
    } finally {
      stopping.dispose();
      run.end();
    }
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}

/** Each threshold's result from the run's end: passed, failed with its measured value, or errored with why it is unknown. */
function report(run: vscode.TestRun, file: vscode.TestItem, children: vscode.TestItem[], end: RunEnd | undefined, durationMs: number): void {
  if (!end) {
    for (const item of [file, ...children]) run.skipped(item);
    return;
  }
  run.appendOutput(`${file.label}: ${end.verdict ? `thresholds ${end.verdict.outcome}` : `no verdict (${end.outcome})`}\r\n`);
  if (!end.verdict) {
    const message = new vscode.TestMessage(`No verdict: the run did not finish (${end.outcome}). ${end.message ?? ''}`.trim());
    for (const item of [file, ...children]) run.errored(item, message, durationMs);
    return;
  }
  const byText = new Map<string, ThresholdStatus>();
  for (const status of end.verdict.thresholds) if (!byText.has(status.text)) byText.set(status.text, status);
  for (const child of children) {
    const status = byText.get(child.label);
    const parsed = parseThreshold(child.label);
    if (!status || !parsed.ok) {
      run.skipped(child);
      continue;
    }
    const measured = status.value === null ? '' : describeMeasurement(parsed.threshold, status);
    run.appendOutput(`  ${status.state === 'passed' ? '✓' : status.state === 'failed' ? '✗' : '?'} ${child.label}  ${measured}\r\n`);
    if (status.state === 'passed') run.passed(child, durationMs);
    else if (status.state === 'failed') {
      const message = new vscode.TestMessage(`${measured}${status.failedAt !== undefined ? ` (failed ${Math.round(status.failedAt)} s into the run)` : ''}\n${describeThreshold(parsed.threshold)}`);
      if (child.uri && child.range) message.location = new vscode.Location(child.uri, child.range);
      run.failed(child, message, durationMs);
    } else run.errored(child, new vscode.TestMessage(`Not judged: ${status.reason ?? 'the run could not answer it'}`), durationMs);
  }
  if (end.verdict.outcome === 'passed') run.passed(file, durationMs);
  else if (end.verdict.outcome === 'failed') run.failed(file, new vscode.TestMessage(`Thresholds failed${end.verdict.abortedBy ? `; the run was stopped early by "${end.verdict.abortedBy}"` : ''}.`), durationMs);
  else run.errored(file, new vscode.TestMessage('The verdict is unknown: some thresholds could not be judged.'), durationMs);
}

/**
 * The file's folder as shown beside its name: relative to its workspace folder (prefixed by that folder's name when
 * there are several), nothing at a folder's root. `asRelativePath` of a root gives its absolute path back instead, which
 * also became the row's screen-reader name (VS Code reads a test's description in place of its label).
 */
function folderOf(uri: vscode.Uri): string | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) return path.dirname(uri.fsPath);
  const root = (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? folder.name : '';
  return [root, path.relative(folder.uri.fsPath, path.dirname(uri.fsPath))].filter(Boolean).join(path.sep) || undefined;
}

function* iterate(collection: vscode.TestItemCollection): Generator<vscode.TestItem> {
  for (const [, item] of collection) yield item;
}

function toRange(range: { start: { line: number; character: number }; end: { line: number; character: number } }): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}
