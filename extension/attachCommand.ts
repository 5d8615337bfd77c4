// "Attach to Running Locust…": asks for a web UI's URL, connects (offering to trust a certificate), remembers what worked.
import * as vscode from 'vscode';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AttachedRun, AttachRunOptions } from '../runner/attachRun';
import { validateHost } from '../runner/runChoices';
import { logError } from './log';

/** The last URL attached to (without credentials), proposed the next time. */
const LAST_ATTACH_KEY = 'locustStudio.lastAttachUrl';
/** Certificate files the user trusted for attaching, by web UI URL (without credentials). */
const ATTACH_CA_KEY = 'locustStudio.attachCaFiles';

/**
 * The attach code (undici and all) is a bundle of its own, dist/attach.js, loaded on first use: activation does not pay
 * for it. From sources (tests), the module itself.
 */
function loadAttach(): typeof import('../runner/attachRun') {
  const bundled = path.join(__dirname, 'attach.js');
  return module.require(existsSync(bundled) ? bundled : '../runner/attachRun') as typeof import('../runner/attachRun');
}

/**
 * Asks for the URL of a Locust web UI and connects to it. An https web UI with a private CA or a self-signed certificate
 * gets "Trust a Certificate…": the PEM file picked is remembered for that URL and the connection tried again. Resolves
 * with the connected run (not yet started) and its options, or undefined when the user gave up.
 */
export async function connectToWebUi(state: vscode.Memento, intervalMs: number): Promise<{ attached: AttachedRun; options: AttachRunOptions } | undefined> {
  const input = await vscode.window.showInputBox({
    title: 'Attach to a running Locust',
    prompt: 'The URL of its web UI. Basic authentication: http://user:password@host:8089 (the password is not stored).',
    value: state.get<string>(LAST_ATTACH_KEY) ?? 'http://127.0.0.1:8089',
    ignoreFocusOut: true,
    validateInput: (text) => (text.trim() ? (validateHost(text) ?? null) : 'The URL of a Locust web UI, such as http://127.0.0.1:8089.'),
  });
  if (!input) return undefined;
  const options: AttachRunOptions = { url: input.trim(), intervalMs };
  const { connectAttachedRun, isUntrustedCertificate, webUiBaseUrl } = loadAttach();
  // The URL as runs and records name it (no credentials): the key of a remembered certificate, and of the last URL.
  const withoutCredentials = webUiBaseUrl(options.url);
  // A certificate trusted for this web UI before (its file, not its contents, is remembered).
  const caFiles = state.get<Record<string, string>>(ATTACH_CA_KEY) ?? {};
  const rememberedCa = caFiles[withoutCredentials];
  if (rememberedCa) options.ca = await readFile(rememberedCa).catch(() => undefined);
  for (;;) {
    try {
      const attached = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Attaching to ${new URL(options.url).host}…` },
        () => connectAttachedRun(options),
      );
      await state.update(LAST_ATTACH_KEY, attached.url);
      return { attached, options };
    } catch (error) {
      logError(`Could not attach to ${withoutCredentials}`, error);
      const untrusted = isUntrustedCertificate(error);
      const choice = await vscode.window.showErrorMessage(`Locust Studio: ${(error as Error).message}`, ...(untrusted ? ['Trust a Certificate…'] : []));
      if (choice !== 'Trust a Certificate…') return undefined;
      const picked = await vscode.window.showOpenDialog({
        title: `The certificate of ${new URL(options.url).host}, or of the CA that signed it (PEM)`,
        canSelectMany: false,
        filters: { 'PEM certificates': ['pem', 'crt', 'cer'], 'All files': ['*'] },
      });
      const file = picked?.[0]?.fsPath;
      if (!file) return undefined;
      options.ca = await readFile(file);
      await state.update(ATTACH_CA_KEY, { ...caFiles, [withoutCredentials]: file });
    }
  }
}
