// `npm run bench`: every benchmark, each printing ratios measured side by side in one run.
import { benchCompare } from './compare';
import { benchLanguageServer } from './languageServer';
import { benchLiveAnnotations } from './liveAnnotations';
import { benchPanel, benchPanelHeap, benchPanelHugeSnapshot } from './panel';
import { benchRunner } from './runner';
import { benchRunHistory } from './runHistory';
import { benchThresholds } from './thresholds';

async function main(): Promise<void> {
  await benchLanguageServer();
  await benchPanel();
  await benchPanelHeap();
  await benchPanelHugeSnapshot();
  benchThresholds();
  await benchLiveAnnotations();
  await benchRunHistory();
  await benchRunner();
  await benchCompare();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
