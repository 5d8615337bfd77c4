// Benchmark of the traffic importer: a 10,000-entry HAR read and turned into a locustfile, beside JSON.parse of the same text.
import { generateLocustfile } from '../runner/trafficImport/locustfile';
import { parseTraffic } from '../runner/trafficImport/trafficFile';
import { syntheticHar } from '../test/helpers/syntheticHar';

const ENTRIES = 10_000;
const ROUNDS = 7;
const GOAL_MS = 2000;

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function benchTrafficImport(): void {
  const text = syntheticHar(ENTRIES);
  const parseMs: number[] = [];
  const importMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Side by side in each round, so a busy moment of the machine weighs on both.
    let start = performance.now();
    JSON.parse(text);
    parseMs.push(performance.now() - start);
    start = performance.now();
    generateLocustfile(parseTraffic(text, 'big.har'));
    importMs.push(performance.now() - start);
  }
  const imported = median(importMs);
  const parsed = median(parseMs);
  console.log(
    `traffic import: ${ENTRIES} HAR entries (${(text.length / 1e6).toFixed(1)} MB) → locustfile in ${imported.toFixed(0)} ms (median of ${ROUNDS}; goal ≤ ${GOAL_MS} ms: ${imported <= GOAL_MS ? 'met' : 'MISSED'}); ` +
      `JSON.parse alone ${parsed.toFixed(1)} ms: import/parse = ${(imported / parsed).toFixed(1)}×`,
  );
}
