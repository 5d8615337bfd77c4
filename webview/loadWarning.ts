// The warning on the charts when the load generator was saturated (the latencies shown were then not to be trusted), or
// when a worker on another host could not start or was lost (which one, and why).
import { lostWorkersWarning, saturationWarning, type LoadGeneratorHealth } from '../protocol/loadGenerator';
import { element, setText } from './dom';

export class LoadWarning {
  readonly element = element('div', { className: 'load-warning' });

  constructor() {
    this.element.setAttribute('role', 'alert');
    this.element.hidden = true;
  }

  show(health: LoadGeneratorHealth | undefined): void {
    const said = [lostWorkersWarning(health), saturationWarning(health)].filter((text): text is string => text !== undefined);
    this.element.hidden = said.length === 0;
    setText(this.element, said.join(' '));
  }
}
