// The one rule that says a run's load generator was saturated (the local runner or a worker kept its CPU or its event
// loop's lag at the limit),
// the per-process health it is judged from, and the sentence every shell (panel, CLI, record, verdict) says about it.
import * as v from 'valibot';
import type { BridgeMessage } from './runner';

/**
 * CPU use, in percent of one core, at or above which a process that generates load no longer keeps up: gevent runs its
 * users on one core, so requests then wait for the process rather than for the target (Locust warns at the same 90 %).
 */
export const LOAD_GENERATOR_CPU_LIMIT = 90;

/**
 * Mean lateness, in ms, of a process's event loop at or above which it no longer keeps up: every response time it
 * measures then also waits that long for the process. It catches what CPU use alone does not: a process starved of CPU
 * by its neighbours on the machine (its own CPU use stays low), and users whose own code blocks the loop.
 */
export const LOAD_GENERATOR_LOOP_LAG_LIMIT_MS = 50;

/**
 * Seconds a process's CPU (or its loop's lag) must stay at or above the limit, in every tick, for the run to count as saturated. Locust
 * samples CPU every 5 s, so this spans at least two of its samples: a single busy sample (start-up, a GC) is no alarm.
 */
export const LOAD_GENERATOR_SATURATED_SECONDS = 8;

/** What the run session calls the process of a local run (a distributed run's are its workers, by Locust's id). */
export const LOCAL_PROCESS_ID = 'local';

/** One process that generated load, as last reported, with its worst stretch at the CPU limit. */
export const LoadProcessHealthSchema = v.object({
  id: v.string(),
  /** Locust's state for a worker (ready, running, missing…); absent for the local runner. */
  state: v.optional(v.string()),
  userCount: v.number(),
  /** CPU in percent, as last reported. */
  cpu: v.number(),
  /** The highest CPU it reported during the run. */
  peakCpu: v.number(),
  /** Its event loop's mean lateness in ms, as last reported (absent when it reports none: a web UI, an old record). */
  loopLag: v.optional(v.number()),
  /** The highest loop lag it reported during the run. */
  peakLoopLag: v.optional(v.number()),
  /** Memory in bytes, as last reported (workers only). */
  memory: v.optional(v.number()),
  /** The host a worker started on another host runs on (its SSH target). */
  host: v.optional(v.string()),
  /** Epoch ms of its last report. */
  lastReportAt: v.number(),
  /** The longest stretch, in seconds, it stayed at its limit (CPU or loop lag: see atLimit). */
  longestHighSeconds: v.number(),
});
export type LoadProcessHealth = v.InferOutput<typeof LoadProcessHealthSchema>;

/** The load generator's health over a run: each process's, and whether (and since when) it was saturated. */
export const LoadGeneratorHealthSchema = v.object({
  saturated: v.boolean(),
  /** Epoch ms when the rule first held; absent while it has not. */
  saturatedAt: v.optional(v.number()),
  /** The processes that were saturated, by id. */
  saturatedProcesses: v.array(v.string()),
  processes: v.array(LoadProcessHealthSchema),
  /** Workers on other hosts that could not start, or were lost mid-run, in that order of events: which host and why. */
  lostWorkers: v.optional(v.array(v.object({ host: v.string(), reason: v.string(), midRun: v.boolean() }))),
});
export type LoadGeneratorHealth = v.InferOutput<typeof LoadGeneratorHealthSchema>;

/** What to tell the user about a saturated load generator; undefined when it was not. */
export function saturationWarning(health: LoadGeneratorHealth | undefined): string | undefined {
  if (!health?.saturated) return undefined;
  const names = health.saturatedProcesses.map((id) => (id === LOCAL_PROCESS_ID ? 'the local Locust process' : `worker ${id}`)).join(', ');
  return (
    `The load generator was saturated: ${names} stayed at or above ${LOAD_GENERATOR_CPU_LIMIT} % CPU, or its event loop ${LOAD_GENERATOR_LOOP_LAG_LIMIT_MS} ms or more late, for ${LOAD_GENERATOR_SATURATED_SECONDS} s or more. ` +
    'Latencies measured then are not to be trusted: add workers or processes (--processes), or lower the users.'
  );
}

/** What to tell the user about one worker on another host that could not start (`midRun` false) or was lost. */
export function lostWorkerSentence(worker: { host: string; reason: string; midRun: boolean }): string {
  return worker.midRun ? `Worker ${worker.host} was lost mid-run: ${worker.reason}.` : `Worker ${worker.host} could not start: ${worker.reason}.`;
}

/** What to tell the user about workers on other hosts that could not start or were lost; undefined when none was. */
export function lostWorkersWarning(health: LoadGeneratorHealth | undefined): string | undefined {
  const lost = health?.lostWorkers ?? [];
  return lost.length ? lost.map(lostWorkerSentence).join(' ') : undefined;
}

type Tick = Extract<BridgeMessage, { type: 'tick' }>;

type ProcessReport = { cpu: number; loopLag?: number | undefined };

/** Which of a process's figures are at their limit: CPU at or above its limit, its event loop that late. */
export function limitsReached(report: ProcessReport): { cpu: boolean; loopLag: boolean } {
  return { cpu: report.cpu >= LOAD_GENERATOR_CPU_LIMIT, loopLag: (report.loopLag ?? 0) >= LOAD_GENERATOR_LOOP_LAG_LIMIT_MS };
}

/** Whether a process's report puts it at its limit (either figure). */
export function atLimit(report: ProcessReport): boolean {
  const reached = limitsReached(report);
  return reached.cpu || reached.loopLag;
}

/** Follows the CPU that ticks report (a local runner's own, a master's workers') and applies the rule. */
export class LoadGeneratorMonitor {
  private readonly processes = new Map<string, LoadProcessHealth & { highSince?: number }>();
  private saturatedAt: number | undefined;
  private readonly saturatedIds = new Set<string>();
  private readonly lost: { host: string; reason: string; midRun: boolean }[] = [];

  /** A worker on another host could not start (`midRun` false) or was lost mid-run. */
  noteLostWorker(host: string, reason: string, midRun: boolean): void {
    this.lost.push({ host, reason, midRun });
  }

  /** Folds one tick in; true when the health changed in a way a view shows (a process, or saturation). */
  apply(tick: Tick): boolean {
    const reports: { id: string; state?: string; userCount: number; cpu: number; memory?: number; loopLag?: number; host?: string }[] = tick.workers
      ? tick.workers.map((w) => ({
          id: w.id,
          state: w.state,
          userCount: w.userCount,
          cpu: w.cpu,
          ...(w.memory !== undefined && { memory: w.memory }),
          ...(w.loopLag !== undefined && { loopLag: w.loopLag }),
          ...(w.host !== undefined && { host: w.host }),
        }))
      : tick.cpu !== undefined || tick.loopLag !== undefined
        ? [{ id: LOCAL_PROCESS_ID, userCount: tick.userCount, cpu: tick.cpu ?? 0, ...(tick.loopLag !== undefined && { loopLag: tick.loopLag }) }]
        : [];
    // Only while users run: a process idling in its stop is no measure of the test.
    const generating = tick.state === 'spawning' || tick.state === 'running';
    for (const report of reports) {
      const known = this.processes.get(report.id);
      const entry = known ?? { id: report.id, userCount: 0, cpu: 0, peakCpu: 0, lastReportAt: tick.t, longestHighSeconds: 0 };
      entry.userCount = report.userCount;
      entry.cpu = report.cpu;
      entry.peakCpu = Math.max(entry.peakCpu, report.cpu);
      entry.lastReportAt = tick.t;
      if (report.state !== undefined) entry.state = report.state;
      if (report.memory !== undefined) entry.memory = report.memory;
      if (report.loopLag !== undefined) {
        entry.loopLag = report.loopLag;
        entry.peakLoopLag = Math.max(entry.peakLoopLag ?? 0, report.loopLag);
      }
      if (report.host !== undefined) entry.host = report.host;
      // A missing worker's figures are stale: they neither start nor extend a stretch.
      if (generating && report.state !== 'missing' && atLimit(report)) {
        entry.highSince ??= tick.t;
        const seconds = (tick.t - entry.highSince) / 1000;
        entry.longestHighSeconds = Math.max(entry.longestHighSeconds, seconds);
        if (seconds >= LOAD_GENERATOR_SATURATED_SECONDS && !this.saturatedIds.has(report.id)) {
          this.saturatedIds.add(report.id);
          this.saturatedAt ??= tick.t;
        }
      } else {
        delete entry.highSince;
      }
      this.processes.set(report.id, entry);
    }
    return reports.length > 0;
  }

  /** Whether anything was reported at all (a followed web UI, an old Locust report nothing). */
  get known(): boolean {
    return this.processes.size > 0 || this.lost.length > 0;
  }

  health(): LoadGeneratorHealth {
    return {
      saturated: this.saturatedIds.size > 0,
      ...(this.saturatedAt !== undefined && { saturatedAt: this.saturatedAt }),
      saturatedProcesses: [...this.saturatedIds],
      ...(this.lost.length > 0 && { lostWorkers: this.lost.map((w) => ({ ...w })) }),
      processes: [...this.processes.values()].map(({ highSince: _highSince, longestHighSeconds, ...rest }) => ({ ...rest, longestHighSeconds: Math.round(longestHighSeconds * 10) / 10 })),
    };
  }
}
