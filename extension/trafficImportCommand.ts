// "New Locustfile from Traffic…": a HAR, .http, curl or Postman file in, a locustfile out, opened, then "Run task once" on it.
import * as vscode from 'vscode';
import path from 'node:path';
import { LensCommand, type RunTarget } from '../protocol/lsp';
import { TrafficImportError } from '../runner/trafficImport/exchange';
import type { LocustfileOptions } from '../runner/trafficImport/locustfile';
import { importTrafficFile } from '../runner/trafficImport/trafficFile';
import { logChannel } from './log';

export const NEW_LOCUSTFILE_FROM_TRAFFIC = 'locustStudio.newLocustfileFromTraffic';

const TRAFFIC_FILTERS = { 'Recorded traffic (HAR, .http, curl, Postman)': ['har', 'http', 'rest', 'json', 'curl', 'sh', 'txt'] };

interface OptionItem extends vscode.QuickPickItem {
  option: keyof Pick<LocustfileOptions, 'fastHttp' | 'keepStatic' | 'keepThirdParty'>;
}

const OPTION_ITEMS: OptionItem[] = [
  { label: 'FastHttpUser', description: 'geventhttpclient: more requests per second per core', option: 'fastHttp' },
  { label: 'Keep static assets', description: 'scripts, styles, images and fonts', option: 'keepStatic' },
  { label: 'Keep other hosts', description: 'CDNs, analytics, third-party APIs', option: 'keepThirdParty' },
];

export async function newLocustfileFromTraffic(resource?: vscode.Uri): Promise<void> {
  const source =
    resource ??
    (await vscode.window.showOpenDialog({ canSelectMany: false, filters: TRAFFIC_FILTERS, openLabel: 'Import', title: 'Recorded traffic to turn into a locustfile' }))?.[0];
  if (!source) return;
  const picked = await vscode.window.showQuickPick(OPTION_ITEMS, {
    canPickMany: true,
    title: 'New locustfile from traffic: options (none needed: press Enter)',
    placeHolder: 'An HttpUser, without static assets and other hosts (listed in a comment)',
  });
  if (!picked) return;
  const options: LocustfileOptions = Object.fromEntries(picked.map((item) => [item.option, true]));
  let result: Awaited<ReturnType<typeof importTrafficFile>>;
  try {
    result = await importTrafficFile(source.fsPath, options);
  } catch (error) {
    if (!(error instanceof TrafficImportError)) throw error;
    void vscode.window.showErrorMessage(`Cannot import ${path.basename(source.fsPath)}: ${error.message}`);
    return;
  }
  const base = path.basename(source.fsPath).replace(/\.[^.]+$/, '').replace(/[^\w-]+/g, '_');
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(source, '..', `locustfile_${base}.py`),
    filters: { Python: ['py'] },
    saveLabel: 'Write locustfile',
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, Buffer.from(result.text, 'utf8'));
  await vscode.window.showTextDocument(target);
  for (const note of result.traffic.notes) logChannel().warn(`${path.basename(source.fsPath)}: ${note}`);
  const summary =
    `${path.basename(target.fsPath)}: ${result.requestCount} request${result.requestCount === 1 ? '' : 's'} from ${result.traffic.format}` +
    (result.leftOut.length ? `, ${result.leftOut.length} left out (listed at the top)` : '') +
    (result.environment.length ? `. It reads ${result.environment.join(', ')} from the environment.` : '.');
  const [firstTask] = result.tasks;
  const runOnce = firstTask ? `Run task once (${firstTask})` : undefined;
  const choice = await vscode.window.showInformationMessage(summary, ...(runOnce ? [runOnce] : []));
  if (choice === runOnce && firstTask) {
    const task: RunTarget = { uri: target.toString(), userClasses: [result.userClass], task: firstTask };
    await vscode.commands.executeCommand(LensCommand.runTaskOnce, task);
  }
}
