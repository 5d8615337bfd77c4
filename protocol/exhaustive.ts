// Compile-time exhaustiveness check for `switch (msg.type)` over a protocol union.
export function assertNever(value: never, what = 'message'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
