// The warning on the charts when the load generator was saturated: the latencies shown were then not to be trusted.
import { saturationWarning, type LoadGeneratorHealth } from '../protocol/loadGenerator';
import { element, setText } from './dom';

export class LoadWarning {
  readonly element = element('div', { className: 'load-warning' });

  constructor() {
    this.element.setAttribute('role', 'alert');
    this.element.hidden = true;
  }

  show(health: LoadGeneratorHealth | undefined): void {
    const warning = saturationWarning(health);
    this.element.hidden = warning === undefined;
    setText(this.element, warning ?? '');
  }
}
