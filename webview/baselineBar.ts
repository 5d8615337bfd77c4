// The line above the statistics that names the run's baseline and says where the run stands against it.
import { COMPARISON_VERDICT_LABEL, type BaselineView } from '../protocol/compare';
import { element, setText } from './dom';

/** When the baseline ran, as the panel names an unnamed baseline. */
function startedText(startedAt: number): string {
  return new Date(startedAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export class BaselineBar {
  readonly element = element('section', { className: 'baseline-bar' });
  private readonly name = element('span', { className: 'baseline-name' });
  private readonly verdict = element('span', { className: 'baseline-verdict' });
  private readonly notes = element('ul', { className: 'baseline-notes' });

  constructor() {
    this.element.setAttribute('aria-label', 'Baseline');
    this.element.setAttribute('aria-live', 'polite');
    this.element.hidden = true;
    this.element.append(this.name, this.verdict, this.notes);
  }

  show(view: BaselineView | undefined): void {
    this.element.hidden = view === undefined;
    if (!view) return;
    const named = view.label ? `“${view.label}” (${startedText(view.startedAt)})` : `the run of ${startedText(view.startedAt)}`;
    setText(this.name, `Compared with the baseline ${named}`);
    this.name.title = view.dir;
    const regressed = view.endpoints.filter((e) => e.verdict === 'regressed').length;
    const improved = view.endpoints.filter((e) => e.verdict === 'improved').length;
    const state = view.verdict ?? 'pending';
    this.element.dataset['verdict'] = state;
    const counts = [regressed && `${regressed} endpoint${regressed === 1 ? '' : 's'} regressed`, improved && `${improved} improved`].filter(Boolean).join(', ');
    const verdictText =
      view.verdict === null
        ? 'not compared yet'
        : `${view.final ? '' : 'so far: '}${COMPARISON_VERDICT_LABEL[view.verdict]}${counts ? ` (${counts})` : ''}${view.aggregate?.verdict === 'regressed' ? ', the aggregate regressed' : ''}`;
    setText(this.verdict, verdictText);
    const notes = [...view.notes, ...(view.onlyInBase ? [`${view.onlyInBase} endpoint${view.onlyInBase === 1 ? '' : 's'} of the baseline not requested${view.final ? '' : ' yet'}.`] : [])];
    this.notes.replaceChildren(...notes.map((text) => element('li', { text })));
  }
}
