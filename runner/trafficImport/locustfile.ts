// Writes a locustfile from recorded exchanges: one User, login steps in on_start, a task per page or step, values correlated.
import { headerValue, type ImportedTraffic, type RecordedExchange } from './exchange';
import { correlate, type Substitution, type Variable } from './correlate';
import { NameScope, pyName, pyString, pyText, pyValue, type TextPart } from './pythonText';
import { keepsHeader } from './requestHeaders';
import { SECRET_NAME } from './secrets';

export interface LocustfileOptions {
  /** The host the User loads (default: the recording's main origin). */
  host?: string;
  /** FastHttpUser instead of HttpUser. */
  fastHttp?: boolean;
  /** Keep static assets (scripts, styles, images, fonts) and requests to other hosts. */
  keepStatic?: boolean;
  keepThirdParty?: boolean;
  /** Named in the header comment. */
  sourceName?: string;
}

export interface GeneratedLocustfile {
  text: string;
  /** How many requests the file makes, and what was left out (with why). */
  requestCount: number;
  leftOut: { what: string; why: string }[];
  /** Environment variables the file reads (secrets taken out of the recording). */
  environment: string[];
  /** The User class and its tasks, in file order (what "Run task once" is offered on). */
  userClass: string;
  tasks: string[];
}

/** The name of the User class a generated locustfile defines. */
export const RECORDED_USER_CLASS = 'RecordedUser';

const STATIC_TYPES = new Set(['stylesheet', 'script', 'image', 'font', 'media', 'manifest', 'texttrack', 'ping', 'imageset', 'beacon', 'csp_violation_report']);
const STATIC_PATH = /\.(css|js|mjs|map|png|jpe?g|gif|svg|webp|avif|ico|bmp|woff2?|ttf|otf|eot|mp4|webm|mp3|wav|ogg)$/i;
const STATIC_MIME = /^(image|font|audio|video)\/|^text\/css|javascript/;
/** Lines of the "left out" comment at most; the rest are counted. */
const MAX_LISTED = 25;

function isStatic(exchange: RecordedExchange): boolean {
  if (exchange.resourceType && STATIC_TYPES.has(exchange.resourceType)) return true;
  if (STATIC_PATH.test(new URL(exchange.url).pathname)) return true;
  return exchange.method === 'GET' && STATIC_MIME.test(exchange.response?.mimeType ?? '');
}

/** The origin most requests (that are not static assets) go to: the application under test. */
function mainOrigin(exchanges: readonly RecordedExchange[]): string | undefined {
  const counts = new Map<string, number>();
  for (const e of exchanges) if (!isStatic(e)) counts.set(new URL(e.url).origin, (counts.get(new URL(e.url).origin) ?? 0) + 1);
  const document = exchanges.find((e) => e.resourceType === 'document');
  if (document) return new URL(document.url).origin;
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? (exchanges[0] ? new URL(exchanges[0].url).origin : undefined);
}

function hasSecret(exchange: RecordedExchange, uses: Substitution[]): boolean {
  const body = exchange.body;
  const fields = body?.kind === 'form' ? body.fields.map(([k]) => k) : body?.kind === 'json' && body.value && typeof body.value === 'object' ? Object.keys(body.value) : [];
  return fields.some((k) => SECRET_NAME.test(k)) || uses.some((u) => u.variable.source.kind === 'env' && /PASS/i.test(u.variable.source.variable));
}

/** Splits `text` at the substitutions' literals (raw or URL-encoded) into text and expressions. */
function partsOf(text: string, uses: readonly Substitution[], expressionOf: (v: Variable) => string): TextPart[] {
  const literals = uses.flatMap((u) => [u.literal, encodeURIComponent(u.literal)].map((literal) => ({ literal, u }))).filter((l) => l.literal.length > 0);
  literals.sort((a, b) => b.literal.length - a.literal.length);
  const parts: TextPart[] = [];
  let rest = text;
  while (rest) {
    let best: { at: number; literal: string; u: Substitution } | undefined;
    for (const l of literals) {
      const at = rest.indexOf(l.literal);
      if (at >= 0 && (!best || at < best.at)) best = { at, ...l };
    }
    if (!best) {
      parts.push(rest);
      break;
    }
    if (best.at > 0) parts.push(rest.slice(0, best.at));
    // Values from markup, headers and the environment are str; a JSON value may be a number and is formatted.
    parts.push({ expression: expressionOf(best.u.variable), isText: best.u.variable.source.kind !== 'json' });
    rest = rest.slice(best.at + best.literal.length);
  }
  return parts;
}

/** The value for a JSON leaf or form field: the variable itself when the whole value is one (keeping its type). */
function leafExpression(value: string | number, uses: readonly Substitution[], expressionOf: (v: Variable) => string): string | undefined {
  const text = String(value);
  const whole = uses.find((u) => u.literal === text);
  if (whole) return expressionOf(whole.variable);
  const parts = partsOf(text, uses, expressionOf);
  return parts.some((p) => typeof p !== 'string') ? pyText(parts) : undefined;
}

/** The request's `name=`: ids and correlated values in the path and query replaced by [id] (or [name]). */
function groupedName(pathAndQuery: string, uses: readonly Substitution[]): string | undefined {
  const url = new URL(pathAndQuery, 'http://x');
  const literals = new Set(uses.flatMap((u) => [u.literal, encodeURIComponent(u.literal)]));
  const idSegment = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,})$/i;
  const path = url.pathname
    .split('/')
    .map((s) => (literals.has(s) || idSegment.test(s) ? '[id]' : s))
    .join('/');
  const query = [...url.searchParams].map(([k, v]) => `${k}=${literals.has(v) || idSegment.test(v) ? '[id]' : v}`).join('&');
  const name = query ? `${path}?${query}` : path;
  return name === decodeURIComponent(pathAndQuery) || name === pathAndQuery ? undefined : name;
}

/** Lines wider than this (inside a method) put each argument of a call on a line of its own. */
const MAX_LINE = 110;

/** A call on one line, or one argument a line (with a trailing comma) when it is too wide: as black would write it. */
function callLines(prefix: string, fn: string, args: string[]): string[] {
  const oneLine = `${prefix}${fn}(${args.join(', ')})`;
  if (oneLine.length + 8 <= MAX_LINE) return [oneLine];
  return [`${prefix}${fn}(`, ...args.map((a) => `    ${a},`), ')'];
}

/** A regular expression as a Python raw string when it can be one (easier to read), else as an ordinary literal. */
function pyPattern(pattern: string): string {
  return /['\n\r]|\\$/.test(pattern) ? pyString(pattern) : `r'${pattern}'`;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The pattern that finds a tag's attribute by the tag's name: the plain one (name="…" before value="…", as templates
 * write it) when the recorded page matches it or no page was recorded, else one for any order and quotes.
 */
function markupPattern(tag: 'input' | 'meta', name: string, attribute: 'value' | 'content', recorded: string | undefined): string {
  const plain = `name="${escapeRegExp(name)}"[^>]*${attribute}="([^"]*)"`;
  if (recorded === undefined || new RegExp(plain).test(recorded)) return plain;
  return `<${tag}(?=[^>]*name=["']${escapeRegExp(name)}["'])[^>]*${attribute}=["']([^"']*)["']`;
}

function extraction(variable: Variable, recorded: string | undefined): { code: string; needsRe: boolean } {
  const source = variable.source;
  const search = (pattern: string) => ({ code: `re.search(${pyPattern(pattern)}, response.text).group(1)`, needsRe: true });
  switch (source.kind) {
    case 'json':
      return { code: `response.json()${source.path.map((p) => `[${typeof p === 'number' ? p : pyString(p)}]`).join('')}`, needsRe: false };
    case 'header':
      return { code: `response.headers[${pyString(source.name)}]`, needsRe: false };
    case 'formField':
      return search(markupPattern('input', source.field, 'value', recorded));
    case 'meta':
      return search(markupPattern('meta', source.name, 'content', recorded));
    case 'csrfMarkup':
      return search('name="[^"]*(?:csrf|xsrf)[^"]*"[^>]*(?:content|value)="([^"]*)"');
    case 'env':
      return { code: `os.environ[${pyString(source.variable)}]`, needsRe: false };
  }
}

export function generateLocustfile(traffic: ImportedTraffic, options: LocustfileOptions = {}): GeneratedLocustfile {
  const origin = mainOrigin(traffic.exchanges);
  const leftOut = traffic.skipped.map((s) => ({ what: s.what, why: s.why }));
  const kept: RecordedExchange[] = [];
  for (const e of traffic.exchanges) {
    const where = new URL(e.url).origin;
    if (e.method === 'OPTIONS' && headerValue(e.headers, 'access-control-request-method')) leftOut.push({ what: `OPTIONS ${e.url}`, why: 'CORS preflight (browsers send it, HTTP clients need not)' });
    else if (!options.keepStatic && isStatic(e)) leftOut.push({ what: `${e.method} ${e.url}`, why: 'static asset' });
    else if (!options.keepThirdParty && where !== origin) leftOut.push({ what: `${e.method} ${e.url}`, why: 'another host' });
    else kept.push(e);
  }
  const { variables, uses } = correlate(kept);

  // Login: everything up to the first request that sends a password, then the requests right after it whose values later requests send.
  const login = kept.findIndex((e, i) => hasSecret(e, uses[i]!));
  let onStartEnd = login;
  if (login >= 0) {
    // A value sent in a header of later requests (a bearer token) belongs to the login; ids and the like do not.
    const inHeaderLater = (i: number) =>
      variables.some((v) => v.producer === i && uses.some((u, j) => j > i && u.some((s) => s.variable === v && kept[j]!.headers.some(([, value]) => value.includes(s.literal)))));
    while (onStartEnd + 1 < kept.length && inHeaderLater(onStartEnd + 1)) onStartEnd++;
  }
  const stepOf = (i: number) => (i <= onStartEnd ? 'on_start' : (kept[i]!.step ?? `#${i}`));

  // Tasks: runs of requests of one page or step; steps joined when a value crosses from one to a later one (each task runs on its own).
  const groups: number[][] = [];
  kept.forEach((_e, i) => {
    if (i <= onStartEnd) return;
    const last = groups.at(-1);
    if (last && stepOf(last.at(-1)!) === stepOf(i)) last.push(i);
    else groups.push([i]);
  });
  const groupOf = new Map<number, number>();
  groups.forEach((group, g) => group.forEach((i) => groupOf.set(i, g)));
  for (let g = groups.length - 1; g > 0; g--) {
    const from = Math.min(g, ...groups[g]!.flatMap((i) => uses[i]!.map((u) => groupOf.get(u.variable.producer) ?? g)));
    if (from === g) continue;
    // Groups before `from` keep their places; the joined group is looked at again (it may reach further back).
    const joined = groups.slice(from, g + 1).flat();
    groups.splice(from, g - from + 1, joined);
    for (const i of joined) groupOf.set(i, from);
    g = from + 1;
  }

  // Values from on_start that tasks use live on the user; the rest are local variables where they are made.
  const userScoped = new Set(variables.filter((v) => v.producer >= 0 && v.producer <= onStartEnd && uses.some((u, j) => j > onStartEnd && u.some((s) => s.variable === v))));
  const userNames = new NameScope(['client', 'host', 'wait_time', 'tasks', 'environment', 'on_start', 'on_stop']);
  const localName = new Map<Variable, string>();
  for (const v of variables) if (userScoped.has(v)) localName.set(v, userNames.take(pyName(v.name, 'value')));
  const expressionOf = (v: Variable): string => {
    if (v.source.kind === 'env') return extraction(v, undefined).code;
    return userScoped.has(v) ? `self.${localName.get(v)!}` : localName.get(v)!;
  };
  let needsRe = false;
  let needsBase64 = false;
  const environment = new Set(variables.flatMap((v) => (v.source.kind === 'env' ? [v.source.variable] : [])));

  // Headers every task request sends alike with a value from the login (a bearer token): set once on the session (HttpUser's
  // requests session; FastHttpUser's client has no shared headers in every Locust, so it keeps them per request).
  const sessionHeaders = new Map<string, readonly [name: string, text: string]>();
  const renderedHeaders = (j: number) =>
    new Map(kept[j]!.headers.filter(([n, v]) => keepsHeader(n, v, kept[j]!.body?.kind)).map(([n, v]) => [n.toLowerCase(), [n, pyText(partsOf(v, uses[j]!, expressionOf))] as const]));
  if (!options.fastHttp && onStartEnd >= 0 && onStartEnd + 1 < kept.length) {
    const later = kept.slice(onStartEnd + 1).map((_e, k) => renderedHeaders(onStartEnd + 1 + k));
    for (const [lower, [name, text]] of later[0]!) {
      if (text.includes('self.') && later.every((headers) => headers.get(lower)?.[1] === text)) sessionHeaders.set(lower, [name, text]);
    }
  }

  const requestLines = (i: number, scope: NameScope): string[] => {
    const e = kept[i]!;
    const subs = uses[i]!;
    const url = new URL(e.url);
    const target = url.origin === origin ? `${url.pathname}${url.search}` : e.url;
    const args = [pyText(partsOf(target, subs, expressionOf))];
    const name = groupedName(url.origin === origin ? target : `${url.pathname}${url.search}`, subs);
    if (name) args.push(`name=${pyString(name)}`);
    const body = e.body;
    if (body?.kind === 'json') args.push(`json=${pyValue(body.value, (leaf) => leafExpression(leaf, subs, expressionOf))}`);
    else if (body?.kind === 'form') {
      const fields = body.fields.map(([k, v]) => `${pyString(k)}: ${leafExpression(v, subs, expressionOf) ?? pyString(v)}`);
      args.push(`data={${fields.join(', ')}}`);
    } else if (body?.kind === 'text') args.push(`data=${pyText(partsOf(body.text, subs, expressionOf))}`);
    else if (body?.kind === 'binary') {
      needsBase64 = true;
      args.push(`data=base64.b64decode(${pyString(body.base64)})`);
    }
    const headers = e.headers.filter(([n, v]) => keepsHeader(n, v, body?.kind) && !(i > onStartEnd && sessionHeaders.has(n.toLowerCase())));
    if (headers.length) args.push(`headers={${headers.map(([n, v]) => `${pyString(n)}: ${pyText(partsOf(v, subs, expressionOf))}`).join(', ')}}`);
    const method = e.method.toLowerCase();
    const [fn, allArgs] = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'].includes(method)
      ? [`self.client.${method}`, args]
      : ['self.client.request', [pyString(e.method), ...args]];
    const produced = variables.filter((v) => v.producer === i);
    const lines = callLines(produced.length ? 'response = ' : '', fn, allArgs);
    if (!produced.length) return lines;
    for (const v of produced) {
      const { code, needsRe: re } = extraction(v, kept[v.producer]?.response?.text);
      needsRe ||= re;
      const assigned = userScoped.has(v) ? `self.${localName.get(v)!}` : (localName.get(v) ?? localName.set(v, scope.take(pyName(v.name, 'value'))).get(v)!);
      if (v.guessed) lines.push(`# Guessed from the request's place in the flow (no response was recorded): check it.`);
      lines.push(`${assigned} = ${code}`);
    }
    return lines;
  };

  // A step the recording repeats (the same requests, ids aside) is one task whose weight is how often it was seen.
  const signatureOf = (group: number[]) =>
    group
      .map((i) => {
        const url = new URL(kept[i]!.url);
        return `${kept[i]!.method} ${url.origin} ${groupedName(`${url.pathname}${url.search}`, uses[i]!) ?? `${url.pathname}${url.search}`}`;
      })
      .join('\n');
  const weighted: { group: number[]; weight: number }[] = [];
  const bySignature = new Map<string, { group: number[]; weight: number }>();
  for (const group of groups) {
    const signature = signatureOf(group);
    const seen = bySignature.get(signature);
    if (seen) seen.weight++;
    else {
      const entry = { group, weight: 1 };
      bySignature.set(signature, entry);
      weighted.push(entry);
    }
  }

  const taskNames = new NameScope(['on_start', 'on_stop']);
  const tasks: string[] = [];
  const body: string[] = [];
  if (onStartEnd >= 0) {
    body.push('    def on_start(self):');
    body.push('        # The login steps, once per user: their values are kept on the user for the tasks.');
    const scope = new NameScope();
    for (let i = 0; i <= onStartEnd; i++) body.push(...requestLines(i, scope).map((l) => `        ${l}`));
    if (sessionHeaders.size) body.push('        # Every later request sends it: the session keeps it.');
    for (const [name, text] of sessionHeaders.values()) body.push(`        self.client.headers[${pyString(name)}] = ${text}`);
    body.push('');
  }
  for (const { group, weight } of weighted) {
    const first = kept[group[0]!]!;
    const document = group.map((i) => kept[i]!).find((e) => e.resourceType === 'document') ?? first;
    const path = new URL(document.url).pathname.split('/').filter((s) => s && !/^\d+$/.test(s)).join('_');
    const label = first.step && !first.step.startsWith('page_') && traffic.format !== 'HAR' ? first.step : `${document.method === 'GET' ? '' : `${document.method}_`}${path || 'index'}`;
    body.push(weight > 1 ? `    @task(${weight})` : '    @task');
    const taskName = taskNames.take(pyName(label, 'step'));
    tasks.push(taskName);
    body.push(`    def ${taskName}(self):`);
    const scope = new NameScope();
    for (const i of group) body.push(...requestLines(i, scope).map((l) => `        ${l}`));
    body.push('');
  }
  if (!groups.length) tasks.push('idle');
  if (!groups.length) body.push('    @task', '    def idle(self):', '        # Every recorded request went to on_start or was left out (see above).', '        pass', '');

  const userClass = options.fastHttp ? 'FastHttpUser' : 'HttpUser';
  const host = options.host ?? origin ?? 'http://127.0.0.1:8080';
  const header = [`# A locustfile made by Locust Studio from ${options.sourceName ?? 'a recording'} (${traffic.format}: ${kept.length} recorded request${kept.length === 1 ? '' : 's'} kept).`];
  if (variables.some((v) => v.producer >= 0)) header.push('# Values the server issued (tokens, CSRF fields, ids) are taken from its responses, as in the recording.');
  if (environment.size) header.push(`# Secrets from the recording are not kept here: set ${[...environment].join(', ')} in the environment before running.`);
  for (const note of traffic.notes) header.push(`# Note: ${note}`);
  if (leftOut.length) {
    // The same request left out again (a stylesheet on every page) is one line with its count.
    const lines = new Map<string, number>();
    for (const item of leftOut) {
      const line = `${item.what.replace(/[\r\n]/g, ' ').slice(0, 160)} (${item.why})`;
      lines.set(line, (lines.get(line) ?? 0) + 1);
    }
    header.push(`# Left out (${leftOut.length}):`);
    for (const [line, count] of [...lines].slice(0, MAX_LISTED)) header.push(`#   ${line}${count > 1 ? ` ×${count}` : ''}`);
    if (lines.size > MAX_LISTED) header.push(`#   … and ${lines.size - MAX_LISTED} more`);
  }
  const imports = [environment.size ? 'import os' : '', needsRe ? 'import re' : '', needsBase64 ? 'import base64' : ''].filter(Boolean).sort();
  const text = [
    ...header,
    ...imports,
    ...(imports.length ? [''] : []),
    `from locust import ${userClass}, between, task`,
    '',
    '',
    `class ${RECORDED_USER_CLASS}(${userClass}):`,
    `    host = ${pyString(host)}`,
    '    wait_time = between(1, 3)',
    '',
    ...body,
  ]
    .join('\n')
    .replace(/\n+$/, '\n');
  return { text, requestCount: kept.length, leftOut, environment: [...environment], userClass: RECORDED_USER_CLASS, tasks };
}
