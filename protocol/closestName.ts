// The "did you mean" candidate for a misspelt name (a metric, a state, a method): the closest known name by edit distance, when it is close enough to be a typo.

/** Levenshtein distance with one row of memory (names are short). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known name nearest to `name`, within a third of its length (at least 1 edit) plus `slack`; undefined when none is
 * that near. Letter case does not count as an edit.
 */
export function closestName<T extends string>(name: string, known: Iterable<T>, { slack = 0 }: { slack?: number } = {}): T | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3)) + slack;
  let best: { name: T; distance: number } | undefined;
  for (const candidate of known) {
    if (candidate === name) continue;
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}
