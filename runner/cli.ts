// The command line over the runner (dist/cli.js): run a locustfile with live progress, record it, export records.
import os from 'node:os';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { BridgeMessage, EndpointStats } from '../protocol/runner';
import { defaultWorkerCount, launchRun, type LocustRun, type RunExit, type RunOptions } from './locustRun';
import { resolveInterpreter } from './python';
import { exportRunRecord, loadRunRecord, RunRecorder } from './runRecord';

type Tick = Extract<BridgeMessage, { type: 'tick' }>;

const USAGE = `Usage:
  locust-studio run <locustfile> [UserClass ...] [options] [-- extra Locust arguments]
  locust-studio export <record folder> <prefix>

run options:
  -u, --users N           users to run                 -r, --spawn-rate N   users started per second
  -t, --run-time T        30s, 5m, 1h30m               -H, --host URL       host to load
      --python PATH       interpreter with Locust (default: python3/python on PATH, then /usr/bin/python3)
      --tags a,b          only tasks with these tags       --exclude-tags a,b   not these
      --interval S        seconds between statistics ticks (0.25-10, default 1)
      --workers N         distributed: a master and N local workers (0: as many as cores)
      --record-dir D      where run records go (default .locust-studio/runs)    --no-record
      --csv PREFIX        also export the record as PREFIX_stats.csv, _failures.csv, _stats_history.csv, .json
  -v, --verbose           show Locust's own output (it is always kept in the record's locust.log)
  -h, --help

Exit status: Locust's (1 when requests failed), 2 when the run could not start, 128+n when killed by signal n.`;

const RUN_OPTIONS = {
  users: { type: 'string', short: 'u' },
  'spawn-rate': { type: 'string', short: 'r' },
  'run-time': { type: 'string', short: 't' },
  host: { type: 'string', short: 'H' },
  python: { type: 'string' },
  tags: { type: 'string' },
  'exclude-tags': { type: 'string' },
  interval: { type: 'string' },
  workers: { type: 'string' },
  'record-dir': { type: 'string' },
  'no-record': { type: 'boolean' },
  csv: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

class UsageError extends Error {}

/** Exit status for a usage error or a run that could not start. */
const EXIT_CANNOT_START = 2;

function number(value: string | undefined, what: string, { integer = false, min = 0 } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${what} must be ${integer ? 'an integer' : 'a number'} of at least ${min}, not "${value}"`);
  }
  return n;
}

function list(value: string | undefined): string[] | undefined {
  const items = value?.split(',').map((s) => s.trim()).filter(Boolean);
  return items?.length ? items : undefined;
}

export interface CliRun {
  /** `python` in these options is what the caller passed to parseRunArgs; `--python`, if given, is in `python`. */
  options: RunOptions;
  python: string | undefined;
  recordDir: string | undefined;
  csv: string | undefined;
  verbose: boolean;
}

/** Turns `run` arguments into run options (exported for tests); throws UsageError on bad input. */
export function parseRunArgs(argv: string[], python: string): CliRun {
  const { values, positionals, tokens } = parseArgs({ args: argv, options: RUN_OPTIONS, allowPositionals: true, strict: true, tokens: true });
  // Everything after "--" goes to Locust as it is.
  const dashDash = tokens.find((t) => t.kind === 'option-terminator');
  const extraArgs = dashDash ? argv.slice(dashDash.index + 1) : [];
  const own = dashDash ? positionals.slice(0, positionals.length - extraArgs.length) : positionals;
  const [locustfile, ...userClasses] = own;
  if (!locustfile) throw new UsageError('run needs a locustfile');
  const workers = number(values.workers, 'workers', { integer: true });
  const interval = number(values.interval, 'interval');
  if (interval !== undefined && (interval < 0.25 || interval > 10)) throw new UsageError('--interval must be between 0.25 and 10 seconds');
  if (values.host !== undefined) {
    try {
      const url = new URL(values.host);
      if (!/^https?:$/.test(url.protocol)) throw new Error();
    } catch {
      throw new UsageError(`--host must be an http(s) URL such as http://127.0.0.1:8080, not "${values.host}"`);
    }
  }
  const options: RunOptions = {
    python,
    locustfile: path.resolve(locustfile),
    userClasses: userClasses.length ? userClasses : undefined,
    host: values.host,
    users: number(values.users, 'users', { integer: true }),
    spawnRate: number(values['spawn-rate'], 'spawn-rate'),
    runTime: values['run-time'],
    tags: list(values.tags),
    excludeTags: list(values['exclude-tags']),
    statsInterval: interval,
    extraArgs: extraArgs.length ? extraArgs : undefined,
  };
  if (workers !== undefined) {
    options.mode = 'distributed';
    options.workers = workers === 0 ? defaultWorkerCount() : workers;
  }
  // Drop what was not given, so that the record's options.json says only what the user chose.
  for (const key of Object.keys(options) as (keyof RunOptions)[]) if (options[key] === undefined) delete options[key];
  return {
    options,
    python: values.python,
    recordDir: values['no-record'] ? undefined : path.resolve(values['record-dir'] ?? path.join('.locust-studio', 'runs')),
    csv: values.csv,
    verbose: values.verbose ?? false,
  };
}

// ---- output ----

function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return `${hh ? `${hh}:` : ''}${String(mm).padStart(hh ? 2 : 1, '0')}:${String(ss).padStart(2, '0')}`;
}

/** The one-line progress: users, current req/s, failure % (cumulative), elapsed. */
export function progressLine(tick: Tick, elapsedMs: number): string {
  const w = tick.total.window;
  const rps = w.seconds > 0 ? w.requests / w.seconds : 0;
  const failPct = tick.total.requests ? (100 * tick.total.failures) / tick.total.requests : 0;
  return (
    `${tick.state.padEnd(8)} users ${String(tick.userCount).padStart(4)}  ${rps.toFixed(1).padStart(8)} req/s  ` +
    `failures ${failPct.toFixed(2).padStart(6)}%  requests ${tick.total.requests}  ${formatElapsed(elapsedMs)}`
  );
}

function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : String(Math.round(value));
}

/** The final statistics as a plain table, Locust-like, Aggregated last. */
export function finalTable(endpoints: EndpointStats[], total: EndpointStats, seconds: number): string {
  const header = ['Type', 'Name', '# reqs', '# fails', 'Avg', 'Min', 'Max', 'Med', 'req/s', 'p95', 'p99'];
  const row = (e: EndpointStats, name: string) => [
    e.method,
    name.length > 50 ? `${name.slice(0, 49)}…` : name,
    String(e.requests),
    `${e.failures} (${(e.requests ? (100 * e.failures) / e.requests : 0).toFixed(2)}%)`,
    ms(e.requests ? e.totalResponseTime / e.requests : null),
    ms(e.minResponseTime),
    ms(e.maxResponseTime),
    ms(e.median ?? e.percentiles[0]),
    (seconds > 0 ? e.requests / seconds : 0).toFixed(2),
    ms(e.percentiles[5]),
    ms(e.percentiles[7]),
  ];
  const rows = [header, ...endpoints.map((e) => row(e, e.name)), row({ ...total, method: '' }, 'Aggregated')];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [line(rows[0]!), rule, ...rows.slice(1, -1).map(line), rule, line(rows.at(-1)!)].join('\n');
}

function exitStatus(exit: RunExit): number {
  if (exit.spawnError) return EXIT_CANNOT_START;
  if (exit.signal) return 128 + (os.constants.signals[exit.signal] ?? 0);
  return exit.code ?? 1;
}

// ---- commands ----

/** Non-TTY progress lines come at most this often. */
const PLAIN_PROGRESS_EVERY_MS = 5_000;

async function run(argv: string[]): Promise<number> {
  const cli = parseRunArgs(argv, '');
  const interpreter = await resolveInterpreter(cli.python).catch((error: Error) => {
    process.stderr.write(`locust-studio: ${error.message}\n`);
    return undefined;
  });
  if (!interpreter) return EXIT_CANNOT_START;
  cli.options.python = interpreter.path;

  const locustRun: LocustRun = await launchRun(cli.options);
  const recorder = cli.recordDir
    ? RunRecorder.create(cli.recordDir, cli.options, { interpreter: { path: interpreter.path, locustVersion: interpreter.locustVersion } })
    : undefined;
  const recorded = recorder?.follow(locustRun);
  const started = Date.now();
  const tty = process.stdout.isTTY === true;
  let progressShown = false;
  let lastPlain = 0;
  const recentLogs: string[] = [];

  const clearProgress = () => {
    if (tty && progressShown) process.stdout.write('\r\x1b[2K');
    progressShown = false;
  };
  locustRun.on('log', (line) => {
    recentLogs.push(line);
    if (recentLogs.length > 30) recentLogs.shift();
    if (!cli.verbose) return;
    clearProgress();
    process.stderr.write(`${line}\n`);
  });
  locustRun.on('message', (message) => {
    if (message.type === 'tick') {
      const text = progressLine(message, Date.now() - started);
      if (tty) {
        process.stdout.write(`\r\x1b[2K${text}`);
        progressShown = true;
      } else if (Date.now() - lastPlain >= PLAIN_PROGRESS_EVERY_MS) {
        lastPlain = Date.now();
        process.stdout.write(`${text}\n`);
      }
    } else if (message.type === 'error') {
      clearProgress();
      process.stderr.write(`locust-studio: ${message.message}\n`);
    }
  });

  // First Ctrl-C (or SIGTERM): a graceful stop with final statistics; the second one kills the run.
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    clearProgress();
    if (interrupts === 1) {
      process.stderr.write('locust-studio: stopping (Ctrl-C again to kill)\n');
      void locustRun.stop();
    } else locustRun.kill();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const exit = await locustRun.exit;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await recorded;
  clearProgress();

  const final = locustRun.final;
  if (final) {
    const seconds = final.startTime && final.lastRequestTime ? final.lastRequestTime - final.startTime : (Date.now() - started) / 1000;
    process.stdout.write(`${finalTable(final.endpoints, final.total, seconds)}\n`);
    if (final.failures.length) {
      process.stdout.write(`\nFailures:\n${final.failures.map((f) => `  ${f.occurrences}× ${f.method} ${f.name}: ${f.error.slice(0, 200)}`).join('\n')}\n`);
    }
    if (final.exceptions?.length) {
      process.stdout.write(`\nExceptions:\n${final.exceptions.map((e) => `  ${e.count}× ${e.message.slice(0, 200)}`).join('\n')}\n`);
    }
  }
  if (exit.spawnError) process.stderr.write(`locust-studio: cannot start ${interpreter.path}: ${exit.spawnError}\n`);
  else if (!final || (exit.code !== 0 && exit.code !== 1)) {
    // Locust could not run (bad locustfile, bad option…): its own words say why.
    process.stderr.write(`locust-studio: Locust exited (${exit.signal ?? `code ${exit.code}`}); its last output:\n${recentLogs.slice(-20).join('\n')}\n`);
  }
  if (recorder) {
    process.stdout.write(`Run record: ${recorder.dir}\n`);
    if (cli.csv) {
      const files = await exportRunRecord(await loadRunRecord(recorder.dir), cli.csv);
      process.stdout.write(`Exported: ${files.join(', ')}\n`);
    }
  }
  return exitStatus(exit);
}

async function exportCommand(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, options: {}, allowPositionals: true, strict: true });
  const [dir, prefix] = positionals;
  if (!dir || !prefix) throw new UsageError('export needs a record folder and a prefix');
  const files = await exportRunRecord(await loadRunRecord(dir), prefix);
  process.stdout.write(`${files.join('\n')}\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'run' && !rest.includes('-h') && !rest.includes('--help')) return await run(rest);
    if (command === 'export') return await exportCommand(rest);
    if (command === undefined || command === 'help' || command === '-h' || command === '--help' || rest.includes('-h') || rest.includes('--help')) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`locust-studio: ${(error as Error).message}\n\n${USAGE}\n`);
      return EXIT_CANNOT_START;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      process.stderr.write(`locust-studio: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = EXIT_CANNOT_START;
    },
  );
}
