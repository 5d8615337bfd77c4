// Reads HAR 1.2 recordings (Chromium/Playwright, Firefox and Safari exports) into recorded exchanges, salvaging truncated files.
import { bodyFromText, emptyTraffic, TrafficImportError, type Header, type ImportedTraffic, type RecordedExchange, type RequestBody } from './exchange';

interface HarNameValue {
  name?: unknown;
  value?: unknown;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function headersOf(list: unknown): Header[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((h): h is HarNameValue => isObject(h) && typeof h.name === 'string')
    // HTTP/2 pseudo-headers (:authority, :path…) as Chromium and Firefox list them are not headers a client sends.
    .filter((h) => !(h.name as string).startsWith(':'))
    .map((h) => [h.name as string, typeof h.value === 'string' ? h.value : typeof h.value === 'number' ? String(h.value) : ''] as const);
}

function mimeOf(value: unknown): string {
  return (text(value) ?? '').split(';')[0]!.trim().toLowerCase();
}

const TEXTUAL = /^(text\/|application\/(.*\+)?(json|xml|javascript|x-www-form-urlencoded))/;

/** Text with control characters other than tab and line breaks: a binary body stored as text. */
function hasControlCharacters(body: string): boolean {
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    if (code < 9 || (code > 13 && code < 32)) return true;
  }
  return false;
}

function requestBodyOf(postData: unknown, headers: Header[]): RequestBody | undefined {
  if (!isObject(postData)) return undefined;
  const contentType = text(postData.mimeType) || headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1];
  const body = text(postData.text);
  // Some exporters (Firefox, older Chromium) give form fields as params only.
  if ((body === undefined || body === '') && Array.isArray(postData.params) && postData.params.length) {
    const params = postData.params.filter(isObject);
    if (params.some((p) => p.fileName !== undefined)) return { kind: 'text', text: body ?? '', contentType };
    return { kind: 'form', fields: params.map((p) => [text(p.name) ?? '', text(p.value) ?? ''] as const) };
  }
  if (body === undefined || body === '') return undefined;
  if (postData.encoding === 'base64') return { kind: 'binary', base64: body, contentType };
  if (contentType && !TEXTUAL.test(mimeOf(contentType)) && hasControlCharacters(body)) {
    return { kind: 'binary', base64: Buffer.from(body, 'latin1').toString('base64'), contentType };
  }
  return bodyFromText(body, contentType);
}

function responseTextOf(content: Json): string | undefined {
  const body = text(content.text);
  if (body === undefined) return undefined;
  const mime = mimeOf(content.mimeType);
  if (content.encoding === 'base64') return TEXTUAL.test(mime) || mime === '' ? Buffer.from(body, 'base64').toString('utf8') : undefined;
  return body;
}

function isWebSocket(entry: Json, url: string, status: number, headers: Header[]): boolean {
  return (
    entry._resourceType === 'websocket' ||
    Array.isArray(entry._webSocketMessages) ||
    /^wss?:/i.test(url) ||
    status === 101 ||
    headers.some(([n, v]) => n.toLowerCase() === 'upgrade' && v.toLowerCase() === 'websocket')
  );
}

/**
 * The top-level value of a HAR text that ends early: the complete entries before the cut (each a whole JSON object), found
 * by scanning the "entries" array with a string-aware brace counter.
 */
function salvageEntries(source: string): { entries: unknown[]; pages: unknown[] } | undefined {
  const entriesAt = source.search(/"entries"\s*:\s*\[/);
  if (entriesAt < 0) return undefined;
  const entries: unknown[] = [];
  let i = source.indexOf('[', entriesAt) + 1;
  while (i < source.length) {
    while (i < source.length && /[\s,]/.test(source[i]!)) i++;
    if (source[i] !== '{') break;
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < source.length; i++) {
      const c = source[i]!;
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    if (depth !== 0 || i >= source.length) break;
    try {
      entries.push(JSON.parse(source.slice(start, i + 1)));
    } catch {
      break;
    }
    i++;
  }
  const pagesMatch = /"pages"\s*:\s*(\[[^\]]*\])/.exec(source.slice(0, entriesAt));
  try {
    return { entries, pages: pagesMatch ? (JSON.parse(pagesMatch[1]!) as unknown[]) : [] };
  } catch {
    return { entries, pages: [] };
  }
}

/** Reads a HAR document. A truncated file gives its complete entries and a note; anything else that is not a HAR throws. */
export function readHar(source: string): ImportedTraffic {
  const traffic = emptyTraffic('HAR');
  let entries: unknown[];
  let pages: unknown[];
  try {
    const har = JSON.parse(source) as unknown;
    if (!isObject(har) || !isObject(har.log) || !Array.isArray(har.log.entries)) throw new TrafficImportError('this JSON is not a HAR file (no log.entries)');
    entries = har.log.entries;
    pages = Array.isArray(har.log.pages) ? har.log.pages : [];
  } catch (error) {
    if (error instanceof TrafficImportError) throw error;
    const salvaged = salvageEntries(source);
    if (!salvaged || !salvaged.entries.length) throw new TrafficImportError(`this HAR file is not valid JSON and no complete entry could be read from it (${(error as Error).message})`);
    ({ entries, pages } = salvaged);
    traffic.notes.push(`the file ends early (not valid JSON: ${(error as Error).message}): the ${entries.length} complete entries before the cut were read, the rest is lost`);
  }
  const pageTitles = new Map<string, string>();
  for (const page of pages) if (isObject(page) && typeof page.id === 'string') pageTitles.set(page.id, text(page.title) ?? page.id);

  // Sorted by start time (Firefox and Safari do not always list entries in order); a stable sort keeps equal times in file order.
  const ordered = entries
    .map((entry, index) => ({ entry, index, at: isObject(entry) ? Date.parse(text(entry.startedDateTime) ?? '') : NaN }))
    .sort((a, b) => (Number.isNaN(a.at) || Number.isNaN(b.at) ? a.index - b.index : a.at - b.at || a.index - b.index));

  /** The exchange whose redirect the next entry follows: its location, to fold the follow-up into it. */
  let pendingRedirect: { exchange: RecordedExchange; location: string } | undefined;
  for (const { entry, index } of ordered) {
    const label = `entry ${index + 1}`;
    if (!isObject(entry) || !isObject(entry.request)) {
      traffic.skipped.push({ what: label, why: 'not a HAR entry (no request)' });
      continue;
    }
    const request = entry.request;
    const method = (text(request.method) ?? 'GET').toUpperCase();
    const url = text(request.url) ?? '';
    const response = isObject(entry.response) ? entry.response : {};
    const status = typeof response.status === 'number' ? response.status : 0;
    const headers = headersOf(request.headers);
    if (isWebSocket(entry, url, status, headers)) {
      traffic.skipped.push({ what: `${method} ${url}`, why: 'WebSocket (an HttpUser cannot speak it: see the WebSocket snippet)' });
      continue;
    }
    if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
      traffic.skipped.push({ what: `${method} ${url || '(no URL)'}`, why: 'not an http(s) URL' });
      continue;
    }
    const content = isObject(response.content) ? response.content : {};
    const recordedResponse =
      status > 0
        ? { status, headers: headersOf(response.headers), mimeType: mimeOf(content.mimeType), text: responseTextOf(content) }
        : undefined;
    // A request the client makes itself because of a redirect is not a step: requests follows redirects; its response is the final one.
    if (pendingRedirect && method === 'GET' && pendingRedirect.location === url) {
      pendingRedirect.exchange.response = recordedResponse;
      pendingRedirect = status >= 300 && status < 400 ? { exchange: pendingRedirect.exchange, location: redirectTarget(url, response) } : undefined;
      continue;
    }
    const pageref = text(entry.pageref);
    const exchange: RecordedExchange = {
      method,
      url,
      headers,
      body: requestBodyOf(request.postData, headers),
      response: recordedResponse,
      step: pageref === undefined ? undefined : (pageTitles.get(pageref) ?? pageref),
      resourceType: text(entry._resourceType)?.toLowerCase(),
      references: [],
    };
    traffic.exchanges.push(exchange);
    pendingRedirect = status >= 300 && status < 400 ? { exchange, location: redirectTarget(url, response) } : undefined;
  }
  return traffic;
}

function redirectTarget(url: string, response: Json): string {
  const location = text(response.redirectURL) || headersOf(response.headers).find(([n]) => n.toLowerCase() === 'location')?.[1] || '';
  try {
    return new URL(location, url).href;
  } catch {
    return location;
  }
}
