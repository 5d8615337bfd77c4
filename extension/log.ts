// The "Locust Studio" log channel (a LogOutputChannel) and thin helpers over it.
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function logChannel(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Locust Studio', { log: true });
  return channel;
}

export function logError(message: string, error: unknown): void {
  logChannel().error(`${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}
