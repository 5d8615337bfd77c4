// Python source text for generated locustfiles: string literals, f-strings with variables, literals of JSON values, names.

/** A double-quoted Python string literal (JSON's escapes are all valid Python escapes). */
export function pyString(text: string): string {
  return JSON.stringify(text);
}

/** A piece of text where some parts are Python expressions (`isText`: one that is a str already). */
export type TextPart = string | { expression: string; isText: boolean };

/** A string literal, or an f-string when expressions are in it (a lone expression is still turned into text). */
export function pyText(parts: TextPart[]): string {
  if (parts.every((p) => typeof p === 'string')) return pyString(parts.join(''));
  const [only] = parts;
  if (parts.length === 1 && typeof only !== 'string' && only!.isText) return only!.expression;
  // Before Python 3.12 an f-string's expressions cannot hold its own quote character.
  const inner = parts
    .map((p) => (typeof p === 'string' ? pyString(p).slice(1, -1).replace(/\{/g, '{{').replace(/\}/g, '}}') : `{${p.expression.replace(/"/g, "'")}}`))
    .join('');
  return `f"${inner}"`;
}

/** A Python literal of a JSON value; `leaf` may replace a string or number by an expression. */
export function pyValue(value: unknown, leaf: (value: string | number) => string | undefined, indent = ''): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number' || typeof value === 'string') return leaf(value) ?? (typeof value === 'number' ? String(value) : pyString(value));
  if (Array.isArray(value)) return `[${value.map((v) => pyValue(v, leaf, indent)).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyString(k)}: ${pyValue(v, leaf, indent)}`);
    return `{${entries.join(', ')}}`;
  }
  return 'None';
}

const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield self response re os base64 json'.split(' '),
);

/** A snake_case Python identifier from free text, never a keyword or a name the generated file uses itself. */
export function pyName(text: string, fallback: string): string {
  let name = text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  if (!name) name = fallback;
  if (/^\d/.test(name)) name = `${fallback}_${name}`;
  if (KEYWORDS.has(name)) name = `${name}_value`;
  return name.slice(0, 60);
}

/** Makes names unique within one scope: the second "token" is "token_2". */
export class NameScope {
  private readonly used = new Set<string>();
  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.used.add(name);
  }
  take(name: string): string {
    let candidate = name;
    for (let n = 2; this.used.has(candidate); n++) candidate = `${name}_${n}`;
    this.used.add(candidate);
    return candidate;
  }
}
