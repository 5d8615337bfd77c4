// The order in which Python looks a class attribute up (C3 linearization), over the classes of one file.

/**
 * `cls` followed by its ancestors in Python's method resolution order. `basesOf` gives a class's bases as written, each
 * either a class of the file or a name from elsewhere (a string, a leaf whose own bases are unknown). A cyclic or
 * inconsistent hierarchy, which Python would reject, falls back to a depth-first, left-to-right order without repeats.
 */
export function methodResolutionOrder<C extends object>(cls: C, basesOf: (cls: C) => (C | string)[], memo = new Map<C, (C | string)[]>()): (C | string)[] {
  const visiting = new Set<C>();
  const linearize = (current: C): (C | string)[] => {
    const known = memo.get(current);
    if (known) return known;
    if (visiting.has(current)) return [current];
    visiting.add(current);
    const bases = basesOf(current);
    const lists = [...bases.map((base) => (typeof base === 'string' ? [base] : linearize(base))), [...bases]];
    const order = merge(lists) ?? depthFirst(current, basesOf);
    visiting.delete(current);
    const result = [current, ...order.filter((c) => c !== current)];
    memo.set(current, result);
    return result;
  };
  return linearize(cls);
}

/** C3's merge: repeatedly take the first head that is in no list's tail; undefined when none is (an inconsistent order). */
function merge<T>(lists: T[][]): T[] | undefined {
  const rests = lists.map((list) => [...list]).filter((list) => list.length > 0);
  const order: T[] = [];
  while (rests.length > 0) {
    const head = rests.map((list) => list[0]!).find((candidate) => !rests.some((list) => list.indexOf(candidate) > 0));
    if (head === undefined) return undefined;
    order.push(head);
    for (const list of rests) if (list[0] === head) list.shift();
    for (let i = rests.length - 1; i >= 0; i--) if (rests[i]!.length === 0) rests.splice(i, 1);
  }
  return order;
}

function depthFirst<C extends object>(cls: C, basesOf: (cls: C) => (C | string)[]): (C | string)[] {
  const order: (C | string)[] = [];
  const seen = new Set<C | string>([cls]);
  const visit = (current: C) => {
    for (const base of basesOf(current)) {
      if (seen.has(base)) continue;
      seen.add(base);
      order.push(base);
      if (typeof base !== 'string') visit(base);
    }
  };
  visit(cls);
  return order;
}
