// Reads the chart colours from VS Code's theme variables and tells when the theme changes.

export interface ChartTheme {
  foreground: string;
  grid: string;
  /** The axis lines (the theme's border colour in high contrast). */
  axis: string;
  background: string;
  /** Line colours in the order series use them (User classes): told apart by colour-blind readers too, with DASHES. */
  palette: string[];
  /** The response-time percentiles p50, p95, p99: blue, orange, reddish purple (with solid, dashed, dotted lines). */
  percentiles: [string, string, string];
  requests: string;
  failures: string;
  /** Threshold limit lines by state: met (holding, passed), breaking now (failing), and not judged (pending, unknown). */
  limitMet: string;
  limitFailing: string;
  limitFailed: string;
  limitOpen: string;
  fontFamily: string;
  /** A high-contrast theme: lines are drawn thicker. */
  contrast: boolean;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

/** VS Code sets the variables on <html> and a theme class on <body>; read them computed, as the page sees them. */
export function readTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const classes = document.body.classList;
  // High contrast light carries both classes (`vscode-high-contrast vscode-high-contrast-light`): it is a light theme.
  const contrast = classes.contains('vscode-high-contrast');
  const dark = classes.contains('vscode-dark') || (contrast && !classes.contains('vscode-high-contrast-light'));
  const foreground = cssVar(style, '--vscode-charts-foreground', cssVar(style, '--vscode-foreground', dark ? '#cccccc' : '#3b3b3b'));
  const blue = cssVar(style, '--vscode-charts-blue', dark ? '#3794ff' : '#1a85ff');
  const red = cssVar(style, '--vscode-charts-red', dark ? '#f14c4c' : '#e51400');
  const yellow = cssVar(style, '--vscode-charts-yellow', dark ? '#cca700' : '#bf8803');
  const orange = cssVar(style, '--vscode-charts-orange', dark ? '#d18616' : '#d18616');
  const green = cssVar(style, '--vscode-charts-green', dark ? '#89d185' : '#388a34');
  const purple = cssVar(style, '--vscode-charts-purple', dark ? '#b180d7' : '#652d90');
  const grid = cssVar(style, '--vscode-charts-lines', dark ? 'rgba(204,204,204,0.2)' : 'rgba(59,59,59,0.15)');
  // Okabe and Ito's colour-blind-safe palette, lighter on dark backgrounds; high contrast keeps the theme's own colours.
  const safe = contrast
    ? [blue, orange, purple, green, yellow, red]
    : dark
      ? ['#56b4e9', '#e69f00', '#cc79a7', '#009e73', '#f0e442', '#d55e00']
      : ['#0072b2', '#d55e00', '#aa4499', '#009e73', '#b08800', '#56b4e9'];
  return {
    foreground,
    grid,
    // In high contrast the axes are drawn in the theme's border colour, as every other edge is.
    axis: contrast ? cssVar(style, '--vscode-contrastBorder', foreground) : grid,
    background: cssVar(style, '--vscode-editor-background', dark ? '#1f1f1f' : '#ffffff'),
    palette: safe,
    percentiles: [safe[0]!, safe[1]!, safe[2]!],
    requests: blue,
    failures: red,
    // The chips of the thresholds strip take the same variables (panel.css), so a chip and its line share a colour.
    limitMet: cssVar(style, '--vscode-testing-iconPassed', green),
    limitFailing: cssVar(style, '--vscode-editorWarning-foreground', orange),
    limitFailed: cssVar(style, '--vscode-testing-iconFailed', red),
    limitOpen: cssVar(style, '--vscode-descriptionForeground', foreground),
    fontFamily: cssVar(style, '--vscode-font-family', 'sans-serif'),
    contrast,
  };
}

/** Dash patterns that tell lines apart without colour: solid, dashed, dotted, dash-dot, long dash. */
export const DASHES: readonly number[][] = [[], [6, 3], [2, 2], [8, 3, 2, 3], [12, 4]];

/** Calls `onChange` when VS Code switches theme (it rewrites <body>'s class and <html>'s style). */
export function onThemeChange(onChange: () => void): void {
  let scheduled = false;
  const observer = new MutationObserver(() => {
    // Several attribute writes make one switch: re-read once, after they all landed.
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      onChange();
    });
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
}
