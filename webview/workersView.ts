// A distributed run's workers: host, state, users, CPU, loop lag, memory and last report, like Locust's Workers tab and
// more (hidden otherwise).
import { atLimit, limitsReached, LOCAL_PROCESS_ID, type LoadGeneratorHealth } from '../protocol/loadGenerator';
import { formatBytes, formatMs } from '../protocol/format';
import type { WebviewToHost } from '../protocol/webview';
import { element } from './dom';

const HEADINGS = ['Worker', 'Host', 'State', 'Users', 'CPU %', 'Peak CPU %', 'Loop lag (ms)', 'Memory', 'Last report'];

export class WorkersView {
  readonly element = element('section', { className: 'workers-view' });
  private readonly body = element('tbody');
  /** For workers started by hand (containers, Kubernetes): the host copies the running run's worker command. */
  private readonly copyCommand = document.createElement('vscode-button');

  constructor(post: (message: WebviewToHost) => void) {
    this.element.setAttribute('aria-label', 'Workers');
    this.element.hidden = true;
    const table = element('table', { className: 'workers-table' });
    const head = element('tr');
    head.append(...HEADINGS.map((text) => element('th', { text })));
    const thead = element('thead');
    thead.append(head);
    table.append(thead, this.body);
    this.copyCommand.setAttribute('secondary', '');
    this.copyCommand.setAttribute('icon', 'copy');
    this.copyCommand.textContent = 'Copy worker command';
    this.copyCommand.title = 'Copy the command that starts one more worker of this run by hand (locust --worker …)';
    this.copyCommand.addEventListener('click', () => post({ type: 'copyWorkerCommand' }));
    this.copyCommand.hidden = true;
    const bar = element('div', { className: 'workers-bar' });
    bar.append(element('h3', { text: 'Workers' }), this.copyCommand);
    this.element.append(bar, table);
  }

  /** A worker can join only while the run goes on. */
  setLive(live: boolean): void {
    this.copyCommand.hidden = !live;
  }

  show(health: LoadGeneratorHealth | undefined): void {
    // A local run's one process is judged too, but only a distributed run has workers to list.
    const processes = (health?.processes ?? []).filter((p) => p.id !== LOCAL_PROCESS_ID);
    this.element.hidden = processes.length === 0;
    const saturated = new Set(health?.saturatedProcesses ?? []);
    this.body.replaceChildren(
      ...processes.map((p) => {
        const row = element('tr');
        if (atLimit(p)) row.dataset['hot'] = 'true';
        if (saturated.has(p.id)) row.dataset['saturated'] = 'true';
        const cells: string[] = [
          p.id,
          // Local workers run on this machine; a remote one on its SSH target.
          p.host ?? 'local',
          p.state ?? '—',
          String(p.userCount),
          p.cpu.toFixed(0),
          p.peakCpu.toFixed(0),
          p.loopLag !== undefined ? formatMs(p.loopLag) : '—',
          p.memory !== undefined ? formatBytes(p.memory) : '—',
          new Date(p.lastReportAt).toLocaleTimeString(),
        ];
        const tds = cells.map((text) => element('td', { text }));
        // The figure that is at its limit stands out (in words too: the row's saturated state and the warning).
        const reached = limitsReached(p);
        if (reached.cpu) tds[HEADINGS.indexOf('CPU %')]!.classList.add('hot');
        if (reached.loopLag) tds[HEADINGS.indexOf('Loop lag (ms)')]!.classList.add('hot');
        row.append(...tds);
        return row;
      }),
    );
  }
}
