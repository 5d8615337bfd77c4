// Which recorded values are secrets (kept out of the locustfile and read from the environment), and the variables they come from.

/** Names of fields, headers and variables whose values are secrets. */
export const SECRET_NAME = /pass(word|wd|phrase)?$|^pwd$|secret|api[-_]?key|private[-_]?key|^authorization$|^x-api-key$/i;

/** The environment variable a secret named `name` is read from: LOCUST_ plus the name in upper snake case. */
export function environmentVariableFor(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  return `LOCUST_${snake || 'SECRET'}`;
}
