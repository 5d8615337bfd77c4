// Reads a Python traceback (Locust failing to import a locustfile) for the user's file, line and error; free of vscode.

export interface ImportFailure {
  /** The user's file the traceback points into (the deepest frame outside Python's and Locust's own code). */
  file: string;
  /** 1-based, as Python prints it. */
  line: number;
  /** 1-based column of the caret under a SyntaxError's source line, counted from its first non-blank character. */
  column?: number;
  /** The exception line: `SyntaxError: '(' was never closed`, `ModuleNotFoundError: No module named 'x'`. */
  message: string;
}

const FRAME = /^\s*File "(.+)", line (\d+)(?:, in .*)?$/;
const EXCEPTION = /^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)|[A-Za-z_][\w.]*)(?:: (.*))?$/;

/** Code that is not the user's: the standard library, installed packages, importlib's frozen frames, this extension's bridge. */
function isLibrary(file: string): boolean {
  return (
    file.startsWith('<') ||
    /[\\/](site|dist)-packages[\\/]/.test(file) ||
    /[\\/]lib[\\/]python\d[\d.]*[\\/]/i.test(file) ||
    /[\\/]locust_studio_(launch|bridge|task)\.py$/.test(file)
  );
}

/**
 * The import failure in `text` (log lines joined by newlines), or undefined when it holds no traceback that points
 * into the user's code. `prefer` (the locustfile) wins over other user files when a frame points into it.
 */
export function findImportFailure(text: string, prefer?: string): ImportFailure | undefined {
  const lines = text.split(/\r?\n/);
  let frame: { file: string; line: number; index: number } | undefined;
  let preferred: typeof frame;
  for (const [index, raw] of lines.entries()) {
    const match = FRAME.exec(raw);
    if (!match || isLibrary(match[1]!)) continue;
    frame = { file: match[1]!, line: Number(match[2]), index };
    if (prefer !== undefined && match[1] === prefer) preferred = frame;
  }
  const chosen = preferred ?? frame;
  if (!chosen) return undefined;
  // The exception line: the first line after the last frame that is not indented (Python indents frames and source).
  const lastFrame = lines.reduce((last, l, i) => (FRAME.test(l) ? i : last), -1);
  let message: string | undefined;
  let column: number | undefined;
  for (let i = lastFrame + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s+\^+\s*$/.test(line) && column === undefined && chosen.index === lastFrame) {
      // A SyntaxError's caret, under the source line Python printed (both indented by 4, the source stripped of its own indent).
      const source = lines[i - 1] ?? '';
      column = line.indexOf('^') - (source.length - source.trimStart().length) + 1;
      continue;
    }
    if (/^\s/.test(line) || !line.trim()) continue;
    if (EXCEPTION.test(line.trim())) {
      message = line.trim();
      break;
    }
  }
  return { file: chosen.file, line: chosen.line, ...(column !== undefined && column > 0 && { column }), message: message ?? 'The locustfile could not be imported.' };
}
