// Checks the keys of a locust.conf or a pyproject.toml `[tool.locust]` table against the options of the Locust that runs use (told by the extension), with a "did you mean" fix.
import path from 'node:path';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { closestName } from '../protocol/closestName';
import { locustConfEntries, optionOfConfigKey, pyprojectLocustEntries, readLocustConf, type LocustConfEntry } from '../protocol/locustConf';
import type { LocustOptionsParams } from '../protocol/lsp';
import type { DiagnosticData } from './diagnostics';

export const UNKNOWN_OPTION_CODE = 'unknown-locust-option';

export type SettingsFileKind = 'locust.conf' | 'pyproject.toml';

/** Which of Locust's settings files `uri` is (Locust reads both from the folder it runs in), if any. */
export function settingsFileKind(uri: string): SettingsFileKind | undefined {
  const name = path.posix.basename(uri.split(/[?#]/)[0] ?? '');
  return name === 'locust.conf' || name === 'pyproject.toml' ? name : undefined;
}

/** The settings a file sets, with where each key is. */
export function settingsEntries(kind: SettingsFileKind, text: string): LocustConfEntry[] {
  return kind === 'locust.conf' ? locustConfEntries(text) : pyprojectLocustEntries(text);
}

/** The locustfiles a settings file's run imports (its `locustfile` key, comma-separated; else Locust's default), relative to its folder. */
export function locustfilesNamedBy(kind: SettingsFileKind, text: string): string[] {
  // The last setting wins, as it does for Locust.
  const named = kind === 'locust.conf' ? readLocustConf(text).get('locustfile') : [...settingsEntries(kind, text)].reverse().find((e) => optionOfConfigKey(e.key) === 'locustfile')?.value;
  const files = (named ?? 'locustfile.py').split(',').map((f) => f.trim()).filter(Boolean);
  // A module name (`locustfile`) is the .py file of that name, as Locust takes it.
  return files.map((file) => (file.endsWith('.py') ? file : `${file}.py`));
}

/**
 * A warning on each key that sets no option of `locust` (the interpreter's Locust) and no argument the locustfile declares
 * (`ownArguments`, their flags), with the nearest option as a quick fix when one is near enough to be a typo.
 */
export function unknownOptionDiagnostics(entries: readonly LocustConfEntry[], locust: LocustOptionsParams, ownArguments: readonly string[]): Diagnostic[] {
  const known = new Set([...locust.options, ...ownArguments.map(optionOfConfigKey)]);
  const which = `Locust ${locust.locustVersion || '(version unknown)'}`;
  const diagnostics: Diagnostic[] = [];
  for (const entry of entries) {
    const option = optionOfConfigKey(entry.key);
    if (known.has(option)) continue;
    const suggestion = closestName(option, known, { slack: 1 });
    const range = { start: { line: entry.line, character: entry.start }, end: { line: entry.line, character: entry.end } };
    const replacement = suggestion === undefined ? undefined : entry.key.startsWith('--') ? `--${suggestion}` : suggestion;
    const data: DiagnosticData = {
      legacy: false,
      fixes: replacement === undefined ? [] : [{ title: `Change to '${replacement}'`, edits: [{ range, newText: replacement }] }],
    };
    diagnostics.push({
      range,
      severity: DiagnosticSeverity.Warning,
      code: UNKNOWN_OPTION_CODE,
      source: 'Locust Studio',
      // What to do first (a row of the Problems view is cut at its width), then whose options these are.
      message: `${which} has no option '${entry.key}'${replacement === undefined ? '' : `: did you mean '${replacement}'?`} (nor does the locustfile declare it; interpreter ${locust.interpreter})`,
      data,
    });
  }
  return diagnostics;
}
