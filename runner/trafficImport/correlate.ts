// Correlation without an LLM: finds values the server issued that the client sent back, and where to take them from.
import type { RecordedExchange } from './exchange';
import { keepsHeader } from './requestHeaders';
import { environmentVariableFor, SECRET_NAME } from './secrets';

export type ValueSource =
  | { kind: 'json'; path: (string | number)[] }
  | { kind: 'header'; name: string }
  | { kind: 'formField'; field: string }
  | { kind: 'meta'; name: string }
  | { kind: 'csrfMarkup' }
  | { kind: 'env'; variable: string };

export interface Variable {
  /** The name the generator gives it (made unique there). */
  name: string;
  /** The exchange whose response holds it; -1 for an environment variable. */
  producer: number;
  source: ValueSource;
  /** Found by name and position alone (the recording has no response to confirm it): the file says so. */
  guessed: boolean;
}

/** A literal in a request (or a reader's placeholder) that the generator writes as a variable. */
export interface Substitution {
  literal: string;
  variable: Variable;
}

export interface Correlation {
  variables: Variable[];
  /** Per exchange, the substitutions in its request. */
  uses: Substitution[][];
}

const CSRF_NAME = /csrf|xsrf|authenticity_token|requestverificationtoken|^_token$/i;
const ID_KEY = /(^|[_-])id$|[a-z]Id$|^id$|^uuid$|token|csrf|xsrf|session|nonce|^key$/i;
const ID_SEGMENT = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|[A-Za-z0-9_-]{20,})$/i;
const TOKEN_PATH = /token|login|signin|sign-in|auth|session/i;
/** Responses larger than this are not searched for values (a page of JSON is far smaller). */
const MAX_SEARCHED_RESPONSE = 2 * 1024 * 1024;
/** Leaves read from one JSON response at most. */
const MAX_LEAVES = 5_000;

interface SentValue {
  value: string;
  key: string | undefined;
  where: 'bearer' | 'header' | 'path' | 'query' | 'form' | 'json';
}

function jsonLeaves(value: unknown, visit: (leaf: string | number, path: (string | number)[]) => void, path: (string | number)[] = [], budget = { left: MAX_LEAVES }): void {
  if (budget.left <= 0) return;
  if (typeof value === 'string' || typeof value === 'number') {
    budget.left--;
    visit(value, path);
  } else if (Array.isArray(value)) value.forEach((v, i) => jsonLeaves(v, visit, [...path, i], budget));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) jsonLeaves(v, visit, [...path, k], budget);
}

export function sentValues(exchange: RecordedExchange): SentValue[] {
  const values: SentValue[] = [];
  const bodyKind = exchange.body?.kind;
  for (const [name, value] of exchange.headers) {
    if (!keepsHeader(name, value, bodyKind)) continue;
    const bearer = /^Bearer\s+(\S+)$/i.exec(value);
    if (bearer) values.push({ value: bearer[1]!, key: 'authorization', where: 'bearer' });
    else values.push({ value, key: name, where: 'header' });
  }
  const url = new URL(exchange.url);
  for (const segment of url.pathname.split('/')) {
    if (!segment) continue;
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      // A stray % stays as it is.
    }
    values.push({ value: decoded, key: undefined, where: 'path' });
  }
  for (const [key, value] of url.searchParams) values.push({ value, key, where: 'query' });
  const body = exchange.body;
  if (body?.kind === 'form') for (const [key, value] of body.fields) values.push({ value, key, where: 'form' });
  if (body?.kind === 'json') jsonLeaves(body.value, (leaf, path) => values.push({ value: String(leaf), key: String(path.at(-1) ?? ''), where: 'json' }));
  return values;
}

/** Whether a sent value is worth looking for in earlier responses (not a short word, flag or small count). */
function worthCorrelating(sent: SentValue): boolean {
  if (sent.value.length < 1 || /^(true|false|null|undefined)$/i.test(sent.value)) return false;
  const idLike = sent.key !== undefined && ID_KEY.test(sent.key);
  if (/^\d+$/.test(sent.value)) return idLike || sent.where === 'path' || sent.where === 'query';
  if (sent.value.length >= 8) return true;
  return idLike && sent.value.length >= 4;
}

interface Issued {
  producer: number;
  source: ValueSource;
  key: string;
}

/** Values a response issued, by value: JSON leaves, HTML form fields and meta tags, headers. */
function issuedValues(exchange: RecordedExchange, producer: number, into: Map<string, Issued>): void {
  const response = exchange.response;
  if (!response) return;
  for (const [name, value] of response.headers) {
    if (/^(date|content-|set-cookie|etag|last-modified|server|connection|keep-alive|vary|expires|cache-control|age)/i.test(name)) continue;
    if (value.length >= 8) into.set(value, { producer, source: { kind: 'header', name }, key: name });
  }
  const text = response.text;
  if (text === undefined || text.length > MAX_SEARCHED_RESPONSE) return;
  if (response.mimeType.includes('json') || /^\s*[[{]/.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (parsed !== undefined) {
      jsonLeaves(parsed, (leaf, path) => {
        const key = String(path.filter((p) => typeof p === 'string').at(-1) ?? '');
        const value = String(leaf);
        // Numbers only count as issued when they are ids (a count of 2 is no id).
        if (typeof leaf === 'number' && !ID_KEY.test(key)) return;
        into.set(value, { producer, source: { kind: 'json', path }, key });
      });
      return;
    }
  }
  if (response.mimeType.includes('html') || /<(input|meta)\b/i.test(text)) {
    for (const tag of text.matchAll(/<(input|meta)\b[^>]*>/gi)) {
      const name = /\bname\s*=\s*["']([^"']+)["']/i.exec(tag[0])?.[1];
      const value = /\b(?:value|content)\s*=\s*["']([^"']*)["']/i.exec(tag[0])?.[1];
      if (!name || !value) continue;
      into.set(value, { producer, source: tag[1]!.toLowerCase() === 'input' ? { kind: 'formField', field: name } : { kind: 'meta', name }, key: name });
    }
  }
}

/** The name a variable gets from where it comes: its key, or for a bare "id" the resource it belongs to ("order_id"). */
function variableName(key: string, producer: RecordedExchange | undefined): string {
  if (/^id$/i.test(key) && producer) {
    const resource = new URL(producer.url).pathname.split('/').filter((s) => s && !ID_SEGMENT.test(s)).at(-1);
    if (resource) return `${resource.replace(/ies$/, 'y').replace(/s$/, '')}_id`;
  }
  return key || 'value';
}

export function correlate(exchanges: readonly RecordedExchange[]): Correlation {
  const variables: Variable[] = [];
  const byOrigin = new Map<string, Variable>();
  const variableFor = (producer: number, source: ValueSource, name: string, guessed: boolean): Variable => {
    const key = `${producer}|${JSON.stringify(source)}`;
    let variable = byOrigin.get(key);
    if (!variable) {
      variable = { name, producer, source, guessed };
      byOrigin.set(key, variable);
      variables.push(variable);
    }
    return variable;
  };
  const issued = new Map<string, Issued>();
  const firstSent = new Map<string, number>();
  const uses: Substitution[][] = [];
  const history = new FlowHistory();

  exchanges.forEach((exchange, index) => {
    const sentByThisRequest = sentValues(exchange);
    const substitutions: Substitution[] = [];
    const substituted = new Set<string>();
    const use = (literal: string, variable: Variable) => {
      if (substituted.has(literal)) return;
      substituted.add(literal);
      substitutions.push({ literal, variable });
    };
    for (const ref of exchange.references) {
      const source: ValueSource = ref.at.kind === 'env' ? { kind: 'env', variable: ref.at.variable } : ref.at;
      use(ref.placeholder, variableFor(ref.at.kind === 'env' ? -1 : ref.from, source, ref.at.kind === 'env' ? ref.name : variableName(ref.name, exchanges[ref.from]), false));
    }
    for (const sent of sentByThisRequest) {
      if (substituted.has(sent.value) || /__lsref\d+__/.test(sent.value)) continue;
      const found = worthCorrelating(sent) ? issued.get(sent.value) : undefined;
      const known = firstSent.get(sent.value);
      if (found && (known === undefined || known > found.producer)) {
        use(sent.value, variableFor(found.producer, found.source, variableName(found.key, exchanges[found.producer]), false));
        continue;
      }
      const guess = guessedSource(exchanges, index, sent, history);
      if (guess) {
        use(sent.value, variableFor(guess.producer, guess.source, guess.name, guess.guessed));
        continue;
      }
      if (sent.key !== undefined && (SECRET_NAME.test(sent.key) || sent.where === 'bearer') && sent.where !== 'path') {
        const variable = environmentVariableFor(sent.where === 'bearer' ? 'token' : sent.key);
        use(sent.value, variableFor(-1, { kind: 'env', variable }, variable.toLowerCase(), false));
      }
    }
    for (const sent of sentByThisRequest) if (!firstSent.has(sent.value)) firstSent.set(sent.value, index);
    issuedValues(exchange, index, issued);
    history.add(exchange, index);
    uses.push(substitutions);
  });
  return { variables, uses };
}

/** What the guesses look back for, kept as the exchanges go by (so a long recording costs one pass). */
class FlowHistory {
  lastGet = -1;
  lastLogin = -1;
  readonly lastPostTo = new Map<string, number>();
  add(exchange: RecordedExchange, index: number): void {
    if (exchange.method === 'GET') this.lastGet = index;
    if (exchange.method !== 'POST') return;
    const url = new URL(exchange.url);
    if (TOKEN_PATH.test(url.pathname) || hasSecretField(exchange)) this.lastLogin = index;
    this.lastPostTo.set(`${url.origin}${url.pathname.replace(/\/$/, '')}`, index);
  }
}

/**
 * Where a value probably comes from when no recorded response holds it (curl lists, .http files, HAR files without
 * bodies): a CSRF field from the page fetched before, a bearer token from the login before, an id from the POST that
 * created the resource.
 */
function guessedSource(exchanges: readonly RecordedExchange[], index: number, sent: SentValue, history: FlowHistory): { producer: number; source: ValueSource; name: string; guessed: boolean } | undefined {
  if (sent.key !== undefined && CSRF_NAME.test(sent.key) && sent.where !== 'path') {
    const page = history.lastGet;
    if (page < 0) return undefined;
    const source: ValueSource = sent.where === 'form' || sent.where === 'json' || sent.where === 'query' ? { kind: 'formField', field: sent.key } : { kind: 'csrfMarkup' };
    return { producer: page, source, name: sent.where === 'header' ? 'csrf_token' : sent.key, guessed: exchanges[page]!.response?.text === undefined };
  }
  if (sent.where === 'bearer') {
    const login = history.lastLogin;
    if (login < 0) return undefined;
    const key = tokenKeyIn(exchanges[login]!) ?? 'token';
    return { producer: login, source: { kind: 'json', path: [key] }, name: 'token', guessed: true };
  }
  if (sent.where === 'path' && /^\d+$|^[0-9a-f-]{16,}$/i.test(sent.value)) {
    const url = new URL(exchanges[index]!.url);
    const segments = url.pathname.split('/');
    const at = segments.indexOf(encodeURIComponent(sent.value));
    if (at < 1) return undefined;
    const created = history.lastPostTo.get(`${url.origin}${segments.slice(0, at).join('/')}`);
    if (created === undefined) return undefined;
    return { producer: created, source: { kind: 'json', path: ['id'] }, name: variableName('id', exchanges[created]), guessed: true };
  }
  return undefined;
}

function hasSecretField(exchange: RecordedExchange): boolean {
  const body = exchange.body;
  if (body?.kind === 'form') return body.fields.some(([k]) => SECRET_NAME.test(k));
  if (body?.kind === 'json' && body.value && typeof body.value === 'object') return Object.keys(body.value).some((k) => SECRET_NAME.test(k));
  return false;
}

/** A token-like top-level key of an exchange's recorded JSON response, when there is one. */
function tokenKeyIn(exchange: RecordedExchange): string | undefined {
  try {
    const parsed = JSON.parse(exchange.response?.text ?? '') as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return Object.keys(parsed).find((k) => /token/i.test(k));
  } catch {
    return undefined;
  }
  return undefined;
}

