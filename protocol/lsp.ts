// Custom LSP requests and the command ids that code lenses carry, shared by server/ and extension/.
import type { LocustfileModel, SourceRange } from './model';

/** Request sent by the extension, answered by the server: the model of one document (open, else as saved on disk). */
export const DocumentModelRequest = {
  method: 'locustStudio/documentModel',
} as const;
export interface DocumentModelParams {
  uri: string;
}
export type DocumentModelResult = LocustfileModel | null;

/**
 * Notification sent by the extension (trusted workspaces only: it asks the interpreter's Locust): the options of the
 * Locust that runs would use. The server checks locust.conf and pyproject.toml `[tool.locust]` keys against them; before
 * the first one (or with an empty list) it reports no unknown option: it never guesses Locust's options.
 */
export const LocustOptionsNotification = {
  method: 'locustStudio/locustOptions',
} as const;
export interface LocustOptionsParams {
  /** The interpreter's path, for the diagnostic's message. */
  interpreter: string;
  /** "" when the build does not say (Debian's 2.12.1). */
  locustVersion: string;
  /** Long options without their dashes (`spawn-rate`). */
  options: string[];
}

/** Commands executed by code lenses; the arguments are built by the server. */
export const LensCommand = {
  runLoadTest: 'locustStudio.runLoadTest',
  runTaskOnce: 'locustStudio.runTaskOnce',
  debugTask: 'locustStudio.debugTask',
  /** Runs the interpreter's Locust on the file (trusted workspaces only) and shows its task ratios beside the model's. */
  showTaskRatios: 'locustStudio.showTaskRatios',
} as const;

/** Argument of every lens command: which file, which User class(es), which task. */
export interface RunTarget {
  uri: string;
  /** Empty: every runnable User class of the file. */
  userClasses: string[];
  task?: string;
  /** For a task inside TaskSets: the TaskSet names from the User class inwards. */
  taskSet?: string[];
  shape?: string;
  range?: SourceRange;
  /**
   * The `host` the User class sets (a string literal, its own or inherited in the file), to prefill the host question. For a target
   * of several User classes (the whole file, a shape): set only when every runnable class sets the same host.
   */
  host?: string;
}
