// Runs the demo: the demo target on 127.0.0.1:8080 and examples/ open in VS Code (desktop `code`, else code-server).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startTarget } from '../examples/target/server.mjs';
import { ensureCodeServer, installExtension, startCodeServer } from './codeServer';

const root = path.resolve(__dirname, '..');
const vsix = path.join(root, 'dist', 'locust-studio.vsix');
const workspace = path.join(root, 'examples');

function onCodeCli(): boolean {
  return spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function main(): Promise<void> {
  const target = await startTarget({ port: Number(process.env['DEMO_TARGET_PORT'] ?? 8080) }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') {
      throw new Error('Port 8080 is taken. Stop what uses it, or set DEMO_TARGET_PORT (the examples expect 8080).');
    }
    throw error;
  });
  const cleanups: (() => Promise<void>)[] = [() => target.close()];

  if (onCodeCli()) {
    spawnSync('code', ['--install-extension', vsix, '--force'], { stdio: 'inherit' });
    spawnSync('code', [workspace], { stdio: 'inherit' });
    console.log('[demo] opened examples/ in VS Code. Ctrl-C stops the demo target.');
  } else {
    const codeServer = await ensureCodeServer();
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-demo-'));
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    const extensionsDir = path.join(scratch, 'extensions');
    await installExtension(codeServer, vsix, extensionsDir);
    const server = await startCodeServer({
      workspace,
      extensionsDir,
      userDataDir: path.join(scratch, 'user-data'),
      port: Number(process.env['DEMO_PORT'] ?? 0),
    });
    cleanups.unshift(() => server.stop());
    console.log(`[demo] VS Code (code-server) is ready: open ${server.url}`);
    console.log(`[demo] its logs: ${server.logDir}. Ctrl-C stops everything.`);
  }

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('\n[demo] stopping');
    void (async () => {
      for (const cleanup of cleanups) await cleanup().catch((error: unknown) => console.error(error));
      process.exit(0);
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
