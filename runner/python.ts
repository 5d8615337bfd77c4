// Finds a Python interpreter that can import Locust, so that a run never starts under one that cannot.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';

export interface Interpreter {
  /** The interpreter's own executable (sys.executable), or the path it was found under. */
  path: string;
  /** Locust's version, or "" when the build does not know it (Debian's 2.12.1). */
  locustVersion: string;
  /**
   * Whether this Locust has what current releases offer (MarkovTaskSet, pytest-style locustfiles, --processes: 2.38 and
   * later), asked of Locust itself rather than read from a version string an old build may not even have.
   */
  current: boolean;
  /**
   * The long options this Locust's parser takes, without their dashes (`spawn-rate`, `processes`): also the keys a
   * locust.conf or pyproject.toml `[tool.locust]` may set. Empty when Locust's parser could not be read.
   */
  options: string[];
}

/** Whether the interpreter's Locust takes `--option` (asked of its own parser, never read from a version string). */
export function locustOffers(interpreter: Pick<Interpreter, 'options'>, option: LocustOptionName): boolean {
  return interpreter.options.includes(option);
}

/** Locust options whose presence changes what Locust Studio offers. */
export type LocustOptionName = 'processes' | 'profile';

/** Tried in this order when no interpreter is configured. */
const CANDIDATES = ['python3', 'python', '/usr/bin/python3'];
const PROBE_TIMEOUT_MS = 20_000;

// Same version fallback as the bridge (locust_version): Debian's build has an empty __version__ and metadata that says
// 0.0.0; only dpkg knows it is 2.12.1.
const PROBE = `
import json, subprocess, sys
import locust
version = getattr(locust, "__version__", "") or ""
if not version:
    try:
        from importlib.metadata import version as metadata_version
        version = metadata_version("locust")
    except Exception:
        version = ""
if (not version or version == "0.0.0") and str(getattr(locust, "__file__", "")).startswith("/usr/lib/python3/dist-packages/"):
    try:
        answer = subprocess.run(["dpkg-query", "-W", "-f=\${Version}", "python3-locust"], capture_output=True, text=True, timeout=10, check=False).stdout.strip()
        version = answer.split(":", 1)[-1].rsplit("-", 1)[0] if answer else ""
    except Exception:
        version = ""
options = []
try:
    from locust import argument_parser
    # No config file is read: only the parser's own options (those a locust.conf may set too), as in every version.
    parser = argument_parser.get_empty_argument_parser(add_help=False, default_config_files=[])
    argument_parser.setup_parser_arguments(parser)
    options = sorted({name[2:] for action in parser._actions for name in action.option_strings if name.startswith("--")})
except Exception:
    options = []
print(json.dumps({"executable": sys.executable, "version": "" if version == "0.0.0" else version, "current": hasattr(locust, "MarkovTaskSet"), "options": options}))
`;

type Probe = { ok: true; interpreter: Interpreter } | { ok: false; reason: string };

function probe(python: string, timeoutMs: number): Promise<Probe> {
  return new Promise((resolve) => {
    execFile(
      python,
      ['-c', PROBE],
      // Not the workspace: a locust.py there would shadow the real package.
      { cwd: os.tmpdir(), timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024, windowsHide: true, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') return resolve({ ok: false, reason: 'not found' });
          if (code === 'EACCES') return resolve({ ok: false, reason: 'not executable' });
          if (error.killed) return resolve({ ok: false, reason: `no answer within ${timeoutMs / 1000} s` });
          const lastLine = stderr.trim().split('\n').pop()?.trim();
          return resolve({ ok: false, reason: lastLine || error.message });
        }
        try {
          const answer = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { executable?: unknown; version?: unknown; current?: unknown; options?: unknown };
          const path = typeof answer.executable === 'string' && answer.executable ? answer.executable : python;
          const options = Array.isArray(answer.options) ? answer.options.filter((o): o is string => typeof o === 'string') : [];
          resolve({ ok: true, interpreter: { path, locustVersion: typeof answer.version === 'string' ? answer.version : '', current: answer.current === true, options } });
        } catch {
          resolve({ ok: false, reason: `unexpected answer: ${stdout.slice(0, 200)}` });
        }
      },
    );
  });
}

function installHint(): string {
  const debian = existsSync('/etc/debian_version') ? ' (on Debian or Ubuntu: "sudo apt-get install python3-locust")' : '';
  return `Install it with "pip install locust"${debian}`;
}

/**
 * The interpreter to run Locust with: `explicit` if given (and nothing else then), else the first of python3, python on
 * PATH and /usr/bin/python3 that imports Locust. Throws an Error that says how to install Locust when none does.
 */
export async function resolveInterpreter(explicit?: string, { timeoutMs = PROBE_TIMEOUT_MS }: { timeoutMs?: number } = {}): Promise<Interpreter> {
  const configured = explicit?.trim();
  if (configured) {
    const result = await probe(configured, timeoutMs);
    if (result.ok) return result.interpreter;
    throw new Error(
      `The configured Python interpreter ${configured} cannot run Locust: ${result.reason}. ` +
        `Install Locust for it ("${configured} -m pip install locust"), or configure another interpreter.`,
    );
  }
  const tried: string[] = [];
  for (const candidate of CANDIDATES) {
    const result = await probe(candidate, timeoutMs);
    if (result.ok) return result.interpreter;
    tried.push(`${candidate}: ${result.reason}`);
  }
  throw new Error(
    `No Python interpreter with Locust was found (tried ${tried.join('; ')}). ${installHint()}, ` +
      'or set locustStudio.python to an interpreter that has it.',
  );
}
