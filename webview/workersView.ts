// A distributed run's workers: host, state, users, CPU, memory and last report, like Locust's Workers tab (hidden otherwise).
import { LOAD_GENERATOR_CPU_LIMIT, LOCAL_PROCESS_ID, type LoadGeneratorHealth } from '../protocol/loadGenerator';
import { formatBytes } from '../protocol/format';
import { element } from './dom';

const HEADINGS = ['Worker', 'Host', 'State', 'Users', 'CPU %', 'Peak CPU %', 'Memory', 'Last report'];

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
        if (p.cpu >= LOAD_GENERATOR_CPU_LIMIT) row.dataset['hot'] = 'true';
        if (saturated.has(p.id)) row.dataset['saturated'] = 'true';
        const cells = [
          p.id,
          // Local workers run on this machine; a remote one on its SSH target.
          p.host ?? 'local',
          p.state ?? '—',
          String(p.userCount),
          p.cpu.toFixed(0),
          p.peakCpu.toFixed(0),
          p.memory !== undefined ? formatBytes(p.memory) : '—',
          new Date(p.lastReportAt).toLocaleTimeString(),
        ];
        row.append(...cells.map((text) => element('td', { text })));
        return row;
      }),
    );
  }
}
