// Makes untrusted text (endpoint names, failure and error messages, Locust's log lines) safe to print on a terminal.

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * The text with every C0 and C1 control character and DEL shown as a visible escape (`\x1b`, `\n`, `\x9b`): raw, they
 * could retitle or clear the user's terminal, fake output, or break a table's rows. Everything else is kept as it is.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is this function's job
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
