// The switch between the load test and the single task: two toggle buttons (aria-pressed), reachable by keyboard.
import { element } from './dom';

export type PanelView = 'run' | 'task';

const LABELS: Record<PanelView, { text: string; icon: string }> = {
  run: { text: 'Load test', icon: 'graph-line' },
  task: { text: 'Task', icon: 'beaker' },
};

export class ViewSwitch {
  readonly element = element('div', { className: 'view-switch' });
  private readonly buttons = new Map<PanelView, HTMLButtonElement>();

  constructor(onChoose: (view: PanelView) => void) {
    this.element.setAttribute('role', 'group');
    this.element.setAttribute('aria-label', 'View');
    for (const view of ['run', 'task'] as const) {
      const button = element('button', { className: 'view-button' });
      button.type = 'button';
      button.dataset['view'] = view;
      const glyph = element('span', { className: `codicon codicon-${LABELS[view].icon}` });
      glyph.setAttribute('aria-hidden', 'true');
      button.append(glyph, document.createTextNode(` ${LABELS[view].text}`));
      button.setAttribute('aria-pressed', 'false');
      button.addEventListener('click', () => onChoose(view));
      this.buttons.set(view, button);
      this.element.append(button);
    }
    // Arrow keys move between the two, as in a toolbar; Tab reaches each button too.
    this.element.addEventListener('keydown', (event: KeyboardEvent) => {
      if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
      const other = document.activeElement === this.buttons.get('run') ? 'task' : 'run';
      this.buttons.get(other)?.focus();
      event.preventDefault();
    });
  }

  show(view: PanelView): void {
    for (const [name, button] of this.buttons) button.setAttribute('aria-pressed', String(name === view));
  }
}
