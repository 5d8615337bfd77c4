// A distributed run's workers: state, users, CPU, loop lag, memory and last report, like Locust's Workers tab and more
// (hidden otherwise).
import { atLimit, limitsReached, LOCAL_PROCESS_ID, type LoadGeneratorHealth } from '../protocol/loadGenerator';
import { formatMs } from '../protocol/format';
import { formatBytes } from '../protocol/format';
import { element } from './dom';

const HEADINGS = ['Worker', 'State', 'Users', 'CPU %', 'Peak CPU %', 'Loop lag (ms)', 'Memory', 'Last report'];

export class WorkersView {
  readonly element = element('section', { className: 'workers-view' });
  private readonly body = element('tbody');

  constructor() {
    this.element.setAttribute('aria-label', 'Workers');
    this.element.hidden = true;
    const table = element('table', { className: 'workers-table' });
    const head = element('tr');
    head.append(...HEADINGS.map((text) => element('th', { text })));
    const thead = element('thead');
    thead.append(head);
    table.append(thead, this.body);
    this.element.append(element('h3', { text: 'Workers' }), table);
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
        const cells = [
          p.id,
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
        if (reached.cpu) tds[3]!.classList.add('hot');
        if (reached.loopLag) tds[5]!.classList.add('hot');
        row.append(...tds);
        return row;
      }),
    );
  }
}
