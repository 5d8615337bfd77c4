// The one model every traffic reader produces: recorded request/response exchanges, what was skipped and why.

export type Header = readonly [name: string, value: string];

/** A request body as the generator writes it: `json=`, `data=` (form fields, text or bytes). */
export type RequestBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; fields: Header[] }
  | { kind: 'text'; text: string; contentType: string | undefined }
  | { kind: 'binary'; base64: string; contentType: string | undefined };

export interface RecordedResponse {
  status: number;
  headers: Header[];
  mimeType: string;
  /** The body as text (decoded from base64 when the recording stored it so), undefined when not recorded or binary. */
  text: string | undefined;
}

/** A value the source file itself says comes from an earlier response (.http request variables, Postman scripts). */
export interface DeclaredReference {
  /** The placeholder the reader put in the request's text where the value goes. */
  placeholder: string;
  /** Index of the exchange whose response holds the value (-1 for an environment variable). */
  from: number;
  /** Where in it: a JSON path (keys and indexes) or a response header; or an environment variable the source reads. */
  at: { kind: 'json'; path: (string | number)[] } | { kind: 'header'; name: string } | { kind: 'env'; variable: string };
  /** The name the source gave the value. */
  name: string;
}

export interface RecordedExchange {
  method: string;
  /** Absolute http(s) URL. */
  url: string;
  headers: Header[];
  body: RequestBody | undefined;
  /** The final response (after redirects the client follows), when the source has one. */
  response: RecordedResponse | undefined;
  /** The page or step this request belongs to (HAR page, Postman folder, a .http request's title), if any. */
  step: string | undefined;
  /** The browser's resource type (document, xhr, fetch, script, stylesheet, image…), when recorded. */
  resourceType: string | undefined;
  /** Placeholders standing for values taken from earlier responses, as the source declared them. */
  references: DeclaredReference[];
}

export type TrafficFormat = 'HAR' | '.http' | 'curl' | 'Postman';

/** Something in the source that did not become a request, and why (shown in the locustfile's header comment). */
export interface SkippedPart {
  what: string;
  why: string;
}

export interface ImportedTraffic {
  format: TrafficFormat;
  exchanges: RecordedExchange[];
  skipped: SkippedPart[];
  /** Remarks on the whole file (read as Latin-1, truncated…). */
  notes: string[];
}

/** A placeholder for a declared reference: plain word characters, so it survives URLs, headers, JSON and form encoding. */
export function placeholderFor(index: number): string {
  return `__lsref${index}__`;
}

export const PLACEHOLDER = /__lsref\d+__/g;

/** A file that cannot be imported at all: unreadable, empty, or in no format this importer reads. */
export class TrafficImportError extends Error {}

export function headerValue(headers: readonly Header[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** Builds a request body from its content type and text (JSON and form bodies are parsed; others stay text). */
export function bodyFromText(text: string, contentType: string | undefined): RequestBody {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('json') || (!type && /^\s*[[{]/.test(text))) {
    try {
      return { kind: 'json', value: JSON.parse(text) };
    } catch {
      // Not JSON after all (a placeholder, a template): sent as it is.
    }
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    return { kind: 'form', fields: [...new URLSearchParams(text)].map(([n, v]) => [n, v] as const) };
  }
  return { kind: 'text', text, contentType };
}

export function emptyTraffic(format: TrafficFormat): ImportedTraffic {
  return { format, exchanges: [], skipped: [], notes: [] };
}
