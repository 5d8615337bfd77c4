// The commands over recorded runs: where records go, pick one to open, export one, open a record's folder.
import * as vscode from 'vscode';
import path from 'node:path';
import { readdir, writeFile } from 'node:fs/promises';
import { OUTCOME_LABEL } from '../protocol/runRecord';
import { renderHtmlReport } from '../runner/htmlReport';
import { formatCount } from '../protocol/format';
import { exportRunRecord, loadRunRecord } from '../runner/runRecord';
import { labelOf, listRuns, readHistory } from '../runner/runHistory';
import { logChannel, logError } from './log';

/** Records offered by "Open Recorded Run…": the newest ones (each costs a few small file reads). */
const MAX_LISTED_RECORDS = 200;

/**
 * Where runs are recorded: the `locustStudio.runFolder` setting, else `defaultFolder` (the workspace's storage).
 * VS Code does not expand variables in extension settings; ${workspaceFolder} is the one worth supporting here.
 */
export function runFolder(defaultFolder: string, config = vscode.workspace.getConfiguration('locustStudio'), locustfile?: string): string {
  const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? (locustfile ? path.dirname(locustfile) : '');
  return (config.get<string>('runFolder') || defaultFolder).replace('${workspaceFolder}', workspaceFolder);
}

/** "Open Recorded Run…": a pick of the runs recorded under `base`, newest first; resolves with the chosen record's folder. */
export async function pickRecordedRun(base: string, { title = 'Open Recorded Run', exclude }: { title?: string; exclude?: string } = {}): Promise<string | undefined> {
  const { runs } = await listRuns(base);
  const summaries = runs.filter((s) => s.dir !== exclude).slice(0, MAX_LISTED_RECORDS);
  if (summaries.length === 0) {
    void vscode.window.showInformationMessage(`No${exclude ? ' other' : ''} recorded runs in ${base}.`);
    return undefined;
  }
  const { history } = await readHistory(base);
  const picked = await vscode.window.showQuickPick(
    summaries.map((s) => ({
      label: labelOf(history, s) ?? new Date(s.meta.startedAt).toLocaleString(),
      description: `${s.locustfile ? path.basename(s.locustfile) : s.attachedTo ? `attached to ${s.attachedTo}` : 'unknown file'} · ${OUTCOME_LABEL[s.meta.outcome]}`,
      detail: [
        s.numbers === undefined ? 'no final statistics' : `${formatCount(s.numbers.requests)} requests, ${formatCount(s.numbers.failures)} failures`,
        s.host,
      ]
        .filter(Boolean)
        .join(' · '),
      summary: s,
    })),
    { title, placeHolder: `Runs recorded in ${base}`, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.summary.dir;
}

/** Writes `locust-report.html` and/or `locust_*.csv` + `locust.json` from a record into a picked folder, then offers to open them. */
export async function exportRecord(dir: string | undefined, what: { html: boolean; csv: boolean }): Promise<void> {
  if (!dir) {
    void vscode.window.showInformationMessage('No recorded run to export: run a load test or open a recorded run first.');
    return;
  }
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Export Here', title: 'Export the run into a folder' });
  const folder = picked?.[0];
  if (!folder) return;
  try {
    const record = await loadRunRecord(dir);
    const files = what.csv ? await exportRunRecord(record, path.join(folder.fsPath, 'locust')) : [];
    const report = path.join(folder.fsPath, 'locust-report.html');
    if (what.html) {
      await writeFile(report, renderHtmlReport(record));
      files.push(report);
    }
    logChannel().info(`Exported ${dir} to ${files.join(', ')}`);
    const action = what.html ? 'Open Report' : 'Reveal Folder';
    const choice = await vscode.window.showInformationMessage(`Exported ${files.length} file${files.length === 1 ? '' : 's'} to ${folder.fsPath}.`, action);
    if (choice === 'Open Report') await vscode.env.openExternal(vscode.Uri.file(report));
    else if (choice === 'Reveal Folder') await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(files[0] ?? folder.fsPath));
  } catch (error) {
    logError(`Exporting ${dir} failed`, error);
    void vscode.window.showErrorMessage(`Locust Studio: export failed: ${(error as Error).message}`);
  }
}

/**
 * "Open Run Folder": a record's folder (its CSV and JSON files), or the folder of all records. Locally the OS's file
 * manager shows it; in a remote window, where that is not possible, a pick opens one of its files in the editor.
 */
export async function openRunFolder(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries) {
    void vscode.window.showInformationMessage(`No run has been recorded yet (runs go to ${dir}).`);
    return;
  }
  const reveal = { label: '$(folder-opened) Reveal in File Manager', file: undefined };
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => ({ label: `$(file) ${e.name}`, description: '', file: path.join(dir, e.name) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const folders = entries.filter((e) => e.isDirectory()).length;
  const items = [...(vscode.env.remoteName ? [] : [reveal]), ...files];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Open Run Folder',
    placeHolder: `${dir}${folders ? ` (${folders} recorded run${folders === 1 ? '' : 's'})` : ''}`,
  });
  if (!picked) return;
  if (picked.file) await vscode.window.showTextDocument(vscode.Uri.file(picked.file));
  else await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(dir));
}
