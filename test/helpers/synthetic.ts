// Building blocks of synthetic test data: a seeded random generator and Locust's rounding of response times.

/** mulberry32: a small seeded generator, so synthetic data (and a failure found with it) can be replayed by its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Locust's rounding of a response time for its histogram: whole ms below 100, then 2 significant digits. */
export function locustRoundedTime(ms: number): number {
  if (ms < 100) return Math.round(ms);
  if (ms < 1000) return Math.round(ms / 10) * 10;
  if (ms < 10_000) return Math.round(ms / 100) * 100;
  return Math.round(ms / 1000) * 1000;
}
