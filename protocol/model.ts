// The language server's model of a locustfile, as sent to the extension (custom LSP request).

/** A zero-based line/character range, the same shape as an LSP Range. */
export interface SourceRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface TaskInfo {
  /** Function or TaskSet class name. */
  name: string;
  weight: number;
  tags: string[];
  range: SourceRange;
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

export interface TaskSetInfo extends LifecycleMethods {
  name: string;
  sequential: boolean;
  tasks: TaskInfo[];
  /** Null: the TaskSet has none of its own, so the User's applies. */
  waitTime: WaitTimeInfo | null;
  range: SourceRange;
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
  weight: number | null;
  /** `fixed_count = N`: exactly N users of this class, taken before the weights share the rest. */
  fixedCount: number | null;
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
}
