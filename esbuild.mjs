// One build for every part: extension host, language server, runner CLI (Node, cjs) and the panel (browser, iife).
// Usage: node esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const outdir = 'dist';

/** esbuild's cjs output empties `import.meta.url`, which web-tree-sitter's ESM build needs (TOOLCHAIN.md). */
const importMetaUrlShim = {
  banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },
};

/** @type {import('esbuild').BuildOptions} */
const nodeDefaults = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  external: ['vscode'],
};

/** @type {(import('esbuild').BuildOptions & { entryPoints: Record<string, string> })[]} */
const allBuilds = [
  { ...nodeDefaults, entryPoints: { extension: 'extension/main.ts' }, outdir },
  // Attaching (undici and all) is loaded by the extension on first use only, so activation does not pay for it.
  { ...nodeDefaults, entryPoints: { attach: 'runner/attachRun.ts' }, outdir },
  { ...nodeDefaults, ...importMetaUrlShim, entryPoints: { server: 'server/main.ts' }, outdir },
  // The CLI reads a locustfile's THRESHOLDS with the language server's model (tree-sitter), hence the same shim.
  { ...nodeDefaults, ...importMetaUrlShim, entryPoints: { cli: 'runner/cli.ts' }, outdir, banner: { js: `#!/usr/bin/env node\n${importMetaUrlShim.banner.js}` } },
  {
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: production ? false : 'inline',
    minify: production,
    logLevel: 'warning',
    entryPoints: { webview: 'webview/main.ts', panel: 'webview/panel.css' },
    outdir,
  },
];
// A part whose entry does not exist yet is skipped, so the build works while the parts grow.
const builds = allBuilds.filter((b) => Object.values(b.entryPoints).every((entry) => typeof entry === 'string' && existsSync(entry)));

/** Files the bundles load at run time: grammar wasm, the Python bridge, icon font. */
async function copyAssets() {
  /** @param {string} name */
  const pkgDir = (name) => path.resolve('node_modules', name);
  await mkdir(outdir, { recursive: true });
  await cp(path.join(pkgDir('web-tree-sitter'), 'web-tree-sitter.wasm'), path.join(outdir, 'web-tree-sitter.wasm'));
  await cp(path.join(pkgDir('tree-sitter-python'), 'tree-sitter-python.wasm'), path.join(outdir, 'tree-sitter-python.wasm'));
  await rm(path.join(outdir, 'python'), { recursive: true, force: true });
  await cp('runner/python', path.join(outdir, 'python'), {
    recursive: true,
    filter: (src) => !src.includes('__pycache__') && !src.endsWith('.pyc'),
  });
  const codicons = path.join(pkgDir('@vscode/codicons'), 'dist');
  await cp(path.join(codicons, 'codicon.css'), path.join(outdir, 'codicons', 'codicon.css'));
  await cp(path.join(codicons, 'codicon.ttf'), path.join(outdir, 'codicons', 'codicon.ttf'));
}

if (!watch) await rm(outdir, { recursive: true, force: true });
await copyAssets();
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('[build] watching for changes');
} else {
  try {
    await Promise.all(builds.map((options) => esbuild.build(options)));
    console.log(`[build] ${production ? 'production' : 'development'} build of ${builds.length} bundles in ${outdir}/`);
  } catch {
    // esbuild has already printed each error with its file and line.
    console.error('[build] failed');
    process.exitCode = 1;
  }
}
