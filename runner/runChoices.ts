// What a user chooses for a run (users, spawn rate, run time, host, tags, extra args): defaults, validation, locust.conf.
// Free of `vscode`: the editor asks for them and the CLI checks them with the same rules.

import path from 'node:path';
import { parseDuration } from '../protocol/duration';
import { defaultWorkerCount, type RunOptions } from './locustRun';
import { validateMasterBind, validateWorkerHost, type RemoteWorkerSettings } from './remoteWorkers';
import { isSpawnRate, isUserCount, MAX_USERS, MIN_USERS_TO_START } from '../protocol/limits';
import { readLocustConf as parseLocustConf } from '../protocol/locustConf';
import type { CustomArgumentInfo } from '../protocol/model';

export interface RunChoices {
  users: number;
  spawnRate: number;
  /** Locust's syntax (`30s`, `5m`, `1h30m`); empty: until stopped. */
  runTime: string;
  /** Empty: whatever the locustfile or locust.conf says. */
  host: string;
  tags: string[];
  excludeTags: string[];
  extraArgs: string[];
  /** Values of the locustfile's own command-line arguments (CustomArgumentInfo), by flag: what the user set in the questions. */
  customArgs: Record<string, string>;
  /** Locust's `--profile` (it names the run; newer Locust only); empty: none. */
  profile: string;
}

/** First value wins: what the user used last for this file, then the file's own settings, then the extension's settings. */
export function mergeDefaults(...layers: Partial<RunChoices>[]): RunChoices {
  const pick = <K extends keyof RunChoices>(key: K, fallback: RunChoices[K]): RunChoices[K] =>
    layers.map((l) => l[key]).find((value) => value !== undefined) ?? fallback;
  return {
    users: pick('users', 10),
    spawnRate: pick('spawnRate', 5),
    runTime: pick('runTime', ''),
    host: pick('host', ''),
    tags: pick('tags', []),
    excludeTags: pick('excludeTags', []),
    extraArgs: pick('extraArgs', []),
    customArgs: pick('customArgs', {}),
    profile: pick('profile', ''),
  };
}

/**
 * The locustfile's own arguments as Locust's command line takes them, for the values chosen (in the file's order): a switch
 * is given when it is set away from its default; a value when it is not empty. Arguments the file no longer declares, or
 * leaves out of Locust's form, are not passed.
 */
export function customArgumentArgs(values: Readonly<Record<string, string>>, declared: readonly CustomArgumentInfo[]): string[] {
  const args: string[] = [];
  for (const argument of declared) {
    if (!argument.inWebUi || !Object.hasOwn(values, argument.flag)) continue;
    const value = values[argument.flag]!;
    if (argument.kind === 'flag') {
      if ((value === 'true') !== (argument.default === 'true')) args.push(argument.flag);
    } else if (value !== '') {
      args.push(argument.flag, value);
    }
  }
  return args;
}

/** An error message for a custom argument's value, as Locust's parser would refuse it; undefined when it is fine. */
export function validateCustomArgument(argument: CustomArgumentInfo, text: string): string | undefined {
  const value = text.trim();
  if (value === '') return undefined;
  if (argument.choices && !argument.choices.includes(value)) return `One of: ${argument.choices.join(', ')}.`;
  if (argument.kind === 'integer' && !/^[-+]?\d+$/.test(value)) return 'A whole number.';
  if (argument.kind === 'number' && !Number.isFinite(Number(value))) return 'A number.';
  return undefined;
}

/** The choices as they are remembered for the next run of the file: everything but the values of secret arguments. */
export function rememberedChoices(choices: RunChoices, declared: readonly CustomArgumentInfo[]): RunChoices {
  const secret = new Set(declared.filter((a) => a.secret).map((a) => a.flag));
  return { ...choices, customArgs: Object.fromEntries(Object.entries(choices.customArgs).filter(([flag]) => !secret.has(flag))) };
}

/** An error message for an input box, or undefined when the value is fine. */
export function validateUsers(text: string): string | undefined {
  return /^\d+$/.test(text.trim()) && isUserCount(Number(text))
    ? undefined
    : `A whole number of users, from ${MIN_USERS_TO_START} to ${MAX_USERS.toLocaleString('en-US')}.`;
}

export function validateSpawnRate(text: string): string | undefined {
  return text.trim() !== '' && isSpawnRate(Number(text.trim())) ? undefined : 'Users started per second: a number above 0, such as 5 or 0.5.';
}

export function validateRunTime(text: string): string | undefined {
  return text.trim() === '' || parseDuration(text) !== undefined ? undefined : 'A duration such as 30s, 5m or 1h30m, or seconds; empty runs until you stop it.';
}

export function validateHost(text: string): string | undefined {
  if (text.trim() === '') return undefined;
  try {
    const url = new URL(text.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'The host starts with http:// or https://.';
  } catch {
    return 'A URL such as http://127.0.0.1:8080.';
  }
}

/** Splits `a, b c` into tags. */
export function parseList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/**
 * Splits extra arguments the way a shell would for simple cases: whitespace-separated, with '…' or "…" quoting.
 * No expansion of any kind happens: the words go to Locust as they are.
 */
export function parseArguments(text: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const match of text.matchAll(pattern)) words.push(match[1]?.replace(/\\(.)/g, '$1') ?? match[2] ?? match[3] ?? '');
  return words;
}

/** The settings of a locust.conf that the run flow shows as defaults (Locust itself still reads the whole file). */
export function readLocustConf(text: string): Partial<RunChoices> {
  const values = parseLocustConf(text);
  const choices: Partial<RunChoices> = {};
  const host = values.get('host');
  if (host) choices.host = host;
  const users = Number(values.get('users') ?? values.get('u'));
  if (isUserCount(users)) choices.users = users;
  const spawnRate = Number(values.get('spawn-rate') ?? values.get('r'));
  if (isSpawnRate(spawnRate)) choices.spawnRate = spawnRate;
  const runTime = values.get('run-time') ?? values.get('t');
  if (runTime && !validateRunTime(runTime)) choices.runTime = runTime;
  return choices;
}

/** A worker count that means "one worker per core" (the editor's setting and the CLI's `--workers 0` both say it so). */
export const ALL_CORES = -1;

/**
 * How a run with local workers starts: with Locust's own `--processes` where the interpreter's Locust has it (one Locust
 * that forks its workers; "all cores" is Locust's own count), else as a master plus workers this runner starts. `workers`:
 * a count, ALL_CORES, or 0 for a run in one process.
 */
export function workerMode(workers: number, locustHasProcesses: boolean, cores: () => number): Pick<RunOptions, 'mode' | 'workers'> {
  if (workers === 0) return {};
  if (locustHasProcesses) return { mode: 'processes', ...(workers !== ALL_CORES && { workers }) };
  return { mode: 'distributed', workers: workers === ALL_CORES ? cores() : workers };
}

/**
 * The run options for what the user chose: "Run shape" runs that shape (Locust alone takes the file's first) and lets it
 * decide users and duration (Locust refuses --run-time with a shape); "Run load test" runs the users asked for, with any
 * shape in the file set aside. `workers` other than 0: Locust's distributed mode on this machine (see workerMode).
 */
export function runOptionsFor(
  target: { locustfile: string; userClasses: string[]; shape?: string | undefined },
  choices: RunChoices,
  {
    python,
    statsInterval,
    workers,
    locustHasProcesses = false,
    locustHasProfile = false,
    remote,
  }: { python: string; statsInterval: number; workers: number; locustHasProcesses?: boolean; locustHasProfile?: boolean; remote?: RemoteWorkerPlan },
  declared: readonly CustomArgumentInfo[] = [],
): RunOptions {
  return {
    python,
    locustfile: target.locustfile,
    // Locust runs from the locustfile's folder, where its locust.conf is.
    cwd: path.dirname(target.locustfile),
    userClasses: target.userClasses,
    shapeClass: target.shape ?? null,
    ...(!target.shape && { users: choices.users, spawnRate: choices.spawnRate, runTime: choices.runTime || undefined }),
    host: choices.host || undefined,
    tags: choices.tags,
    excludeTags: choices.excludeTags,
    // The file's own arguments first, so that extra arguments typed by hand can still override them.
    extraArgs: [...customArgumentArgs(choices.customArgs, declared), ...choices.extraArgs],
    ...(declared.some((a) => a.secret) && { secretFlags: declared.filter((a) => a.secret).map((a) => a.flag) }),
    // A Locust without --profile would refuse the whole run for it: a profile remembered from another interpreter waits.
    ...(choices.profile && locustHasProfile && { profile: choices.profile }),
    statsInterval,
    // Workers on other hosts need a master of ours (Locust's --processes forks local workers only): `workers` local ones beside them.
    ...(remote?.remoteWorkers
      ? { mode: 'distributed' as const, workers: workers === ALL_CORES ? defaultWorkerCount() : workers, remoteWorkers: remote.remoteWorkers }
      : workerMode(workers, locustHasProcesses, defaultWorkerCount)),
    ...(remote?.masterBind !== undefined && { masterBind: remote.masterBind }),
  };
}

/** Workers on other hosts and the master's address, as a run takes them. */
export interface RemoteWorkerPlan {
  remoteWorkers?: RemoteWorkerSettings;
  masterBind?: string;
}

/**
 * The editor's settings for workers on other hosts, checked with the rules the CLI applies: a plan, or what is wrong (by
 * setting name). Empty hosts and address: nothing to plan.
 */
export function remoteWorkerPlan(settings: { hosts: readonly string[]; masterBind: string; python: string; sshConfig: string; onFailure: string }): RemoteWorkerPlan | { error: string } {
  const hosts = settings.hosts.map((h) => h.trim()).filter(Boolean);
  for (const host of hosts) {
    const problem = validateWorkerHost(host);
    if (problem) return { error: `locustStudio.workerHosts: ${problem}` };
  }
  const masterBind = settings.masterBind.trim();
  if (masterBind !== '') {
    const problem = validateMasterBind(masterBind);
    if (problem) return { error: `locustStudio.masterBind: ${problem}` };
  }
  const onFailure = settings.onFailure === 'continue' ? 'continue' : 'stop';
  return {
    ...(hosts.length > 0 && {
      remoteWorkers: {
        hosts,
        ...(settings.python.trim() !== '' && { python: settings.python.trim() }),
        ...(settings.sshConfig.trim() !== '' && { sshConfig: settings.sshConfig.trim() }),
        onFailure,
      },
    }),
    ...(masterBind !== '' && { masterBind }),
  };
}
