// Reads Postman collections (v2.0/v2.1): folders as steps, {{variables}}, values tests store with pm.*.set(…pm.response…).
import { bodyFromText, emptyTraffic, placeholderFor, TrafficImportError, type DeclaredReference, type Header, type ImportedTraffic, type RequestBody } from './exchange';
import { environmentVariableFor, SECRET_NAME } from './secrets';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '');

interface KeyValue {
  key: string;
  value: string;
}

function keyValues(list: unknown): KeyValue[] {
  return Array.isArray(list) ? list.filter((x): x is Json => isObject(x) && x.disabled !== true).map((x) => ({ key: str(x.key), value: str(x.value) })) : [];
}

/** `pm.response.json().a.b[0]`, `jsonData.a` (after `var jsonData = pm.response.json()`) or `pm.response.headers.get("X")`. */
function sourceOf(expression: string, jsonAliases: string[]): DeclaredReference['at'] | undefined {
  const header = /^pm\.response\.headers\.get\(\s*["']([^"']+)["']\s*\)$/.exec(expression);
  if (header) return { kind: 'header', name: header[1]! };
  const prefixes = ['pm.response.json()', ...jsonAliases];
  const prefix = prefixes.find((p) => expression === p || expression.startsWith(`${p}.`) || expression.startsWith(`${p}[`));
  if (!prefix) return undefined;
  const path: (string | number)[] = [];
  const re = /\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\[["']([^"']+)["']\]/g;
  const rest = expression.slice(prefix.length);
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = re.exec(rest)) !== null) {
    if (match.index !== consumed) return undefined;
    consumed = match.index + match[0].length;
    path.push(match[2] !== undefined ? Number(match[2]) : (match[1] ?? match[3])!);
  }
  return consumed === rest.length ? { kind: 'json', path } : undefined;
}

/** The variables a request's test script sets from its response. */
function variablesSetBy(item: Json): Map<string, DeclaredReference['at']> {
  const found = new Map<string, DeclaredReference['at']>();
  const events = Array.isArray(item.event) ? item.event.filter(isObject) : [];
  for (const event of events) {
    if (event.listen !== 'test' || !isObject(event.script)) continue;
    const exec = event.script.exec;
    const code = Array.isArray(exec) ? exec.map(str).join('\n') : str(exec);
    const aliases = [...code.matchAll(/(?:var|let|const)\s+(\w+)\s*=\s*pm\.response\.json\(\)/g)].map((m) => m[1]!);
    for (const m of code.matchAll(/pm\.(?:environment|collectionVariables|globals|variables)\.set\(\s*["']([^"']+)["']\s*,\s*([^;\n]+?)\s*\)\s*;?\s*$/gm)) {
      const at = sourceOf(m[2]!.trim(), aliases);
      if (at) found.set(m[1]!, at);
    }
  }
  return found;
}

function urlOf(url: unknown): string {
  if (typeof url === 'string') return url;
  if (!isObject(url)) return '';
  if (typeof url.raw === 'string') return url.raw;
  const host = Array.isArray(url.host) ? url.host.map(str).join('.') : str(url.host);
  const path = Array.isArray(url.path) ? url.path.map(str).join('/') : str(url.path);
  const query = keyValues(url.query).map((q) => `${q.key}=${q.value}`).join('&');
  return `${str(url.protocol) || 'http'}://${host}${url.port ? `:${str(url.port)}` : ''}/${path}${query ? `?${query}` : ''}`;
}

export function readPostman(collection: Json): ImportedTraffic {
  const traffic = emptyTraffic('Postman');
  const variables = new Map(keyValues(collection.variable).map((v) => [v.key, v.value]));
  /** Variables set by earlier requests' tests: name → where the value comes from. */
  const setByRequest = new Map<string, { from: number; at: DeclaredReference['at'] }>();
  let referenceCount = 0;

  const visit = (items: unknown, folder: string | undefined, inheritedAuth: unknown): void => {
    if (!Array.isArray(items)) return;
    for (const item of items.filter(isObject)) {
      const auth = item.auth ?? inheritedAuth;
      if (Array.isArray(item.item)) {
        visit(item.item, str(item.name) || folder, isObject(item.request) ? auth : (item.auth ?? inheritedAuth));
        continue;
      }
      if (!isObject(item.request) && typeof item.request !== 'string') continue;
      const request: Json = isObject(item.request) ? item.request : { url: item.request, method: 'GET' };
      const references: DeclaredReference[] = [];
      const expand = (text: string): string =>
        text.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (whole, name: string) => {
          const declare = (ref: Omit<DeclaredReference, 'placeholder'>): string => {
            const existing = references.find((r) => r.name === ref.name);
            if (existing) return existing.placeholder;
            const placeholder = placeholderFor(referenceCount++);
            references.push({ ...ref, placeholder });
            return placeholder;
          };
          const set = setByRequest.get(name);
          if (set) return declare({ from: set.from, at: set.at, name });
          if (SECRET_NAME.test(name)) return declare({ from: -1, at: { kind: 'env', variable: environmentVariableFor(name) }, name });
          if (variables.has(name)) return expand(variables.get(name)!);
          traffic.notes.push(`{{${name}}} is not defined in the collection: it was left as it is`);
          return whole;
        });
      const method = (str(request.method) || 'GET').toUpperCase();
      const url = expand(urlOf(request.url));
      const headers: Header[] = keyValues(request.header).map((h) => [h.key, expand(h.value)] as const);
      const requestAuth = request.auth ?? auth;
      if (isObject(requestAuth) && requestAuth.type === 'bearer') {
        const token = keyValues(requestAuth.bearer).find((kv) => kv.key === 'token')?.value ?? '';
        headers.push(['Authorization', `Bearer ${expand(token)}`]);
      }
      let body: RequestBody | undefined;
      if (isObject(request.body)) {
        const b = request.body;
        if (b.mode === 'raw' && str(b.raw).trim()) {
          const language = isObject(b.options) && isObject(b.options.raw) ? str(b.options.raw.language) : '';
          const contentType = headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? (language === 'json' ? 'application/json' : undefined);
          let raw = str(b.raw);
          if (/json/i.test(contentType ?? '')) raw = raw.replace(/(^|[^"])(\{\{[^}]+\}\})(?!")/g, '$1"$2"');
          body = bodyFromText(expand(raw), contentType);
        } else if (b.mode === 'urlencoded') {
          body = { kind: 'form', fields: keyValues(b.urlencoded).map((kv) => [kv.key, expand(kv.value)] as const) };
        } else if (b.mode === 'graphql' && isObject(b.graphql)) {
          const vars = str(b.graphql.variables).trim();
          body = { kind: 'json', value: { query: str(b.graphql.query), ...(vars && { variables: JSON.parse(expand(vars)) as unknown }) } };
        } else if (b.mode === 'formdata' || b.mode === 'file') {
          traffic.notes.push(`"${str(item.name)}": a ${str(b.mode)} body is not carried over: write its files= by hand`);
        }
      }
      const name = str(item.name) || `${method} ${url}`;
      if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
        traffic.skipped.push({ what: name, why: `not an absolute http(s) URL (${url})` });
        continue;
      }
      const index = traffic.exchanges.length;
      traffic.exchanges.push({ method, url, headers, body, response: undefined, step: folder, resourceType: undefined, references });
      for (const [variable, at] of variablesSetBy(item)) setByRequest.set(variable, { from: index, at });
    }
  };
  visit(collection.item, undefined, collection.auth);
  if (!traffic.exchanges.length) throw new TrafficImportError('no request with an absolute http(s) URL in this Postman collection');
  return traffic;
}

export function isPostmanCollection(value: unknown): value is Json {
  return isObject(value) && isObject(value.info) && Array.isArray(value.item) && /schema\.getpostman\.com|_postman_id/.test(JSON.stringify(value.info));
}
