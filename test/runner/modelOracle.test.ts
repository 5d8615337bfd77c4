// Oracle: for every importable example and fixture, the model's runnable User classes (with their settings), task ratios, tags, top-level
// TaskSets, load shape and event listeners equal what each Locust of the matrix itself reports. Where the model says a weight is not
// known without running the file, that must be a file meant to show it (test/fixtures/model/unknown_*.py), and it must say so there.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pythonParser } from '../../server/parser';
import { pathToFileURL } from 'node:url';
import { analyzeTree } from '../../server/locustfileModel';
import { ProjectModules } from '../../server/projectModules';
import { taskShares, type LifecycleMethods, type LocustfileModel, type MarkovChain, type TaskInfo, type TaskSetInfo, type WaitTimeInfo } from '../../protocol/model';
import { isTaken } from '../../server/markovChain';
import { locustExports, locustRunsTestFunctions, locustsFor, requireLocust, titled, type LocustUnderTest } from './support';
import { askLocustForTaskRatios, compareTaskRatios, renderTaskRatios } from '../../runner/taskRatios';
import { DEBIAN_LOCUST, DEBIAN_LOCUST_EXAMPLES, contribExamplesPython, newestLocustExamples } from '../../scripts/locustVersions';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const FILES = [
  ...readdirSync(path.join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.py') && f !== 'legacy_0x.py') // legacy_0x.py cannot be imported by Locust 2, on purpose
    .map((f) => path.join(ROOT, 'examples', f)),
  ...['locustfiles', 'model'].flatMap((folder) =>
    readdirSync(path.join(ROOT, 'test', 'fixtures', folder))
      .filter((f) => f.endsWith('.py'))
      .map((f) => path.join(ROOT, 'test', 'fixtures', folder, f)),
  ),
];
/** Files whose weights only the running file knows: the model must say "unknown" there, and only there. */
const UNKNOWN_ON_PURPOSE = /^unknown_/;

/**
 * Imports the file the way `locust -f` does and reports each runnable User class's tasks (expanded by weight), tags and settings,
 * the TaskSets defined at module level, and the event listeners the import added.
 */
const INSPECT = `
import inspect, json, os, sys
import locust
from locust import TaskSet, User, events
from locust.event import EventHook
from locust.main import load_locustfile

def wait_time_of(owner, default):
    wait = owner.wait_time
    if wait is default:
        return None
    if getattr(wait, "__module__", None) != "locust.user.wait_time":
        return {"kind": "other", "args": None}
    cells = dict(zip(wait.__code__.co_freevars, (c.cell_contents for c in wait.__closure__ or ())))
    kind = wait.__qualname__.split(".")[0]
    names = {"between": ["min_wait", "max_wait"], "constant": ["wait_time"], "constant_pacing": ["wait_time"]}[kind]
    return {"kind": kind, "args": [cells[n] for n in names]}

def lifecycle(owner, base):
    return {"on_start": owner.on_start is not base.on_start, "on_stop": owner.on_stop is not base.on_stop}

def tasks_of(cls, depth=0):
    out = {}
    for task in cls.tasks:
        entry = out.setdefault(task.__name__, {"count": 0, "tags": sorted(getattr(task, "locust_tag_set", ()))})
        entry["count"] += 1
        if inspect.isclass(task) and issubclass(task, TaskSet) and depth < 5:
            entry["taskset"] = tasks_of(task, depth + 1)
    return out

MARKOV = getattr(locust, "MarkovTaskSet", None)

def markov_of(cls):
    # Locust's metaclass turns each state's transitions into a list repeating each target weight times (0 or less: left out),
    # except on an abstract class, which it leaves as written.
    if MARKOV is None or not issubclass(cls, MARKOV):
        return None
    abstract = bool(vars(cls).get("abstract"))
    # The metaclass also stores the start state as \`current\`: a state is a function under its own name.
    states = [f for key, f in vars(cls).items() if "transitions" in dir(f) and key == getattr(f, "__name__", None)]
    def weights(f):
        if isinstance(f.transitions, dict):
            return {to: w for to, w in sorted(f.transitions.items()) if w > 0}
        return {to: f.transitions.count(to) for to in sorted(set(f.transitions))}
    return {"start": None if abstract else cls.current.__name__, "states": [[f.__name__, weights(f)] for f in states]}

hooks = {name: hook for name, hook in vars(events).items() if isinstance(hook, EventHook)}
before = {name: list(hook._handlers) for name, hook in hooks.items()}
# (doc, users, shape or shapes) in older Locusts, (users, shapes) in newer ones.
loaded = load_locustfile(sys.argv[1])
users = next(part for part in loaded if isinstance(part, dict))
shapes = loaded[-1]
# Where it is a list, Locust runs the first one.
shape = (shapes[0] if shapes else None) if isinstance(shapes, list) else shapes
module = sys.modules[os.path.splitext(os.path.basename(sys.argv[1]))[0]]
task_sets = [v for v in vars(module).values() if inspect.isclass(v) and issubclass(v, TaskSet) and v.__module__ == module.__name__]
here = os.path.dirname(os.path.abspath(sys.argv[1]))

def project_bases(cls):
    # Base classes from other modules of the project (files under the locustfile's folder), which the model reads there.
    found = []
    for base in cls.__mro__[1:]:
        where = getattr(sys.modules.get(base.__module__), "__file__", None) or ""
        if base.__module__ != module.__name__ and os.path.abspath(where).startswith(here + os.sep):
            found.append(base.__module__ + "." + base.__qualname__)
    return found

print(json.dumps({
    "project_bases": sorted({b for u in users.values() for b in project_bases(u)}),
    "users": {name: {"weight": u.weight, "fixed_count": u.fixed_count, "host": u.host, "tasks": tasks_of(u),
                     "wait_time": wait_time_of(u, User.wait_time), **lifecycle(u, User)} for name, u in users.items()},
    "task_sets": [{"name": s.__name__, "wait_time": wait_time_of(s, TaskSet.wait_time), "markov": markov_of(s), **lifecycle(s, TaskSet)} for s in task_sets],
    "shape": type(shape).__name__ if shape else None,
    "listeners": [[name, handler.__name__] for name, hook in hooks.items() for handler in hook._handlers if handler not in before[name]],
}))
`;

interface InspectedTask {
  count: number;
  tags: string[];
  taskset?: Record<string, InspectedTask>;
}
interface InspectedWaitTime {
  kind: string;
  args: number[] | null;
}
interface InspectedLifecycle {
  wait_time: InspectedWaitTime | null;
  on_start: boolean;
  on_stop: boolean;
}
/** A MarkovTaskSet's chain as Locust holds it: each state's drawn targets with their weights; no start on an abstract class. */
interface InspectedMarkov {
  start: string | null;
  states: [string, Record<string, number>][];
}
interface Inspected {
  /** Base classes of the User classes that come from other modules of the project, not from Locust or the file itself. */
  project_bases: string[];
  users: Record<string, InspectedLifecycle & { weight: number; fixed_count: number; host: string | null; tasks: Record<string, InspectedTask> }>;
  task_sets: (InspectedLifecycle & { name: string; markov: InspectedMarkov | null })[];
  shape: string | null;
  listeners: [string, string][];
}
interface RatioNode {
  ratio: number;
  tasks?: Record<string, RatioNode>;
}

async function inspectWithLocust(python: string, file: string): Promise<{ inspected: Inspected; ratios: Record<string, RatioNode>; listed: string[] }> {
  const options = { cwd: path.dirname(file), timeout: 60_000 };
  const [script, cli, list] = await Promise.all([
    run(python, ['-c', INSPECT, file], options),
    // -u: without it, a fixed_count class takes every user and the other classes' ratios are 0.
    run(python, ['-m', 'locust', '-f', file, '--show-task-ratio-json', '-u', '10'], options),
    run(python, ['-m', 'locust', '-f', file, '--list'], options),
  ]);
  const ratios = (JSON.parse(cli.stdout) as { per_class: Record<string, RatioNode> }).per_class;
  // "Available Users:" and then one indented class name a line.
  const listed = list.stdout
    .split('\n')
    .filter((line) => /^\s+\S/.test(line))
    .map((line) => line.trim());
  assert.match(list.stdout, /^Available Users:/, list.stdout);
  return { inspected: JSON.parse(script.stdout) as Inspected, ratios, listed };
}

/** The model's wait time as Locust's objects show it: `constant_throughput(n)` is built as `constant_pacing(1 / n)`. */
function asLocustSees(wait: WaitTimeInfo | null): InspectedWaitTime | null {
  if (!wait) return null;
  if (wait.kind === 'constant_throughput') return { kind: 'constant_pacing', args: wait.args && wait.args.map((rate) => 1 / rate) };
  return { kind: wait.kind, args: wait.args };
}

/** Differences in wait_time, on_start and on_stop; arguments are compared only where the model read literal ones. */
function compareLifecycle(where: string, mine: LifecycleMethods & { waitTime: WaitTimeInfo | null }, theirs: InspectedLifecycle): string[] {
  const problems: string[] = [];
  const wait = asLocustSees(mine.waitTime);
  const theirWait = theirs.wait_time;
  const argsDiffer = wait?.args && theirWait?.args && (wait.args.length !== theirWait.args.length || wait.args.some((a, i) => !close(a, theirWait.args![i]!)));
  if (wait?.kind !== theirWait?.kind || argsDiffer) problems.push(`${where}: wait_time ${JSON.stringify(wait)} in the model, ${JSON.stringify(theirWait)} in Locust`);
  if ((mine.onStart !== null) !== theirs.on_start) problems.push(`${where}: on_start ${mine.onStart ? 'found' : 'not found'} by the model, ${theirs.on_start ? '' : 'not '}defined for Locust`);
  if ((mine.onStop !== null) !== theirs.on_stop) problems.push(`${where}: on_stop ${mine.onStop ? 'found' : 'not found'} by the model, ${theirs.on_stop ? '' : 'not '}defined for Locust`);
  return problems;
}

/** The model's chain the way Locust holds it (see markov_of): transitions Locust never draws are left out. */
function asLocustHolds(chain: MarkovChain | null, abstract: boolean): { start: string | null; states: [string, Record<string, number | null>][] } | null {
  if (!chain) return null;
  const states = chain.states.map((state): [string, Record<string, number | null>] => [state.name, Object.fromEntries(
      state.transitions
        .filter(isTaken)
        .map((t): [string, number | null] => [t.to, t.weight])
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    ),
  ]);
  return { start: abstract ? null : chain.start, states };
}

/** Files that need a name only newer Locusts export (MarkovTaskSet: 2.38+): checked on the Locusts that have it. */
const NEEDS: Record<string, string> = { 'markov.py': 'MarkovTaskSet' };

/** Model tasks merged by name (the same function listed twice counts twice), as ratios; null ratios where a weight is unknown. */
function modelRatios(tasks: TaskInfo[]): Map<string, { ratio: number | null; tags: string[] }> {
  const shares = taskShares(tasks);
  const merged = new Map<string, { ratio: number | null; tags: string[] }>();
  for (const [at, task] of tasks.entries()) {
    const entry = merged.get(task.name) ?? { ratio: 0, tags: [...task.tags].sort() };
    const share = shares[at] ?? null;
    entry.ratio = entry.ratio === null || share === null ? null : entry.ratio + share;
    merged.set(task.name, entry);
  }
  return merged;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

/** Every difference between the model's tasks and Locust's, as readable lines. */
function compareTasks(
  where: string,
  tasks: TaskInfo[],
  sets: TaskSetInfo[],
  inspected: Record<string, InspectedTask>,
  ratios: Record<string, RatioNode> | undefined,
  unknowns: string[],
  unknownOnPurpose: boolean,
): string[] {
  const problems: string[] = [];
  const model = modelRatios(tasks);
  const inspectedTotal = Object.values(inspected).reduce((sum, t) => sum + t.count, 0);
  const names = new Set([...model.keys(), ...Object.keys(inspected)]);
  for (const name of names) {
    const mine = model.get(name);
    const theirs = inspected[name];
    if (!mine || !theirs) {
      problems.push(`${where}: task ${name} is ${mine ? 'only in the model' : 'missing from the model'}`);
      continue;
    }
    const locustRatio = theirs.count / inspectedTotal;
    if (mine.ratio === null) {
      unknowns.push(`${where}.${name}`);
      if (!unknownOnPurpose) problems.push(`${where}.${name}: ratio unknown in the model, ${locustRatio} in Locust`);
    } else if (!close(mine.ratio, locustRatio)) problems.push(`${where}.${name}: ratio ${mine.ratio} in the model, ${locustRatio} in Locust's classes`);
    const cliRatio = ratios?.[name]?.ratio;
    if (mine.ratio !== null && (cliRatio === undefined || !close(mine.ratio, cliRatio))) problems.push(`${where}.${name}: ratio ${mine.ratio} in the model, ${cliRatio} in --show-task-ratio-json`);
    if (JSON.stringify(mine.tags) !== JSON.stringify(theirs.tags)) problems.push(`${where}.${name}: tags ${mine.tags.join(',')} in the model, ${theirs.tags.join(',')} in Locust`);
    if (theirs.taskset) {
      const set = sets.find((s) => s.name === name);
      if (!set) problems.push(`${where}.${name}: Locust sees a TaskSet the model does not know`);
      else problems.push(...compareTasks(`${where}.${name}`, set.tasks, sets, theirs.taskset, ratios?.[name]?.tasks, unknowns, unknownOnPurpose));
    }
  }
  return problems;
}

/** The model of a file as the editor has it: with the classes of the modules it imports from its folder. */
async function modelOf(file: string): Promise<LocustfileModel> {
  const parser = await pythonParser();
  const tree = parser.parse(readFileSync(file, 'utf8'));
  assert.ok(tree);
  try {
    const uri = pathToFileURL(file).href;
    return analyzeTree(tree, uri, 1, undefined, new ProjectModules(parser).forFile(uri)).model;
  } finally {
    tree.delete();
  }
}

/** What Locust says about one file: its classes and listeners after import, `--show-task-ratio-json`, `--list`. */
interface LocustView {
  inspected: Inspected;
  ratios: Record<string, RatioNode>;
  listed: string[];
}

/** Every difference between the model of a file (`name` in messages) and what Locust says about it, as readable lines. */
function differences(name: string, file: string, model: LocustfileModel, { inspected, ratios, listed }: LocustView): string[] {
  const problems: string[] = [];
  const runnable = model.users.filter((u) => !u.abstract);
  const mine = runnable.map((u) => u.name).sort();
  const theirs = Object.keys(inspected.users).sort();
  if (JSON.stringify(mine) !== JSON.stringify(theirs)) problems.push(`${name}: User classes ${mine.join(',')} in the model, ${theirs.join(',')} in Locust`);
  if (JSON.stringify(mine) !== JSON.stringify([...listed].sort())) problems.push(`${name}: User classes ${mine.join(',')} in the model, ${listed.join(',')} in --list`);
  if (JSON.stringify(Object.keys(ratios).sort()) !== JSON.stringify(theirs)) problems.push(`${name}: --show-task-ratio-json lists ${Object.keys(ratios).join(',')}`);
  const onPurpose = UNKNOWN_ON_PURPOSE.test(path.basename(file));
  const unknowns: string[] = [];
  for (const user of runnable) {
    const locustUser = inspected.users[user.name];
    if (!locustUser) continue;
    if (user.unknownWeight) unknowns.push(`${name}:${user.name}.weight`);
    else if ((user.weight ?? 1) !== locustUser.weight) problems.push(`${name}:${user.name}: weight ${user.weight} in the model, ${locustUser.weight} in Locust`);
    if (user.unknownFixedCount) unknowns.push(`${name}:${user.name}.fixed_count`);
    else if ((user.fixedCount ?? 0) !== locustUser.fixed_count) problems.push(`${name}:${user.name}: fixed_count ${user.fixedCount} in the model, ${locustUser.fixed_count} in Locust`);
    if (user.host !== locustUser.host) problems.push(`${name}:${user.name}: host ${user.host} in the model, ${locustUser.host} in Locust`);
    problems.push(...compareLifecycle(`${name}:${user.name}`, user, locustUser));
    problems.push(...compareTasks(`${name}:${user.name}`, user.tasks, user.taskSets, locustUser.tasks, ratios[user.name]?.tasks, unknowns, onPurpose));
  }
  if (onPurpose && unknowns.length === 0) problems.push(`${name}: the model knows every weight of a file whose weights only the running file knows`);
  if (!onPurpose) for (const unknown of unknowns) if (!problems.some((p) => p.startsWith(unknown))) problems.push(`${unknown}: unknown in the model, known to Locust`);
  const shape = model.shapes.find((s) => s.hasTick)?.name ?? null;
  if (shape !== inspected.shape) problems.push(`${name}: shape ${shape} in the model, ${inspected.shape} in Locust`);
  const sets = model.taskSets.map((s) => s.name);
  const theirSets = inspected.task_sets.map((s) => s.name);
  if (JSON.stringify(sets) !== JSON.stringify(theirSets)) problems.push(`${name}: top-level TaskSets ${sets.join(',')} in the model, ${theirSets.join(',')} in Locust`);
  for (const set of model.taskSets) {
    const theirSet = inspected.task_sets.find((s) => s.name === set.name);
    if (theirSet) problems.push(...compareLifecycle(`${name}:${set.name}`, set, theirSet));
    // The model has no `abstract` on TaskSets: Locust's missing start is what says the class is one.
    const chain = asLocustHolds(set.markov, theirSet?.markov?.start === null);
    if (theirSet && JSON.stringify(chain) !== JSON.stringify(theirSet.markov)) problems.push(`${name}:${set.name}: chain ${JSON.stringify(chain)} in the model, ${JSON.stringify(theirSet.markov)} in Locust`);
  }
  const listeners = model.listeners.map((l) => `${l.event}:${l.function ?? '?'}`).sort();
  const theirListeners = inspected.listeners.map(([event, fn]) => `${event}:${fn}`).sort();
  if (JSON.stringify(listeners) !== JSON.stringify(theirListeners)) problems.push(`${name}: listeners ${listeners.join(',')} in the model, ${theirListeners.join(',')} in Locust`);
  return problems;
}

// (The loop's body is the test call: one per Locust.)
for (const locust of locustsFor('smoke')) test(titled(locust, `the model agrees with Locust on ${FILES.length} files (examples and fixtures)`), { timeout: 240_000 }, async (t) => {
  requireLocust(locust);
  assert.ok(FILES.length >= 16, FILES.join(', '));
  const problems: string[] = [];
  const acrossModules: string[] = [];
  // Two files at a time: each check starts two Python processes, and the machine has two cores.
  const queue = [...FILES];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const name = path.relative(ROOT, file);
      const needed = NEEDS[path.basename(file)];
      if (needed && !(await locustExports(locust.python, needed))) {
        t.diagnostic(`${name}: skipped, this Locust has no ${needed}`);
        continue;
      }
      const [model, { inspected, ratios, listed }] = await Promise.all([modelOf(file), inspectWithLocust(locust.python, file)]);
      problems.push(...differences(name, file, model, { inspected, ratios, listed }));
      const theirs = Object.keys(inspected.users);
      const across = inspected.project_bases.length > 0 ? ` (bases from the project: ${inspected.project_bases.join(', ')})` : '';
      if (across) acrossModules.push(name);
      t.diagnostic(`${name}: ${theirs.length} User classes compared${across}`);
    }
  };
  await Promise.all([worker(), worker()]);
  assert.deepEqual(problems, []);
  assert.ok(acrossModules.includes(path.join('test', 'fixtures', 'model', 'project_bases.py')), 'the fixture of bases from other modules has them, for Locust too');
});

// A pytest-style locustfile: the User classes Locust makes of it are the model's test functions, in file order, where this Locust
// runs such files; beside a User class, Locust lists only the class (the model's warning says so).
for (const locust of locustsFor('smoke')) test(titled(locust, 'pytest-style test functions: the User classes Locust makes of them, or none beside a User class'), { timeout: 120_000 }, async () => {
  requireLocust(locust);
  const list = async (file: string) => {
    const { stdout } = await run(locust.python, ['-m', 'locust', '-f', file, '--list'], { cwd: path.dirname(file), timeout: 60_000 });
    assert.match(stdout, /^Available Users:/m, stdout);
    return stdout.split('\n').filter((line) => /^\s+\S/.test(line)).map((line) => line.trim());
  };
  const pytestStyle = path.join(ROOT, 'test', 'fixtures', 'task', 'pytest_style.py');
  const model = await modelOf(pytestStyle);
  assert.deepEqual(model.users, []);
  assert.deepEqual(model.testFunctions?.map((f) => f.name), ['test_browse', 'test_fast', 'test_broken']);
  const supported = await locustRunsTestFunctions(locust.python);
  assert.deepEqual(await list(pytestStyle), supported ? model.testFunctions.map((f) => f.name) : []);

  const beside = path.join(ROOT, 'test', 'fixtures', 'model', 'pytest_beside_users.py');
  const mixed = await modelOf(beside);
  assert.deepEqual(mixed.testFunctions?.map((f) => f.name), ['test_checkout']);
  assert.deepEqual(await list(beside), mixed.users.map((u) => u.name));
});

/**
 * Locust's examples that are not locustfiles, with the reason: importing them would not end (a server, a test run by the file
 * itself). Counted and reported with the other skipped files.
 */
const NOT_LOCUSTFILES: Record<string, string> = {
  'use_as_lib.py': 'runs a load test itself when imported (Locust used as a library)',
  'custom_xmlrpc_client/server.py': 'the example\'s target server',
  'grpc/hello_server.py': 'the example\'s target server',
};

/**
 * Runs Python in a network namespace of its own, with no interface up: Locust's examples name public hosts, and whatever a file
 * does when imported must reach nobody.
 */
function offline(python: string, args: string[], cwd: string) {
  // OpenAIUser refuses to be defined without a key; no request can leave this namespace anyway.
  const env = { ...process.env, OPENAI_API_KEY: 'not-a-key' };
  return run('unshare', ['--net', python, ...args], { cwd, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
}

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return pythonFiles(full);
    return entry.name.endsWith('.py') ? [full] : [];
  });
}

/** The last line of a failed process's stderr: Python's exception line. */
function lastLine(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr ?? '';
  return stderr.trim().split('\n').pop() || (error instanceof Error ? error.message : String(error));
}

/**
 * Locust's own examples in `examples` (their version in `corpus`), against the model: each file imported as `locust -f` does (classes,
 * weights, tags, wait times, TaskSets, Markov chains, shapes, listeners) and Locust's --show-task-ratio-json and --list. A file this
 * Locust cannot import is skipped with its reason, counted and reported; the agreement rate is over the files compared.
 */
async function agreeOnExamples(t: TestContext, locust: LocustUnderTest, examples: string, corpus: string): Promise<void> {
  requireLocust(locust);
  // A copy: importing writes bytecode beside the files, and the examples may import each other.
  const copy = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-examples-'));
  t.after(() => rm(copy, { recursive: true, force: true }));
  await cp(examples, copy, { recursive: true });
  const files = pythonFiles(copy).sort();
  assert.ok(files.length >= 20, `${corpus}: ${files.length} Python files in ${examples}`);
  const problems: string[] = [];
  const skipped = new Map<string, string[]>();
  const skip = (name: string, reason: string) => skipped.set(reason, [...(skipped.get(reason) ?? []), name]);
  let compared = 0;
  let agreed = 0;
  /** Files whose User classes derive from classes of the example's other modules. */
  const acrossModules: string[] = [];
  const queue = [...files];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const name = path.relative(copy, file);
      if (NOT_LOCUSTFILES[name]) {
        skip(name, NOT_LOCUSTFILES[name]);
        continue;
      }
      const cwd = path.dirname(file);
      let inspected: Inspected;
      try {
        inspected = JSON.parse((await offline(locust.python, ['-c', INSPECT, file], cwd)).stdout) as Inspected;
      } catch (error) {
        skip(name, `Locust cannot import it: ${lastLine(error)}`);
        continue;
      }
      if (inspected.project_bases.length > 0) acrossModules.push(`${name} (${inspected.project_bases.join(', ')})`);
      const model = await modelOf(file);
      let view: LocustView = { inspected, ratios: {}, listed: [] };
      // Without User classes (a helper module, generated gRPC code) Locust's command line refuses the file: the import says it all.
      if (Object.keys(inspected.users).length > 0) {
        const [cli, list] = await Promise.all([
          offline(locust.python, ['-m', 'locust', '-f', file, '--show-task-ratio-json', '-u', '10'], cwd),
          offline(locust.python, ['-m', 'locust', '-f', file, '--list'], cwd),
        ]);
        const listed = list.stdout.split('\n').filter((line) => /^\s+\S/.test(line)).map((line) => line.trim());
        view = { inspected, ratios: (JSON.parse(cli.stdout) as { per_class: Record<string, RatioNode> }).per_class, listed };
      }
      const found = differences(`examples/${name}`, file, model, view);
      compared++;
      if (found.length === 0) agreed++;
      problems.push(...found);
    }
  };
  await Promise.all([worker(), worker()]);
  const skippedCount = [...skipped.values()].reduce((sum, names) => sum + names.length, 0);
  t.diagnostic(`${corpus}: agreement ${agreed} of ${compared} files compared (${compared ? Math.round((100 * agreed) / compared) : 0} %); ${skippedCount} of ${files.length} skipped`);
  for (const [reason, names] of skipped) t.diagnostic(`skipped (${names.length}): ${reason}: ${names.join(', ')}`);
  if (acrossModules.length > 0) t.diagnostic(`compared with bases from other modules of the example: ${acrossModules.join(', ')}`);
  assert.equal(compared + skippedCount, files.length);
  assert.ok(compared >= 15, `only ${compared} of ${corpus} could be compared`);
  assert.deepEqual(problems, []);
}

// Debian's examples (2.12.1), on every Locust of the matrix.
for (const locust of locustsFor('smoke')) test(titled(locust, `the model agrees with Locust on Locust ${DEBIAN_LOCUST}'s own examples (those this Locust imports)`), { timeout: 900_000 }, async (t) => {
  assert.ok(existsSync(DEBIAN_LOCUST_EXAMPLES), `Locust's examples are not at ${DEBIAN_LOCUST_EXAMPLES}: run scripts/setup.sh (Debian's python3-locust ships them)`);
  await agreeOnExamples(t, locust, DEBIAN_LOCUST_EXAMPLES, `Locust ${DEBIAN_LOCUST}'s examples`);
});

// The newest language (MarkovTaskSet, contrib users, pytest-style files…): the examples of the newest Locust Debian packages, on the
// newest Locust of the matrix with the libraries its contrib examples import (MongoDB, PostgreSQL, MQTT, Milvus, Qdrant, gRPC…).
const NEWEST_EXAMPLES = newestLocustExamples();
const NEWEST = locustsFor('smoke').find((locust) => locust.role === 'newest')!;
const WITH_CONTRIB: LocustUnderTest = { ...NEWEST, python: contribExamplesPython(), label: `${NEWEST.label} with its contrib examples' libraries` };
test(titled(WITH_CONTRIB, `the model agrees with Locust on Locust ${NEWEST_EXAMPLES.version ?? '(not fetched)'}'s own examples, from Debian unstable (those this Locust imports)`), { timeout: 900_000 }, async (t) => {
  assert.ok(NEWEST_EXAMPLES.version && existsSync(NEWEST_EXAMPLES.dir), `the examples of Debian unstable's Locust are not at ${NEWEST_EXAMPLES.dir}: run scripts/setup.sh (it fetches them)`);
  await agreeOnExamples(t, WITH_CONTRIB, NEWEST_EXAMPLES.dir, `Locust ${NEWEST_EXAMPLES.version}'s examples`);
});

// "Show Locust's Task Ratios": the runner side asks the real Locust and sets its ratios beside the model's.
for (const locust of locustsFor('full')) test(titled(locust, 'asking Locust for task ratios: agreement, unknown weights, a difference, an import error'), { timeout: 120_000 }, async () => {
  requireLocust(locust);
  const fixture = (name: string) => path.join(ROOT, 'test', 'fixtures', 'model', name);
  const version = { locustVersion: locust.label, python: locust.python };

  const known = await askLocustForTaskRatios(locust.python, fixture('expression_weights.py'));
  assert.ok(known.ok, known.ok ? '' : known.message);
  assert.deepEqual(known.ratios.users.sort(), ['Admin', 'Api', 'FlowUser']);
  const model = await modelOf(fixture('expression_weights.py'));
  const rows = compareTaskRatios(model, known.ratios);
  assert.deepEqual(rows.filter((r) => r.differs), []);
  assert.ok(rows.some((r) => r.path.join('/') === 'Flow' && r.task === 'step' && r.locust !== undefined && close(r.locust, 2 / 3)), JSON.stringify(rows));
  assert.match(renderTaskRatios(fixture('expression_weights.py'), rows, version), /The model and Locust agree/);

  // User classes weighted 1, 1 and 2: Locust's shares are of the 10 users it would spawn, not compared with the model's by weight.
  const rounded = await askLocustForTaskRatios(locust.python, fixture('conditional_classes.py'));
  assert.ok(rounded.ok, rounded.ok ? '' : rounded.message);
  assert.deepEqual(compareTaskRatios(await modelOf(fixture('conditional_classes.py')), rounded.ratios).filter((r) => r.differs), []);

  // A weight the model reads wrong is flagged.
  const wrong = structuredClone(model);
  wrong.users.find((u) => u.name === 'Api')!.tasks[0]!.weight = 1;
  const flagged = compareTaskRatios(wrong, known.ratios).filter((r) => r.differs);
  assert.deepEqual(flagged.map((r) => `${r.user}.${r.task}`).sort(), ['Api.conditional', 'Api.last', 'Api.read', 'Api.write']);
  assert.match(renderTaskRatios(fixture('expression_weights.py'), compareTaskRatios(wrong, known.ratios), version), /\*\*4 differences\*\*[\s\S]*⚠/);

  // Unknown in the model, known to Locust: `?` beside Locust's value, not a difference.
  const unknown = await askLocustForTaskRatios(locust.python, fixture('unknown_weights.py'));
  assert.ok(unknown.ok, unknown.ok ? '' : unknown.message);
  const unknownRows = compareTaskRatios(await modelOf(fixture('unknown_weights.py')), unknown.ratios);
  const browse = unknownRows.find((r) => r.task === 'browse');
  assert.equal(browse?.model, null);
  assert.ok(browse?.locust !== undefined && close(browse.locust, 5 / 8));
  assert.deepEqual(unknownRows.filter((r) => r.differs), []);
  assert.match(renderTaskRatios(fixture('unknown_weights.py'), unknownRows, version), /\| &nbsp;&nbsp;browse \| \? \| 62\.5 % \|/);

  // A file Locust cannot import: a message that says where and why.
  const failed = await askLocustForTaskRatios(locust.python, path.join(ROOT, 'examples', 'legacy_0x.py'));
  assert.equal(failed.ok, false);
  assert.match(failed.ok ? '' : failed.message, /^Locust could not import legacy_0x\.py \(line \d+\): ImportError: cannot import name '(HttpLocust|TaskSequence)'/);
});
