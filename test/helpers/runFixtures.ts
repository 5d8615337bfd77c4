// Builders for protocol values (endpoint statistics, run views) used by tests.
import { PERCENTILES, type EndpointStats } from '../../protocol/runner';
import type { ThresholdStatus } from '../../protocol/thresholds';
import { appendPoint, emptySeries, type RunView, type Series } from '../../protocol/webview';

export function endpointStats(overrides: Partial<EndpointStats> & Pick<EndpointStats, 'name'>): EndpointStats {
  const requests = overrides.requests ?? 100;
  return {
    method: 'GET',
    requests,
    failures: 0,
    totalResponseTime: requests * 20,
    minResponseTime: 5,
    maxResponseTime: 120,
    totalContentLength: requests * 512,
    percentiles: PERCENTILES.map((p) => Math.round(10 + p * 100)),
    window: { seconds: 1, requests: 10, failures: 0, p50: 15, p95: 90 },
    ...overrides,
  };
}

export function runView(overrides: Partial<RunView> = {}): RunView {
  return {
    id: 'run-1',
    locustfile: '/work/examples/locustfile.py',
    host: 'http://127.0.0.1:8080',
    userClasses: ['WebsiteUser'],
    state: 'running',
    startedAt: Date.now(),
    userCount: 10,
    targetUsers: 10,
    endpoints: [],
    total: null,
    ...overrides,
  };
}

/** A series built the way host and panel build it: point by point through the bounding rule. */
export function seriesOf(length: number, value: (t: number) => (number | null)[], start = 1): Series {
  const series = emptySeries();
  for (let t = start; t < start + length; t++) appendPoint(series, { t, v: value(t) });
  return series;
}

/** Busy-run shapes: requests ramp up and wobble, percentiles follow, users ramp to 10 (6 + 4 in two classes). */
export const busyTotal = (t: number): (number | null)[] => {
  const users = Math.min(10, t);
  const rps = users * 9 + 6 * Math.sin(t / 5);
  // Then p50, p95, p99 over the rolling 10 s and 30 s windows: smoother than the 1 s window's.
  // Then requests/s per latency bucket (≤5, ≤10, ≤25, ≤50, ≤100, ≤250, ≤500 ms…): two bands, fast and about 300 ms.
  const latency = [0, 0.1 * rps, 0.6 * rps, 0.05 * rps, 0, 0, 0.25 * rps, 0, 0, 0];
  return [rps, t > 40 ? 0.6 + 0.4 * Math.sin(t / 3) : 0, 18 + 4 * Math.sin(t / 7), 70 + 20 * Math.sin(t / 4), 140, users, 18, 72 + 5 * Math.sin(t / 9), 145, 18, 72, 148, ...latency];
};

/** A threshold's status as the run session reports it (value in the metric's unit: ms, a fraction, per second). */
export function thresholdStatus(text: string, state: ThresholdStatus['state'], value: number | null, extra: Partial<ThresholdStatus> = {}): ThresholdStatus {
  return { text, state, value, ...extra };
}
