// Makes an attachment to a remote Locust web UI behave like a LocustRun: hello/state/tick/final messages, commands, exit.
import { EventEmitter } from 'node:events';
import { RUNNER_PROTOCOL_VERSION, type RunState } from '../protocol/runner';
import { finalFromReport, LocustAttachment, type AttachOptions, type FinalMessage, type PolledReport, type TickMessage } from './attach';
import type { AckMessage, HelloMessage, LocustRunEvents, RunExit, RunnerCommandInput } from './locustRun';

// For the extension, which loads this bundle on first use: how a web UI is named, and an untrusted certificate told apart.
export { isUntrustedCertificate, webUiBaseUrl } from './attach';

export interface AttachRunOptions extends AttachOptions {
  /** Start (or retarget) the remote test with this many users at `spawnRate` (default: `users`) as soon as attached. */
  users?: number;
  spawnRate?: number;
  /** Sent with `users`: the host the remote Locust loads (its own default otherwise). */
  host?: string;
  /** Stop following after this long (the remote test goes on unless `stopRemote`). */
  runTimeMs?: number;
  /** `stop()` (and the end of `runTimeMs`) also stops the remote test. Default false: the remote Locust is left alone. */
  stopRemote?: boolean;
  /** End (exit 0, with final statistics) when a test seen spawning or running stops. Default true. */
  endWhenStopped?: boolean;
  /** With no successful poll for this long after attaching, give up (exit code 1, no final). Default max(15 s, 10 intervals). */
  lostAfterMs?: number;
  /** How long `stop()` with `stopRemote` waits for the remote test to report `stopped`. Default 10 s. */
  stopWaitMs?: number;
}

const ACTIVE: RunState[] = ['spawning', 'running'];

/**
 * A LocustRun look-alike over `LocustAttachment`. Call `connect()` (rejects with a clear sentence when the URL refuses,
 * times out, is not a Locust, or auth fails), subscribe, then `start()`. Events: `message` (hello, state, tick, error,
 * final, in that order of life), `log` (poll errors and notes, as stderr lines). `exit` settles once following ended:
 * code 0 with a `final` (the remote test stopped, or `stop()`), code 1 when the web UI was lost, signal SIGKILL after
 * `kill()`, `spawnError` (the same sentence connect() rejected with) when it never attached.
 */
export class AttachedRun extends EventEmitter<LocustRunEvents> {
  readonly exit: Promise<RunExit>;
  /** No local process: an attached run has no pid, no workers of its own. */
  readonly pid = undefined;
  readonly workerPids: number[] = [];
  private readonly attachment: LocustAttachment;
  private readonly options: AttachRunOptions;
  private resolveExit!: (exit: RunExit) => void;
  private lastHello: HelloMessage | undefined;
  private lastFinal: FinalMessage | undefined;
  private firstTick: TickMessage | undefined;
  private state: RunState | undefined;
  private sawActive = false;
  private started = false;
  private ended = false;
  private stopping: Promise<RunExit> | undefined;
  private nextId = 1;
  private runTimer: NodeJS.Timeout | undefined;
  private lostTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private lastOkAt = Date.now();
  private inErrorStreak = false;
  /** Epoch seconds: first seen with requests (or when our swarm started it), and the last poll that saw counts move. */
  private startTime: number | undefined;
  private lastRequestTime: number | undefined;
  private lastCount = -1;

  constructor(options: AttachRunOptions) {
    super();
    this.options = options;
    this.attachment = new LocustAttachment(options);
    this.exit = new Promise((resolve) => (this.resolveExit = resolve));
  }

  /** The web UI's base URL, without credentials. */
  get url(): string {
    return this.attachment.baseUrl;
  }

  get hello(): HelloMessage | undefined {
    return this.lastHello;
  }

  get final(): FinalMessage | undefined {
    return this.lastFinal;
  }

  /** The underlying attachment (its shape, raw controls). */
  get remote(): LocustAttachment {
    return this.attachment;
  }

  /**
   * First poll, then the swarm if `users` was given. Rejects (and closes) with one sentence a user can act on; resolves
   * with the hello that `start()` will emit.
   */
  async connect(): Promise<HelloMessage> {
    try {
      this.firstTick = await this.attachment.pollOnce();
      const polled = this.attachment.latest!;
      if (this.options.users !== undefined) {
        const result = await this.attachment.swarm(this.options.users, this.options.spawnRate ?? this.options.users, this.options.host);
        if (!result.success) throw new Error(`Locust web UI at ${this.url} refused to start ${this.options.users} users: ${result.message || 'no reason given'}`);
        this.startTime = Date.now() / 1000;
        // Not yet "seen running": Locust memoizes /stats/requests, so the next answers may still be from before the swarm
        // (a previous test's `stopped`); only a tick that shows the test spawning or running arms the end.
        // That tick shows the test before our swarm (ready, or a previous test's end): the first one shown comes after.
        this.firstTick = undefined;
      }
      this.lastHello = {
        type: 'hello',
        protocol: RUNNER_PROTOCOL_VERSION,
        pid: 0,
        locustVersion: '',
        runnerKind: polled.report.workers ? 'master' : 'local',
        userClasses: [],
        shape: null,
        host: this.options.host ?? null,
        features: ['attached', `webApi:${polled.report.shape}`],
      };
      return this.lastHello;
    } catch (error) {
      await this.attachment.close();
      // As a LocustRun whose interpreter could not start: exit settles with the reason (a record would say failedToStart).
      this.ended = true;
      this.resolveExit({ code: null, signal: null, spawnError: (error as Error).message });
      throw error;
    }
  }

  /** Emits hello, the first state and tick, then follows until the end. Call after `connect()` resolved. */
  start(): this {
    if (this.started || !this.lastHello) return this;
    this.started = true;
    this.emit('message', this.lastHello);
    this.attachment.on('message', (message) => {
      if (message.type === 'tick') this.onTick(message);
    });
    this.attachment.on('pollError', (message) => this.onPollError(message));
    this.attachment.on('recovered', () => {
      this.inErrorStreak = false;
      this.emit('log', `Locust web UI at ${this.url} answers again`, 'stderr');
    });
    if (this.firstTick) this.onTick(this.firstTick);
    if (this.ended) return this;
    if (this.options.runTimeMs !== undefined) this.runTimer = setTimeout(() => void this.stop(), this.options.runTimeMs);
    this.watchLost();
    // The first poll already happened in connect(): the next one comes an interval later.
    this.pollTimer = setTimeout(() => {
      if (!this.ended) this.attachment.start();
    }, this.options.intervalMs ?? 1000);
    return this;
  }

  private onTick(tick: TickMessage): void {
    if (this.ended) return;
    this.lastOkAt = Date.now();
    if (this.state !== tick.state) {
      this.state = tick.state;
      this.emit('message', { type: 'state', state: tick.state, userCount: tick.userCount, t: tick.t });
    }
    // For the Requests/s of the final statistics: when counts started (a reset restarts them) and last moved.
    const requests = tick.total.requests;
    if (this.lastCount >= 0 && requests < this.lastCount) this.startTime = tick.t / 1000;
    else if (this.lastCount >= 0 && requests > this.lastCount) this.lastRequestTime = tick.t / 1000;
    this.lastCount = requests;
    if (ACTIVE.includes(tick.state) || requests > 0) {
      if (ACTIVE.includes(tick.state)) this.sawActive = true;
      this.startTime ??= tick.t / 1000;
    }
    this.emit('message', tick);
    if (tick.state === 'stopped' && this.sawActive && (this.options.endWhenStopped ?? true) && !this.stopping) {
      this.end({ code: 0, signal: null }, this.attachment.latest);
    }
  }

  private onPollError(message: string): void {
    if (this.ended) return;
    this.emit('log', message, 'stderr');
    if (!this.inErrorStreak) {
      this.inErrorStreak = true;
      this.emit('message', { type: 'error', message });
    }
  }

  private watchLost(): void {
    const limit = this.options.lostAfterMs ?? Math.max(15_000, 10 * (this.options.intervalMs ?? 1000));
    const check = () => {
      if (this.ended) return;
      // Any answer counts, also one identical to the previous (which makes no tick).
      const silent = Date.now() - Math.max(this.lastOkAt, this.attachment.latest?.t ?? 0);
      if (silent >= limit && !this.stopping) {
        const message = `lost the Locust web UI at ${this.url}: no answer for ${Math.round(silent / 1000)} s`;
        this.emit('message', { type: 'error', message });
        this.end({ code: 1, signal: null }, undefined);
        return;
      }
      this.lostTimer = setTimeout(check, Math.max(100, Math.min(1000, limit - silent)));
    };
    this.lostTimer = setTimeout(check, Math.min(1000, limit));
  }

  /** Commands as LocustRun takes them, carried out through the web API; resolves with an ack like the bridge's. */
  async send(command: RunnerCommandInput): Promise<AckMessage> {
    const id = this.nextId++;
    const ack = (error?: string): AckMessage => ({ type: 'ack', id, ok: error === undefined, ...(error !== undefined && { error }) });
    if (this.ended) return ack('the attached run has ended');
    try {
      switch (command.type) {
        case 'setUsers': {
          const result = await this.attachment.swarm(command.users, command.spawnRate, this.options.host);
          return ack(result.success ? undefined : result.message || 'Locust refused');
        }
        case 'stop': {
          const result = await this.attachment.stop();
          return ack(result.success ? undefined : result.message || 'Locust refused');
        }
        case 'reset': {
          const result = await this.attachment.reset();
          return ack(result.success ? undefined : result.message || 'Locust refused');
        }
        case 'quit':
          void this.stop();
          return ack();
        case 'expectWorkers':
          return ack('a followed web UI has no workers of this run to wait for');
      }
    } catch (error) {
      return ack((error as Error).message);
    }
  }

  /**
   * Ends following with final statistics (a fresh poll): with `stopRemote` it first stops the remote test and waits for
   * it to report `stopped` (at most `stopWaitMs`), so that the final counts are the remote test's last ones.
   */
  stop(): Promise<RunExit> {
    if (this.ended || this.stopping) return this.exit;
    this.stopping = (async () => {
      let polled: PolledReport | undefined;
      try {
        if (this.options.stopRemote) {
          await this.attachment.stop();
          const deadline = Date.now() + (this.options.stopWaitMs ?? 10_000);
          // Locust memoizes /stats/requests (2 s): poll until an answer made after the stop says `stopped`.
          for (;;) {
            polled = await this.attachment.fetchReport();
            if (polled.report.state === 'stopped' || polled.report.state === 'ready' || Date.now() >= deadline || this.ended) break;
            await new Promise((resolve) => setTimeout(resolve, Math.min(250, this.options.intervalMs ?? 1000)));
          }
        } else polled = await this.attachment.fetchReport();
      } catch (error) {
        this.emit('log', (error as Error).message, 'stderr');
        polled = this.attachment.latest;
      }
      if (polled && polled.report.total && polled.report.total.requests > this.lastCount && this.lastCount >= 0) {
        this.lastRequestTime = polled.t / 1000;
      }
      this.end({ code: 0, signal: null }, polled);
      return this.exit;
    })();
    return this.stopping;
  }

  /** Ends following at once, without final statistics (the remote Locust is left alone). */
  kill(): void {
    this.end({ code: null, signal: 'SIGKILL' }, undefined);
  }

  private end(exit: RunExit, polled: PolledReport | undefined): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.runTimer);
    clearTimeout(this.lostTimer);
    clearTimeout(this.pollTimer);
    if (polled && this.started) {
      if (polled.report.state !== this.state) {
        this.state = polled.report.state;
        this.emit('message', { type: 'state', state: polled.report.state, userCount: polled.report.userCount, t: polled.t });
      }
      this.lastFinal = finalFromReport(polled, { startTime: this.startTime, lastRequestTime: this.lastRequestTime ?? this.startTime });
      this.emit('message', this.lastFinal);
    }
    void this.attachment.close().then(() => this.resolveExit(exit));
  }
}

/** Connects (rejecting with a clear sentence on failure) and returns the run, not yet started: subscribe, then `start()`. */
export async function connectAttachedRun(options: AttachRunOptions): Promise<AttachedRun> {
  const run = new AttachedRun(options);
  await run.connect();
  return run;
}
