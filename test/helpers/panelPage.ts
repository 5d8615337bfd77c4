// Serves the built panel (dist/) on 127.0.0.1 under the extension's own CSP, with a stand-in for acquireVsCodeApi.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, afterEach, before, beforeEach } from 'node:test';
import type { Page } from 'playwright-core';
import type { HostToWebview, WebviewToHost } from '../../protocol/webview';

import { launchChromium } from './browser';
import { servePanel } from './panelServer';

export { servePanel };

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

/** A few of the variables VS Code sets on a webview's <html>, for light, dark and the two high-contrast themes. */
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
    '--vscode-inputValidation-errorBackground': '#f2dede', '--vscode-focusBorder': '#005fb8',
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
    '--vscode-inputValidation-errorBackground': '#5a1d1d', '--vscode-focusBorder': '#0078d4',
  },
  'hc-dark': {
    '--vscode-foreground': '#ffffff', '--vscode-editor-background': '#000000', '--vscode-descriptionForeground': '#ffffffb3',
    '--vscode-contrastBorder': '#6fc3df', '--vscode-contrastActiveBorder': '#f38518', '--vscode-focusBorder': '#f38518',
    '--vscode-badge-background': '#000000', '--vscode-badge-foreground': '#ffffff', '--vscode-errorForeground': '#f48771',
    '--vscode-widget-border': '#6fc3df', '--vscode-panel-border': '#6fc3df', '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px',
    '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#6fc3df',
    '--vscode-charts-foreground': '#ffffff', '--vscode-charts-lines': '#ffffff80', '--vscode-charts-blue': '#3794ff',
    '--vscode-charts-red': '#f48771', '--vscode-charts-green': '#89d185', '--vscode-charts-yellow': '#cca700',
    '--vscode-charts-purple': '#b180d7', '--vscode-charts-orange': '#d18616', '--vscode-textLink-foreground': '#21a6ff',
    '--vscode-textLink-activeForeground': '#21a6ff', '--vscode-textCodeBlock-background': '#000000',
    '--vscode-settings-textInputBackground': '#000000', '--vscode-settings-textInputBorder': '#6fc3df',
    '--vscode-settings-textInputForeground': '#ffffff', '--vscode-settings-dropdownBackground': '#000000',
    '--vscode-settings-dropdownBorder': '#6fc3df', '--vscode-settings-dropdownForeground': '#ffffff',
    '--vscode-settings-dropdownListBorder': '#6fc3df', '--vscode-input-border': '#6fc3df', '--vscode-dropdown-border': '#6fc3df',
    '--vscode-button-secondaryBackground': '#000000', '--vscode-button-secondaryForeground': '#ffffff',
    '--vscode-inputValidation-errorBackground': '#000000', '--vscode-inputValidation-errorBorder': '#f48771',
    '--vscode-testing-iconPassed': '#73c991',
  },
  'hc-light': {
    '--vscode-foreground': '#292929', '--vscode-editor-background': '#ffffff', '--vscode-descriptionForeground': '#292929b3',
    '--vscode-contrastBorder': '#0f4a85', '--vscode-contrastActiveBorder': '#006bbd', '--vscode-focusBorder': '#006bbd',
    '--vscode-badge-background': '#0f4a85', '--vscode-badge-foreground': '#ffffff', '--vscode-errorForeground': '#b5200d',
    '--vscode-widget-border': '#0f4a85', '--vscode-panel-border': '#0f4a85', '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px',
    '--vscode-button-background': '#0f4a85', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#0f4a85',
    '--vscode-charts-foreground': '#292929', '--vscode-charts-lines': '#29292980', '--vscode-charts-blue': '#0f4a85',
    '--vscode-charts-red': '#b5200d', '--vscode-charts-green': '#374e06', '--vscode-charts-yellow': '#895503',
    '--vscode-charts-purple': '#652d90', '--vscode-charts-orange': '#8f4a00', '--vscode-textLink-foreground': '#0f4a85',
    '--vscode-textLink-activeForeground': '#0f4a85', '--vscode-textCodeBlock-background': '#ffffff',
    '--vscode-settings-textInputBackground': '#ffffff', '--vscode-settings-textInputBorder': '#0f4a85',
    '--vscode-settings-textInputForeground': '#292929', '--vscode-settings-dropdownBackground': '#ffffff',
    '--vscode-settings-dropdownBorder': '#0f4a85', '--vscode-settings-dropdownForeground': '#292929',
    '--vscode-settings-dropdownListBorder': '#0f4a85', '--vscode-input-border': '#0f4a85', '--vscode-dropdown-border': '#0f4a85',
    '--vscode-button-secondaryBackground': '#ffffff', '--vscode-button-secondaryForeground': '#292929',
    '--vscode-inputValidation-errorBackground': '#ffffff', '--vscode-inputValidation-errorBorder': '#b5200d',
    '--vscode-testing-iconPassed': '#007100',
  },
} as const;
export type PanelTheme = keyof typeof THEMES;

/** The body classes VS Code gives each kind of theme (high contrast light carries both high-contrast classes). */
const BODY_CLASSES: Record<PanelTheme, string[]> = {
  light: ['vscode-light'],
  dark: ['vscode-dark'],
  'hc-dark': ['vscode-high-contrast'],
  'hc-light': ['vscode-high-contrast', 'vscode-high-contrast-light'],
};
const THEME_KIND: Record<PanelTheme, string> = {
  light: 'vscode-light', dark: 'vscode-dark', 'hc-dark': 'vscode-high-contrast', 'hc-light': 'vscode-high-contrast-light',
};

/** What the panel's charts read as their foreground in each theme (tests wait for it after a switch). */
export const CHART_FOREGROUND: Record<PanelTheme, string> = Object.fromEntries(
  Object.entries(THEMES).map(([name, vars]) => [name, vars['--vscode-charts-foreground']]),
) as Record<PanelTheme, string>;

/**
 * Applies a theme the way VS Code does: the variables replace those of the previous theme on <html>, and <body> gets
 * the theme's classes and kind (CSSOM and attributes only, so the CSP allows it).
 */
export function applyTheme(page: Page, theme: PanelTheme): Promise<void> {
  return page.evaluate(
    ([vars, classes, kind]) => {
      document.documentElement.removeAttribute('style');
      for (const [key, value] of Object.entries(vars)) document.documentElement.style.setProperty(key, value);
      document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast', 'vscode-high-contrast-light');
      document.body.classList.add(...classes);
      document.body.dataset['vscodeThemeKind'] = kind;
    },
    [THEMES[theme], BODY_CLASSES[theme], THEME_KIND[theme]] as const,
  );
}

/**
 * The fixture of a panel test file: one Chromium and one panel server for the file, a fresh instrumented page per test
 * (handed to `usePage` once the panel has said `ready`), and after each test the check that no CSP violation happened.
 */
export function panelFixture(shotsDir: string, usePage: (page: Page) => void): { readonly siteUrl: string } {
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let site: Awaited<ReturnType<typeof servePanel>> | undefined;
  let page: Page | undefined;
  before(async () => {
    await mkdir(shotsDir, { recursive: true });
    [browser, site] = await Promise.all([launchChromium(), servePanel()]);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });
  beforeEach(async () => {
    page = await browser!.context.newPage();
    await instrumentPanel(page);
    await page.goto(site!.url);
    await page.waitForFunction(() => window.__posted.length > 0);
    usePage(page);
  });
  afterEach(async () => {
    const violations = await page!.evaluate(() => window.__cspViolations);
    assert.deepEqual(violations, [], 'no Content Security Policy violation');
    await page!.close();
  });
  return {
    get siteUrl(): string {
      return site!.url;
    },
  };
}
