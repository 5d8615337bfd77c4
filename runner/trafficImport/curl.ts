// Reads a list of curl commands (as browsers' "Copy as cURL (bash)" and API docs write them) into recorded exchanges.
import { bodyFromText, emptyTraffic, TrafficImportError, type Header, type ImportedTraffic, type RequestBody } from './exchange';

/** curl options that take a value and do not change the request the generator writes. */
const IGNORED_WITH_VALUE = new Set([
  '-o', '--output', '-m', '--max-time', '--connect-timeout', '-w', '--write-out', '--retry', '-x', '--proxy', '--cacert', '--cert',
  '--key', '-c', '--cookie-jar', '--resolve', '--limit-rate', '-r', '--range', '--max-redirs', '-D', '--dump-header', '--url-query',
]);

/**
 * Splits shell text into commands of words (bash quoting: '…', "…", $'…', backslash escapes and line continuations;
 * commands end at a newline, ";" or "&&" outside quotes).
 */
export function shellCommands(source: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endCommand = () => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\' && source[i + 1] === '\n') {
      i++;
    } else if (c === '\\' && source[i + 1] === '\r' && source[i + 2] === '\n') {
      i += 2;
    } else if (c === '\\') {
      word = (word ?? '') + (source[++i] ?? '');
    } else if (c === "'") {
      const end = source.indexOf("'", i + 1);
      if (end < 0) throw new TrafficImportError(`unterminated ' quote in the curl commands (at character ${i + 1})`);
      word = (word ?? '') + source.slice(i + 1, end);
      i = end;
    } else if (c === '$' && source[i + 1] === "'") {
      let text = '';
      for (i += 2; i < source.length && source[i] !== "'"; i++) {
        if (source[i] !== '\\') text += source[i];
        else {
          const next = source[++i]!;
          const hex = /^x([0-9a-fA-F]{1,2})|^u([0-9a-fA-F]{4})/.exec(source.slice(i, i + 5));
          if (hex) {
            text += String.fromCharCode(parseInt(hex[1] ?? hex[2]!, 16));
            i += hex[0].length - 1;
          } else text += ({ n: '\n', r: '\r', t: '\t', '0': '\0' } as Record<string, string>)[next] ?? next;
        }
      }
      word = (word ?? '') + text;
    } else if (c === '"') {
      let text = '';
      for (i++; i < source.length && source[i] !== '"'; i++) {
        if (source[i] === '\\' && /["\\$`\n]/.test(source[i + 1] ?? '')) i++;
        text += source[i];
      }
      if (i >= source.length) throw new TrafficImportError('unterminated " quote in the curl commands');
      word = (word ?? '') + text;
    } else if (c === '\n' || c === ';' || (c === '&' && source[i + 1] === '&')) {
      if (c === '&') i++;
      endCommand();
    } else if (c === '#' && word === undefined) {
      while (i < source.length && source[i] !== '\n') i++;
      endCommand();
    } else if (/\s/.test(c)) {
      endWord();
    } else {
      word = (word ?? '') + c;
    }
  }
  endCommand();
  return commands;
}

export function readCurl(source: string): ImportedTraffic {
  const traffic = emptyTraffic('curl');
  for (const words of shellCommands(source)) {
    if (words[0] !== 'curl') {
      traffic.skipped.push({ what: words.join(' ').slice(0, 80), why: 'not a curl command' });
      continue;
    }
    let method: string | undefined;
    let url: string | undefined;
    const headers: Header[] = [];
    const data: string[] = [];
    let json = false;
    let asQuery = false;
    for (let i = 1; i < words.length; i++) {
      const word = words[i]!;
      const [flag, inline] = word.startsWith('--') && word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
      const value = () => inline ?? words[++i] ?? '';
      if (flag === '-X' || flag === '--request') method = value().toUpperCase();
      else if (/^-X[A-Z]+$/.test(flag)) method = flag.slice(2);
      else if (flag === '-H' || flag === '--header') {
        const header = /^([^:]+):\s?(.*)$/.exec(value());
        if (header) headers.push([header[1]!.trim(), header[2]!]);
      } else if (['-d', '--data', '--data-raw', '--data-binary', '--data-ascii', '--data-urlencode'].includes(flag)) {
        const text = value();
        data.push(flag === '--data-urlencode' && !text.includes('=') ? encodeURIComponent(text) : text);
      } else if (flag === '--json') {
        data.push(value());
        json = true;
      } else if (flag === '-F' || flag === '--form') {
        value();
        traffic.notes.push('a multipart form (-F) is not carried over: write its files= by hand');
      } else if (flag === '-u' || flag === '--user') {
        value();
        headers.push(['Authorization', 'Basic (from -u)']);
      } else if (flag === '-b' || flag === '--cookie' || flag === '-A' || flag === '--user-agent' || flag === '-e' || flag === '--referer') value();
      else if (flag === '-G' || flag === '--get') asQuery = true;
      else if (flag === '-I' || flag === '--head') method = 'HEAD';
      else if (flag === '--url') url = value();
      else if (IGNORED_WITH_VALUE.has(flag)) value();
      else if (!flag.startsWith('-')) url = flag;
    }
    if (!url) {
      traffic.skipped.push({ what: words.join(' ').slice(0, 80), why: 'a curl command without a URL' });
      continue;
    }
    if (!/^[a-z]+:\/\//i.test(url)) url = `http://${url}`;
    if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
      traffic.skipped.push({ what: url, why: 'not an http(s) URL' });
      continue;
    }
    let body: RequestBody | undefined;
    const joined = data.join('&');
    if (data.length && asQuery) url += (url.includes('?') ? '&' : '?') + joined;
    else if (data.length) {
      const contentType = headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? (json ? 'application/json' : 'application/x-www-form-urlencoded');
      body = bodyFromText(json ? data.join('') : joined, contentType);
    }
    traffic.exchanges.push({
      method: method ?? (body ? 'POST' : 'GET'),
      url,
      headers,
      body,
      response: undefined,
      step: undefined,
      resourceType: undefined,
      references: [],
    });
  }
  if (!traffic.exchanges.length) throw new TrafficImportError('no curl command with a URL found in this file');
  return traffic;
}
