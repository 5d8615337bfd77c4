// Code lenses from the model: "Run load test" over each runnable User class and the file, "Run task once" and "Debug task" over tasks, "Run shape"
// over load shapes, "Task ratios: ask Locust" over a User class whose weights the model cannot know alone; in a pytest-style
// locustfile (no User classes, `test*` functions), "Run load test" over the file and each function and "Run test once" over each.
import type { CodeLens } from 'vscode-languageserver';
import type { LocustfileModel, TaskInfo, UserClassInfo } from '../protocol/model';
import { LensCommand, type RunTarget } from '../protocol/lsp';

/**
 * Lenses already made for a model's User classes: an analysis that changed nothing the model says reuses the model's
 * arrays (see ModelCache.unchanged), and then its lenses too.
 */
const madeFor = new WeakMap<UserClassInfo[], { uri: string; lenses: CodeLens[] }>();

export function codeLensesFor(model: LocustfileModel): CodeLens[] {
  const made = madeFor.get(model.users);
  if (made?.uri === model.uri) return made.lenses;
  const lenses = makeLenses(model);
  madeFor.set(model.users, { uri: model.uri, lenses });
  return lenses;
}

function makeLenses(model: LocustfileModel): CodeLens[] {
  const runnable = model.users.filter((u) => !u.abstract);
  if (runnable.length === 0) return model.isLocustfile ? testFunctionLenses(model) : [];
  const lenses: CodeLens[] = [];
  const sharedHost = commonHost(runnable);
  const fileTarget: RunTarget = withHost({ uri: model.uri, userClasses: [] }, sharedHost);
  lenses.push({
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    command: {
      title: runnable.length === 1 ? '$(play) Run load test (whole file)' : `$(play) Run load test (all ${runnable.length} User classes)`,
      command: LensCommand.runLoadTest,
      arguments: [fileTarget],
    },
  });
  for (const user of runnable) {
    const target = withHost({ uri: model.uri, userClasses: [user.name], range: user.range }, user.host);
    lenses.push({
      range: { start: user.range.start, end: user.range.start },
      command: { title: '$(play) Run load test', command: LensCommand.runLoadTest, arguments: [target] },
    });
    // Where the model cannot know a weight without running the file, Locust itself can be asked (on demand only).
    if (inDoubt(user)) {
      lenses.push({
        range: { start: user.range.start, end: user.range.start },
        command: { title: '$(question) Task ratios: ask Locust', command: LensCommand.showTaskRatios, arguments: [{ uri: model.uri, userClasses: [user.name] } satisfies RunTarget] },
      });
    }
  }
  lenses.push(...shapeLenses(model, sharedHost));
  lenses.push(...taskLenses(model, runnable));
  return lenses;
}

/**
 * A pytest-style locustfile: Locust makes each test function a User class named after it (only when the file has none of its own),
 * so a run of one function is a run of that class, and running it once runs the function once with its fixtures.
 */
function testFunctionLenses(model: LocustfileModel): CodeLens[] {
  const functions = model.testFunctions ?? [];
  if (functions.length === 0) return [];
  const lenses: CodeLens[] = [
    {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      command: {
        title: functions.length === 1 ? '$(play) Run load test (whole file)' : `$(play) Run load test (all ${functions.length} test functions)`,
        command: LensCommand.runLoadTest,
        arguments: [{ uri: model.uri, userClasses: [] } satisfies RunTarget],
      },
    },
  ];
  for (const fn of functions) {
    const range = { start: fn.range.start, end: fn.range.start };
    lenses.push(
      { range, command: { title: '$(play) Run load test', command: LensCommand.runLoadTest, arguments: [{ uri: model.uri, userClasses: [fn.name], range: fn.range } satisfies RunTarget] } },
      { range, command: { title: '$(run) Run test once', command: LensCommand.runTaskOnce, arguments: [{ uri: model.uri, userClasses: [fn.name], task: fn.name, range: fn.range } satisfies RunTarget] } },
    );
  }
  return lenses;
}

/** A User class with a weight, a fixed count or a task weight (its own or in its TaskSets) that is not known without running the file. */
function inDoubt(user: UserClassInfo): boolean {
  if (user.unknownWeight || user.unknownFixedCount) return true;
  return [user.tasks, ...user.taskSets.map((set) => set.tasks)].some((tasks) => tasks.some((task) => task.weight === null));
}

/** The host every User class of a run sets, when they all set the same one. */
function commonHost(users: UserClassInfo[]): string | null {
  const hosts = new Set(users.map((user) => user.host));
  return hosts.size === 1 ? (users[0]?.host ?? null) : null;
}

/** The target with its `host`, when there is one (the property is left out otherwise). */
function withHost(target: RunTarget, host: string | null): RunTarget {
  return host === null ? target : { ...target, host };
}

/** "Run shape" over each LoadTestShape that defines `tick()` (or inherits it): a run of every User class driven by that shape. */
function shapeLenses(model: LocustfileModel, host: string | null): CodeLens[] {
  return model.shapes
    .filter((shape) => shape.hasTick)
    .map((shape) => {
      const target = withHost({ uri: model.uri, userClasses: [], shape: shape.name, range: shape.range }, host);
      return {
        range: { start: shape.range.start, end: shape.range.start },
        command: { title: '$(play) Run shape', command: LensCommand.runLoadTest, arguments: [target] },
      };
    });
}

/**
 * One "Run task once" and one "Debug task" lens per task location: a task inherited by several User classes, or a TaskSet used by
 * several, is run through the first User class that reaches it.
 */
function taskLenses(model: LocustfileModel, runnable: UserClassInfo[]): CodeLens[] {
  const lenses: CodeLens[] = [];
  const seen = new Set<string>();
  const add = (user: UserClassInfo, task: Pick<TaskInfo, 'name' | 'range'>, taskSet: string[]) => {
    const key = `${task.range.start.line}:${task.range.start.character}`;
    if (seen.has(key)) return;
    seen.add(key);
    const target = withHost({ uri: model.uri, userClasses: [user.name], task: task.name, taskSet, range: task.range }, user.host);
    const range = { start: task.range.start, end: task.range.start };
    lenses.push(
      { range, command: { title: '$(run) Run task once', command: LensCommand.runTaskOnce, arguments: [target] } },
      { range, command: { title: '$(debug-alt) Debug task', command: LensCommand.debugTask, arguments: [target] } },
    );
  };
  for (const user of runnable) {
    const sets = new Map(user.taskSets.map((set) => [set.name, set]));
    // Walk from the User's own tasks into TaskSets (breadth first), so each task gets the path the shim enters.
    const queue: { tasks: TaskInfo[]; path: string[] }[] = [{ tasks: user.tasks, path: [] }];
    const entered = new Set<string>();
    while (queue.length > 0) {
      const { tasks, path } = queue.shift()!;
      for (const task of tasks) {
        // A task inherited from another file has its lenses there (its range is in that file).
        if (task.uri) continue;
        const set = sets.get(task.name);
        // A TaskSet of another file is run from its entry here, like a task: its own tasks have their lenses there.
        if (!set || set.uri) add(user, task, path);
        else if (!entered.has(set.name)) {
          entered.add(set.name);
          queue.push({ tasks: set.tasks, path: [...path, set.name] });
          // A MarkovTaskSet's states are methods the debug shim finds by name, like tasks.
          for (const state of set.markov?.states ?? []) add(user, state, [...path, set.name]);
        }
      }
    }
  }
  return lenses;
}
