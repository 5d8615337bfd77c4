// The limits of a run's settings (users, spawn rate, statistics interval), stated once for every place that checks them.
// package.json and the Python bridge cannot import this: test/unit/limits.test.ts and test/runner/bridgeConstants.test.ts
// compare them with it.

/** Most users a run may have (the start prompt, the panel, the command line). */
export const MAX_USERS = 1_000_000;
/** A run starts with at least one user. */
export const MIN_USERS_TO_START = 1;
/** A running test may be set to 0 users: they stop and the run goes on (its statistics stay). */
export const MIN_USERS_RUNNING = 0;

/** Fewest seconds between statistics snapshots: each one costs the gevent loop that generates the load. */
export const MIN_STATS_INTERVAL = 0.25;
/** Most seconds between statistics snapshots: beyond this the live charts stop being live. */
export const MAX_STATS_INTERVAL = 10;
/** Seconds between statistics snapshots when nobody says. */
export const DEFAULT_STATS_INTERVAL = 1;

/** A whole number of users from `min` (MIN_USERS_TO_START for a new run, MIN_USERS_RUNNING for a running one) to MAX_USERS. */
export function isUserCount(value: number, min: number = MIN_USERS_TO_START): boolean {
  return Number.isInteger(value) && value >= min && value <= MAX_USERS;
}

/** Users started per second: any finite number above 0 (Locust divides by it). */
export function isSpawnRate(value: number): boolean {
  return Number.isFinite(value) && value > 0;
}

/** Seconds between statistics snapshots, from MIN_STATS_INTERVAL to MAX_STATS_INTERVAL. */
export function isStatsInterval(value: number): boolean {
  return value >= MIN_STATS_INTERVAL && value <= MAX_STATS_INTERVAL;
}

/**
 * Most endpoints a run's batches keep for comparing runs (the aggregate is always kept): memory and the batch file stay
 * bounded however many names a test makes up; endpoints beyond it are counted and left out of comparisons.
 */
export const MAX_COMPARED_ENDPOINTS = 5_000;
