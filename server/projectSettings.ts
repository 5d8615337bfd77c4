// Reads the Locust settings files next to a locustfile (locust.conf, pyproject.toml) for what diagnostics need to know.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { optionOfConfigKey, pyprojectLocustEntries, readLocustConf } from '../protocol/locustConf';

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** True when a locust.conf or pyproject.toml `[tool.locust]` beside the file sets `host` (Locust runs from that folder). */
export function hostConfiguredBeside(uri: string): boolean {
  if (!uri.startsWith('file:')) return false;
  let folder: string;
  try {
    folder = path.dirname(fileURLToPath(uri));
  } catch {
    return false;
  }
  const conf = readIfPresent(path.join(folder, 'locust.conf'));
  if (conf && readLocustConf(conf).get('host')) return true;
  const pyproject = readIfPresent(path.join(folder, 'pyproject.toml'));
  return !!pyproject && pyprojectLocustEntries(pyproject).some((entry) => optionOfConfigKey(entry.key) === 'host' && entry.value !== '');
}
