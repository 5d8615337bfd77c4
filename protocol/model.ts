// The language server's model of a locustfile, as sent to the extension (custom LSP request).
import type { ThresholdParse } from './thresholds';

/** A zero-based line/character range, the same shape as an LSP Range. */
export interface SourceRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/**
 * A number the file sets (a task's weight, a User class's `weight` or `fixed_count`) that the model cannot work out without
 * running the file: read from the environment, computed by a function, imported from another module, set in an `if`…
 */
export interface UnknownNumber {
  /** The expression as written. */
  text: string;
  /** Why it is not known, in words for a hover: "`os.getenv(…)` is computed when the file runs". */
  reason: string;
}

export interface TaskInfo {
  /** Function or TaskSet class name. */
  name: string;
  /** How many times Locust counts the task when it picks one; null when it cannot be known without running the file. */
  weight: number | null;
  /** Why `weight` is null; null when it is known. */
  unknownWeight: UnknownNumber | null;
  tags: string[];
  range: SourceRange;
  /** Set when the task is inherited from a class of another file (`from common import BaseUser`): `range` is in that file. */
  uri?: string;
}

/**
 * Each task's share of a task list, as Locust picks them (its weight over the total): null for every task when any weight is
 * unknown, since then no share is known.
 */
export function taskShares(tasks: readonly Pick<TaskInfo, 'weight'>[]): (number | null)[] {
  let total = 0;
  for (const task of tasks) {
    if (task.weight === null) return tasks.map(() => null);
    total += task.weight;
  }
  return tasks.map((task) => (total > 0 ? task.weight! / total : null));
}

/** The wait-time functions Locust ships; `other` is anything else (a method, a lambda, a function of the user's). */
export type WaitTimeKind = 'between' | 'constant' | 'constant_pacing' | 'constant_throughput' | 'other';

/** `wait_time = between(1, 2)` (or `def wait_time(self)`) on a User class or TaskSet, its own or inherited in the file. */
export interface WaitTimeInfo {
  kind: WaitTimeKind;
  /**
   * The call's arguments in Locust's parameter order (`between(min_wait, max_wait)`: seconds; `constant_throughput`: task runs
   * per second) when every one is a number literal; null otherwise, and for `other`.
   */
  args: number[] | null;
  /** The assignment (or method) that sets it; in a base class of the file when inherited. */
  range: SourceRange;
}

/** `on_start` and `on_stop` of a User class or TaskSet: the method's range, its own or inherited in the file; null when not defined. */
export interface LifecycleMethods {
  onStart: SourceRange | null;
  onStop: SourceRange | null;
}

/** One `@transition("to", weight)` of a MarkovTaskSet state, or one entry of its `@transitions(...)`. */
export interface MarkovTransition {
  /** The state it goes to, as written (Locust checks that the class defines it). */
  to: string;
  /** Null when not an integer literal; Locust takes an entry with a weight of 0 or less as never taken. */
  weight: number | null;
  /** The target's name as written (the string literal). */
  range: SourceRange;
  /** The weight as written; null when the entry leaves it at Locust's default of 1. */
  weightRange: SourceRange | null;
}

/** A method of a MarkovTaskSet decorated with `@transition` / `@transitions`: a state of its chain. */
export interface MarkovState {
  name: string;
  /** The decorated method, decorators included (like a task's range). */
  range: SourceRange;
  /**
   * One per target, as Locust keeps them (a dict: a later decorator above, or a later entry, replaces the weight of an earlier
   * one), in the order they are written.
   */
  transitions: MarkovTransition[];
}

/** The Markov chain of a MarkovTaskSet (Locust 2.38+): read from the class's own body only, as Locust reads it. */
export interface MarkovChain {
  states: MarkovState[];
  /** The first state defined in the class: where every user starts; null when there is none. */
  start: string | null;
}

export interface TaskSetInfo extends LifecycleMethods {
  name: string;
  sequential: boolean;
  /** A MarkovTaskSet's is empty: its chain, not `tasks`, picks what runs. */
  tasks: TaskInfo[];
  /** Null for a TaskSet that is not a MarkovTaskSet. */
  markov: MarkovChain | null;
  /** Null: the TaskSet has none of its own, so the User's applies. */
  waitTime: WaitTimeInfo | null;
  range: SourceRange;
  /** Set when the TaskSet is defined in another file of the project: `range`, and its tasks' and states', are in that file. */
  uri?: string;
}

/**
 * A User class. `host`, `weight`, `fixedCount`, `waitTime`, `onStart` and `onStop` are the class's own or inherited from its base
 * classes in the same file (Python's method resolution order); null when neither sets them, or when the value is not a literal.
 */
export interface UserClassInfo extends LifecycleMethods {
  name: string;
  /** Base class as written (`HttpUser`, `FastHttpUser`, a user class of this file…). */
  base: string;
  /** Never inherited: Locust reads it from the class's own body only. */
  abstract: boolean;
  host: string | null;
  /** Null: not set (Locust's default of 1), or not known without running the file (see `unknownWeight`). */
  weight: number | null;
  /** `fixed_count = N`: exactly N users of this class, taken before the weights share the rest. */
  fixedCount: number | null;
  /** Why `weight` is null although the class sets it; null when it is known or not set. */
  unknownWeight: UnknownNumber | null;
  /** Why `fixedCount` is null although the class sets it; null when it is known or not set. */
  unknownFixedCount: UnknownNumber | null;
  /** Null: Locust's default (no wait between tasks). */
  waitTime: WaitTimeInfo | null;
  tasks: TaskInfo[];
  taskSets: TaskSetInfo[];
  range: SourceRange;
}

export interface ShapeInfo {
  name: string;
  /** `tick()` defined in the class or in one of its base classes in the file. */
  hasTick: boolean;
  range: SourceRange;
}

/** `@events.init.add_listener` on a module-level function, or `events.init.add_listener(f)`, with `events` imported from locust. */
export interface EventListenerInfo {
  /** The event hook's name: `init`, `request`, `test_start`… */
  event: string;
  /** The listener function's name; null when the call's argument is not a plain name. */
  function: string | null;
  range: SourceRange;
}

/**
 * A command-line argument the locustfile adds to Locust's (`parser.add_argument(...)` in an `init_command_line_parser`
 * listener): Locust's web UI shows each one in its start form, and the run questions ask them the same way.
 */
export interface CustomArgumentInfo {
  /** The option as the command line takes it: its first long flag (`--target-env`), else its first flag. */
  flag: string;
  /** Where the locustfile reads it: `environment.parsed_options.<dest>`. */
  dest: string;
  /** `flag`: an `action="store_true"`/`"store_false"` switch, given or not; else a value of that type. */
  kind: 'text' | 'integer' | 'number' | 'flag';
  /** The default as text (`"true"`/`"false"` for a switch); null when none is given or it is not a literal. */
  default: string | null;
  /** `choices=[…]` as text; null when any value goes (or they are not literals). */
  choices: string[] | null;
  help: string | null;
  /** `is_secret=True`: asked in a password box, never remembered. */
  secret: boolean;
  /** `include_in_web_ui=False` leaves it out of Locust's form, and of the run questions. */
  inWebUi: boolean;
  range: SourceRange;
}

/**
 * A request the file makes, with the row Locust's statistics table will give it: `self.client.get(...)` and the other verbs,
 * `self.client.request(method, url)`, FastHttpUser's `self.rest(method, url)` / `self.client.rest(...)` (also through
 * `self.user.client` in a TaskSet, or `user.client` in a task function), and `events.request.fire(request_type=…, name=…)`.
 */
export interface RequestSite {
  /**
   * The request's type as the statistics show it: `GET`, `POST`… for the verb helpers; for `request`/`rest` the method
   * argument as written (Locust does not change its case), for `events.request.fire` its `request_type`. Null when not a literal.
   */
  method: string | null;
  /**
   * The statistics row's name: the `name=` argument when given (or the name of an enclosing `with …rename_request("…")`),
   * otherwise the URL/path as written (first positional argument or `url=`/`path=`; a local variable assigned one string
   * once is read through). Null when Locust picks it at run time: an f-string with fields, a `+` with an unknown side, a
   * parameter, an absolute URL, or a `params=` query without a `name=` (`pattern` may still know parts of it).
   */
  name: string | null;
  /**
   * The name as the run will show it, when only parts of it are known: literal parts and holes (null) for what the running
   * file fills in (an f-string's `{…}`, the unknown side of a `+`, `%s`, `.format()` fields, a `params=` query). `[name]`
   * when the name is known; null when nothing is (a parameter, a call, an absolute URL). Matched by protocol/requestNames.
   */
  pattern: NamePattern | null;
  /** The whole call. */
  range: SourceRange;
}

/** A statistics name with holes: literal parts, and null where any text may stand (never two holes in a row). */
export type NamePattern = (string | null)[];

/**
 * One string of the module-level `THRESHOLDS = [...]` (or a tuple): a pass/fail target of a run, e.g. `"p95 < 250ms"`.
 * Plain Locust ignores the variable; Locust Studio reads it without running the file.
 */
export interface ThresholdDeclaration {
  /** The string as Python reads it (escapes decoded, `"a" "b"` joined); null for an f-string, whose value only the running file knows. */
  text: string | null;
  /** Where the string's contents are written, inside the quotes (for `"a" "b"`: from the first part's to the last part's). */
  range: SourceRange;
  /** The shared parser's reading of `text`; null when `text` is. */
  parsed: ThresholdParse | null;
}

export interface LocustfileModel {
  uri: string;
  version: number;
  /** True when the file imports from locust at all. */
  isLocustfile: boolean;
  users: UserClassInfo[];
  /** Every TaskSet and SequentialTaskSet defined at module level, in file order, whether a User reaches it or not. */
  taskSets: TaskSetInfo[];
  shapes: ShapeInfo[];
  listeners: EventListenerInfo[];
  /** Every request the file makes, in file order (in classes and module-level functions alike, reachable or not). */
  requests: RequestSite[];
  /**
   * The strings of the module-level `THRESHOLDS` list, in order; elements that are not string literals are left out (the
   * diagnostics report them). When the file assigns THRESHOLDS more than once, the last assignment, as in Python.
   */
  thresholds: ThresholdDeclaration[];
  /** The `THRESHOLDS = [...]` statement the thresholds come from; null when the file has none. */
  thresholdsDeclaredAt: SourceRange | null;
  /** The command-line arguments the file adds to Locust's, in file order; absent when it adds none. */
  customArguments?: CustomArgumentInfo[];
  /**
   * Module-level `test*` functions of a pytest-style locustfile (Locust 2.40+), in file order; absent when there are none. Locust
   * runs each as a User class of its own, but only when the file has no User classes.
   */
  testFunctions?: TestFunctionInfo[];
}

/** A pytest test function: Locust calls it over and over with its fixtures (`session`, `fastsession`) bound to a user. */
export interface TestFunctionInfo {
  name: string;
  /** The parameters, each a pytest fixture. */
  fixtures: string[];
  range: SourceRange;
}
