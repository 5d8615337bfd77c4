// Python string literals read from their source text: the value Python gets, and where each of its characters was written.

/** One string literal as written: `r"…"`, `'''…'''`, `f"…"`, `b'…'`. */
export interface WrittenString {
  /** The text between the quotes, as written. */
  content: string;
  /** Where `content` starts in the literal's text (prefix and opening quote before it). */
  contentStart: number;
  raw: boolean;
  /** An f-string: its value depends on the running program wherever it has a `{…}`. */
  formatted: boolean;
  bytes: boolean;
}

const LITERAL = /^([rRbBuUfF]{0,2})('''|"""|'|")/;

/** The parts of a literal's text; null when it is not one (or is cut short). */
export function writtenString(text: string): WrittenString | null {
  const match = LITERAL.exec(text);
  if (!match) return null;
  const prefix = match[1]!.toLowerCase();
  const quote = match[2]!;
  const contentStart = match[0].length;
  if (text.length < contentStart + quote.length || !text.endsWith(quote)) return null;
  return {
    content: text.slice(contentStart, text.length - quote.length),
    contentStart,
    raw: prefix.includes('r'),
    formatted: prefix.includes('f'),
    bytes: prefix.includes('b'),
  };
}

/** The value of a string's content, and for each of its UTF-16 units the offset in `content` where it was written. */
export interface DecodedString {
  value: string;
  /** `sources[i]`: where value unit i starts in the content; `sources[value.length]` is the content's length. */
  sources: number[];
}

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
const ESCAPE = /\\(\r\n|\n|\r|[\\'"abfnrtv]|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/g;

/**
 * Python's escape sequences in a (non-raw) str literal; `\N{name}` and unknown escapes stay as written, as Python keeps
 * those it does not know (and names are not worth a table here).
 */
export function decodeContent(content: string, raw: boolean): DecodedString {
  const sources: number[] = [];
  if (raw || !content.includes('\\')) {
    for (let i = 0; i <= content.length; i++) sources.push(i);
    return { value: content, sources };
  }
  let value = '';
  let from = 0;
  const keep = (to: number) => {
    for (let i = from; i < to; i++) sources.push(i);
    value += content.slice(from, to);
  };
  ESCAPE.lastIndex = 0;
  for (let match = ESCAPE.exec(content); match; match = ESCAPE.exec(content)) {
    keep(match.index);
    const escape = match[1]!;
    let decoded: string;
    if (escape in SIMPLE_ESCAPES) decoded = SIMPLE_ESCAPES[escape]!;
    else if (escape === '\n' || escape === '\r' || escape === '\r\n') decoded = '';
    else {
      const code = /^[0-7]/.test(escape) ? parseInt(escape, 8) : parseInt(escape.slice(1), 16);
      decoded = code <= 0x10ffff ? String.fromCodePoint(code) : match[0];
    }
    // Every unit an escape produces points at the backslash: a span that starts inside it covers the whole escape.
    for (let i = 0; i < decoded.length; i++) sources.push(match.index);
    value += decoded;
    from = match.index + match[0].length;
  }
  keep(content.length);
  sources.push(content.length);
  return { value, sources };
}

/** The value of a literal's text (escapes decoded), or null for bytes, f-strings with a `{…}`, and anything that is no literal. */
export function literalValue(text: string): string | null {
  const written = writtenString(text);
  if (!written || written.bytes) return null;
  if (written.formatted && /[{}]/.test(written.content)) return null;
  return decodeContent(written.content, written.raw).value;
}
