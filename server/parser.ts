// Loads tree-sitter and the Python grammar once, from wasm files next to the bundle (or in node_modules from sources).
import path from 'node:path';
import { existsSync } from 'node:fs';
import { Language, Parser } from 'web-tree-sitter';

let ready: Promise<Parser> | undefined;

function findWasm(file: string, packageName: string): string {
  const besideBundle = path.join(__dirname, file);
  if (existsSync(besideBundle)) return besideBundle;
  // Running from sources (tests, tsx): the wasm files ship inside their npm packages.
  return require.resolve(`${packageName}/${file}`);
}

/** A parser for Python; created once, shared by every document. */
export function pythonParser(): Promise<Parser> {
  ready ??= (async () => {
    const runtimeWasm = findWasm('web-tree-sitter.wasm', 'web-tree-sitter');
    await Parser.init({ locateFile: () => runtimeWasm });
    const python = await Language.load(findWasm('tree-sitter-python.wasm', 'tree-sitter-python'));
    const parser = new Parser();
    parser.setLanguage(python);
    return parser;
  })();
  return ready;
}
