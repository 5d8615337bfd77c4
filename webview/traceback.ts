// Finds the `File "...", line N` locations of a Python traceback that lie inside the workspace (to become links).

export type TracebackPart = { text: string } | { text: string; path: string; line: number };

const LOCATION = /File "([^"\n]+)", line (\d+)/g;

function normalise(p: string): string {
  return p.replace(/\\/g, '/');
}

/** True when `path` is absolute, has no `..` segment, and starts with one of the roots plus a separator. */
export function inRoots(path: string, roots: readonly string[]): boolean {
  const p = normalise(path);
  if (!(p.startsWith('/') || /^[A-Za-z]:\//.test(p))) return false;
  if (p.split('/').includes('..')) return false;
  return roots.some((root) => {
    const r = normalise(root).replace(/\/+$/, '');
    return r !== '' && p.startsWith(`${r}/`);
  });
}

/** Splits a traceback into plain text and linkable locations; the host checks the path again before opening. */
export function splitTraceback(traceback: string, roots: readonly string[]): TracebackPart[] {
  const parts: TracebackPart[] = [];
  let last = 0;
  for (const match of traceback.matchAll(LOCATION)) {
    const path = match[1]!;
    const line = Number(match[2]);
    if (!inRoots(path, roots) || !Number.isSafeInteger(line) || line < 1) continue;
    const start = match.index;
    if (start > last) parts.push({ text: traceback.slice(last, start) });
    parts.push({ text: match[0], path, line });
    last = start + match[0].length;
  }
  if (last < traceback.length) parts.push({ text: traceback.slice(last) });
  return parts;
}
