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

export interface TaskSetInfo {
  name: string;
  sequential: boolean;
  tasks: TaskInfo[];
  range: SourceRange;
}

export interface UserClassInfo {
  name: string;
  /** Base class as written (`HttpUser`, `FastHttpUser`, a user class of this file…). */
  base: string;
  abstract: boolean;
  host: string | null;
  weight: number | null;
  /** `fixed_count = N`: exactly N users of this class, taken before the weights share the rest. */
  fixedCount: number | null;
  tasks: TaskInfo[];
  taskSets: TaskSetInfo[];
  range: SourceRange;
}

export interface ShapeInfo {
  name: string;
  hasTick: boolean;
  range: SourceRange;
}

export interface LocustfileModel {
  uri: string;
  version: number;
  /** True when the file imports from locust at all. */
  isLocustfile: boolean;
  users: UserClassInfo[];
  shapes: ShapeInfo[];
}
