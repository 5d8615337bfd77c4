// Hosts the run panel webview: strict CSP, `ready` handshake, snapshot on ready/visible, validated messages back.
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { parseWebviewToHost, type HostToWebview, type WebviewToHost } from '../protocol/webview';
import { panelHtml } from './panelHtml';
import { logChannel, logError } from './log';
import { isInside } from './workspacePaths';

export const RUN_PANEL_VIEW_TYPE = 'locustStudio.runPanel';

/** What the panel needs from whoever owns the run: the current snapshot and a handler for the user's controls. */
export interface RunPanelSource {
  snapshot(): HostToWebview;
  onControl(message: Exclude<WebviewToHost, { type: 'ready' | 'openSource' }>): void;
}

export class RunPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly source: RunPanelSource,
  ) {}

  /** Opens the panel, or brings it forward if it is already open. */
  show(preserveFocus = false): void {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      RUN_PANEL_VIEW_TYPE,
      'Locust Studio',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      this.webviewOptions(),
    );
    this.attach(panel);
  }

  /** Adopts a panel VS Code restored after a reload (see WebviewPanelSerializer). */
  attach(panel: vscode.WebviewPanel): void {
    // One panel at a time: a restored panel replaces one opened meanwhile, whose listeners go with it.
    if (this.panel && this.panel !== panel) {
      const previous = this.panel;
      this.panel = undefined;
      this.disposeListeners();
      previous.dispose();
    }
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    panel.webview.options = this.webviewOptions();
    panel.webview.html = this.html(panel.webview);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidChangeViewState(() => {
        // A hidden webview is torn down without retainContextWhenHidden; it says `ready` again when shown.
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => {
        if (this.panel !== panel) return;
        this.panel = undefined;
        this.ready = false;
        this.disposeListeners();
      }),
    );
  }

  /** Sends a message when the panel can take it; otherwise the next `ready` brings a fresh snapshot. */
  post(message: HostToWebview): void {
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  private receive(raw: unknown): void {
    const message = parseWebviewToHost(raw);
    if (!message) {
      logChannel().warn(`Run panel sent an invalid message; ignored: ${describe(raw)}`);
      return;
    }
    if (message.type === 'ready') {
      this.ready = true;
      this.post(this.source.snapshot());
      return;
    }
    if (message.type === 'openSource') {
      void openWorkspaceSource(message.path, message.line);
      return;
    }
    this.source.onControl(message);
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')] };
  }

  private html(webview: vscode.Webview): string {
    const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', ...path)).toString();
    return panelHtml({
      cspSource: webview.cspSource,
      nonce: randomUUID().replace(/-/g, ''),
      scriptUri: asset('webview.js'),
      styleUri: asset('panel.css'),
      codiconsUri: asset('codicons', 'codicon.css'),
    });
  }

  private disposeListeners(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  dispose(): void {
    this.panel?.dispose();
    this.disposeListeners();
  }
}

/**
 * Opens a traceback location the panel asked for, but only a file inside a workspace folder: the path comes from a
 * webview (untrusted) and originally from a Locust process, so it must not open arbitrary files.
 */
async function openWorkspaceSource(file: string, line: number): Promise<void> {
  if (!path.isAbsolute(file)) {
    logChannel().warn(`Run panel asked to open a relative path; ignored: ${file.slice(0, 200)}`);
    return;
  }
  const real = await realpath(file).catch(() => undefined);
  const folders = await Promise.all(
    (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => realpath(f.uri.fsPath).catch(() => undefined)),
  );
  if (!real || !folders.some((folder) => folder !== undefined && isInside(folder, real))) {
    logChannel().warn(`Run panel asked to open a file outside the workspace; ignored: ${file.slice(0, 200)}`);
    return;
  }
  try {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(real));
    const position = new vscode.Position(Math.min(line, document.lineCount) - 1, 0);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(position, position) });
  } catch (error) {
    logError(`Could not open ${real}`, error);
  }
}

/** A short, safe description of an untrusted value for the log (JSON.stringify throws on cycles and BigInt). */
function describe(raw: unknown): string {
  try {
    return String(JSON.stringify(raw)).slice(0, 200);
  } catch {
    return `(${typeof raw} that is not JSON)`;
  }
}
