// Builders for protocol values (endpoint statistics, run views) used by tests.
import { PERCENTILES, type EndpointStats } from '../../protocol/runner';
import type { RunView } from '../../protocol/webview';

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
