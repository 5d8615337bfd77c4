// Durations in Locust's run-time syntax (`30s`, `5m`, `1h30m`, bare seconds): the one parser and the one way to show them.

/**
 * Seconds in a duration written as Locust's `--run-time` takes it: a bare whole number of seconds, or whole amounts with
 * `h`, `m`, `s` units run together (`1h30m`, `90s`). Surrounding whitespace is ignored; undefined when empty or
 * unreadable, so that each caller words its own error.
 */
export function parseDuration(text: string | undefined): number | undefined {
  const value = text?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  if (!/^(\d+[hms])+$/.test(value)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+)([hms])/g)) seconds += Number(amount) * UNIT_SECONDS[unit as 'h' | 'm' | 's'];
  return seconds;
}

const UNIT_SECONDS = { h: 3600, m: 60, s: 1 } as const;

/** A number of seconds in words for people: `45 s`, `5 min`, `1 h 30 min`, `1 min 30 s` (fractions of a second kept). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const whole = Math.floor(seconds);
  const fraction = seconds - whole;
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = (whole % 60) + fraction;
  const parts: string[] = [];
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (s || parts.length === 0) parts.push(`${Number(s.toFixed(3))} s`);
  return parts.join(' ');
}
