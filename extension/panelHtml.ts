// The run panel's HTML and Content Security Policy; free of `vscode` so tests serve the very same page.
export interface PanelResources {
  /** `webview.cspSource`: the only origin styles, fonts and images may come from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  codiconsUri: string;
  nonce: string;
}

export function contentSecurityPolicy(r: Pick<PanelResources, 'cspSource' | 'nonce'>): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${r.nonce}'`,
    `style-src ${r.cspSource}`,
    `font-src ${r.cspSource}`,
    `img-src ${r.cspSource} data:`,
  ].join('; ');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** No aria-live on the whole app: a tick rewrites hundreds of cells; the run state and control results are role=status. */
export function panelHtml(r: PanelResources): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(r))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(r.codiconsUri)}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${attr(r.styleUri)}">
<title>Locust Studio</title>
</head>
<body>
<main id="app"></main>
<script nonce="${attr(r.nonce)}" src="${attr(r.scriptUri)}"></script>
</body>
</html>`;
}
