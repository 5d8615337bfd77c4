// Folds the bridge's messages into the state of one run (what the panel shows); free of vscode, unit-tested.
import type { BridgeMessage, EndpointStats, FailureEntry } from '../protocol/runner';
import type { RunView } from '../protocol/webview';

export interface RunDescription {
  id: string;
  locustfile: string;
  host: string;
  userClasses: string[];
  targetUsers: number;
  startedAt: number;
}

/** The live state of a run. `apply` returns the endpoints a message changed, for incremental views. */
export class RunAggregate {
  private readonly endpoints = new Map<string, EndpointStats>();
  private view: RunView;
  failures: FailureEntry[] = [];
  locustVersion: string | undefined;
  finalReceived = false;

  constructor(description: RunDescription) {
    this.view = { ...description, state: 'starting', userCount: 0, endpoints: [], total: null };
  }

  get snapshot(): RunView {
    return { ...this.view, endpoints: [...this.endpoints.values()] };
  }

  get state(): RunView['state'] {
    return this.view.state;
  }

  get total(): EndpointStats | null {
    return this.view.total;
  }

  get userCount(): number {
    return this.view.userCount;
  }

  apply(message: BridgeMessage): EndpointStats[] {
    switch (message.type) {
      case 'hello':
        this.locustVersion = message.locustVersion;
        if (this.view.userClasses.length === 0) this.view.userClasses = message.userClasses;
        if (!this.view.host && message.host) this.view.host = message.host;
        return [];
      case 'state':
        this.view.state = message.state;
        this.view.userCount = message.userCount;
        return [];
      case 'tick':
        this.view.state = message.state;
        this.view.userCount = message.userCount;
        this.view.total = message.total;
        return this.merge(message.endpoints);
      case 'final':
        this.finalReceived = true;
        this.view.total = message.total;
        this.failures = message.failures;
        return this.merge(message.endpoints);
      case 'error':
        this.view.message = message.message;
        return [];
      case 'ack':
        return [];
    }
  }

  /** The run ended: `failed` when Locust could not run at all, `stopped` otherwise. */
  finish(exit: { code: number | null; signal: string | null }, reason?: string): void {
    const crashed = !this.finalReceived;
    this.view.state = crashed ? 'failed' : 'stopped';
    this.view.userCount = 0;
    if (reason) this.view.message = reason;
    else if (crashed) this.view.message = `Locust exited (${exit.signal ?? `code ${exit.code}`}) before reporting final statistics. See the log.`;
  }

  setTargetUsers(users: number): void {
    this.view.targetUsers = users;
  }

  private merge(changed: EndpointStats[]): EndpointStats[] {
    for (const e of changed) this.endpoints.set(`${e.method} ${e.name}`, e);
    return changed;
  }
}
