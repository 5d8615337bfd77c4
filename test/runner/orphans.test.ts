// Nothing outlives the owner of a run: its Node process killed by SIGKILL in any phase (starting, waiting for workers,
// spawning, running, stopping), local, distributed and with Locust's own --processes, leaves no process of the run behind (scripts/killCycles.ts runs
// the same cycles 30 times each and prints the figures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { startTarget } from '../../examples/target/server.mjs';
import { killCycle, LEFTOVER_DEADLINE_MS, PHASES, type Mode, type Phase } from '../../scripts/killCycles';
import { locustOptions, locustsFor, requireLocust, titled } from './support';

/** Cycles per phase here (the script runs 30): enough to catch a phase that leaks, short enough for the suite. */
const CYCLES_PER_PHASE = 2;

let target: Awaited<ReturnType<typeof startTarget>>;
let dir: string;
before(async () => {
  [target, dir] = await Promise.all([startTarget({ port: 0, quiet: true }), mkdtemp(path.join(os.tmpdir(), 'locust-studio-orphans-'))]);
});
after(async () => {
  await target?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Processes of the run there must be when its owner dies: a forked worker exists only once Locust has forked it. */
function processesExpected(mode: Mode, phase: Phase): number {
  if (mode === 'local' || (mode === 'processes' && phase === 'starting')) return 1;
  return 3;
}

for (const locust of locustsFor('full')) {
  const modes: Mode[] = ['local', 'distributed', ...(locustOptions(locust).has('--processes') ? ['processes' as const] : [])];
  for (const mode of modes) {
    test(titled(locust, `${mode}: the owner killed in every phase (${PHASES[mode].join(', ')}), ${CYCLES_PER_PHASE} times each, leaves nothing behind`), { timeout: 120_000 }, async () => {
      requireLocust(locust);
      for (const phase of PHASES[mode].flatMap((p) => Array<typeof p>(CYCLES_PER_PHASE).fill(p))) {
        const cycle = await killCycle({ python: locust.python, mode, phase, host: target.url, dir });
        assert.ok(cycle.reached, `${phase}: the run reached the phase`);
        assert.ok(cycle.processesAtKill >= processesExpected(mode, phase), `${phase}: the run's processes were there when the owner died (${cycle.processesAtKill})`);
        assert.equal(cycle.leftovers, 0, `${phase}: ${cycle.leftovers} processes still alive ${LEFTOVER_DEADLINE_MS} ms after the owner died`);
      }
    });
  }
}
