// Imports a traffic file (HAR, .http/.rest, curl commands, Postman collection): reads it by its kind and writes a locustfile.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TrafficImportError, type ImportedTraffic } from './exchange';
import { readCurl } from './curl';
import { readHar } from './har';
import { readHttpFile } from './httpFile';
import { generateLocustfile, type GeneratedLocustfile, type LocustfileOptions } from './locustfile';
import { isPostmanCollection, readPostman } from './postman';
import { decodeSource } from './sourceText';

/** Reads traffic from a file's text; the name's extension decides first, the content when the extension says nothing. */
export function parseTraffic(text: string, fileName: string): ImportedTraffic {
  const extension = path.extname(fileName).toLowerCase();
  const trimmed = text.trimStart();
  if (trimmed === '') throw new TrafficImportError('the file is empty');
  if (extension === '.har') return readHar(text);
  if (extension === '.http' || extension === '.rest') return readHttpFile(text);
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // A truncated HAR is still worth salvaging; other broken JSON is not traffic.
      if (/"log"\s*:\s*\{/.test(trimmed.slice(0, 2000))) return readHar(text);
      throw new TrafficImportError('the file is not valid JSON (a HAR file or a Postman collection v2.1 was expected)');
    }
    if (isPostmanCollection(parsed)) return readPostman(parsed);
    if (parsed && typeof parsed === 'object' && 'log' in parsed) return readHar(text);
    throw new TrafficImportError('this JSON is neither a HAR file (log.entries) nor a Postman collection v2.1 (info.schema, item)');
  }
  if (/^\s*curl\s/m.test(text)) return readCurl(text);
  if (/^\s*(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+\S/im.test(text)) return readHttpFile(text);
  throw new TrafficImportError(`unsupported file: not a HAR file, a .http/.rest file, curl commands or a Postman collection`);
}

export interface TrafficImport extends GeneratedLocustfile {
  traffic: ImportedTraffic;
}

/** Reads and converts one file; TrafficImportError says what is wrong with a file that cannot be imported. */
export async function importTrafficFile(file: string, options: LocustfileOptions = {}): Promise<TrafficImport> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new TrafficImportError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const { text, note } = decodeSource(bytes);
  const traffic = parseTraffic(text, file);
  if (note) traffic.notes.unshift(note);
  return { traffic, ...generateLocustfile(traffic, { sourceName: path.basename(file), ...options }) };
}
