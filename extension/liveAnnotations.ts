// The run's numbers in the locustfile: after-line stats on request lines, gutter marks, hovers, task lenses, both-way navigation.
import * as vscode from 'vscode';
import type { LocustfileModel } from '../protocol/model';
import { PERCENTILES, type EndpointStats } from '../protocol/runner';
import type { ThresholdStatus } from '../protocol/thresholds';
import { formatBytes, formatCount, formatMs, formatPercent, formatRate } from '../protocol/format';
import type { EndpointKey } from '../protocol/webview';
import type { RunAggregate } from '../runner/runAggregate';
import { linesSignature, RequestLineStats } from './requestLineStats';
import { logError } from './log';

export const LIVE_ANNOTATIONS_SETTING = 'locustStudio.liveAnnotations.enabled';
export const KEEP_ANNOTATIONS_SETTING = 'locustStudio.liveAnnotations.keepAfterRun';
const ANNOTATING_CONTEXT = 'locustStudio.annotating';
/** Points of the hover's sparkline (the endpoint's most recent ticks). */
const SPARK_POINTS = 30;
const SPARKS = '▁▂▃▄▅▆▇█';

/** What the annotations need of the rest of the extension. */
export interface AnnotationSources {
  modelOf(uri: string): Promise<LocustfileModel | null>;
  /** "Show in Run Panel": the panel selects this endpoint. */
  selectInPanel(endpoint: EndpointKey): void;
}

/** The run being annotated: its locustfile, its aggregate (for hover series), and the stats laid on the file. */
interface Annotated {
  uri: string;
  aggregate: RunAggregate;
  stats: RequestLineStats | undefined;
  /** The model is being fetched again (the file changed): the tick after it arrives redraws. */
  refreshing: Promise<void> | undefined;
  stale: boolean;
}

const markdownSpecial = /[\\`*_{}[\]()#+\-.!|<>~]/g;
const escapeMarkdown = (text: string) => text.replace(markdownSpecial, '\\$&');
const percentileAt = (q: (typeof PERCENTILES)[number]) => PERCENTILES.indexOf(q);

/** A sparkline of values (null: a gap) scaled to their maximum. */
export function sparkline(values: readonly (number | null)[]): string {
  const max = Math.max(0, ...values.map((v) => v ?? 0));
  return values.map((v) => (v === null ? ' ' : SPARKS[max > 0 ? Math.min(SPARKS.length - 1, Math.floor((v / max) * (SPARKS.length - 1))) : 0])).join('');
}

export class LiveAnnotations implements vscode.Disposable {
  private run: Annotated | undefined;
  private readonly afterLine = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2.5em', fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly gutter: vscode.TextEditorDecorationType;
  /** What each visible editor shows now (by editor), so that an unchanged tick touches nothing. */
  private readonly rendered = new WeakMap<vscode.TextEditor, string>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  private lensSignature = '';
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    extensionUri: vscode.Uri,
    private readonly sources: AnnotationSources,
  ) {
    this.gutter = vscode.window.createTextEditorDecorationType({
      gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'request-alarm.svg'),
      gutterIconSize: '70%',
      overviewRulerColor: new vscode.ThemeColor('editorError.foreground'),
      overviewRulerLane: vscode.OverviewRulerLane.Right,
    });
    const python = { language: 'python', scheme: 'file' };
    this.disposables.push(
      this.afterLine,
      this.gutter,
      this.lensesChanged,
      vscode.languages.registerHoverProvider(python, { provideHover: (document, position) => this.hover(document, position) }),
      vscode.languages.registerCodeLensProvider(python, { onDidChangeCodeLenses: this.lensesChanged.event, provideCodeLenses: (document) => this.lenses(document) }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.render()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.run && e.document.uri.toString() === this.run.uri && e.contentChanges.length) this.run.stale = true;
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(LIVE_ANNOTATIONS_SETTING)) this.render(true);
      }),
      vscode.commands.registerCommand('locustStudio.showInRunPanel', () => this.showInRunPanel()),
      vscode.commands.registerCommand('locustStudio.showUntracedEndpoints', () => this.showUntraced()),
    );
  }

  private get enabled(): boolean {
    return vscode.workspace.getConfiguration('locustStudio', this.run ? vscode.Uri.parse(this.run.uri) : undefined).get<boolean>('liveAnnotations.enabled', true);
  }

  /** A run of `locustfile` started (or a recorded one is shown): its numbers go on the file from now on. */
  follow(locustfile: string, aggregate: RunAggregate, thresholds?: readonly ThresholdStatus[]): void {
    this.run = { uri: vscode.Uri.file(locustfile).toString(), aggregate, stats: undefined, refreshing: undefined, stale: true };
    void vscode.commands.executeCommand('setContext', ANNOTATING_CONTEXT, true);
    void this.refreshModel(this.run, thresholds);
  }

  /** A tick (or the final statistics) of the followed run: redrawn at most once per call, only in visible editors. */
  tick(aggregate: RunAggregate, endpoints: readonly EndpointStats[], thresholds?: readonly ThresholdStatus[]): void {
    const run = this.run;
    if (!run || run.aggregate !== aggregate) return;
    if (run.stale && !run.refreshing) void this.refreshModel(run, thresholds);
    if (!run.stats) return;
    run.stats.update(endpoints, thresholds);
    this.render();
  }

  /** The run ended: the numbers go unless the user keeps them (then they stay until the next run or another one shown). */
  ended(aggregate: RunAggregate): void {
    if (this.run?.aggregate !== aggregate) return;
    const keep = vscode.workspace.getConfiguration('locustStudio', vscode.Uri.parse(this.run.uri)).get<boolean>('liveAnnotations.keepAfterRun', false);
    if (!keep) this.clear();
  }

  /** Whether a recorded run shown in the panel is annotated (only when the user keeps annotations after runs). */
  get keepsAfterRun(): boolean {
    return vscode.workspace.getConfiguration('locustStudio').get<boolean>('liveAnnotations.keepAfterRun', false);
  }

  clear(): void {
    this.run = undefined;
    void vscode.commands.executeCommand('setContext', ANNOTATING_CONTEXT, false);
    this.render(true);
  }

  /** Reads the model of the run's file again (its request lines moved) and lays the run's numbers on it. */
  private refreshModel(run: Annotated, thresholds?: readonly ThresholdStatus[]): Promise<void> {
    run.stale = false;
    run.refreshing = this.sources
      .modelOf(run.uri)
      .then((model) => {
        if (this.run !== run || !model) return;
        const stats = new RequestLineStats(model);
        const snapshot = run.aggregate.snapshot;
        stats.update(snapshot.endpoints, thresholds ?? snapshot.thresholds);
        run.stats = stats;
        this.render(true);
      })
      .catch((error: unknown) => logError('Could not read the locustfile model for live annotations', error))
      .finally(() => {
        run.refreshing = undefined;
      });
    return run.refreshing;
  }

  private render(force = false): void {
    const run = this.run;
    const editors = vscode.window.visibleTextEditors;
    // Nothing is laid out while no editor shows the run's file: the tick only folds into the stats.
    const on = run?.stats !== undefined && this.enabled && editors.some((e) => e.document.uri.toString() === run.uri);
    const lines = on ? run.stats!.lines() : [];
    for (const editor of editors) {
      const mine = on && editor.document.uri.toString() === run.uri;
      const shown = mine ? lines : [];
      const signature = linesSignature(shown);
      if (!force && (this.rendered.get(editor) ?? '') === signature) continue;
      this.rendered.set(editor, signature);
      const document = editor.document;
      const present = shown.filter((l) => l.line < document.lineCount);
      editor.setDecorations(
        this.afterLine,
        present.map((l) => {
          const end = document.lineAt(l.line).range.end;
          return { range: new vscode.Range(end, end), renderOptions: { after: { contentText: l.text } } };
        }),
      );
      editor.setDecorations(
        this.gutter,
        present.filter((l) => l.alarming).map((l) => new vscode.Range(l.line, 0, l.line, 0)),
      );
    }
    const lensSignature = on ? `${run.stats!.unexplainedCount}\n${run.stats!.tasks().map((t) => t.text).join('\n')}` : '';
    if (lensSignature !== this.lensSignature) {
      this.lensSignature = lensSignature;
      this.lensesChanged.fire();
    }
  }

  private statsFor(document: vscode.TextDocument): RequestLineStats | undefined {
    return this.run && this.enabled && document.uri.toString() === this.run.uri ? this.run.stats : undefined;
  }

  private lenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const stats = this.statsFor(document);
    if (!stats) return [];
    const unexplained = stats.unexplainedCount;
    const top = unexplained
      ? [
          new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
            title: `$(question) ${formatCount(unexplained)} endpoint${unexplained === 1 ? '' : 's'} of the run not traced to a line`,
            command: 'locustStudio.showUntracedEndpoints',
            tooltip: 'Names built at run time that no request line of this file explains (a variable path, an absolute URL, another module)',
          }),
        ]
      : [];
    return top.concat(stats.tasks().map(
      (t) =>
        new vscode.CodeLens(new vscode.Range(t.range.start.line, t.range.start.character, t.range.start.line, t.range.start.character), {
          title: `$(pulse) ${t.text}`,
          command: 'locustStudio.openPanel',
          tooltip: `${t.name}: its requests in the run shown in the Locust Studio panel`,
        }),
    ));
  }

  private hover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const stats = this.statsFor(document);
    const endpoints = stats?.endpointsAt(position.line) ?? [];
    if (!stats || endpoints.length === 0 || !this.run) return undefined;
    const markdown = new vscode.MarkdownString();
    markdown.appendMarkdown('| Endpoint | Requests | Failures | Median | Average | Min | Max | p95 | p99 | Size | req/s now |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n');
    for (const e of endpoints) {
      const cells = [
        `${escapeMarkdown(e.method)} ${escapeMarkdown(e.name)}`,
        formatCount(e.requests),
        `${formatCount(e.failures)} (${formatPercent(e.failures, e.requests)})`,
        `${formatMs(e.median ?? e.percentiles[percentileAt(0.5)])} ms`,
        `${formatMs(e.requests ? e.totalResponseTime / e.requests : null)} ms`,
        `${formatMs(e.minResponseTime)} ms`,
        `${formatMs(e.maxResponseTime)} ms`,
        `${formatMs(e.percentiles[percentileAt(0.95)])} ms`,
        `${formatMs(e.percentiles[percentileAt(0.99)])} ms`,
        formatBytes(e.requests ? Math.round(e.totalContentLength / e.requests) : 0),
        formatRate(e.window.seconds > 0 ? e.window.requests / e.window.seconds : 0),
      ];
      markdown.appendMarkdown(`| ${cells.join(' | ')} |\n`);
    }
    for (const e of endpoints) {
      const recent = this.run.aggregate.seriesOf(e).recent.slice(-SPARK_POINTS);
      if (recent.length < 2) continue;
      markdown.appendMarkdown(`\n\`${sparkline(recent.map((p) => p.v[0] ?? null))}\` req/s of ${escapeMarkdown(e.method)} ${escapeMarkdown(e.name)}, last ${recent.length} ticks  \n`);
    }
    const line = document.lineAt(position.line).range;
    return new vscode.Hover(markdown, line);
  }

  /** The panel selected an endpoint: its request line(s) are revealed, beside the panel, without taking the focus. */
  async reveal(endpoint: EndpointKey): Promise<void> {
    const run = this.run;
    const lines = run?.stats?.linesOf(endpoint) ?? [];
    if (!run || lines.length === 0) return;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(run.uri));
    // The cursor at each line's code (a whole-line selection would scroll a long line sideways).
    const selections = lines
      .filter((l) => l < document.lineCount)
      .map((l) => {
        const at = document.lineAt(l).firstNonWhitespaceCharacterIndex;
        return new vscode.Selection(l, at, l, at);
      });
    if (selections.length === 0) return;
    const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preserveFocus: true, selection: selections[0] });
    editor.selections = selections;
    editor.revealRange(selections[0]!, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** "Show in Run Panel" on a request line: its endpoint (the busiest, or the one picked) is selected in the panel. */
  private async showInRunPanel(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const stats = editor && this.statsFor(editor.document);
    const endpoints = stats?.endpointsAt(editor!.selection.active.line) ?? [];
    if (endpoints.length === 0) {
      void vscode.window.showInformationMessage('This line has no endpoint in the run shown: put the cursor on a request line with numbers.');
      return;
    }
    let chosen: EndpointStats | undefined = endpoints[0];
    if (endpoints.length > 1) {
      const sorted = [...endpoints].sort((a, b) => b.requests - a.requests);
      const picked = await vscode.window.showQuickPick(
        sorted.map((e) => ({ label: `${e.method} ${e.name}`, description: `${formatCount(e.requests)} requests`, endpoint: e })),
        { title: 'Show which endpoint in the Run Panel?' },
      );
      chosen = picked?.endpoint;
    }
    if (chosen) this.sources.selectInPanel({ method: chosen.method, name: chosen.name });
  }

  /** The endpoints no line explains, busiest first; the one picked is selected in the panel. */
  private async showUntraced(): Promise<void> {
    const endpoints = [...(this.run?.stats?.unexplained ?? [])].sort((a, b) => b.requests - a.requests);
    if (endpoints.length === 0) return;
    const picked = await vscode.window.showQuickPick(
      endpoints.map((e) => ({ label: `${e.method} ${e.name}`, description: `${formatCount(e.requests)} requests · ${formatPercent(e.failures, e.requests)} failed`, endpoint: e })),
      { title: 'Endpoints no request line explains: show one in the Run Panel', matchOnDescription: true },
    );
    if (picked) this.sources.selectInPanel({ method: picked.endpoint.method, name: picked.endpoint.name });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
