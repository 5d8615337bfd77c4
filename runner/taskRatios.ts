// Asks a real Locust for a locustfile's User classes and task ratios (`--list`, `--show-task-ratio-json`) and sets them beside the model's; free of vscode.
import path from 'node:path';
import { findImportFailure } from './importFailure';
import { killOnNodeExit, onChildExit, readLogLines, signalGroup, spawnInGroup, type RunExit } from './childProcess';
import { taskShares, type LocustfileModel, type TaskInfo, type TaskSetInfo, type UserClassInfo } from '../protocol/model';
import type { ModelRatioRow } from '../protocol/webview';

/** One entry of `--show-task-ratio-json`: a User class or task's share of its parent, and what it holds. */
export interface LocustRatioNode {
  ratio: number;
  tasks?: Record<string, LocustRatioNode>;
}

export interface LocustTaskRatios {
  /** The User classes `--list` names. */
  users: string[];
  /** `per_class` of `--show-task-ratio-json`. */
  perClass: Record<string, LocustRatioNode>;
}

export type TaskRatiosAnswer = { ok: true; ratios: LocustTaskRatios } | { ok: false; message: string };

/** Users Locust is told to share out (`-u`): with none, a `fixed_count` class takes every user and the others show 0. */
export const RATIO_USERS = 10;
const TIMEOUT_MS = 60_000;
/** Output beyond this is not a ratio table: the rest is dropped rather than kept in memory. */
const MAX_OUTPUT_CHARS = 4 * 1024 * 1024;

interface Finished {
  exit: RunExit;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs `python -m locust -f <file> <args>` in the file's folder (its locust.conf applies), its group killed on timeout. */
async function runLocust(python: string, locustfile: string, args: string[], timeoutMs: number): Promise<Finished> {
  const child = spawnInGroup({ command: python, args: ['-m', 'locust', '-f', locustfile, ...args], cwd: path.dirname(locustfile), channel: false });
  const forget = killOnNodeExit(() => signalGroup(child.pid, 'SIGKILL'));
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signalGroup(child.pid, 'SIGKILL');
  }, timeoutMs);
  try {
    const exited = new Promise<RunExit>((resolve) => onChildExit(child, resolve));
    const read = Promise.all([
      readLogLines(child.stdout, (line) => {
        if (stdout.length < MAX_OUTPUT_CHARS) stdout += `${line}\n`;
      }),
      readLogLines(child.stderr, (line) => {
        if (stderr.length < MAX_OUTPUT_CHARS) stderr += `${line}\n`;
      }),
    ]);
    const exit = await exited;
    if (!exit.spawnError) await read;
    return { exit, stdout, stderr, timedOut };
  } finally {
    clearTimeout(timer);
    forget();
  }
}

/** Why a Locust run of the file failed, in a sentence: the import error when there is one. */
function failureMessage(run: Finished, locustfile: string, what: string): string {
  if (run.exit.spawnError) return `The interpreter could not be started: ${run.exit.spawnError}`;
  if (run.timedOut) return `Locust did not answer ${what} within ${TIMEOUT_MS / 1000} s.`;
  const failure = findImportFailure(run.stderr, locustfile);
  if (failure) return `Locust could not import ${path.basename(failure.file)} (line ${failure.line}): ${failure.message}`;
  const last = run.stderr.trim().split('\n').slice(-3).join(' ').trim();
  return `Locust failed on ${what} (exit ${run.exit.code ?? run.exit.signal}): ${last || 'no message'}`;
}

/** The User classes and task ratios the interpreter's Locust reports for `locustfile` (an absolute path). */
export async function askLocustForTaskRatios(python: string, locustfile: string, { timeoutMs = TIMEOUT_MS } = {}): Promise<TaskRatiosAnswer> {
  // One after the other: two Locusts at once would double the import's side effects.
  const list = await runLocust(python, locustfile, ['--list'], timeoutMs);
  if (list.exit.code !== 0) return { ok: false, message: failureMessage(list, locustfile, '--list') };
  const shown = await runLocust(python, locustfile, ['--show-task-ratio-json', '-u', String(RATIO_USERS)], timeoutMs);
  if (shown.exit.code !== 0) return { ok: false, message: failureMessage(shown, locustfile, '--show-task-ratio-json') };
  const json = shown.stdout.slice(shown.stdout.indexOf('{'));
  let perClass: unknown;
  try {
    perClass = (JSON.parse(json) as { per_class?: unknown }).per_class;
  } catch {
    return { ok: false, message: `Locust's --show-task-ratio-json printed something that is not JSON: ${shown.stdout.slice(0, 200)}` };
  }
  if (!isRatioMap(perClass)) return { ok: false, message: 'Locust\'s --show-task-ratio-json has no `per_class` table this version of Locust Studio reads.' };
  // "Available Users:" and then one indented class name a line.
  const users = list.stdout.split('\n').filter((line) => /^\s+\S/.test(line)).map((line) => line.trim());
  return { ok: true, ratios: { users, perClass } };
}

function isRatioMap(value: unknown, depth = 0): value is Record<string, LocustRatioNode> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || depth > 20) return false;
  return Object.values(value).every((node: unknown) => {
    if (typeof node !== 'object' || node === null) return false;
    const { ratio, tasks } = node as { ratio?: unknown; tasks?: unknown };
    return typeof ratio === 'number' && (tasks === undefined || isRatioMap(tasks, depth + 1));
  });
}

/** One row of the comparison: a User class or a task (inside the TaskSets of `path`), with both shares of its parent. */
export interface RatioRow {
  user: string;
  /** The TaskSets from the User class inwards; empty for the User class's own row and its own tasks. */
  path: string[];
  /** The task; null on the User class's own row. */
  task: string | null;
  /** The model's share: null when a weight is unknown without running the file, undefined when the model does not have it. */
  model: number | null | undefined;
  /** Locust's share; undefined when Locust does not have it. */
  locust: number | undefined;
  /**
   * One side missing, or (for a task) both known and different. A User class's shares are not compared: Locust's is of the
   * `-u` users as it spawns them (whole users), the model's is by weight.
   */
  differs: boolean;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-6;
}

function row(user: string, pathTo: string[], task: string | null, model: number | null | undefined, locust: number | undefined): RatioRow {
  const differs = model === undefined || locust === undefined || (task !== null && model !== null && !close(model, locust));
  return { user, path: pathTo, task, model, locust, differs };
}

/** The model's share of each name in a task list (a name listed twice counts twice); null where a weight is unknown. */
function sharesByName(tasks: TaskInfo[]): Map<string, number | null> {
  const shares = taskShares(tasks);
  const byName = new Map<string, number | null>();
  for (const [at, task] of tasks.entries()) {
    const before = byName.has(task.name) ? byName.get(task.name)! : 0;
    const share = shares[at] ?? null;
    byName.set(task.name, before === null || share === null ? null : before + share);
  }
  return byName;
}

/** The User classes' shares of the users: by weight, unless a class has a fixed count (Locust's share then depends on -u). */
function userShares(users: UserClassInfo[]): Map<string, number | null> {
  const known = users.every((user) => !user.unknownWeight && !user.unknownFixedCount && !user.fixedCount);
  const total = users.reduce((sum, user) => sum + (user.weight ?? 1), 0);
  return new Map(users.map((user) => [user.name, known && total > 0 ? (user.weight ?? 1) / total : null]));
}

/** The model's ratios beside Locust's, User class by User class, task by task (TaskSets entered). */
export function compareTaskRatios(model: LocustfileModel, locust: LocustTaskRatios): RatioRow[] {
  const rows: RatioRow[] = [];
  const runnable = model.users.filter((user) => !user.abstract);
  const users = userShares(runnable);
  const tasksOf = (user: UserClassInfo, pathTo: string[], tasks: TaskInfo[], theirs: Record<string, LocustRatioNode> | undefined, depth: number) => {
    const mine = sharesByName(tasks);
    const sets = new Map<string, TaskSetInfo>(user.taskSets.map((set) => [set.name, set]));
    for (const name of new Set([...mine.keys(), ...Object.keys(theirs ?? {})])) {
      const node = theirs?.[name];
      rows.push(row(user.name, pathTo, name, mine.has(name) ? mine.get(name)! : undefined, node?.ratio));
      const set = sets.get(name);
      if (depth < 10 && (set || node?.tasks)) tasksOf(user, [...pathTo, name], set?.tasks ?? [], node?.tasks, depth + 1);
    }
  };
  for (const name of new Set([...runnable.map((user) => user.name), ...Object.keys(locust.perClass)])) {
    const user = runnable.find((u) => u.name === name);
    const node = locust.perClass[name];
    // A model share that depends on fixed_count is not compared: it is shown as unknown.
    rows.push(row(name, [], null, user ? users.get(name) : undefined, node?.ratio));
    if (user) tasksOf(user, [], user.tasks, node?.tasks, 0);
    else for (const [task, inner] of Object.entries(node?.tasks ?? {})) rows.push(row(name, [], task, undefined, inner.ratio));
  }
  return rows;
}

function percent(share: number | null | undefined): string {
  if (share === undefined) return '—';
  if (share === null) return '?';
  return `${(100 * share).toFixed(1).replace(/\.0$/, '')} %`;
}

/** A markdown cell: no pipes or newlines from a name can break the table. */
function cell(text: string): string {
  return text.replace(/[|\\`]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');
}

/** The comparison as a markdown page. */
export function renderTaskRatios(file: string, rows: RatioRow[], { locustVersion, python }: { locustVersion: string; python: string }): string {
  const differences = rows.filter((r) => r.differs).length;
  const unknown = rows.filter((r) => r.model === null).length;
  const lines = [
    `# Task ratios of ${cell(path.basename(file))}`,
    '',
    `Locust ${locustVersion || '(version unknown)'} (\`${cell(python)}\`, \`--show-task-ratio-json -u ${RATIO_USERS}\`) beside Locust Studio's model, read without running the file. Each share is of its parent: a task of its User class or TaskSet, a User class of the users (the model's by weight, Locust's of the ${RATIO_USERS} users it would spawn, so those two may round apart).`,
    '',
    differences === 0 ? '**The model and Locust agree.**' : `**${differences} difference${differences === 1 ? '' : 's'}** (marked ⚠).`,
  ];
  if (unknown > 0) lines.push('', `\`?\`: ${unknown} share${unknown === 1 ? '' : 's'} the model cannot know without running the file (hover the User class for why); Locust's column has the real value.`);
  lines.push('', '| User class / task | model | Locust | |', '| --- | ---: | ---: | --- |');
  for (const r of rows) {
    const label = r.task === null ? `**${cell(r.user)}**` : `${'&nbsp;&nbsp;'.repeat(r.path.length + 1)}${cell(r.task)}`;
    lines.push(`| ${label} | ${percent(r.model)} | ${percent(r.locust)} | ${r.differs ? '⚠' : ''} |`);
  }
  lines.push('', 'Locust read the file as it is saved on disk.');
  return `${lines.join('\n')}\n`;
}

/**
 * The model's shares for a run's "Current ratio": every runnable User class (or only `userClasses` when the run names
 * some) and its tasks, TaskSets entered, as compareTaskRatios reads them.
 */
export function modelRatioRows(model: LocustfileModel, userClasses: readonly string[]): ModelRatioRow[] {
  const chosen = new Set(userClasses);
  const rows = compareTaskRatios(model, { users: [], perClass: {} }).filter((r) => chosen.size === 0 || chosen.has(r.user));
  // Shares among the classes the run starts: a run of one class out of three gives it every user.
  const classRows = rows.filter((r) => r.task === null);
  const known = classRows.every((r) => typeof r.model === 'number');
  const sum = classRows.reduce((total, r) => total + (r.model ?? 0), 0);
  return rows.map((r) => ({
    user: r.user,
    path: r.path,
    task: r.task,
    share: r.task === null ? (known && sum > 0 ? r.model! / sum : null) : (r.model ?? null),
  }));
}
