// Reads .http/.rest files (the REST Client and httpyac format): ### separators, @variables, request variables, env reads.
import { bodyFromText, emptyTraffic, placeholderFor, TrafficImportError, type DeclaredReference, type Header, type ImportedTraffic } from './exchange';
import { environmentVariableFor, SECRET_NAME } from './secrets';

const METHODS = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE|CONNECT)\s+(\S.*?)(\s+HTTP\/[\d.]+)?$/i;
const BARE_URL = /^(https?:\/\/\S+|\{\{[^}]+\}\}\S*)(\s+HTTP\/[\d.]+)?$/i;

/** A JSON path as REST Client writes it after `$`: `.a.b[0]`, `['a']`. */
function jsonPath(text: string): (string | number)[] {
  const path: (string | number)[] = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[['"]([^'"]+)['"]\]/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) path.push(match[2] !== undefined ? Number(match[2]) : (match[1] ?? match[3])!);
  return path;
}

interface Block {
  title: string | undefined;
  name: string | undefined;
  lines: string[];
  line: number;
}

/** Splits the file at `###` lines; `# @name x` / `// @name x` names a request, `@x = y` lines define variables. */
function blocksOf(source: string, variables: Map<string, string>): Block[] {
  const blocks: Block[] = [];
  let current: Block = { title: undefined, name: undefined, lines: [], line: 1 };
  source.split(/\r?\n/).forEach((line, index) => {
    const separator = /^###+\s*(.*)$/.exec(line);
    if (separator) {
      blocks.push(current);
      current = { title: separator[1]?.trim() || undefined, name: undefined, lines: [], line: index + 2 };
      return;
    }
    const named = /^\s*(?:#|\/\/)\s*@name\s+(\S+)/.exec(line);
    if (named) {
      current.name = named[1];
      return;
    }
    const variable = /^\s*@([\w.-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (variable && !current.lines.some((l) => l.trim() !== '')) {
      variables.set(variable[1]!, variable[2]!);
      return;
    }
    if (/^\s*(#|\/\/)/.test(line) && !current.lines.some((l) => l.trim() !== '')) return;
    current.lines.push(line);
  });
  blocks.push(current);
  return blocks.filter((b) => b.lines.some((l) => l.trim() !== ''));
}

export function readHttpFile(source: string): ImportedTraffic {
  const traffic = emptyTraffic('.http');
  const variables = new Map<string, string>();
  const blocks = blocksOf(source, variables);
  const requestIndexByName = new Map<string, number>();
  let referenceCount = 0;

  for (const block of blocks) {
    const references: DeclaredReference[] = [];
    /** Replaces every {{…}} in `text`: file variables (themselves expanded), request variables, environment reads. */
    const expand = (text: string, depth = 0): string =>
      text.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (whole, inner: string) => {
        const declare = (ref: Omit<DeclaredReference, 'placeholder'>): string => {
          const existing = references.find((r) => r.name === ref.name && JSON.stringify(r.at) === JSON.stringify(ref.at));
          if (existing) return existing.placeholder;
          const placeholder = placeholderFor(referenceCount++);
          references.push({ ...ref, placeholder });
          return placeholder;
        };
        const env = /^(?:\$processEnv|\$dotenv|process\.env\.?)\s*%?([\w.-]+)$/.exec(inner);
        if (env) return declare({ from: -1, at: { kind: 'env', variable: env[1]! }, name: env[1]! });
        const requestVariable = /^([\w-]+)\.response\.(body|headers)\.?(.*)$/.exec(inner) ?? /^([\w-]+)\.()(.+)$/.exec(inner);
        if (requestVariable && requestIndexByName.has(requestVariable[1]!)) {
          const [, name, part, rest] = requestVariable;
          const from = requestIndexByName.get(name!)!;
          if (part === 'headers') return declare({ from, at: { kind: 'header', name: rest! }, name: rest! });
          const path = rest === '*' || rest === '$' || rest === '' ? [] : jsonPath(rest!.startsWith('$') ? rest!.slice(1) : `.${rest!}`);
          return declare({ from, at: { kind: 'json', path }, name: String(path.at(-1) ?? name) });
        }
        if (variables.has(inner)) {
          if (SECRET_NAME.test(inner)) return declare({ from: -1, at: { kind: 'env', variable: environmentVariableFor(inner) }, name: inner });
          return depth > 10 ? variables.get(inner)! : expand(variables.get(inner)!, depth + 1);
        }
        traffic.notes.push(`{{${inner}}} (line ${block.line}) is not defined in the file: it was left as it is`);
        return whole;
      });

    const lines = block.lines.slice(block.lines.findIndex((l) => l.trim() !== ''));
    const requestLine = lines[0]!.trim();
    const match = METHODS.exec(requestLine) ?? BARE_URL.exec(requestLine);
    if (!match) {
      traffic.skipped.push({ what: `request at line ${block.line} (${requestLine.slice(0, 60)})`, why: 'no METHOD URL line' });
      continue;
    }
    const method = METHODS.test(requestLine) ? match[1]!.toUpperCase() : 'GET';
    let url = expand(METHODS.test(requestLine) ? match[2]! : match[1]!);
    let i = 1;
    // Query continuation lines (REST Client): "?a=1" and "&b=2" under the request line.
    for (; i < lines.length && /^\s*[?&]/.test(lines[i]!); i++) url += lines[i]!.trim();
    const headers: Header[] = [];
    for (; i < lines.length && lines[i]!.trim() !== ''; i++) {
      const header = /^\s*([^:\s]+)\s*:\s*(.*)$/.exec(lines[i]!);
      if (header) headers.push([header[1]!, expand(header[2]!)]);
    }
    const bodyLines = lines.slice(i + 1);
    while (bodyLines.length && bodyLines.at(-1)!.trim() === '') bodyLines.pop();
    const contentType = headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1];
    let bodyText = bodyLines.join('\n');
    // A reference outside quotes in a JSON body becomes a quoted placeholder, so the body still parses (the value keeps its type).
    if (/json/i.test(contentType ?? '')) bodyText = bodyText.replace(/(^|[^"])(\{\{[^}]+\}\})(?!")/g, '$1"$2"');
    if (/x-www-form-urlencoded/i.test(contentType ?? '')) bodyText = bodyText.split('\n').map((l) => l.trim()).join('');
    const body = bodyText.trim() === '' ? undefined : bodyFromText(expand(bodyText), contentType);
    if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
      traffic.skipped.push({ what: `${method} ${url}`, why: `not an absolute http(s) URL (line ${block.line})` });
      continue;
    }
    if (block.name) requestIndexByName.set(block.name, traffic.exchanges.length);
    traffic.exchanges.push({ method, url, headers, body, response: undefined, step: block.title ?? block.name, resourceType: undefined, references });
  }
  if (!traffic.exchanges.length && !traffic.skipped.length) throw new TrafficImportError('no request found in this .http file (requests are "METHOD URL" lines, separated by ###)');
  return traffic;
}
