// `npm run bench`: every benchmark, each printing ratios measured side by side in one run.
import { benchLanguageServer } from './languageServer';

async function main(): Promise<void> {
  await benchLanguageServer();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
