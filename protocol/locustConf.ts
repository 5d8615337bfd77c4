// Reads Locust's settings files the way its parser (ConfigArgParse) does: the one reader for the editor, the CLI and the language server.

/** One setting as written in a locust.conf or a pyproject.toml `[tool.locust]` table: its key and where that key is. */
export interface LocustConfEntry {
  /** As written (`spawn-rate`, `--spawn-rate`, `spawn_rate`). */
  key: string;
  value: string;
  /** 0-based line, and the key's columns on it. */
  line: number;
  start: number;
  end: number;
}

/**
 * The settings of a locust.conf in order: `key = value`, `key: value` or `key value` lines, or a key alone (a flag,
 * `headless`); `#`/`;` comments (also after a value, when a space precedes them); `[section]` headers and blank lines
 * skipped (ConfigArgParse reads every section alike).
 */
export function locustConfEntries(text: string): LocustConfEntry[] {
  const entries: LocustConfEntry[] = [];
  text.split(/\r?\n/).forEach((raw, line) => {
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';') || trimmed.startsWith('[')) return;
    const start = raw.length - raw.trimStart().length;
    const match = /^([^:=;#\s]+?)\s*(?:[:=]|\s)\s*(.*?)(?:\s+[;#].*)?$/.exec(trimmed);
    if (match) entries.push({ key: match[1]!, value: match[2]!.trim(), line, start, end: start + match[1]!.length });
    else if (/^[^:=;#\s]+$/.test(trimmed)) entries.push({ key: trimmed, value: 'true', line, start, end: start + trimmed.length });
  });
  return entries;
}

/**
 * The settings of a pyproject.toml's `[tool.locust]` table in order (bare or quoted keys, `key = value`); none when it has
 * no such table. Values are taken as written (quotes removed from a plain string).
 */
export function pyprojectLocustEntries(text: string): LocustConfEntry[] {
  const entries: LocustConfEntry[] = [];
  let inTable = false;
  text.split(/\r?\n/).forEach((raw, line) => {
    const header = /^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(?:#.*)?$/.exec(raw);
    if (header) {
      inTable = header[1] === 'tool.locust';
      return;
    }
    if (!inTable) return;
    const match = /^(\s*)(["']?)([A-Za-z0-9_-]+)\2\s*=\s*(.*?)\s*(?:#.*)?$/.exec(raw);
    if (!match) return;
    const start = match[1]!.length + match[2]!.length;
    entries.push({ key: match[3]!, value: match[4]!.replace(/^(["'])(.*)\1$/, '$2'), line, start, end: start + match[3]!.length });
  });
  return entries;
}

/** The option a settings key sets, as Locust's parser matches it: the long option's name, with or without its `--` (no `_` for `-`). */
export function optionOfConfigKey(key: string): string {
  return key.startsWith('--') ? key.slice(2) : key;
}

/**
 * The settings of a locust.conf, by the option each sets (optionOfConfigKey: `spawn-rate`; `spawn_rate` sets nothing in
 * Locust, which refuses it or ignores it). Later lines win, as they do for Locust.
 */
export function readLocustConf(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const entry of locustConfEntries(text)) settings.set(optionOfConfigKey(entry.key), entry.value);
  return settings;
}
