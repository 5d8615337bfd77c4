// The command line over the runner (dist/cli.js): run a locustfile or attach to a Locust web UI with live progress, record it, export records.
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '../protocol/duration';
import { describeMeasurement, parseThreshold, THRESHOLD_METRICS, type Threshold, type ThresholdStatus, type Verdict } from '../protocol/thresholds';
import { modelOfText } from '../server/documentAnalysis';
import { declaredThresholds } from './declaredThresholds';
import { junitXml } from './junit';
import { formatDuration } from '../protocol/format';
import { DEFAULT_STATS_INTERVAL, isStatsInterval, isUserCount, MAX_STATS_INTERVAL, MAX_USERS, MIN_STATS_INTERVAL } from '../protocol/limits';
import type { BridgeMessage, EndpointStats } from '../protocol/runner';
import { AttachedRun, type AttachRunOptions } from './attachRun';
import { defaultWorkerCount, type RunOptions } from './locustRun';
import { ALL_CORES, workerMode } from './runChoices';
import { locustOffers, resolveInterpreter } from './python';
import { validateMasterBind, validateWorkerHost, type RemoteWorkerSettings } from './remoteWorkers';
import { printable } from './printable';
import { makeFolderFor, RecordFolderError } from './recordFolder';
import { exportRunRecord, loadRunRecord } from './runRecord';
import { EXIT_CANNOT_START, exitStatusOf, RunSession, type RunEnd } from './runSession';
import {
  COMPARED_METRICS,
  COMPARISON_RULE,
  COMPARISON_VERDICT_LABEL,
  ENDPOINT_VERDICT_LABEL,
  METRIC_LABEL,
  METRIC_UNIT,
  type ComparedMetric,
  type Comparison,
  type EndpointComparison,
  type MetricComparison,
} from '../protocol/compare';
import { compareBatches, loadRunForComparison, type RunForComparison } from './compareRuns';
import { renderComparisonHtml } from './compareReport';
import { importTrafficFile } from './trafficImport/trafficFile';
import { TrafficImportError } from './trafficImport/exchange';

type Tick = Extract<BridgeMessage, { type: 'tick' }>;

const USAGE = `Usage:
  locust-studio run <locustfile> [UserClass ...] [options] [-- extra Locust arguments]
  locust-studio attach <web UI URL> [options]
  locust-studio export <record folder> <prefix>
  locust-studio compare <baseline record folder> <new record folder> [--json] [--html FILE]
  locust-studio import <file> -o <locustfile.py> [--host URL] [--fast-http] [--keep-static] [--keep-third-party]

run options:
  -u, --users N           users to run                 -r, --spawn-rate N   users started per second
  -t, --run-time T        30s, 5m, 1h30m               -H, --host URL       host to load
      --python PATH       interpreter with Locust (default: python3/python on PATH, then /usr/bin/python3)
      --tags a,b          only tasks with these tags       --exclude-tags a,b   not these
      --shape NAME        run the locustfile's LoadTestShape class NAME (Locust alone takes the first one)
      --no-shape          set the locustfile's LoadTestShape aside: --users, --spawn-rate and --run-time drive the run
      --interval S        seconds between statistics ticks (${MIN_STATS_INTERVAL}-${MAX_STATS_INTERVAL}, default ${DEFAULT_STATS_INTERVAL})
      --profile NAME      Locust's --profile: names the run (newer Locust; refused before the run where it has none)
      --workers N         distributed: N local workers and a master (0: one per core); Locust's own --processes
                          where the interpreter's Locust has it, else a master and workers started here
      --worker-hosts a,b  distributed: a worker on each SSH target (user@host), through your own ssh and agent
                          (no local workers then, unless --workers says); the run prints the command that starts
                          one more worker by hand (containers, Kubernetes)
      --master-bind ADDR  the address the master listens on and workers reach it at (default 127.0.0.1)
      --worker-python P   the interpreter with Locust on the worker hosts (default python3)
      --ssh-config FILE   an ssh configuration file to use instead of yours (ssh -F): keys, known hosts, jump hosts
      --on-worker-failure stop|continue   a worker host that cannot start stops the run (default) or is left out
      --record-dir D      where run records go (default .locust-studio/runs)    --no-record
      --csv PREFIX        also export the record as PREFIX_stats.csv, _failures.csv, _stats_history.csv, .json
      --threshold EXPR    a target the run must meet (repeatable; added to the locustfile's THRESHOLDS list):
                          [SCOPE:] METRIC OP VALUE[UNIT] [over T] [after T] [abort], METRIC one of
                          ${THRESHOLD_METRICS.join(' ')}; OP < <= > >=; units ms s %;
                          SCOPE an endpoint as the table names it ("GET /cart: p95 < 250ms"); none: all requests.
                          Examples: "p95 < 250ms" "fail_ratio < 1%" "/checkout: p99 <= 1s" "rps > 50"
      --junit FILE        write the thresholds' results as JUnit XML (one test case per threshold)
      --baseline D        compare the run with the run record in folder D when it ends (see compare)
  -v, --verbose           show Locust's own output (it is always kept in the record's locust.log)
  -h, --help

run exit status: with thresholds, the verdict: 0 when all hold, 1 when any fails or cannot be judged; without, Locust's
(1 when requests failed); 2 when the run could not start or a threshold is malformed, 128+n when killed by signal n.

attach follows a Locust that runs elsewhere through its web UI (http://host:8089; user:password@ in the URL works too),
with the same progress, final table and run record as run (its options.json says "attach": URL, without credentials).
It ends when the remote test stops, after --run-time, or on Ctrl-C; the remote Locust goes on running unless --stop.
attach options:
      --username U, --password P   basic auth of the web UI (--web-auth)
      --ca FILE           https: also trust this certificate (PEM: the web UI's self-signed one, or the CA that signed it)
  -u, --users N           start (or retarget) the remote test with N users    -r, --spawn-rate N   (default: N)
  -H, --host URL          with --users: the host the remote Locust loads
  -t, --run-time T        stop following after T (30s, 5m, 1h30m)          --stop   also stop the remote test at the end
      --interval S        seconds between polls (${MIN_STATS_INTERVAL}-${MAX_STATS_INTERVAL}, default ${DEFAULT_STATS_INTERVAL})       --timeout S   per request (default 5)
      --record-dir D      where run records go (default .locust-studio/runs)    --no-record
      --csv PREFIX        also export the record (as for run)
      --threshold EXPR    a target the followed test must meet (repeatable, as for run)    --junit FILE   (as for run)
attach exit status: 0 when following ended normally (the remote test stopped, --run-time, Ctrl-C), 1 when the web UI
was lost while following, 2 when it could not attach (refused, timed out, not a Locust web UI, wrong credentials).

compare judges the new run against the baseline, endpoint by endpoint (README "Comparing runs": a Welch t-test on
batch means at ${COMPARISON_RULE.confidence * 100}% confidence; changes under ${COMPARISON_RULE.minChange * 100}% are no real change).
      --json              print the comparison as one JSON object instead of the table
      --html FILE         also write it as a self-contained HTML report
compare exit status: 0 when nothing regressed, 1 when an endpoint or the aggregate regressed, 2 when a folder is not a
run record this version can read. With run --baseline, a regression makes the run's status at least 1.

import writes a locustfile from recorded traffic: a HAR file (Chromium, Firefox, Safari), a .http/.rest file, curl
commands or a Postman collection v2.1. Tokens, CSRF fields and ids are taken from the server's responses, login steps go
to on_start, secrets are read from the environment; static assets and other hosts are left out (listed in a comment).
      -o, --output FILE   the locustfile to write          -H, --host URL   the host it loads (default: the recording's)
      --fast-http         a FastHttpUser                   --keep-static    keep scripts, styles, images and fonts
      --keep-third-party  keep requests to other hosts
import exit status: 0 when written, 2 when the file cannot be read or is not traffic this importer reads.`;

/** What `run` and `attach` share: the load asked for, the interval, and what becomes of the record. */
const COMMON_OPTIONS = {
  users: { type: 'string', short: 'u' },
  'spawn-rate': { type: 'string', short: 'r' },
  'run-time': { type: 'string', short: 't' },
  host: { type: 'string', short: 'H' },
  interval: { type: 'string' },
  'record-dir': { type: 'string' },
  'no-record': { type: 'boolean' },
  csv: { type: 'string' },
  threshold: { type: 'string', multiple: true },
  junit: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const RUN_OPTIONS = {
  ...COMMON_OPTIONS,
  python: { type: 'string' },
  tags: { type: 'string' },
  'exclude-tags': { type: 'string' },
  shape: { type: 'string' },
  'no-shape': { type: 'boolean' },
  workers: { type: 'string' },
  profile: { type: 'string' },
  'worker-hosts': { type: 'string' },
  'master-bind': { type: 'string' },
  'worker-python': { type: 'string' },
  'ssh-config': { type: 'string' },
  'on-worker-failure': { type: 'string' },
  baseline: { type: 'string' },
} satisfies ParseArgsConfig['options'];

const ATTACH_OPTIONS = {
  ...COMMON_OPTIONS,
  username: { type: 'string' },
  password: { type: 'string' },
  ca: { type: 'string' },
  stop: { type: 'boolean' },
  timeout: { type: 'string' },
} satisfies ParseArgsConfig['options'];

class UsageError extends Error {}


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

function intervalOf(value: string | undefined): number | undefined {
  const interval = number(value, 'interval');
  if (interval !== undefined && !isStatsInterval(interval)) throw new UsageError(`--interval must be between ${MIN_STATS_INTERVAL} and ${MAX_STATS_INTERVAL} seconds`);
  return interval;
}

/** `--users`: a whole number up to the limit every place checks (0 is allowed here: Locust then starts none). */
function usersOf(value: string | undefined): number | undefined {
  const users = number(value, 'users', { integer: true });
  if (users !== undefined && !isUserCount(users, 0)) throw new UsageError(`--users must be at most ${MAX_USERS}, not "${value}"`);
  return users;
}

function checkHost(host: string | undefined, what = '--host', example = 'http://127.0.0.1:8080'): void {
  if (host === undefined) return;
  try {
    const url = new URL(host);
    if (!/^https?:$/.test(url.protocol)) throw new Error();
  } catch {
    throw new UsageError(`${what} must be an http(s) URL such as ${example}, not "${host}"`);
  }
}

/** `--run-time` in milliseconds, read by the one duration parser (Locust's syntax: 30s, 5m, 1h30m, or plain seconds). */
export function parseRunTimeOption(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new UsageError(`--run-time must be a duration such as 30s, 5m, 1h30m or 90 (seconds), not "${text}"`);
  return seconds * 1000;
}

/** The PEM text of `--ca FILE`, checked: readable, with a certificate in it, for an https URL. */
function readCa(file: string, url: string): string {
  if (new URL(url).protocol !== 'https:') throw new UsageError(`--ca goes with an https URL, not "${url}"`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--ca: cannot read "${file}": ${(error as Error).message}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca needs a PEM file with a certificate in it (-----BEGIN CERTIFICATE-----), and "${file}" has none`);
  return text;
}

/** What `run` and `attach` share besides the load: where the record and its exports go, what the run is judged by. */
interface CliOutput {
  recordDir: string | undefined;
  csv: string | undefined;
  /** `--threshold` expressions, parsed and checked (a malformed one is a UsageError naming it). */
  thresholds: Threshold[];
  junit: string | undefined;
  verbose: boolean;
}

export interface CliAttach extends CliOutput {
  options: AttachRunOptions;
}

/** The `--threshold` expressions, each parsed by the one threshold parser; the first malformed one stops everything. */
function thresholdsOf(expressions: string[] | undefined): Threshold[] {
  return (expressions ?? []).map((text) => {
    const parsed = parseThreshold(text);
    if (!parsed.ok) throw new UsageError(`--threshold "${text}": ${parsed.error} (at "${text.slice(parsed.start, Math.max(parsed.end, parsed.start + 1))}")`);
    return parsed.threshold;
  });
}

function outputOf(values: { 'record-dir'?: string; 'no-record'?: boolean; csv?: string; threshold?: string[]; junit?: string; verbose?: boolean }): CliOutput {
  return {
    recordDir: values['no-record'] ? undefined : path.resolve(values['record-dir'] ?? path.join('.locust-studio', 'runs')),
    csv: values.csv,
    thresholds: thresholdsOf(values.threshold),
    junit: values.junit,
    verbose: values.verbose ?? false,
  };
}

/** Turns `attach` arguments into attach options (exported for tests); throws UsageError on bad input. */
export function parseAttachArgs(argv: string[]): CliAttach {
  const { values, positionals } = parseArgs({ args: argv, options: ATTACH_OPTIONS, allowPositionals: true, strict: true });
  const [url, ...rest] = positionals;
  if (!url) throw new UsageError('attach needs the URL of a Locust web UI, such as http://127.0.0.1:8089');
  if (rest.length) throw new UsageError(`attach takes one URL, not also "${rest.join(' ')}"`);
  checkHost(url, 'the web UI URL', 'http://127.0.0.1:8089');
  checkHost(values.host);
  const users = usersOf(values.users);
  const spawnRate = number(values['spawn-rate'], 'spawn-rate');
  if (spawnRate !== undefined && !(spawnRate > 0)) throw new UsageError('--spawn-rate must be above 0');
  if (users === undefined && (spawnRate !== undefined || values.host !== undefined)) throw new UsageError('--spawn-rate and --host go with --users');
  const interval = intervalOf(values.interval);
  const timeout = number(values.timeout, 'timeout');
  if (timeout !== undefined && !(timeout > 0)) throw new UsageError('--timeout must be above 0 seconds');
  const options: AttachRunOptions = { url };
  if (values.ca !== undefined) options.ca = readCa(values.ca, url);
  if (values.username !== undefined) options.username = values.username;
  if (values.password !== undefined) options.password = values.password;
  if (users !== undefined) {
    options.users = users;
    options.spawnRate = spawnRate ?? Math.max(1, users);
  }
  if (values.host !== undefined) options.host = values.host;
  if (values['run-time'] !== undefined) options.runTimeMs = parseRunTimeOption(values['run-time']);
  if (values.stop) options.stopRemote = true;
  if (interval !== undefined) options.intervalMs = interval * 1000;
  if (timeout !== undefined) options.timeoutMs = timeout * 1000;
  return { options, ...outputOf(values) };
}

export interface CliRun extends CliOutput {
  /** `python` in these options is what the caller passed to parseRunArgs; `--python`, if given, is in `python`. */
  options: RunOptions;
  python: string | undefined;
  /** `--baseline`: the record folder the run is compared with when it ends. */
  baseline: string | undefined;
}

/** `--worker-hosts` and the options that go with it, checked; undefined without worker hosts. */
function remoteWorkersOf(values: { 'worker-hosts'?: string; 'worker-python'?: string; 'ssh-config'?: string; 'on-worker-failure'?: string }): RemoteWorkerSettings | undefined {
  const hosts = list(values['worker-hosts']);
  if (!hosts?.length) {
    for (const flag of ['worker-python', 'ssh-config', 'on-worker-failure'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with --worker-hosts`);
    }
    return undefined;
  }
  for (const host of hosts) {
    const problem = validateWorkerHost(host);
    if (problem) throw new UsageError(`--worker-hosts: ${problem}`);
  }
  const onFailure = values['on-worker-failure'];
  if (onFailure !== undefined && onFailure !== 'stop' && onFailure !== 'continue') throw new UsageError(`--on-worker-failure must be stop or continue, not "${onFailure}"`);
  const sshConfig = values['ssh-config'];
  if (sshConfig !== undefined && !existsSync(sshConfig)) throw new UsageError(`--ssh-config: no file at ${sshConfig}`);
  return {
    hosts,
    ...(values['worker-python'] !== undefined && { python: values['worker-python'] }),
    ...(sshConfig !== undefined && { sshConfig: path.resolve(sshConfig) }),
    ...(onFailure !== undefined && { onFailure }),
  };
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
  const interval = intervalOf(values.interval);
  checkHost(values.host);
  const shape = values.shape?.trim();
  if (values.shape !== undefined && !/^[\p{L}_][\p{L}\p{N}_]*$/u.test(shape ?? '')) throw new UsageError(`--shape must be the name of a LoadTestShape class, not "${values.shape}"`);
  if (values.shape !== undefined && values['no-shape']) throw new UsageError('--shape and --no-shape exclude each other');
  const options: RunOptions = {
    python,
    locustfile: path.resolve(locustfile),
    userClasses: userClasses.length ? userClasses : undefined,
    shapeClass: values['no-shape'] ? null : shape,
    host: values.host,
    users: usersOf(values.users),
    spawnRate: number(values['spawn-rate'], 'spawn-rate'),
    runTime: values['run-time'],
    tags: list(values.tags),
    excludeTags: list(values['exclude-tags']),
    statsInterval: interval,
    extraArgs: extraArgs.length ? extraArgs : undefined,
    profile: values.profile?.trim() || undefined,
  };
  // Settled once the interpreter is known (workerMode): Locust's own --processes where it has it.
  if (workers !== undefined) {
    options.mode = 'distributed';
    options.workers = workers === 0 ? ALL_CORES : workers;
  }
  const remote = remoteWorkersOf(values);
  if (remote) {
    options.mode = 'distributed';
    options.remoteWorkers = remote;
  }
  if (values['master-bind'] !== undefined) {
    const problem = validateMasterBind(values['master-bind']);
    if (problem) throw new UsageError(`--master-bind: ${problem}`);
    if (options.mode !== 'distributed') throw new UsageError('--master-bind goes with --workers or --worker-hosts');
    options.masterBind = values['master-bind'].trim();
  }
  // Drop what was not given, so that the record's options.json says only what the user chose.
  for (const key of Object.keys(options) as (keyof RunOptions)[]) if (options[key] === undefined) delete options[key];
  return { options, python: values.python, baseline: values.baseline, ...outputOf(values) };
}

// ---- output ----

/** The one-line progress: users, current req/s, failure % (cumulative), elapsed. */
export function progressLine(tick: Tick, elapsedMs: number): string {
  const w = tick.total.window;
  const rps = w.seconds > 0 ? w.requests / w.seconds : 0;
  const failPct = tick.total.requests ? (100 * tick.total.failures) / tick.total.requests : 0;
  return (
    `${printable(tick.state).padEnd(8)} users ${String(tick.userCount).padStart(4)}  ${rps.toFixed(1).padStart(8)} req/s  ` +
    `failures ${failPct.toFixed(2).padStart(6)}%  requests ${tick.total.requests}  ${formatDuration(Math.floor(elapsedMs / 1000))}`
  );
}

function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : String(Math.round(value));
}

/** The final statistics as a plain table, Locust-like, Aggregated last. */
export function finalTable(endpoints: EndpointStats[], total: EndpointStats, seconds: number): string {
  const header = ['Type', 'Name', '# reqs', '# fails', 'Avg', 'Min', 'Max', 'Med', 'req/s', 'p95', 'p99'];
  const row = (e: EndpointStats, rawName: string) => {
    const name = printable(rawName);
    return [
    printable(e.method),
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
  };
  const rows = [header, ...endpoints.map((e) => row(e, e.name)), row({ ...total, method: '' }, 'Aggregated')];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [line(rows[0]!), rule, ...rows.slice(1, -1).map(line), rule, line(rows.at(-1)!)].join('\n');
}

/** A metric's cell in the comparison table: baseline → new, the change, ✗ when it regressed, ✓ when it improved. */
function metricCell(metric: ComparedMetric, m: MetricComparison): string {
  const value = (x: number | null) => (x === null ? '-' : metric === 'rps' ? x.toFixed(1) : metric === 'failPercent' ? `${x.toFixed(2)}%` : ms(x));
  const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(digits)}`;
  const change =
    m.delta === null ? '' : metric === 'failPercent' ? ` ${signed(m.delta, 2)}pp` : m.relative === null ? '' : ` ${signed(100 * m.relative, 1)}%`;
  const mark = m.verdict === 'regressed' ? ' ✗' : m.verdict === 'improved' ? ' ✓' : '';
  return `${value(m.base)} → ${value(m.new)}${change}${mark}`;
}

/** A comparison as a plain table in the style of the final table (Aggregated last), then what is only in one run, notes and the verdict. */
export function comparisonTable(comparison: Comparison): string {
  const header = ['Type', 'Name', 'Verdict', ...COMPARED_METRICS.map((m) => `${METRIC_LABEL[m]}${METRIC_UNIT[m] === 'ms' ? ' (ms)' : ''}`)];
  const row = (e: EndpointComparison, rawName: string) => {
    const name = printable(rawName);
    return [printable(e.method), name.length > 50 ? `${name.slice(0, 49)}…` : name, ENDPOINT_VERDICT_LABEL[e.verdict], ...COMPARED_METRICS.map((m) => metricCell(m, e.metrics[m]))];
  };
  const rows = [header, ...comparison.endpoints.map((e) => row(e, e.name)), row({ ...comparison.aggregate, method: '' }, 'Aggregated')];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const out = [
    `Baseline: ${printable(comparison.base.dir || comparison.base.id)}`,
    `New run:  ${printable(comparison.new.dir || comparison.new.id)}`,
    '',
    line(rows[0]!),
    rule,
    ...rows.slice(1, -1).map(line),
    rule,
    line(rows.at(-1)!),
    `✗ worse, ✓ better: significant at ${COMPARISON_RULE.confidence * 100}% (Welch t-test on batch means) and at least ${COMPARISON_RULE.minChange * 100}%; requests/s judges only the aggregate.`,
  ];
  const only = (title: string, list: Comparison['onlyInBase']) => {
    if (list.length) out.push('', `${title}:`, ...list.map((e) => `  ${printable(e.method)} ${printable(e.name)} (${e.requests} requests)`));
  };
  only('Only in the baseline', comparison.onlyInBase);
  only('Only in the new run', comparison.onlyInNew);
  if (comparison.notes.length) out.push('', 'Notes:', ...comparison.notes.map((n) => `  ${printable(n)}`));
  const regressed = comparison.endpoints.filter((e) => e.verdict === 'regressed');
  const which = regressed.slice(0, 5).map((e) => `${printable(e.method)} ${printable(e.name)}`).join(', ');
  const detail = [
    regressed.length ? `${regressed.length} of ${comparison.endpoints.length} endpoints regressed: ${which}${regressed.length > 5 ? ', …' : ''}` : undefined,
    comparison.aggregate.verdict === 'regressed' ? 'the aggregate regressed' : undefined,
  ].filter(Boolean);
  out.push('', `Comparison: ${COMPARISON_VERDICT_LABEL[comparison.verdict]}${detail.length ? ` (${detail.join('; ')})` : ''}`);
  return out.join('\n');
}

/** The CLI's status for a comparison: 1 when anything regressed, else 0. */
export function comparisonExitStatus(comparison: Comparison): number {
  return comparison.verdict === 'regressed' ? 1 : 0;
}

const STATE_MARK: Record<ThresholdStatus['state'], string> = { passed: '✓', holding: '✓', failed: '✗', failing: '✗', unknown: '?', pending: '?' };

/**
 * Each threshold with ✓ (held), ✗ (failed) or ? (could not be judged), its measured value against its limit, and the
 * verdict: the same statuses the panel, the Testing view and the report show. A run without a verdict says why.
 */
export function thresholdsTable(thresholds: Threshold[], statuses: ThresholdStatus[], verdict: Verdict | undefined): string {
  const texts = thresholds.map((t) => printable(t.text));
  const width = Math.max(...texts.map((text) => text.length));
  const lines = thresholds.map((t, i) => {
    const status = verdict?.thresholds[i] ?? statuses[i];
    const measured = status && status.value !== null ? printable(describeMeasurement(t, status)) : '';
    const why = status?.reason ? `  (${printable(status.reason)})` : '';
    return `  ${STATE_MARK[status?.state ?? 'unknown']} ${texts[i]!.padEnd(width)}  ${measured}${why}`.trimEnd();
  });
  const held = verdict ? verdict.thresholds.filter((s) => s.state === 'passed').length : 0;
  const summary = verdict
    ? `Thresholds: ${verdict.outcome}${verdict.unreliable !== undefined ? ' (unreliable: the load generator was saturated)' : ''} (${held} of ${thresholds.length} held${verdict.abortedBy ? `; the run was ended early by "${printable(verdict.abortedBy)}"` : ''})`
    : 'Thresholds: no verdict: the run did not finish';
  return [`\nThresholds:`, ...lines, summary].join('\n');
}

/** The thresholds' results as JUnit XML; a run without a verdict reports each threshold as not judged. */
async function writeJunit(file: string, thresholds: Threshold[], end: RunEnd, name: string, seconds: number): Promise<void> {
  const verdict: Verdict = end.verdict ?? {
    outcome: 'unknown',
    thresholds: thresholds.map((t) => ({ text: t.text, state: 'unknown', value: null, reason: `the run did not finish (${end.outcome}): ${end.message ?? 'see the log'}` })),
  };
  makeFolderFor(path.dirname(path.resolve(file)), 'the JUnit file');
  await writeFile(file, junitXml(verdict, thresholds, { suiteName: name, durationSeconds: seconds }));
}

// ---- commands ----

/** Non-TTY progress lines come at most this often. */
const PLAIN_PROGRESS_EVERY_MS = 5_000;

/**
 * Shows a run as it goes: the live progress line (redrawn on a terminal, a plain line every 5 s otherwise), bridge
 * errors, Locust's output with --verbose; the first Ctrl-C (or SIGTERM) stops it gracefully, a second one kills it.
 * Resolves once the run ended, after printing the final table, failures, exceptions and the record's folder.
 */
async function showRun(
  session: RunSession,
  cli: { verbose: boolean; csv: string | undefined; junit: string | undefined },
  thresholds: Threshold[],
  { what = 'stopping (Ctrl-C again to kill)', name }: { what?: string; name: string },
): Promise<RunEnd> {
  const started = Date.now();
  const tty = process.stdout.isTTY === true;
  let progressShown = false;
  let lastPlain = 0;

  const clearProgress = () => {
    if (tty && progressShown) process.stdout.write('\r\x1b[2K');
    progressShown = false;
  };
  session.on('recordingStopped', (reason) => {
    clearProgress();
    process.stderr.write(`locust-studio: recording stopped: ${printable(reason)}; the run goes on\n`);
  });
  session.on('log', (line) => {
    if (!cli.verbose) return;
    clearProgress();
    process.stderr.write(`${printable(line)}\n`);
  });
  session.on('change', (_change, message) => {
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
      process.stderr.write(`locust-studio: ${printable(message.message)}\n`);
    }
  });
  session.on('aborting', (threshold) => {
    clearProgress();
    process.stderr.write(`locust-studio: threshold "${printable(threshold)}" failed: stopping the run\n`);
  });
  session.on('saturated', (warning) => {
    clearProgress();
    process.stderr.write(`locust-studio: warning: ${warning}\n`);
  });
  session.on('workerLost', (warning) => {
    clearProgress();
    process.stderr.write(`locust-studio: warning: ${printable(warning)}\n`);
  });

  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    clearProgress();
    if (interrupts === 1) {
      process.stderr.write(`locust-studio: ${what}\n`);
      void session.stop();
    } else session.kill();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const end = await session.ended;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  clearProgress();
  // The run is over; what is left (the table, the CSV export, the JUnit file) takes a moment and must not be cut off
  // half-written by an impatient Ctrl-C: a later signal is acknowledged and waits for it. Once it is written, one ends
  // this process at once (with the run's status, set by then); the handler stays so that no signal finds it missing.
  let outputDone = false;
  let lateSignalSaid = false;
  const onLateSignal = () => {
    if (outputDone) process.exit();
    if (lateSignalSaid) return;
    lateSignalSaid = true;
    process.stderr.write('locust-studio: the run has ended; finishing its output\n');
  };
  process.on('SIGINT', onLateSignal);
  process.on('SIGTERM', onLateSignal);
  await printEnd(session, end, cli, thresholds, { name, started });
  outputDone = true;
  return end;
}

/** After a run: the final table, failures, exceptions, thresholds, the JUnit file, why it ended, the record and its export. */
async function printEnd(
  session: RunSession,
  end: RunEnd,
  cli: { csv: string | undefined; junit: string | undefined },
  thresholds: Threshold[],
  { name, started }: { name: string; started: number },
): Promise<void> {
  const final = session.final;
  if (final) {
    const seconds = final.startTime && final.lastRequestTime ? final.lastRequestTime - final.startTime : (Date.now() - started) / 1000;
    process.stdout.write(`${finalTable(final.endpoints, final.total, seconds)}\n`);
    if (final.failures.length) {
      process.stdout.write(
        `\nFailures:\n${final.failures.map((f) => `  ${f.occurrences}× ${printable(f.method)} ${printable(f.name)}: ${printable(f.error.slice(0, 200))}`).join('\n')}\n`,
      );
    }
    if (final.exceptions?.length) {
      process.stdout.write(`\nExceptions:\n${final.exceptions.map((e) => `  ${e.count}× ${printable(e.message.slice(0, 200))}`).join('\n')}\n`);
    }
  }
  if (thresholds.length) process.stdout.write(`${thresholdsTable(thresholds, session.aggregate.snapshot.thresholds ?? [], end.verdict)}\n`);
  // Said again after the table it concerns: the numbers above were measured by a load generator that did not keep up.
  if (end.loadWarning !== undefined) process.stderr.write(`locust-studio: warning: ${end.loadWarning}\n`);
  if (cli.junit) {
    await writeJunit(cli.junit, thresholds, end, name, (Date.now() - started) / 1000);
    process.stdout.write(`JUnit: ${cli.junit}\n`);
  }
  if (end.message) {
    process.stderr.write(`locust-studio: ${printable(end.message)}\n`);
    // Locust could not run (bad locustfile, bad option…): its own words say why.
    if (session.kind === 'launched' && !end.exit.spawnError && end.logTail.length) {
      process.stderr.write(`Locust's last output:\n${end.logTail.slice(-20).map(printable).join('\n')}\n`);
    }
  }
  if (end.malformedLines) {
    const log = end.recordDir && end.recordStopped === undefined ? "see the record's locust.log" : 'the first ones are in the log (-v)';
    process.stderr.write(`locust-studio: ${end.malformedLines} malformed line${end.malformedLines === 1 ? '' : 's'} from the bridge ${end.malformedLines === 1 ? 'was' : 'were'} ignored (${log})\n`);
  }
  if (end.recordDir) {
    process.stdout.write(`Run record: ${end.recordDir}${end.recordStopped !== undefined ? ' (incomplete: recording stopped)' : ''}\n`);
    if (cli.csv) {
      // An incomplete record still exports what it has; a failed export is said, and the run's status stands.
      await exportRunRecord(await loadRunRecord(end.recordDir), cli.csv).then(
        (files) => process.stdout.write(`Exported: ${files.join(', ')}\n`),
        (error: unknown) => process.stderr.write(`locust-studio: the CSV export failed: ${printable((error as Error).message)}\n`),
      );
    }
  }
}

/** The folders of --csv and --junit can be made (the record's is checked by the session): refused before anything starts. */
function checkOutputFolders(cli: CliOutput): void {
  if (cli.csv !== undefined) makeFolderFor(path.dirname(path.resolve(cli.csv)), 'the CSV export (--csv)');
  if (cli.junit !== undefined) makeFolderFor(path.dirname(path.resolve(cli.junit)), 'the JUnit file (--junit)');
}

/** `--baseline`: the record read and checked before anything starts; undefined (and said why) when it cannot be compared. */
async function loadBaseline(dir: string): Promise<RunForComparison | undefined> {
  try {
    return await loadRunForComparison(path.resolve(dir));
  } catch (error) {
    process.stderr.write(`locust-studio: --baseline: ${printable((error as Error).message)}\n`);
    return undefined;
  }
}

async function run(argv: string[]): Promise<number> {
  const cli = parseRunArgs(argv, '');
  const baseline = cli.baseline === undefined ? undefined : await loadBaseline(cli.baseline);
  if (cli.baseline !== undefined && !baseline) return EXIT_CANNOT_START;
  const interpreter = await resolveInterpreter(cli.python).catch((error: Error) => {
    process.stderr.write(`locust-studio: ${error.message}\n`);
    return undefined;
  });
  if (!interpreter) return EXIT_CANNOT_START;
  cli.options.python = interpreter.path;
  if (cli.options.profile && !locustOffers(interpreter, 'profile')) {
    process.stderr.write(`locust-studio: --profile: ${interpreter.path} has Locust ${interpreter.locustVersion || '(version unknown)'}, which has no --profile option (newer releases have it)\n`);
    return EXIT_CANNOT_START;
  }
  if (cli.options.remoteWorkers) {
    // Workers on other hosts need a master of ours (Locust's --processes forks local workers only).
    if (cli.options.workers === ALL_CORES) cli.options.workers = defaultWorkerCount();
  } else if (cli.options.mode === 'distributed') {
    const { mode, workers } = workerMode(cli.options.workers ?? ALL_CORES, locustOffers(interpreter, 'processes'), defaultWorkerCount);
    cli.options.mode = mode;
    if (workers === undefined) delete cli.options.workers;
    else cli.options.workers = workers;
  }
  // The locustfile's own THRESHOLDS first, then the command line's; a malformed one stops everything before Locust runs.
  // A file that cannot be read declares nothing here: Locust says why it cannot run it.
  const source = await readFile(cli.options.locustfile, 'utf8').catch(() => undefined);
  const declared = declaredThresholds(source === undefined ? null : await modelOfText(pathToFileURL(cli.options.locustfile).href, source));
  if (declared.problems.length) {
    const where = path.relative(process.cwd(), cli.options.locustfile) || cli.options.locustfile;
    for (const p of declared.problems) process.stderr.write(`locust-studio: ${where}:${p.line}: THRESHOLDS${p.text === null ? '' : ` "${p.text}"`}: ${p.error}\n`);
    return EXIT_CANNOT_START;
  }
  const thresholds = [...declared.thresholds, ...cli.thresholds];
  checkOutputFolders(cli);
  const session = await RunSession.launch(cli.options, {
    ...(cli.recordDir && { record: { baseDir: cli.recordDir, interpreter: { path: interpreter.path, locustVersion: interpreter.locustVersion, source: cli.python ? 'option' : 'path' } } }),
    spawnErrorHint: 'Check --python.',
    thresholds,
    ...(baseline && { baseline: { run: baseline, label: '' } }),
  });
  // Workers started by hand need a master they can reach: said when the user chose its address.
  if (cli.options.masterBind !== undefined && session.workerCommand) process.stderr.write(`locust-studio: start more workers by hand with: ${session.workerCommand}\n`);
  const end = await showRun(session, cli, thresholds, { name: path.basename(cli.options.locustfile) });
  const status = exitStatusOf(end);
  const comparison = end.comparison;
  if (!comparison) return status;
  process.stdout.write(`\nCompared with the baseline:\n${comparisonTable(comparison)}\n`);
  // A regression fails a run that otherwise passed; a worse status (could not start, killed) stands.
  return status === 0 ? comparisonExitStatus(comparison) : status;
}

/** `attach <url>`: follows a Locust web UI, with the same progress, table and record as `run`. */
async function attach(argv: string[]): Promise<number> {
  const cli = parseAttachArgs(argv);
  checkOutputFolders(cli);
  const attached = new AttachedRun(cli.options);
  try {
    await attached.connect();
  } catch (error) {
    process.stderr.write(`locust-studio: cannot attach: ${(error as Error).message}\n`);
    return EXIT_CANNOT_START;
  }
  process.stderr.write(`locust-studio: following ${attached.url}${cli.options.users !== undefined ? ` (${cli.options.users} users started)` : ''}\n`);
  const session = RunSession.follow(attached, cli.options, { ...(cli.recordDir && { record: { baseDir: cli.recordDir } }), thresholds: cli.thresholds });
  const end = await showRun(session, cli, cli.thresholds, {
    what: `detaching${cli.options.stopRemote ? ' and stopping the remote test' : ' (the remote Locust keeps running)'} (Ctrl-C again to leave at once)`,
    name: attached.url,
  });
  return exitStatusOf(end);
}

async function exportCommand(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, options: {}, allowPositionals: true, strict: true });
  const [dir, prefix] = positionals;
  if (!dir || !prefix) throw new UsageError('export needs a record folder and a prefix');
  const files = await exportRunRecord(await loadRunRecord(dir), prefix);
  process.stdout.write(`${files.join('\n')}\n`);
  return 0;
}

/** Writes a comparison's HTML report, making its folder. */
async function writeComparisonHtml(file: string, comparison: Comparison): Promise<void> {
  makeFolderFor(path.dirname(path.resolve(file)), 'the HTML report (--html)');
  await writeFile(file, renderComparisonHtml(comparison));
}

/** `compare <baseline> <new>`: the table (or --json), --html, and the status (0 ok, 1 regressed, 2 bad input). */
async function compareCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, html: { type: 'string' } }, allowPositionals: true, strict: true });
  const [baseDir, newDir, ...rest] = positionals;
  if (!baseDir || !newDir) throw new UsageError('compare needs a baseline record folder and a new record folder');
  if (rest.length) throw new UsageError(`compare takes two record folders, not also "${rest.join(' ')}"`);
  let runs: [RunForComparison, RunForComparison];
  try {
    runs = await Promise.all([loadRunForComparison(path.resolve(baseDir)), loadRunForComparison(path.resolve(newDir))]);
  } catch (error) {
    process.stderr.write(`locust-studio: compare: ${printable((error as Error).message)}\n`);
    return EXIT_CANNOT_START;
  }
  const comparison = compareBatches(...runs);
  if (values.html !== undefined) await writeComparisonHtml(values.html, comparison);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(comparison)}\n`);
    if (values.html !== undefined) process.stderr.write(`HTML report: ${values.html}\n`);
  } else {
    process.stdout.write(`${comparisonTable(comparison)}\n`);
    if (values.html !== undefined) process.stdout.write(`HTML report: ${values.html}\n`);
  }
  return comparisonExitStatus(comparison);
}

/** `import <file> -o <locustfile.py>`: traffic in, a locustfile out (what was left out is listed in it and on stderr). */
async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      output: { type: 'string', short: 'o' },
      host: { type: 'string', short: 'H' },
      'fast-http': { type: 'boolean' },
      'keep-static': { type: 'boolean' },
      'keep-third-party': { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [file, ...rest] = positionals;
  if (!file) throw new UsageError('import needs a traffic file (HAR, .http/.rest, curl commands or a Postman collection)');
  if (rest.length) throw new UsageError(`import takes one file, not also "${rest.join(' ')}"`);
  if (!values.output) throw new UsageError('import needs -o <locustfile.py>, the file to write');
  checkHost(values.host);
  let result: Awaited<ReturnType<typeof importTrafficFile>>;
  try {
    result = await importTrafficFile(file, {
      ...(values.host !== undefined && { host: values.host }),
      fastHttp: values['fast-http'] === true,
      keepStatic: values['keep-static'] === true,
      keepThirdParty: values['keep-third-party'] === true,
    });
  } catch (error) {
    if (!(error instanceof TrafficImportError)) throw error;
    process.stderr.write(`locust-studio: import ${printable(file)}: ${printable(error.message)}\n`);
    return EXIT_CANNOT_START;
  }
  makeFolderFor(path.dirname(path.resolve(values.output)), 'the locustfile (-o)');
  await writeFile(values.output, result.text);
  process.stdout.write(`${values.output}: ${result.requestCount} request${result.requestCount === 1 ? '' : 's'} from ${result.traffic.format}${result.leftOut.length ? `, ${result.leftOut.length} left out (listed at the top of the file)` : ''}\n`);
  for (const note of result.traffic.notes) process.stderr.write(`locust-studio: note: ${printable(note)}\n`);
  if (result.environment.length) process.stdout.write(`Set ${result.environment.join(', ')} before running it.\n`);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'run' && !rest.includes('-h') && !rest.includes('--help')) return await run(rest);
    if (command === 'attach' && !rest.includes('-h') && !rest.includes('--help')) return await attach(rest);
    if (command === 'export') return await exportCommand(rest);
    if (command === 'import' && !rest.includes('-h') && !rest.includes('--help')) return await importCommand(rest);
    if (command === 'compare' && !rest.includes('-h') && !rest.includes('--help')) return await compareCommand(rest);
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
    if (error instanceof RecordFolderError) {
      // Nothing was started.
      process.stderr.write(`locust-studio: ${printable(error.message)}. Choose a folder you can write (--record-dir, --csv, --junit), or run without a record (--no-record).\n`);
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
