// Expands a VS Code snippet body the way accepting every default would: placeholders, choices (first), escapes.

/** Returns the text of `body` with each tabstop replaced by its default (first choice, placeholder text, or nothing). */
export function expandSnippet(body: string): string {
  return parse(body, 0, false).text;
}

function parse(s: string, start: number, insidePlaceholder: boolean): { text: string; end: number } {
  let text = '';
  let i = start;
  while (i < s.length) {
    const c = s[i]!;
    const next = s[i + 1];
    if (c === '\\' && next !== undefined && '$}\\,|'.includes(next)) {
      text += next;
      i += 2;
    } else if (c === '}' && insidePlaceholder) {
      return { text, end: i + 1 };
    } else if (c === '$' && next !== undefined && /\d/.test(next)) {
      i++;
      while (i < s.length && /\d/.test(s[i]!)) i++;
    } else if (c === '$' && next === '{') {
      let j = i + 2;
      while (j < s.length && /[\w]/.test(s[j]!)) j++;
      const kind = s[j];
      if (kind === ':') {
        const inner = parse(s, j + 1, true);
        text += inner.text;
        i = inner.end;
      } else if (kind === '|') {
        const close = s.indexOf('|}', j + 1);
        if (close < 0) throw new Error(`unterminated choice at ${i}`);
        const first = s.slice(j + 1, close).split(/(?<!\\),/)[0] ?? '';
        text += first.replace(/\\(.)/g, '$1');
        i = close + 2;
      } else if (kind === '}') {
        i = j + 1;
      } else {
        throw new Error(`unsupported snippet syntax at ${i}: ${s.slice(i, i + 20)}`);
      }
    } else {
      text += c;
      i++;
    }
  }
  if (insidePlaceholder) throw new Error('unterminated placeholder');
  return { text, end: i };
}
