// Reads a locust.conf the way Locust's own parser (ConfigArgParse) does: the one reader for the editor, the CLI and the language server.

/**
 * The settings of a locust.conf, by option name without dashes (`spawn-rate`, with `_` read as `-`): `key = value`,
 * `key: value` or `key value` lines; `#`/`;` comments (also after a value, when a space precedes them); `[section]`
 * headers and blank lines skipped. Later lines win, as they do for Locust.
 */
export function readLocustConf(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue;
    const match = /^([^:=;#\s]+?)\s*(?:[:=]|\s)\s*(.*?)(?:\s+[;#].*)?$/.exec(line);
    if (match) settings.set(match[1]!.replace(/^-+/, '').replace(/_/g, '-'), match[2]!.trim());
    // A key alone is a flag (`headless`): set, with no value.
    else if (/^[^:=;#\s]+$/.test(line)) settings.set(line.replace(/^-+/, '').replace(/_/g, '-'), 'true');
  }
  return settings;
}
