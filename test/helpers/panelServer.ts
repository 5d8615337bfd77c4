// Serves the built panel (dist/) on 127.0.0.1 under the extension's own CSP; Node-only, so bench/ can use it too.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { panelHtml } from '../../extension/panelHtml';
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
