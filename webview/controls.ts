// Run controls (users, spawn rate, Apply, Reset stats, Stop, Export) and what the runner answered to each.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { isSpawnRate, isUserCount, MAX_USERS, MIN_USERS_RUNNING } from '../protocol/limits';
import type { HostToWebview, WebviewToHost } from '../protocol/webview';
import { element, setText } from './dom';

type Ack = Extract<HostToWebview, { type: 'ack' }>;

const LABELS: Record<Ack['command'], string> = { setUsers: 'Changing users', reset: 'Resetting statistics', stop: 'Stopping' };
/** What happened, once the runner acknowledged a control: said in words, not "done". */
const DONE: Record<Ack['command'], (users: number) => string> = {
  setUsers: (users) => `Users now ${users.toLocaleString('en-US')}`,
  reset: () => 'Statistics reset',
  stop: () => 'Stopped',
};

function textfield(id: string, label: string, min: number, step: string): HTMLElement & { value: string; invalid: boolean } {
  const field = document.createElement('vscode-textfield');
  field.id = id;
  field.setAttribute('type', 'number');
  field.setAttribute('min', String(min));
  field.setAttribute('step', step);
  field.setAttribute('aria-label', label);
  return field;
}

export class RunControls {
  readonly element = element('div', { className: 'controls' });
  readonly stopButton = document.createElement('vscode-button');
  private readonly users = textfield('users-input', 'Users', MIN_USERS_RUNNING, '1');
  // The spawn rate's bound is exclusive (above 0), which `min` cannot say: the check in submit() does.
  private readonly spawnRate = textfield('spawn-rate-input', 'Spawn rate (users per second)', 0, '0.01');
  private readonly apply = document.createElement('vscode-button');
  private readonly reset = document.createElement('vscode-button');
  private readonly exportHtml = document.createElement('vscode-button');
  private readonly exportCsv = document.createElement('vscode-button');
  private readonly openFolder = document.createElement('vscode-button');
  private readonly runAgain = document.createElement('vscode-button');
  private readonly newRun = document.createElement('vscode-button');
  /** The user count of the last setUsers sent, for its acknowledgement. */
  private requestedUsers = 0;
  private readonly status = element('span', { className: 'control-status' });
  /** The inputs follow the run until the user types in them. */
  private edited = false;
  /** A setUsers or reset sent and not answered yet. */
  private pending = false;
  private active = false;

  constructor(private readonly post: (message: WebviewToHost) => void) {
    this.status.setAttribute('role', 'status');
    const usersLabel = element('label', { text: 'Users' });
    usersLabel.htmlFor = this.users.id;
    const rateLabel = element('label', { text: 'Spawn rate' });
    rateLabel.htmlFor = this.spawnRate.id;
    this.apply.textContent = 'Apply';
    this.apply.setAttribute('secondary', '');
    this.apply.setAttribute('aria-label', 'Apply users and spawn rate');
    this.reset.textContent = 'Reset stats';
    this.reset.setAttribute('secondary', '');
    this.reset.setAttribute('icon', 'discard');
    this.stopButton.textContent = 'Stop';
    this.stopButton.setAttribute('icon', 'debug-stop');
    this.stopButton.setAttribute('aria-label', 'Stop the run');
    this.exportHtml.textContent = 'Export report';
    this.exportHtml.setAttribute('secondary', '');
    this.exportHtml.setAttribute('icon', 'export');
    this.exportHtml.setAttribute('aria-label', 'Export an HTML report of this run');
    this.exportCsv.textContent = 'Export CSV';
    this.exportCsv.setAttribute('secondary', '');
    this.exportCsv.setAttribute('aria-label', 'Export this run as CSV files and JSON');
    this.openFolder.textContent = 'Run folder';
    this.openFolder.setAttribute('secondary', '');
    this.openFolder.setAttribute('icon', 'folder-opened');
    this.openFolder.setAttribute('aria-label', 'Open the folder where this run is recorded');
    this.runAgain.textContent = 'Run again';
    this.runAgain.setAttribute('icon', 'debug-rerun');
    this.runAgain.setAttribute('aria-label', 'Run this locustfile again with the same choices');
    this.newRun.textContent = 'New run…';
    this.newRun.setAttribute('secondary', '');
    this.newRun.setAttribute('icon', 'play');
    this.newRun.setAttribute('aria-label', 'Run this locustfile again, choosing users, run time and host first');

    for (const field of [this.users, this.spawnRate]) {
      field.addEventListener('input', () => {
        this.edited = true;
        field.invalid = false;
      });
      field.addEventListener('keydown', (event: KeyboardEvent) => {
        if (event.key === 'Enter') this.submit();
      });
    }
    this.apply.addEventListener('click', () => this.submit());
    this.reset.addEventListener('click', () => this.send({ type: 'reset' }));
    this.stopButton.addEventListener('click', () => this.send({ type: 'stop' }));
    // The host asks where to write and reports the outcome itself: nothing to wait for here.
    this.exportHtml.addEventListener('click', () => this.post({ type: 'export', kind: 'html' }));
    this.exportCsv.addEventListener('click', () => this.post({ type: 'export', kind: 'csv' }));
    this.openFolder.addEventListener('click', () => this.post({ type: 'openRunFolder' }));
    this.runAgain.addEventListener('click', () => this.post({ type: 'runAgain', same: true }));
    this.newRun.addEventListener('click', () => this.post({ type: 'runAgain', same: false }));
    this.element.append(
      usersLabel, this.users, rateLabel, this.spawnRate, this.apply, this.reset, this.stopButton, this.runAgain, this.newRun,
      this.exportHtml, this.exportCsv, this.openFolder, this.status,
    );
  }

  /**
   * Shows the run's target in the inputs, unless the user is typing a new one. Export needs the run's record; running
   * again needs a run that ended and a locustfile (a followed run has none).
   */
  showRun(targetUsers: number, spawnRate: number | undefined, active: boolean, recorded: boolean, rerunnable = false): void {
    if (!this.edited) {
      this.users.value = String(targetUsers);
      if (spawnRate !== undefined) this.spawnRate.value = String(spawnRate);
    }
    this.active = active;
    for (const control of [this.users, this.spawnRate, this.stopButton]) control.toggleAttribute('disabled', !active);
    for (const control of [this.exportHtml, this.exportCsv, this.openFolder]) control.toggleAttribute('disabled', !recorded);
    for (const control of [this.runAgain, this.newRun]) control.hidden = active || !rerunnable;
    this.busy(this.pending);
  }

  clearStatus(): void {
    setText(this.status, '');
    this.status.dataset['result'] = '';
  }

  acknowledged(ack: Ack): void {
    if (ack.command === 'setUsers' && ack.ok) this.edited = false;
    const text = ack.ok ? DONE[ack.command](this.requestedUsers) : `${LABELS[ack.command]} failed: ${ack.error ?? 'no reason given'}`;
    setText(this.status, text);
    this.status.dataset['result'] = ack.ok ? 'ok' : 'error';
    if (ack.command === 'setUsers' || ack.command === 'reset') this.busy(false);
  }

  private submit(): void {
    const users = Number(this.users.value);
    const spawnRate = Number(this.spawnRate.value);
    const usersOk = this.users.value.trim() !== '' && isUserCount(users, MIN_USERS_RUNNING);
    const rateOk = this.spawnRate.value.trim() !== '' && isSpawnRate(spawnRate);
    this.users.invalid = !usersOk;
    this.spawnRate.invalid = !rateOk;
    if (!usersOk || !rateOk) {
      setText(
        this.status,
        !usersOk
          ? `Users must be a whole number from ${MIN_USERS_RUNNING} to ${MAX_USERS.toLocaleString('en-US')}.`
          : 'Spawn rate must be a number above 0, such as 5 or 0.5.',
      );
      this.status.dataset['result'] = 'error';
      return;
    }
    this.requestedUsers = users;
    this.send({ type: 'setUsers', users, spawnRate });
  }

  private send(message: Extract<WebviewToHost, { type: 'setUsers' | 'reset' | 'stop' }>): void {
    setText(this.status, `${LABELS[message.type]}…`);
    this.status.dataset['result'] = 'pending';
    if (message.type !== 'stop') this.busy(true);
    this.post(message);
  }

  /** One command at a time per button: disabled until the runner answers. */
  private busy(on: boolean): void {
    this.pending = on;
    this.apply.toggleAttribute('disabled', on || !this.active);
    this.reset.toggleAttribute('disabled', on || !this.active);
  }
}
