// A run's whole life in one place — a Locust launched here (local or distributed) or one followed through its web UI —
// with its aggregate, its record, its commands and its one end; the CLI and the editor are thin shells over it.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { BridgeMessage } from '../protocol/runner';
import { outcomeMessage, outcomeOf, pendingNotice, userStartShortfall, type RecordedOptions, type RunMeta, type RunOutcome, type RunShortfall } from '../protocol/runRecord';
import type { Threshold, Verdict } from '../protocol/thresholds';
import type { AttachedRun, AttachRunOptions } from './attachRun';
import { findImportFailure, type ImportFailure } from './importFailure';
import { launchRun, LocustRun, type AckMessage, type LogStream, type RunExit, type RunOptions, type WorkerExit } from './locustRun';
import { parseDuration } from '../protocol/duration';
import { RunAggregate, type RunChange, type RunDescription } from './runAggregate';
import { rmSync } from 'node:fs';
import { exportRunRecord, loadRunRecord, RunRecorder } from './runRecord';
import { ThresholdEvaluator } from './thresholds';
import type { Comparison } from '../protocol/compare';
import { LiveBaseline, type RunBaseline } from './liveBaseline';
import { LoadGeneratorMonitor, lostWorkerSentence, saturationWarning, type LoadGeneratorHealth } from '../protocol/loadGenerator';

/** Log lines a session keeps to explain how a run ended (the whole log is in the record's locust.log). */
export const LOG_TAIL_LINES = 300;

/** Exit status of the CLI when a run could not start (or its arguments were wrong). */
export const EXIT_CANNOT_START = 2;

/** Malformed channel lines a session writes out in full (to its log and the record's); later ones are only counted. */
export const MALFORMED_LINES_LOGGED = 5;

export interface SessionRecording {
  /** The folder under which the run's own record folder is made. */
  baseDir: string;
  /** `source`: where the choice came from (the editor's InterpreterSource; `option` or `path` from the CLI). */
  interpreter?: { path: string; locustVersion?: string; source?: string };
  /** Once the run ended, also write Locust's CSV layout and JSON beside the record (`locust_stats.csv`, `locust.json`…). */
  exportBeside?: boolean;
}

export interface SessionSettings {
  /** The run's id; a new one by default. */
  id?: string;
  /** Where the run is recorded; not recorded when absent. */
  record?: SessionRecording;
  /** Said after "Could not start <python>: <reason>." — where the user changes the interpreter (a setting, an option). */
  spawnErrorHint?: string;
  /** What the run is judged by (the locustfile's THRESHOLDS, then any added for this run), parsed and checked. */
  thresholds?: Threshold[];
  /** The run this one is compared with, live and at its end (a pinned baseline, `run --baseline`). */
  baseline?: RunBaseline;
}

/** How a run ended: one value for every shell (panel, status bar, CLI, record). */
export interface RunEnd {
  exit: RunExit;
  outcome: Exclude<RunOutcome, 'incomplete'>;
  /** Why it did not finish, in a sentence a user can act on; absent when it finished. */
  message?: string;
  /** A locustfile that Python could not import: where, and why. */
  importFailure?: ImportFailure;
  /** The record's folder, when the run was recorded. */
  recordDir?: string;
  /** The last lines Locust printed (the bridge's errors and Python's tracebacks among them). */
  logTail: string[];
  /** The thresholds the run was judged by, as written; absent when it had none. */
  thresholds?: string[];
  /** Why recording stopped before the run ended (the run went on; the record is incomplete). */
  recordStopped?: string;
  /** Channel lines from the bridge that were not valid messages and were dropped; absent when there were none. */
  malformedLines?: number;
  /** What kept a run that ended normally from running as asked (then its outcome is `cutShort`); absent when nothing did. */
  shortfalls?: RunShortfall[];
  /** Their verdict; absent when the run has no thresholds or did not finish (a crashed run has no verdict). */
  verdict?: Verdict;
  /** The whole run compared with its baseline; absent without one (or when the run recorded no statistics at all). */
  comparison?: Comparison;
  /** The load generator's health over the run; absent when nothing reported it (a followed web UI, an old Locust). */
  loadGenerator?: LoadGeneratorHealth;
  /** Said when the load generator was saturated (protocol/loadGenerator.ts): the latencies are not to be trusted. */
  loadWarning?: string;
}

export type RunSessionEvents = {
  /** A message of the run was folded into the aggregate; `change` is what it changed (for incremental views). */
  change: [change: RunChange, message: BridgeMessage];
  /** The run's target users / spawn rate changed (Locust accepted a new one). */
  target: [users: number, spawnRate: number | undefined];
  /** One line of Locust's output (or, for a followed web UI, a poll error or note). */
  log: [line: string, stream: LogStream];
  /** A channel line that was not a valid message; it was dropped (and counted in the end's `malformedLines`). */
  protocolError: [reason: string, line: string];
  /** Emitted at most once: a write of the record failed, so recording stopped; the run goes on. */
  recordingStopped: [reason: string];
  /** An `abort` threshold failed for good: the run is being stopped. */
  aborting: [threshold: string];
  /** Emitted at most once, as soon as the load generator counts as saturated: what to tell the user. */
  saturated: [warning: string];
  /** A worker on another host could not start, or was lost mid-run: which one and why, in a sentence to show at once. */
  workerLost: [warning: string];
  /** Emitted once, after the record is complete. */
  ended: [end: RunEnd];
};

/** A run this session drives: a Locust it started, or a web UI it follows (same events, same commands). */
type Source = LocustRun | AttachedRun;

/** What the panel shows of a launched run before Locust says more: from what it was asked to do. */
function describeLaunch(options: RunOptions, id: string): RunDescription {
  // A load shape decides users and duration itself.
  const shaped = typeof options.shapeClass === 'string';
  const runTimeSeconds = shaped ? undefined : parseDuration(options.runTime);
  return {
    id,
    locustfile: options.locustfile,
    host: options.host ?? '',
    userClasses: options.userClasses ?? [],
    targetUsers: options.users ?? 0,
    ...(options.spawnRate !== undefined && { spawnRate: options.spawnRate }),
    startedAt: Date.now(),
    ...(runTimeSeconds !== undefined && { runTimeSeconds }),
  };
}

/** What a record's options.json says about an attached run: what was chosen, the URL without credentials, never a password. */
function attachRecordOptions(url: string, options: AttachRunOptions): RecordedOptions {
  const recorded: RecordedOptions = { attach: url };
  if (options.users !== undefined) recorded.users = options.users;
  if (options.spawnRate !== undefined) recorded.spawnRate = options.spawnRate;
  if (options.host !== undefined) recorded.host = options.host;
  if (options.runTimeMs !== undefined) recorded.runTime = `${options.runTimeMs / 1000}s`;
  if (options.intervalMs !== undefined) recorded.statsInterval = options.intervalMs / 1000;
  if (options.stopRemote) recorded.stopRemote = true;
  return recorded;
}

/**
 * One run, from start to its one `ended`. Make it with `RunSession.launch` (starts Locust) or `RunSession.follow` (an
 * AttachedRun that has connected). Subscribe in the same turn: the first messages come on the next one.
 */
export class RunSession extends EventEmitter<RunSessionEvents> {
  readonly aggregate: RunAggregate;
  /** Settles once the run ended and its record is complete. */
  readonly ended: Promise<RunEnd>;
  /** The record's folder, when the run is recorded. */
  readonly recordDir: string | undefined;
  /** Why recording stopped before the run ended (a write failed: a full disk…); the run goes on. */
  recordingStopped: string | undefined;
  readonly kind: 'launched' | 'attached';
  /** The web UI followed, for an attached run. */
  readonly attachedTo: string | undefined;
  private readonly locustfile: string | undefined;
  private readonly recorder: RunRecorder | undefined;
  private readonly logTail: string[] = [];
  private readonly evaluator: ThresholdEvaluator | undefined;
  private readonly liveBaseline: LiveBaseline | undefined;
  private aborting = false;
  private malformedLines = 0;
  /** Worker processes that exited on their own mid-run (this process's view of a distributed run). */
  private readonly workerExits: WorkerExit[] = [];
  /** Workers on other hosts that could not start: which host, and why. */
  private readonly workerFailures: { host: string; reason: string }[] = [];
  /** Workers the master lost mid-run (its view: missing heartbeats, gone from its list), by worker id. */
  private readonly workersLostByMaster = new Map<string, string>();
  /** The master's last list of workers: id -> state. */
  private workerStates = new Map<string, string>();
  /** The CPU of whatever generates the load (the local runner, the workers), judged by the saturation rule. */
  private readonly loadMonitor = new LoadGeneratorMonitor();

  private constructor(
    private readonly source: Source,
    description: RunDescription,
    recorder: RunRecorder | undefined,
    private readonly settings: SessionSettings,
    private readonly interpreter: string | undefined,
    /** What the run was asked to do, as its record keeps it (also what a comparison with its baseline describes). */
    private readonly recordedOptions: RecordedOptions,
  ) {
    super();
    this.kind = interpreter === undefined ? 'attached' : 'launched';
    this.aggregate = new RunAggregate(description);
    this.attachedTo = description.attachedTo;
    this.locustfile = description.locustfile || undefined;
    if (recorder && source.pid !== undefined) recorder.meta.pid = source.pid;
    this.recorder = recorder;
    this.recordDir = recorder?.dir;
    if (recorder) {
      recorder.onStopped = (reason) => {
        this.recordingStopped = reason;
        this.emit('recordingStopped', reason);
      };
    }
    if (settings.baseline) {
      this.liveBaseline = new LiveBaseline(settings.baseline);
      this.aggregate.setBaseline(this.liveBaseline.initialView);
    }
    const thresholds = settings.thresholds ?? [];
    if (thresholds.length) {
      this.evaluator = new ThresholdEvaluator(thresholds, { startedAt: description.startedAt });
      this.aggregate.setThresholds(this.evaluator.statuses());
      recorder?.noteThresholds(thresholds.map((t) => t.text));
    }

    // Every message, hello included, comes after this: a launched run's on a later turn, an attached run's from start().
    source.on('message', (message) => this.onMessage(message));
    source.on('log', (line, stream) => this.onLog(line, stream));
    source.on('protocolError', (reason, line) => {
      this.malformedLines++;
      // The first few in full, where the user looks (the log, the record's locust.log); then only counted, as a bridge
      // gone wrong may send thousands.
      if (this.malformedLines <= MALFORMED_LINES_LOGGED) this.onLog(`malformed line from the bridge ignored (${reason}): ${line}`, 'stderr');
      else if (this.malformedLines === MALFORMED_LINES_LOGGED + 1) this.onLog('further malformed lines from the bridge are only counted', 'stderr');
      this.emit('protocolError', reason, line);
    });
    if (source instanceof LocustRun) {
      source.on('workerLost', (loss) => {
        this.workerExits.push(loss);
        if (loss.host === undefined) return;
        this.loadMonitor.noteLostWorker(loss.host, loss.reason ?? 'it exited', true);
        this.emit('workerLost', lostWorkerSentence({ host: loss.host, reason: loss.reason ?? 'it exited', midRun: true }));
      });
      source.on('workerFailed', (failure) => {
        this.workerFailures.push(failure);
        this.loadMonitor.noteLostWorker(failure.host, failure.reason, false);
        this.emit('workerLost', lostWorkerSentence({ ...failure, midRun: false }));
      });
    }
    this.ended = source.exit.then((exit) => this.conclude(exit));
  }

  /**
   * Starts Locust (a master and workers for a distributed run) and follows it. Rejects when nothing could be spawned, and
   * with a RecordFolderError, before anything starts, when the record's folder cannot be made or written.
   */
  static async launch(options: RunOptions, settings: SessionSettings = {}): Promise<RunSession> {
    const id = settings.id ?? randomBytes(8).toString('hex');
    const description = describeLaunch(options, id);
    const recorded: RecordedOptions = { ...options };
    // The environment may hold secrets (tokens in LOCUST_* or elsewhere): never written to disk; nor secret arguments' values.
    delete recorded['env'];
    delete recorded['secretFlags'];
    if (options.extraArgs && options.secretFlags?.length) recorded['extraArgs'] = redactSecrets(options.extraArgs, options.secretFlags);
    const recorder = createRecorder(settings, recorded, description.startedAt);
    let run: LocustRun;
    try {
      run = await launchRun(options);
    } catch (error) {
      // Nothing ran: an empty record would only clutter the history.
      if (recorder) rmSync(recorder.dir, { recursive: true, force: true });
      throw error;
    }
    return new RunSession(run, description, recorder, settings, options.python, recorded);
  }

  /** Follows a Locust web UI through an AttachedRun whose `connect()` resolved, and starts it. */
  static follow(attached: AttachedRun, options: AttachRunOptions, settings: SessionSettings = {}): RunSession {
    const id = settings.id ?? randomBytes(8).toString('hex');
    const description: RunDescription = {
      id,
      locustfile: '',
      attachedTo: attached.url,
      host: options.host ?? attached.hello?.host ?? '',
      userClasses: [],
      // The web API does not say what the remote test was started with: no target until one is set.
      targetUsers: options.users ?? 0,
      ...(options.spawnRate !== undefined && { spawnRate: options.spawnRate }),
      startedAt: Date.now(),
    };
    const recorded = attachRecordOptions(attached.url, options);
    const recorder = createRecorder(settings, recorded, description.startedAt);
    const session = new RunSession(attached, description, recorder, settings, undefined, recorded);
    attached.start();
    return session;
  }

  /** The command that starts one more worker of this distributed run by hand; undefined for a local or followed run. */
  get workerCommand(): string | undefined {
    return this.source instanceof LocustRun ? this.source.workerCommand : undefined;
  }

  /** Process ids of a distributed run's worker processes (none for a local or followed run). */
  get workerPids(): number[] {
    return this.source instanceof LocustRun ? this.source.workerPids : [];
  }

  /** The run's final statistics, once Locust reported them. */
  get final(): LocustRun['final'] {
    return this.source.final;
  }

  /** Asks for a new number of users and spawn rate; the run's target follows what Locust accepted. */
  async setUsers(users: number, spawnRate: number): Promise<AckMessage> {
    const ack = await this.source.send({ type: 'setUsers', users, spawnRate });
    if (ack.ok) {
      this.aggregate.setTargetUsers(users, spawnRate);
      this.recorder?.noteTarget(users, spawnRate);
      this.emit('target', users, spawnRate);
    }
    return ack;
  }

  /** Resets Locust's statistics (the counts restart from zero). */
  reset(): Promise<AckMessage> {
    return this.source.send({ type: 'reset' });
  }

  /** Ends the run gracefully (an attached run stops following); resolves once it ended and its record is complete. */
  async stop(): Promise<RunEnd> {
    await this.source.stop();
    return this.ended;
  }

  /** Ends the run at once, without final statistics. */
  kill(): void {
    this.source.kill();
  }

  private onLog(line: string, stream: LogStream): void {
    this.recorder?.log(line, stream);
    this.logTail.push(line);
    if (this.logTail.length > LOG_TAIL_LINES) this.logTail.shift();
    this.emit('log', line, stream);
  }

  /** Follows the master's list of workers in its ticks: one that turns missing, or leaves it, mid-run is lost. */
  private noteWorkers(message: BridgeMessage): void {
    if (message.type !== 'tick' || !message.workers) return;
    const states = new Map(message.workers.map((w) => [w.id, w.state]));
    const midRun = message.state === 'spawning' || message.state === 'running';
    for (const [id, state] of states) {
      if (state === 'missing' && this.workerStates.get(id) !== 'missing' && !this.workersLostByMaster.has(id)) {
        this.workersLostByMaster.set(id, 'it stopped sending heartbeats (missing)');
      }
    }
    if (midRun) {
      for (const [id, state] of this.workerStates) {
        if (!states.has(id) && state !== 'missing' && !this.workersLostByMaster.has(id)) this.workersLostByMaster.set(id, 'it left the run');
      }
    }
    this.workerStates = states;
  }

  /** What kept the run from running as asked, from what this process and the master saw and the final statistics. */
  private shortfalls(): RunShortfall[] {
    const shortfalls: RunShortfall[] = [];
    const localExits = this.workerExits.filter((w) => w.host === undefined);
    const exits = localExits.map((w) => `worker ${w.worker} of ${w.of} (pid ${w.pid ?? '?'}) ${w.signal ? `was killed (${w.signal})` : `exited with code ${w.code ?? '?'}`}`);
    // A worker on another host is named by its host; losing it does not stop the run, which goes on with the others.
    const remote = this.workerExits.filter((w) => w.host !== undefined).map((w) => `worker ${w.worker} of ${w.of} on ${w.host}: ${w.reason ?? 'it exited'}`);
    const seen = [...this.workersLostByMaster].map(([id, why]) => `worker ${id}: ${why}`);
    if (exits.length || remote.length || seen.length) {
      const lost = [...exits, ...remote];
      const process = lost.length ? `A worker was lost mid-run: ${lost.join('; ')}.` : 'A worker was lost mid-run.';
      const master = seen.length ? ` The master saw ${seen.join('; ')}.` : exits.length ? ' The master had not noticed yet when the run was stopped.' : '';
      const after = exits.length ? ' The run was stopped early.' : ' The run went on with fewer workers.';
      shortfalls.push({ kind: 'workerLost', message: `${process}${master}${after}` });
    }
    if (this.workerFailures.length) {
      const named = this.workerFailures.map((f) => `${f.host}: ${f.reason}`).join('; ');
      shortfalls.push({ kind: 'workerLost', message: `A worker on another host could not start (${named}).` });
    }
    const noStart = userStartShortfall(this.source.final?.userStarts);
    if (noStart) shortfalls.push(noStart);
    return shortfalls;
  }

  private onMessage(message: BridgeMessage): void {
    this.noteWorkers(message);
    this.recorder?.onMessage(message);
    const change = this.aggregate.apply(message);
    const statuses = this.evaluator?.apply(message);
    if (statuses) {
      this.aggregate.setThresholds(statuses);
      change.thresholds = statuses;
    }
    if (this.liveBaseline && message.type === 'tick') {
      const view = this.liveBaseline.apply(message, () => ({ ...this.describeForComparison(), live: true }));
      if (view) {
        this.aggregate.setBaseline(view);
        change.baseline = view;
      }
    }
    if (message.type === 'tick') {
      const wasSaturated = this.loadMonitor.health().saturated;
      if (this.loadMonitor.apply(message)) {
        const health = this.loadMonitor.health();
        this.aggregate.setLoadGenerator(health);
        change.loadGenerator = health;
        const warning = saturationWarning(health);
        if (warning !== undefined && !wasSaturated) this.emit('saturated', warning);
      }
    }
    this.emit('change', change, message);
    const abortedBy = this.evaluator?.abortedBy;
    if (abortedBy !== undefined && !this.aborting) {
      this.aborting = true;
      this.emit('aborting', abortedBy);
      // Gracefully: Locust reports its final statistics, which the verdict is judged on.
      void this.source.stop();
    }
  }

  /** This run as a comparison with its baseline describes it: what it was asked to do, its record's facts so far. */
  private describeForComparison(): { options: RecordedOptions; meta?: RunMeta; dir?: string } {
    return {
      options: this.recordedOptions,
      ...(this.recorder && { meta: this.recorder.meta }),
      ...(this.recordDir !== undefined && { dir: this.recordDir }),
    };
  }

  /** The whole run compared with its baseline, once it ended (shown in the panel, kept in the record's meta). */
  private finalComparison(outcome: RunOutcome): Comparison | undefined {
    if (!this.liveBaseline) return undefined;
    const described = this.describeForComparison();
    const comparison = this.liveBaseline.compare({ ...described, ...(described.meta && { meta: { ...described.meta, outcome } }) });
    const view = this.liveBaseline.view(comparison, true);
    this.aggregate.setBaseline(view);
    return comparison;
  }

  private async conclude(exit: RunExit): Promise<RunEnd> {
    const shortfalls = this.shortfalls();
    const outcome = outcomeOf(exit, this.aggregate.finalReceived, shortfalls);
    // A launched run that ended without its final statistics: a locustfile that does not import says where and why.
    const importFailure =
      this.kind === 'launched' && !this.aggregate.finalReceived && !exit.spawnError && exit.code !== 0 ? findImportFailure(this.logTail.join('\n'), this.locustfile) : undefined;
    const message =
      outcome === 'finished'
        ? undefined
        : exit.spawnError !== undefined
          ? [outcomeMessage(outcome, exit, { ...(this.interpreter !== undefined && { interpreter: this.interpreter }) }), this.settings.spawnErrorHint].filter(Boolean).join(' ')
          : importFailure
            ? `Locust could not import ${path.basename(importFailure.file)} (line ${importFailure.line}): ${importFailure.message}`
            : this.kind === 'attached' && exit.code !== 0 && !exit.signal
              ? `Lost the Locust web UI at ${this.attachedTo ?? '?'}. See the log.`
              : outcomeMessage(outcome, exit, { hadFinal: this.aggregate.finalReceived, shortfalls });
    // A killed or crashed run says so first; a lost worker in any case (it may be why).
    const said = [
      message,
      ...(outcome === 'cutShort' ? [] : shortfalls.filter((s) => s.kind === 'workerLost').map((s) => s.message)),
      pendingNotice(this.source.final?.pending),
    ].filter((text): text is string => text !== undefined);
    const endMessage = said.length ? said.join(' ') : undefined;
    this.aggregate.finish(exit, { outcome, ...(endMessage !== undefined && { message: endMessage }) });
    const loadGenerator = this.loadMonitor.known ? this.loadMonitor.health() : undefined;
    const loadWarning = saturationWarning(loadGenerator);
    const judged = this.evaluator?.verdict({ completed: outcome === 'finished' });
    const verdict = judged && loadWarning !== undefined ? { ...judged, unreliable: loadWarning } : judged;
    if (verdict) this.aggregate.setVerdict(verdict);
    const comparison = this.finalComparison(outcome);
    if (this.recorder) {
      if (shortfalls.length) this.recorder.meta.shortfalls = shortfalls;
      if (loadGenerator) this.recorder.meta.loadGenerator = loadGenerator;
      if (comparison) this.recorder.meta.baseline = { dir: this.settings.baseline!.run.dir ?? comparison.base.dir, verdict: comparison.verdict };
      this.recorder.finish(exit, { ...(verdict && { verdict }) });
      if (this.settings.record?.exportBeside && this.aggregate.finalReceived && this.recordingStopped === undefined) {
        // Locust's own CSV layout and JSON beside the record, so the run folder has them without an export.
        await loadRunRecord(this.recorder.dir)
          .then((record) => exportRunRecord(record, path.join(this.recorder!.dir, 'locust')))
          .catch((error: unknown) => this.emit('log', `exporting the record failed: ${(error as Error).message}`, 'stderr'));
      }
    }
    const end: RunEnd = {
      exit,
      outcome,
      ...(endMessage !== undefined && { message: endMessage }),
      ...(importFailure && { importFailure }),
      ...(this.recordDir !== undefined && { recordDir: this.recordDir }),
      logTail: [...this.logTail],
      ...(this.settings.thresholds?.length && { thresholds: this.settings.thresholds.map((t) => t.text) }),
      ...(verdict && { verdict }),
      ...(this.recordingStopped !== undefined && { recordStopped: this.recordingStopped }),
      ...(this.malformedLines > 0 && { malformedLines: this.malformedLines }),
      ...(shortfalls.length > 0 && { shortfalls }),
      ...(comparison && { comparison }),
      ...(loadGenerator && { loadGenerator }),
      ...(loadWarning !== undefined && { loadWarning }),
    };
    this.emit('ended', end);
    return end;
  }
}

/** Arguments as a record keeps them: the value of each secret option (`--key VALUE` or `--key=VALUE`) replaced. */
export function redactSecrets(args: readonly string[], secretFlags: readonly string[]): string[] {
  const secret = new Set(secretFlags);
  return args.map((arg, i) => {
    const flag = arg.split('=', 1)[0]!;
    if (arg.includes('=') && secret.has(flag)) return `${flag}=${REDACTED}`;
    return i > 0 && secret.has(args[i - 1]!) && !args[i - 1]!.includes('=') ? REDACTED : arg;
  });
}

/** What a record shows in place of a secret. */
export const REDACTED = '<secret>';

/** The run's recorder, made before anything starts so that a folder it cannot write refuses the run (RecordFolderError). */
function createRecorder(settings: SessionSettings, recorded: RecordedOptions, startedAt: number): RunRecorder | undefined {
  if (!settings.record) return undefined;
  return RunRecorder.create(settings.record.baseDir, recorded, {
    ...(settings.record.interpreter && { interpreter: settings.record.interpreter }),
    startedAt,
  });
}

/**
 * The CLI's exit status for a run that ended: 2 when it could not start. With thresholds, the verdict: 0 when every one
 * held, 1 when any failed or could not be judged (and at least 1 for a run that did not finish, which has no verdict).
 * Without: 128+n when killed by signal n, else Locust's own status (1 when requests failed), at least 1 for a run cut short
 * (a worker lost, no user started); a followed web UI exits 0 when following ended normally, 1 when the web UI was lost.
 */
export function exitStatusOf(end: RunEnd): number {
  if (end.exit.spawnError !== undefined) return EXIT_CANNOT_START;
  if (end.verdict) return end.verdict.outcome === 'passed' ? 0 : 1;
  const status = end.exit.signal ? 128 + (os.constants.signals[end.exit.signal] ?? 0) : (end.exit.code ?? 1);
  return end.thresholds || end.outcome === 'cutShort' ? Math.max(1, status) : status;
}
