// Builds for production and packages dist/locust-studio.vsix with @vscode/vsce, then prints its size.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const vsix = path.join(root, 'dist', 'locust-studio.vsix');
/** @param {string} cmd @param {string[]} args */
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

run(process.execPath, ['esbuild.mjs', '--production']);
run(path.join(root, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix]);
const bytes = statSync(vsix).size;
const goal = 1024 * 1024;
console.log(`[package] ${path.relative(root, vsix)}: ${(bytes / 1024).toFixed(0)} KiB (goal ≤ ${goal / 1024} KiB${bytes > goal ? ', OVER' : ''})`);
