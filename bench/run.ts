// `npm run bench`: every benchmark, each printing ratios measured side by side in one run.
import { benchLanguageServer } from './languageServer';
import { benchPanel, benchPanelHeap } from './panel';
import { benchRunner } from './runner';
import { benchThresholds } from './thresholds';

async function main(): Promise<void> {
  await benchLanguageServer();
  await benchPanel();
  await benchPanelHeap();
  benchThresholds();
  await benchRunner();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
