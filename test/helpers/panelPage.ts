// Serves the built panel (dist/) on 127.0.0.1 under the extension's own CSP, with a stand-in for acquireVsCodeApi.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { panelHtml } from '../../extension/panelHtml';
import type { HostToWebview, WebviewToHost } from '../../protocol/webview';
import { REPO_ROOT } from './lspClient';

const DIST = path.join(REPO_ROOT, 'dist');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf' };

export async function servePanel(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const pathname = new URL(req.url ?? '/', origin).pathname;
      if (pathname === '/panel.html') {
        const html = panelHtml({
          cspSource: origin,
          nonce: randomUUID().replace(/-/g, ''),
          scriptUri: `${origin}/webview.js`,
          styleUri: `${origin}/panel.css`,
          codiconsUri: `${origin}/codicons/codicon.css`,
        });
        res.writeHead(200, { 'content-type': 'text/html' }).end(html);
        return;
      }
      const file = path.join(DIST, path.normalize(pathname));
      if (!file.startsWith(DIST + path.sep)) return void res.writeHead(403).end();
      const body = await readFile(file).catch(() => undefined);
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/panel.html`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

declare global {
  interface Window {
    __posted: unknown[];
    __cspViolations: string[];
    __executed: string[];
  }
}

/** Records what the panel posts to the host and every CSP violation, before any page script runs. */
export async function instrumentPanel(page: Page): Promise<void> {
  // A string, not a function: tsx's transform would wrap a function in helpers the page does not have.
  await page.addInitScript(`
    window.__posted = [];
    window.__cspViolations = [];
    window.__executed = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__posted.push(m),
      getState: () => undefined,
      setState: () => undefined,
    });
  `);
}

/** Delivers a message the way VS Code does: a `message` event on the webview's window. */
export function sendToPanel(page: Page, message: HostToWebview | Record<string, unknown>): Promise<void> {
  return page.evaluate((m) => window.postMessage(m, '*'), message);
}

export function postedByPanel(page: Page): Promise<WebviewToHost[]> {
  return page.evaluate(() => window.__posted as WebviewToHost[]);
}

/** A few of the variables VS Code sets on a webview's <html>, for light and dark themes. */
const THEMES = {
  light: {
    '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-descriptionForeground': '#717171',
    '--vscode-badge-background': '#cccccc', '--vscode-badge-foreground': '#3b3b3b', '--vscode-errorForeground': '#f85149',
    '--vscode-widget-border': '#e5e5e5', '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px',
    '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff',
  },
  dark: {
    '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-badge-background': '#616161', '--vscode-badge-foreground': '#f8f8f8', '--vscode-errorForeground': '#f85149',
    '--vscode-widget-border': '#313131', '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px',
    '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff',
  },
} as const;

/** Applies a theme the way VS Code does: CSS variables on <html> and a class on <body> (CSSOM, so the CSP allows it). */
export function applyTheme(page: Page, theme: keyof typeof THEMES): Promise<void> {
  return page.evaluate(
    ([vars, name]) => {
      for (const [key, value] of Object.entries(vars)) document.documentElement.style.setProperty(key, value);
      document.body.classList.remove('vscode-light', 'vscode-dark');
      document.body.classList.add(`vscode-${name}`);
    },
    [THEMES[theme], theme] as const,
  );
}
