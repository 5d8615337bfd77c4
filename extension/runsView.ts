// The "Locust Runs" tree view: recorded runs grouped by locustfile, with baselines, labels, compare, rename, delete and reveal.
import * as vscode from 'vscode';
import path from 'node:path';
import { formatCount, formatDuration, formatMs, formatPercent, formatRate } from '../protocol/format';
import { OUTCOME_LABEL, outcomeMessage } from '../protocol/runRecord';
import { COMPARISON_VERDICT_LABEL } from '../protocol/compare';
import { MAX_RUN_LABEL_LENGTH, type RunHistory } from '../protocol/runHistory';
import {
  baselineFor,
  deleteRecord,
  groupRuns,
  isBaseline,
  labelOf,
  listRuns,
  pinBaseline,
  readHistory,
  setLabel,
  subjectOf,
  unpinBaseline,
  type RecordSummary,
  type RunGroup,
  type SkippedFolder,
} from '../runner/runHistory';
import { logChannel, logError } from './log';
import { openRunFolder, pickRecordedRun } from './recordCommands';
import { isInside } from './workspacePaths';

export const RUNS_VIEW_ID = 'locustStudio.runs';

/** Changes of records on disk come in bursts (a run's folder, its meta.json rewritten): one listing per burst. */
const REFRESH_DEBOUNCE_MS = 300;

type Node =
  | { kind: 'group'; group: RunGroup }
  | { kind: 'run'; run: RecordSummary }
  | { kind: 'skippedGroup'; skipped: SkippedFolder[] }
  | { kind: 'skipped'; folder: SkippedFolder };

/** What the view needs of the extension: where records are, which are live, how to open one and compare two. */
export interface RunsViewHost {
  runFolder(): string;
  liveRecordDirs(): string[];
  /** Fires when a run starts or ends. */
  onDidChangeRuns: vscode.Event<void>;
  openRecord(dir: string): Promise<void>;
  compare(base: { dir: string; label: string }, next: { dir: string; label: string }): Promise<void>;
}

interface Listing {
  folder: string;
  groups: RunGroup[];
  skipped: SkippedFolder[];
  history: RunHistory;
  historyProblem: string | undefined;
}

export class RunsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private listing: Promise<Listing> | undefined;
  private watcher: vscode.FileSystemWatcher | undefined;
  private watchedFolder: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly tree: vscode.TreeView<Node>;

  constructor(private readonly host: RunsViewHost) {
    this.tree = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.tree,
      this.changed,
      host.onDidChangeRuns(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('locustStudio.runFolder') && this.refresh()),
      ...this.registerCommands(),
    );
  }

  /** Lists again (now), and watches the run folder of the moment. */
  refresh(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.listing = undefined;
    this.changed.fire(undefined);
  }

  private refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refreshIfChanged(), REFRESH_DEBOUNCE_MS);
  }

  /**
   * After a watcher event: lists again and re-renders only when the listing differs. Our own writes (a pin, a name)
   * have already refreshed the view, and a needless re-render closes the context menu the user has just opened.
   */
  private async refreshIfChanged(): Promise<void> {
    this.timer = undefined;
    const shown = this.listing;
    if (!shown) return this.refresh();
    const fresh = this.list();
    const [before, after] = await Promise.all([shown.catch(() => undefined), fresh.catch(() => undefined)]);
    if (this.listing !== shown) return; // refreshed meanwhile
    if (before && after && JSON.stringify(before) === JSON.stringify(after)) return;
    this.listing = fresh;
    this.changed.fire(undefined);
  }

  /** A watcher on the run folder: record folders coming and going, meta.json written when a run starts or ends, history.json. */
  private watch(folder: string): void {
    if (this.watchedFolder === folder) return;
    this.watcher?.dispose();
    this.watchedFolder = folder;
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(folder), '{*,*/meta.json}'));
    const soon = () => this.refreshSoon();
    this.watcher.onDidCreate(soon);
    this.watcher.onDidChange(soon);
    this.watcher.onDidDelete(soon);
  }

  private load(): Promise<Listing> {
    this.listing ??= this.list();
    return this.listing;
  }

  /** Reads the run folder of the moment (and watches it). */
  private async list(): Promise<Listing> {
    const folder = this.host.runFolder();
    this.watch(folder);
    const started = Date.now();
    const [{ runs, skipped }, { history, problem }] = await Promise.all([listRuns(folder), readHistory(folder)]);
    if (problem) logChannel().warn(`Runs view: ${problem} (in ${folder}); pins and labels are not shown.`);
    for (const s of skipped) logChannel().debug(`Runs view: skipped ${s.dir}: ${s.reason}`);
    logChannel().debug(`Runs view: ${runs.length} runs listed from ${folder} in ${Date.now() - started} ms`);
    return { folder, groups: groupRuns(runs), skipped, history, historyProblem: problem };
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node?.kind === 'group') return node.group.runs.map((run) => ({ kind: 'run', run }));
    if (node?.kind === 'skippedGroup') return node.skipped.map((folder) => ({ kind: 'skipped', folder }));
    if (node) return [];
    const listing = await this.load();
    return [
      ...listing.groups.map((group): Node => ({ kind: 'group', group })),
      ...(listing.skipped.length ? [{ kind: 'skippedGroup', skipped: listing.skipped } as const] : []),
    ];
  }

  async getTreeItem(node: Node): Promise<vscode.TreeItem> {
    const listing = await this.load();
    switch (node.kind) {
      case 'group':
        return groupItem(node.group);
      case 'run':
        return runItem(node.run, listing.history, this.isLive(node.run.dir));
      case 'skippedGroup': {
        const item = new vscode.TreeItem(`${node.skipped.length} folder${node.skipped.length === 1 ? '' : 's'} not listed`, vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.tooltip = 'Folders of the run folder that are not readable run records (left as they are).';
        item.contextValue = 'skippedFolders';
        return item;
      }
      case 'skipped': {
        const item = new vscode.TreeItem(path.basename(node.folder.dir));
        item.description = node.folder.reason;
        item.tooltip = `${node.folder.dir}\n${node.folder.reason}`;
        item.iconPath = new vscode.ThemeIcon('folder');
        item.contextValue = 'skippedFolder';
        return item;
      }
    }
  }

  private isLive(dir: string): boolean {
    return this.host.liveRecordDirs().some((live) => path.resolve(live) === path.resolve(dir));
  }

  private registerCommands(): vscode.Disposable[] {
    const onRun = (name: string, action: (run: RecordSummary, listing: Listing) => Promise<void>) =>
      vscode.commands.registerCommand(`locustStudio.runs.${name}`, async (node?: Node) => {
        const run = node?.kind === 'run' ? node.run : this.selectedRun();
        if (!run) {
          void vscode.window.showInformationMessage('Select a run in the Locust Runs view first.');
          return;
        }
        try {
          await action(run, await this.load());
        } catch (error) {
          logError(`Runs view: ${name} of ${run.dir} failed`, error);
          void vscode.window.showErrorMessage(`Locust Studio: ${(error as Error).message}`);
        } finally {
          if (name !== 'open' && name !== 'reveal' && !name.startsWith('compare')) this.refresh();
        }
      });
    return [
      vscode.commands.registerCommand('locustStudio.runs.refresh', () => this.refresh()),
      onRun('open', (run) => this.host.openRecord(run.dir)),
      onRun('compareWithBaseline', (run, listing) => this.compareWithBaseline(run, listing)),
      onRun('compareWith', (run, listing) => this.compareWith(run, listing)),
      onRun('pinBaseline', async (run, listing) => {
        await pinBaseline(listing.folder, run.dir);
      }),
      onRun('unpinBaseline', (run, listing) => unpinBaseline(listing.folder, run.dir)),
      onRun('rename', (run, listing) => this.rename(run, listing)),
      onRun('delete', (run, listing) => this.delete(run, listing)),
      onRun('reveal', (run) => reveal(run.dir)),
      vscode.commands.registerCommand('locustStudio.runs.revealFolder', async (node?: Node) => {
        const dir = node?.kind === 'skipped' ? node.folder.dir : this.host.runFolder();
        await reveal(dir);
      }),
    ];
  }

  private selectedRun(): RecordSummary | undefined {
    const [node] = this.tree.selection;
    return node?.kind === 'run' ? node.run : undefined;
  }

  private async compareWithBaseline(run: RecordSummary, listing: Listing): Promise<void> {
    const subject = subjectOf(run);
    const baseline = await baselineFor(listing.folder, subject.key, run.userClasses);
    const what = `${subject.kind === 'attached' ? subject.key : path.basename(subject.key) || 'this run'}${run.userClasses.length ? ` (${run.userClasses.join(', ')})` : ''}`;
    if (!baseline) {
      const choice = await vscode.window.showInformationMessage(`No baseline is pinned for ${what}: pin one with “Pin as Baseline”, or pick a run to compare with.`, 'Compare with…');
      if (choice) await this.compareWith(run, listing);
      return;
    }
    if (path.resolve(baseline) === path.resolve(run.dir)) {
      const choice = await vscode.window.showInformationMessage('This run is the baseline: pick another run to compare with it.', 'Compare with…');
      if (choice) await this.compareWith(run, listing);
      return;
    }
    const base = findRun(listing, baseline);
    await this.host.compare({ dir: baseline, label: base ? nameOf(base, listing.history) : path.basename(baseline) }, { dir: run.dir, label: nameOf(run, listing.history) });
  }

  /** Compares with a picked run: the older of the two is the base. */
  private async compareWith(run: RecordSummary, listing: Listing): Promise<void> {
    const name = nameOf(run, listing.history);
    const other = await pickRecordedRun(listing.folder, { title: `Compare “${name}” with…`, exclude: run.dir });
    if (!other) return;
    const picked = findRun(listing, other);
    const pickedLabel = picked ? nameOf(picked, listing.history) : path.basename(other);
    const otherFirst = picked ? picked.meta.startedAt <= run.meta.startedAt : true;
    const a = { dir: other, label: pickedLabel };
    const b = { dir: run.dir, label: name };
    await this.host.compare(otherFirst ? a : b, otherFirst ? b : a);
  }

  private async rename(run: RecordSummary, listing: Listing): Promise<void> {
    const current = labelOf(listing.history, run);
    const label = await vscode.window.showInputBox({
      title: 'Rename Run',
      prompt: `A name for the run of ${dateOf(run)} (empty: show its date)`,
      value: current ?? '',
      validateInput: (text) => (text.trim().length > MAX_RUN_LABEL_LENGTH ? `At most ${MAX_RUN_LABEL_LENGTH} characters.` : undefined),
    });
    if (label === undefined) return;
    await setLabel(listing.folder, run.dir, label);
  }

  private async delete(run: RecordSummary, listing: Listing): Promise<void> {
    const live = this.host.liveRecordDirs();
    if (this.isLive(run.dir)) {
      void vscode.window.showWarningMessage('This run is still going on: stop it before deleting its record.');
      return;
    }
    const unfinished = run.meta.endedAt === undefined;
    const choice = await vscode.window.showWarningMessage(
      `Delete the record of “${nameOf(run, listing.history)}”?`,
      {
        modal: true,
        detail: `Its folder and every file in it are removed: ${run.dir}${unfinished ? '\n\nThis record has no end: if the run is still going on in another window, its recording stops.' : ''}`,
      },
      'Delete',
    );
    if (choice !== 'Delete') return;
    await deleteRecord(listing.folder, run.dir, live);
    logChannel().info(`Deleted the run record ${run.dir}`);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcher?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function findRun(listing: Listing, dir: string): RecordSummary | undefined {
  for (const group of listing.groups) for (const run of group.runs) if (path.resolve(run.dir) === path.resolve(dir)) return run;
  return undefined;
}

const SHORT_DATE: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' };

/** A run's start, short: the year only when it is not this year's. */
function dateOf(run: RecordSummary): string {
  const started = new Date(run.meta.startedAt);
  return started.toLocaleString(undefined, started.getFullYear() === new Date().getFullYear() ? SHORT_DATE : { ...SHORT_DATE, year: 'numeric' });
}

/** How a run is named: its label, else its start date. */
export function nameOf(run: RecordSummary, history: RunHistory): string {
  return labelOf(history, run) ?? dateOf(run);
}

function groupItem(group: RunGroup): vscode.TreeItem {
  const { subject } = group;
  const label = subject.kind === 'locustfile' ? path.basename(subject.key) : subject.kind === 'attached' ? subject.key : 'Unknown locustfile';
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `group:${subject.kind}:${subject.key}`;
  // The folder as the workspace names it (nothing for the workspace's root), absolute outside the workspace.
  const folder = subject.kind === 'locustfile' ? path.dirname(vscode.workspace.asRelativePath(subject.key)) : undefined;
  item.description = `${subject.kind === 'attached' ? 'attached · ' : folder && folder !== '.' ? `${folder} · ` : ''}${group.runs.length} run${group.runs.length === 1 ? '' : 's'}`;
  item.tooltip = subject.kind === 'locustfile' ? subject.key : subject.kind === 'attached' ? `Runs followed in the web UI at ${subject.key}` : 'Runs whose options.json could not be read';
  item.iconPath = new vscode.ThemeIcon(subject.kind === 'attached' ? 'plug' : 'file-code');
  item.contextValue = 'runGroup';
  return item;
}

function durationOf(run: RecordSummary): number | undefined {
  if (run.numbers) return run.numbers.seconds;
  return run.meta.endedAt !== undefined ? (run.meta.endedAt - run.meta.startedAt) / 1000 : undefined;
}

function usersOf(run: RecordSummary): number | undefined {
  return run.numbers?.peakUsers ?? run.targetUsers;
}

/** The one-line description beside a run: baseline, duration, users, rate, p95, failures, verdict or outcome. */
export function runDescription(run: RecordSummary, { baseline, live }: { baseline: boolean; live: boolean }): string {
  const parts: string[] = [];
  if (baseline) parts.push('baseline');
  if (live) parts.push('running');
  else if (run.meta.outcome !== 'finished') parts.push(OUTCOME_LABEL[run.meta.outcome].toLowerCase());
  const seconds = durationOf(run);
  if (seconds !== undefined && !live) parts.push(formatDuration(seconds));
  const users = usersOf(run);
  if (users !== undefined) parts.push(`${formatCount(users)} user${users === 1 ? '' : 's'}`);
  const n = run.numbers;
  if (n) {
    parts.push(`${formatRate(n.requestsPerSecond)} req/s`, `p95 ${formatMs(n.p95)} ms`, `${formatPercent(n.failures, n.requests)} failed`);
  }
  const verdict = run.meta.verdict?.outcome;
  if (verdict && verdict !== 'unknown') parts.push(verdict === 'passed' ? '✓' : '✗');
  // Compared with a baseline when it ran: said only when it regressed (the tooltip says every verdict).
  if (run.meta.baseline?.verdict === 'regressed') parts.push('regressed vs baseline');
  return parts.join(' · ');
}

const VERDICT_WORD = { passed: 'passed', failed: 'failed', unknown: 'not decided' } as const;

/** Everything known about a run, as the tooltip shows it (plain text: every string in it comes from a record). */
export function runTooltip(run: RecordSummary, history: RunHistory, { baseline, live }: { baseline: boolean; live: boolean }): string {
  const { meta } = run;
  const n = run.numbers;
  const label = labelOf(history, run);
  const lines = [
    `${label ? `${label} — ` : ''}${new Date(meta.startedAt).toLocaleString()}${baseline ? ' (baseline)' : ''}`,
    live ? 'Running now' : `${OUTCOME_LABEL[meta.outcome]}${meta.endedAt !== undefined ? ` at ${new Date(meta.endedAt).toLocaleString()}` : ''}`,
    ...(live ? [] : [outcomeMessage(meta.outcome, meta.exit, { hadFinal: n !== undefined, ...(meta.shortfalls && { shortfalls: meta.shortfalls }) })].filter((m): m is string => m !== undefined)),
    run.locustfile ? `Locustfile: ${run.locustfile}` : run.attachedTo ? `Attached to: ${run.attachedTo}` : 'Locustfile: unknown',
    `User classes: ${run.userClasses.length ? run.userClasses.join(', ') : 'all'}`,
    ...(run.host ? [`Host: ${run.host}`] : []),
  ];
  const seconds = durationOf(run);
  if (seconds !== undefined) lines.push(`Duration: ${formatDuration(seconds)}`);
  const users = usersOf(run);
  if (users !== undefined) lines.push(`${n?.peakUsers !== undefined ? 'Peak users' : 'Users asked for'}: ${formatCount(users)}`);
  if (n) {
    lines.push(
      `Requests: ${formatCount(n.requests)} (${formatRate(n.requestsPerSecond)}/s)`,
      `Failures: ${formatCount(n.failures)} (${formatPercent(n.failures, n.requests)})`,
      `Response times: p50 ${formatMs(n.p50)} ms · p95 ${formatMs(n.p95)} ms · p99 ${formatMs(n.p99)} ms`,
    );
  } else if (!live) {
    lines.push('No final statistics');
  }
  if (meta.verdict) {
    const failing = meta.verdict.thresholds.filter((t) => t.state === 'failed').map((t) => t.text);
    lines.push(`Thresholds ${VERDICT_WORD[meta.verdict.outcome]}${failing.length ? `: failed ${failing.join('; ')}` : meta.thresholds?.length ? ` (${meta.thresholds.join('; ')})` : ''}`);
    if (meta.verdict.abortedBy) lines.push(`Aborted by: ${meta.verdict.abortedBy}`);
  }
  else if (meta.thresholds?.length) lines.push(`Thresholds (no verdict): ${meta.thresholds.join('; ')}`);
  if (meta.baseline) lines.push(`Compared with the baseline ${meta.baseline.dir}: ${COMPARISON_VERDICT_LABEL[meta.baseline.verdict]}`);
  if (meta.locustVersion) lines.push(`Locust ${meta.locustVersion}`);
  if (meta.recordStopped) lines.push(`Recording stopped: ${meta.recordStopped}`);
  lines.push(`Record: ${run.dir}`);
  return lines.join('\n');
}

/** A live run spins; the baseline wears a pin; else the verdict (✓ / ✗), else how the run ended. */
function runIcon(run: RecordSummary, { baseline, live }: { baseline: boolean; live: boolean }): vscode.ThemeIcon {
  if (live) return new vscode.ThemeIcon('sync~spin');
  if (baseline) return new vscode.ThemeIcon('pinned', new vscode.ThemeColor('charts.blue'));
  if (run.meta.verdict?.outcome === 'passed') return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  if (run.meta.verdict?.outcome === 'failed') return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
  if (run.meta.outcome === 'finished') return new vscode.ThemeIcon('history');
  return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
}

function runItem(run: RecordSummary, history: RunHistory, live: boolean): vscode.TreeItem {
  const baseline = isBaseline(history, run);
  const item = new vscode.TreeItem(nameOf(run, history));
  item.id = `run:${run.dir}`;
  item.description = runDescription(run, { baseline, live });
  item.tooltip = runTooltip(run, history, { baseline, live });
  item.contextValue = live ? 'run.live' : baseline ? 'run.baseline' : 'run';
  item.iconPath = runIcon(run, { baseline, live });
  item.command = { command: 'locustStudio.runs.open', title: 'Open', arguments: [{ kind: 'run', run } satisfies Node] };
  item.accessibilityInformation = { label: `${item.label as string}: ${item.description}` };
  return item;
}

/** Shows a folder: in the Explorer when it is in the workspace, else in the OS's file manager, else (remote) a pick of its files. */
async function reveal(dir: string): Promise<void> {
  const inWorkspace = (vscode.workspace.workspaceFolders ?? []).some((f) => f.uri.scheme === 'file' && isInside(f.uri.fsPath, dir));
  if (inWorkspace) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(dir));
  else if (!vscode.env.remoteName) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(dir));
  else await openRunFolder(dir);
}
