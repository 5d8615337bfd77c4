// Shows the comparison of two recorded runs (the report page of runner/compareReport.ts) in a webview without scripts, and saves it.
import * as vscode from 'vscode';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { compareRecords } from '../runner/compareRuns';
import { COMPARISON_REPORT_STYLE_HASH, renderComparisonHtml } from '../runner/compareReport';
import { logChannel, logError } from './log';

export const COMPARE_PANEL_VIEW_TYPE = 'locustStudio.comparePanel';

export interface ComparedRun {
  dir: string;
  /** How the run is named in the title: its label, else its date. */
  label: string;
}

/**
 * The report's palette (its CSS variables) taken from the editor's theme, so that the page follows VS Code's light, dark
 * and high-contrast themes (the page alone follows the OS's preference). Only in the panel: a saved page keeps its own.
 */
const THEME_STYLE = `body {
  --fg: var(--vscode-editor-foreground); --muted: var(--vscode-descriptionForeground); --bg: var(--vscode-editor-background);
  --panel: var(--vscode-editorWidget-background); --border: var(--vscode-editorWidget-border, var(--vscode-panel-border));
  --grid: var(--vscode-editorIndentGuide-background1, var(--vscode-panel-border)); --bad: var(--vscode-errorForeground);
  --c0: var(--vscode-charts-blue); --c1: var(--vscode-charts-red); --c2: var(--vscode-charts-green);
  --c3: var(--vscode-charts-yellow); --c4: var(--vscode-charts-purple); --c5: var(--vscode-charts-orange);
  font-family: var(--vscode-font-family);
}`;
const THEME_STYLE_HASH = `'sha256-${createHash('sha256').update(THEME_STYLE).digest('base64')}'`;
const CSP_META = /<meta http-equiv="Content-Security-Policy"[^>]*>/gi;

/**
 * The report page under the panel's policy, which replaces the page's own (both would apply, and the page's allows only
 * its own style sheet): nothing may load or run; the page's style sheet and the theme's are allowed by their hashes, so
 * an injected style or script is refused.
 */
export function comparePageHtml(report: string): string {
  const csp = `default-src 'none'; style-src ${COMPARISON_REPORT_STYLE_HASH} ${THEME_STYLE_HASH}; img-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'`;
  const head = `<meta http-equiv="Content-Security-Policy" content="${csp}">`;
  const page = report.replace(CSP_META, '');
  // The policy goes first in <head>, before anything it governs; the theme's style sheet last, after the page's.
  const withPolicy = /<head(\s[^>]*)?>/i.test(page) ? page.replace(/<head(\s[^>]*)?>/i, (tag) => `${tag}\n${head}`) : `${head}\n${page}`;
  return /<\/head>/i.test(withPolicy) ? withPolicy.replace(/<\/head>/i, `<style>${THEME_STYLE}</style>\n</head>`) : `${withPolicy}\n<style>${THEME_STYLE}</style>`;
}

/** The comparison of two record folders as a self-contained page; throws with a clear message when a record is unreadable. */
export async function renderComparison(baseDir: string, newDir: string): Promise<string> {
  return renderComparisonHtml(await compareRecords(baseDir, newDir));
}

interface Shown {
  panel: vscode.WebviewPanel;
  report: string;
  base: ComparedRun;
  next: ComparedRun;
}

/** One panel per pair of runs compared; "Save Comparison as HTML…" saves the active one. */
export class ComparePanels implements vscode.Disposable {
  private readonly shown = new Map<string, Shown>();
  private active: Shown | undefined;

  /** `render`: the comparison of two record folders as a self-contained HTML page (throws with a clear message on bad input). */
  constructor(private readonly render: (baseDir: string, newDir: string) => Promise<string>) {}

  async show(base: ComparedRun, next: ComparedRun): Promise<void> {
    const key = `${path.resolve(base.dir)}\0${path.resolve(next.dir)}`;
    let report: string;
    try {
      report = await this.render(base.dir, next.dir);
    } catch (error) {
      logError(`Comparing ${base.dir} with ${next.dir} failed`, error);
      void vscode.window.showErrorMessage(`Locust Studio: could not compare “${base.label}” with “${next.label}”: ${(error as Error).message}`);
      return;
    }
    const title = `Compare: ${base.label} ↔ ${next.label}`;
    let shown = this.shown.get(key);
    if (shown) {
      shown.report = report;
      shown.panel.title = title;
      shown.panel.reveal();
    } else {
      const panel = vscode.window.createWebviewPanel(COMPARE_PANEL_VIEW_TYPE, title, vscode.ViewColumn.Active, {
        enableScripts: false,
        enableFindWidget: true,
        localResourceRoots: [],
      });
      shown = { panel, report, base, next };
      const entry = shown;
      this.shown.set(key, entry);
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (webviewPanel.active) this.active = entry;
      });
      panel.onDidDispose(() => {
        this.shown.delete(key);
        if (this.active === entry) this.active = undefined;
      });
    }
    this.active = shown;
    shown.panel.webview.html = comparePageHtml(report);
    logChannel().info(`Compared ${base.dir} (base) with ${next.dir}`);
  }

  /** Writes the active comparison's page into an HTML file the user picks. */
  async saveActive(): Promise<void> {
    const shown = this.active;
    if (!shown) {
      void vscode.window.showInformationMessage('No comparison is open: compare two runs from the Locust Runs view first.');
      return;
    }
    const name = `locust-compare-${path.basename(shown.base.dir)}-vs-${path.basename(shown.next.dir)}.html`;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: 'Save Comparison as HTML',
      filters: { HTML: ['html'] },
      ...(folder && { defaultUri: vscode.Uri.joinPath(folder, name) }),
    });
    if (!target) return;
    try {
      await vscode.workspace.fs.writeFile(target, Buffer.from(shown.report, 'utf8'));
      logChannel().info(`Saved the comparison to ${target.fsPath}`);
      void vscode.window.showInformationMessage(`Saved the comparison to ${target.fsPath}.`);
    } catch (error) {
      logError(`Saving the comparison to ${target.fsPath} failed`, error);
      void vscode.window.showErrorMessage(`Locust Studio: could not save the comparison: ${(error as Error).message}`);
    }
  }

  dispose(): void {
    for (const { panel } of [...this.shown.values()]) panel.dispose();
  }
}
