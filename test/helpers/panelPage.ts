// Serves the built panel (dist/) on 127.0.0.1 under the extension's own CSP, with a stand-in for acquireVsCodeApi.
import type { Page } from 'playwright-core';
import type { HostToWebview, WebviewToHost } from '../../protocol/webview';

export { servePanel } from './panelServer';

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
    // Like VS Code, the panel's UI state outlives a reload of the page (sessionStorage does, per tab).
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__posted.push(m),
      getState: () => JSON.parse(sessionStorage.getItem('vscodeState') ?? 'null') ?? undefined,
      setState: (s) => sessionStorage.setItem('vscodeState', JSON.stringify(s)),
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

/** Waits until the panel has posted a message of this type (after `after` earlier messages) and returns it. */
export async function nextPosted<T extends WebviewToHost['type']>(page: Page, type: T, after = 0): Promise<Extract<WebviewToHost, { type: T }>> {
  const handle = await page.waitForFunction(
    ([t, n]) => (window.__posted as { type: string }[]).slice(n).find((m) => m.type === t),
    [type, after] as const,
  );
  return (await handle.jsonValue()) as Extract<WebviewToHost, { type: T }>;
}

/** A few of the variables VS Code sets on a webview's <html>, for light and dark themes. */
const THEMES = {
  light: {
    '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-descriptionForeground': '#717171',
    '--vscode-badge-background': '#cccccc', '--vscode-badge-foreground': '#3b3b3b', '--vscode-errorForeground': '#f85149',
    '--vscode-widget-border': '#e5e5e5', '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px',
    '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff',
    '--vscode-charts-foreground': '#616161', '--vscode-charts-lines': 'rgba(97, 97, 97, 0.2)', '--vscode-charts-blue': '#1a85ff',
    '--vscode-charts-red': '#e51400', '--vscode-charts-green': '#388a34', '--vscode-charts-yellow': '#bf8803',
    '--vscode-charts-purple': '#652d90', '--vscode-charts-orange': '#d18616', '--vscode-textLink-foreground': '#005fb8',
    '--vscode-textCodeBlock-background': '#f2f2f2', '--vscode-settings-textInputBackground': '#ffffff',
    '--vscode-settings-textInputBorder': '#cecece', '--vscode-settings-textInputForeground': '#3b3b3b',
    '--vscode-settings-dropdownBackground': '#ffffff', '--vscode-settings-dropdownBorder': '#cecece',
    '--vscode-settings-dropdownForeground': '#3b3b3b', '--vscode-settings-dropdownListBorder': '#cecece',
    '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b',
    '--vscode-inputValidation-errorBackground': '#f2dede',
  },
  dark: {
    '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-badge-background': '#616161', '--vscode-badge-foreground': '#f8f8f8', '--vscode-errorForeground': '#f85149',
    '--vscode-widget-border': '#313131', '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px',
    '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff',
    '--vscode-charts-foreground': '#cccccc', '--vscode-charts-lines': 'rgba(204, 204, 204, 0.2)', '--vscode-charts-blue': '#3794ff',
    '--vscode-charts-red': '#f14c4c', '--vscode-charts-green': '#89d185', '--vscode-charts-yellow': '#cca700',
    '--vscode-charts-purple': '#b180d7', '--vscode-charts-orange': '#d18616', '--vscode-textLink-foreground': '#4daafc',
    '--vscode-textCodeBlock-background': '#2b2b2b', '--vscode-settings-textInputBackground': '#313131',
    '--vscode-settings-textInputBorder': '#3c3c3c', '--vscode-settings-textInputForeground': '#cccccc',
    '--vscode-settings-dropdownBackground': '#313131', '--vscode-settings-dropdownBorder': '#3c3c3c',
    '--vscode-settings-dropdownForeground': '#cccccc', '--vscode-settings-dropdownListBorder': '#454545',
    '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc',
    '--vscode-inputValidation-errorBackground': '#5a1d1d',
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
