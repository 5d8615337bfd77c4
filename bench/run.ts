// `npm run bench`: every benchmark, each printing ratios measured side by side in one run.
import { benchCompare } from './compare';
import { benchLanguageServer } from './languageServer';
import { benchLiveAnnotations } from './liveAnnotations';
import { benchPanel, benchPanelHeap, benchPanelHugeSnapshot } from './panel';
import { benchRunner } from './runner';
import { benchRunHistory } from './runHistory';
import { benchThresholds } from './thresholds';
import { benchKillCycles } from '../scripts/killCycles';
import { benchTrafficImport } from './trafficImport';

async function main(): Promise<void> {
  await benchLanguageServer();
  await benchPanel();
  await benchPanelHeap();
  await benchPanelHugeSnapshot();
  benchThresholds();
  benchTrafficImport();
  await benchLiveAnnotations();
  await benchRunHistory();
  await benchRunner();
  await benchCompare();
  // The longest (about 10 minutes at 30 cycles per phase): last, and BENCH_KILL_CYCLES=0 leaves it out.
  await benchKillCycles(Number(process.env['BENCH_KILL_CYCLES'] ?? 30));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
