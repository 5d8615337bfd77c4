// Maps the endpoints of a run (method + statistics name) back to the request sites of the locustfile that produce them.
import type { NamePattern, RequestSite } from './model';

/**
 * A pattern with holes must keep this many literal characters in one part to explain a name: `"/" + x` says nothing
 * about which endpoint it makes, and a wrong line is worse than none.
 */
export const MIN_PATTERN_LITERAL = 2;

interface CompiledSite {
  index: number;
  method: string | null;
  /** The name when it has no hole. */
  exact: string | null;
  /** For patterns with holes: the anchored expression and how many literal characters it has (the more, the better). */
  matcher: RegExp | null;
  literalLength: number;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(site: RequestSite, index: number): CompiledSite | null {
  const pattern: NamePattern | null = site.pattern;
  if (!pattern || pattern.length === 0) return null;
  if (!pattern.includes(null)) return { index, method: site.method, exact: pattern.join(''), matcher: null, literalLength: Infinity };
  const literals = pattern.filter((p): p is string => p !== null);
  if (!literals.some((p) => p.length >= MIN_PATTERN_LITERAL)) return null;
  const source = pattern.map((p) => (p === null ? '[^]*?' : escapeRegExp(p))).join('');
  return { index, method: site.method, exact: null, matcher: new RegExp(`^${source}$`), literalLength: literals.join('').length };
}

const NO_SITES: readonly number[] = Object.freeze([]);

/**
 * The request sites of one model, looked up by run-time name. A name maps to the sites whose name is exactly it (several
 * lines may request the same endpoint), else to the sites whose pattern matches it with the most literal text; a name
 * no site explains maps to none. Lookups are remembered: a run has few names and asks for them every tick.
 */
export class RequestNameIndex {
  private readonly exact = new Map<string, CompiledSite[]>();
  private readonly patterns: CompiledSite[] = [];
  private readonly memo = new Map<string, readonly number[]>();

  constructor(readonly sites: readonly RequestSite[]) {
    sites.forEach((site, index) => {
      const compiled = compile(site, index);
      if (!compiled) return;
      if (compiled.exact === null) this.patterns.push(compiled);
      else {
        const list = this.exact.get(compiled.exact);
        if (list) list.push(compiled);
        else this.exact.set(compiled.exact, [compiled]);
      }
    });
  }

  /** Indexes (into `sites`) of the sites that produce the endpoint `method name`; empty when none explains it. */
  sitesOf(method: string, name: string): readonly number[] {
    const key = `${method}\u0000${name}`;
    let found = this.memo.get(key);
    if (found === undefined) {
      found = this.lookUp(method, name);
      this.memo.set(key, found);
    }
    return found;
  }

  private lookUp(method: string, name: string): readonly number[] {
    const accepts = (site: CompiledSite) => site.method === null || site.method === method;
    const exact = this.exact.get(name)?.filter(accepts);
    if (exact?.length) return exact.map((s) => s.index);
    let best = 0;
    let found: number[] = [];
    for (const site of this.patterns) {
      if (!accepts(site) || site.literalLength < best || !site.matcher!.test(name)) continue;
      if (site.literalLength > best) {
        best = site.literalLength;
        found = [];
      }
      found.push(site.index);
    }
    return found.length ? found : NO_SITES;
  }
}
