// Reads a `wait_time = between(1, 2)` value: which of Locust's wait-time functions, and its arguments when they are number literals.
import type { WaitTimeInfo, WaitTimeKind } from '../protocol/model';

/** Each wait-time function's parameters, in order, as Locust names them (keyword arguments use these names). */
const PARAMETERS: Record<Exclude<WaitTimeKind, 'other'>, string[]> = {
  between: ['min_wait', 'max_wait'],
  constant: ['wait_time'],
  constant_pacing: ['wait_time'],
  constant_throughput: ['task_runs_per_second'],
};

export function isWaitTimeFunction(name: string | undefined): name is Exclude<WaitTimeKind, 'other'> {
  return name !== undefined && Object.hasOwn(PARAMETERS, name);
}

const DECIMAL = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const PREFIXED = /^0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)$/;

/** The value of a Python int or float literal, optionally negated (`2`, `0.5`, `1_000`, `1e3`, `0x10`, `-1`); null for anything else. */
function numberLiteral(text: string): number | null {
  let literal = text.trim();
  let sign = 1;
  if (literal.startsWith('-')) {
    sign = -1;
    literal = literal.slice(1).trimStart();
  }
  // Underscores only between digits, as Python allows them.
  if (/(^_|_$|__|_[^0-9a-fA-F]|[^0-9a-fA-F]_)/.test(literal)) return null;
  literal = literal.replace(/_/g, '');
  if (!DECIMAL.test(literal) && !PREFIXED.test(literal)) return null;
  // Python rejects `010`; a leading zero is only allowed for zero itself and floats.
  if (/^0\d/.test(literal) && /^\d+$/.test(literal) && !/^0+$/.test(literal)) return null;
  const value = Number(literal);
  return Number.isFinite(value) ? sign * value : null;
}

/** One argument of the call as written: `2` (positional) or `max_wait=2` (keyword). */
export interface ArgumentText {
  keyword?: string;
  value: string;
}

/**
 * The call's arguments in the function's parameter order, when each parameter is given exactly once and every value is a
 * number literal; null otherwise (a call Python would reject, or values only known at run time).
 */
export function waitTimeArguments(kind: Exclude<WaitTimeKind, 'other'>, args: ArgumentText[]): number[] | null {
  const parameters = PARAMETERS[kind];
  const values: (number | undefined)[] = parameters.map(() => undefined);
  let position = 0;
  for (const arg of args) {
    const at = arg.keyword === undefined ? position++ : parameters.indexOf(arg.keyword);
    if (at < 0 || at >= parameters.length || values[at] !== undefined) return null;
    const value = numberLiteral(arg.value);
    if (value === null) return null;
    values[at] = value;
  }
  return values.every((v) => v !== undefined) ? values : null;
}

const SIMPLE_CALL = /^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)[ \t]*\(([^()#\\'"\n\r]*)\)$/;
const SIMPLE_ARGUMENT = /^[ \t]*(?:([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(?!=))?([^,=]*)$/;

/**
 * `between(1, 2)`, `locust.constant(wait_time=3)`… read from the text of the value alone: the callee as written and its
 * arguments. Undefined for anything else (nested calls, strings, comments, line breaks), which the tree reads instead.
 */
export function simpleCall(text: string): { callee: string; args: ArgumentText[] } | undefined {
  const match = SIMPLE_CALL.exec(text);
  if (!match) return undefined;
  const list = match[2]!;
  const args: ArgumentText[] = [];
  if (/[^ \t]/.test(list)) {
    const parts = list.split(',');
    // A trailing comma: `between(1, 2,)`.
    if (parts.length > 1 && !/[^ \t]/.test(parts.at(-1)!)) parts.pop();
    for (const part of parts) {
      const arg = SIMPLE_ARGUMENT.exec(part);
      if (!arg || !/[^ \t]/.test(arg[2]!)) return undefined;
      args.push(arg[1] === undefined ? { value: arg[2]! } : { keyword: arg[1], value: arg[2]! });
    }
  }
  return { callee: match[1]!, args };
}

/** `between(1, 2)`, `constant(…)` when the arguments are not literals, `custom wait_time` for anything else. */
export function describeWaitTime(wait: WaitTimeInfo): string {
  if (wait.kind === 'other') return 'custom wait_time';
  return `${wait.kind}(${wait.args ? wait.args.join(', ') : '…'})`;
}
