// The thresholds strip above the charts: one chip per threshold (state, text, measured value), the verdict once the run ended.
import type { EndpointKey } from '../protocol/webview';
import { formatDuration as formatElapsed } from '../protocol/format';
import { formatDuration } from '../protocol/duration';
import {
  describeMeasurement,
  describeThreshold,
  formatThresholdValue,
  parseThreshold,
  type Threshold,
  type ThresholdState,
  type ThresholdStatus,
  type Verdict,
} from '../protocol/thresholds';
import type { LimitLine } from './charts';
import { element, setText } from './dom';

/** Each state in a word and a glyph besides its colour: a chip must read the same to someone who cannot tell red from green. */
const STATES: Record<ThresholdState, { word: string; icon: string; mark: string; meaning: string }> = {
  pending: { word: 'pending', icon: 'clock', mark: '…', meaning: 'not judged yet' },
  holding: { word: 'holding', icon: 'check', mark: '✓', meaning: 'met so far' },
  failing: { word: 'failing now', icon: 'warning', mark: '!', meaning: 'the current value breaks it; it may still recover' },
  failed: { word: 'failed', icon: 'error', mark: '✗', meaning: 'failed for good' },
  passed: { word: 'passed', icon: 'pass-filled', mark: '✓', meaning: 'passed' },
  unknown: { word: 'unknown', icon: 'question', mark: '?', meaning: 'could not be judged' },
};

const OUTCOMES: Record<Verdict['outcome'] | 'none', string> = { passed: 'pass-filled', failed: 'error', unknown: 'question', none: 'circle-slash' };

/** How many failed thresholds the verdict names before it says "and N more" (the chips list them all). */
const NAMED_FAILURES = 2;

function icon(name: string): HTMLElement {
  const span = element('span', { className: `codicon codicon-${name}` });
  span.setAttribute('aria-hidden', 'true');
  return span;
}

/** `p95 = 182 ms`: the measured value in the threshold's own unit, through the one formatter every surface uses. */
function measured(threshold: Threshold | undefined, status: ThresholdStatus): string | undefined {
  if (!threshold || status.value === null) return undefined;
  return `${threshold.metric} = ${formatThresholdValue(threshold.metric, status.value)}`;
}

function sameStatus(a: ThresholdStatus, b: ThresholdStatus): boolean {
  return a.state === b.state && a.value === b.value && a.reason === b.reason && a.failedAt === b.failedAt;
}

/** One threshold's chip; it rewrites itself only when its status changed. */
class Chip {
  readonly element = element('li', { className: 'threshold' });
  private readonly glyph = icon('blank');
  private readonly word = element('span', { className: 'threshold-state' });
  private readonly value = element('span', { className: 'threshold-value' });
  private status: ThresholdStatus | undefined;
  /** The threshold in words does not change with its status: built once. */
  private readonly description: string;

  constructor(
    readonly text: string,
    readonly threshold: Threshold | undefined,
    parseError: string | undefined,
  ) {
    const label = element('span', { className: 'threshold-label' });
    label.append(this.glyph, this.word);
    this.element.append(label, element('span', { className: 'threshold-text', text }), this.value);
    this.description = threshold ? describeThreshold(threshold) : `Unreadable threshold: ${parseError ?? 'no reason given'}`;
  }

  get state(): ThresholdState | undefined {
    return this.status?.state;
  }

  /** Shows a status; true when the state changed (the charts colour its line by state). */
  set(status: ThresholdStatus): boolean {
    const previous = this.status;
    if (previous && sameStatus(previous, status)) return false;
    this.status = status;
    const state = STATES[status.state];
    if (previous?.state !== status.state) {
      this.glyph.className = `codicon codicon-${state.icon}`;
      setText(this.word, state.word);
      this.element.dataset['state'] = status.state;
    }
    const value = measured(this.threshold, status);
    const failedAt = status.failedAt !== undefined ? `at ${formatElapsed(status.failedAt)}` : undefined;
    // Without a value the reason is what the chip has to say (warm-up, no request yet); with one, the tooltip keeps it.
    setText(this.value, [value ?? status.reason ?? '–', failedAt].filter(Boolean).join(' '));
    this.value.classList.toggle('note', value === undefined);
    this.element.title = this.tooltip(status, value);
    return previous?.state !== status.state;
  }

  private tooltip(status: ThresholdStatus, value: string | undefined): string {
    const lines = [this.description, `${upperFirst(STATES[status.state].word)}: ${STATES[status.state].meaning}.`];
    if (value !== undefined && this.threshold) lines.push(describeMeasurement(this.threshold, status));
    if (status.reason) lines.push(upperFirst(status.reason));
    if (status.failedAt !== undefined) lines.push(`Failed ${formatDuration(Math.round(status.failedAt * 10) / 10)} into the run.`);
    return lines.join('\n');
  }
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export class ThresholdStrip {
  readonly element = element('section', { className: 'thresholds' });
  private readonly verdict = element('p', { className: 'verdict' });
  private readonly verdictIcon = icon('blank');
  private readonly verdictText = element('span', { className: 'verdict-text' });
  private readonly abort = element('span', { className: 'verdict-abort' });
  private readonly list = element('ul', { className: 'threshold-list' });
  private chips: Chip[] = [];
  /** Parsed once per text: the same thresholds come back with every snapshot of a run. */
  private readonly parsed = new Map<string, { threshold?: Threshold; error?: string }>();

  constructor() {
    this.element.setAttribute('aria-label', 'Thresholds');
    this.element.hidden = true;
    // The verdict is announced when it appears; chips change every tick and would flood a screen reader.
    this.verdict.setAttribute('role', 'status');
    this.verdict.append(this.verdictIcon, this.verdictText, this.abort);
    this.element.append(this.verdict, this.list);
  }

  /** A snapshot: the run's statuses and verdict; `noVerdict`: the run ended without one (it crashed or was killed). */
  show(statuses: readonly ThresholdStatus[] | undefined, verdict: Verdict | undefined, noVerdict: boolean): void {
    const shown = verdict?.thresholds ?? statuses ?? [];
    this.element.hidden = shown.length === 0;
    this.update(shown);
    this.showVerdict(verdict, noVerdict && shown.length > 0);
  }

  /** A tick's statuses (every one, in declaration order); true when any state changed, so the chart lines recolour. */
  update(statuses: readonly ThresholdStatus[]): boolean {
    if (statuses.length !== this.chips.length || statuses.some((s, i) => s.text !== this.chips[i]!.text)) {
      this.chips = statuses.map((s) => this.chip(s.text));
      this.list.replaceChildren(...this.chips.map((c) => c.element));
      this.element.hidden = statuses.length === 0;
    }
    let changed = false;
    statuses.forEach((status, i) => {
      if (this.chips[i]!.set(status)) changed = true;
    });
    return changed;
  }

  /** The limits to draw on the charts that show `selected` (null: the whole run): thresholds scoped to what they show. */
  limitsFor(selected: EndpointKey | null): LimitLine[] {
    const lines: LimitLine[] = [];
    for (const chip of this.chips) {
      const t = chip.threshold;
      const state = chip.state;
      if (!t || !state || !inScope(t, selected)) continue;
      lines.push({ text: t.text, metric: t.metric, value: t.value, state, mark: STATES[state].mark });
    }
    return lines;
  }

  private chip(text: string): Chip {
    let parsed = this.parsed.get(text);
    if (!parsed) {
      const result = parseThreshold(text);
      parsed = result.ok ? { threshold: result.threshold } : { error: result.error };
      this.parsed.set(text, parsed);
    }
    return new Chip(text, parsed.threshold, parsed.error);
  }

  private showVerdict(verdict: Verdict | undefined, none: boolean): void {
    this.verdict.hidden = !verdict && !none;
    const outcome = verdict?.outcome ?? 'none';
    this.verdict.dataset['outcome'] = outcome;
    this.verdictIcon.className = `codicon codicon-${OUTCOMES[outcome]}`;
    // A saturated load generator leaves the outcome as it is and says why it is not to be trusted (the warning on the charts says more).
    const unreliable = verdict?.unreliable !== undefined ? ' — unreliable: the load generator was saturated' : '';
    setText(this.verdictText, verdict ? `${verdictSentence(verdict, this.parsed)}${unreliable}` : none ? 'No verdict: the run did not finish, so its thresholds were not judged.' : '');
    const abortedBy = verdict?.abortedBy;
    const at = verdict?.thresholds.find((s) => s.text === abortedBy)?.failedAt;
    setText(this.abort, abortedBy !== undefined ? `Stopped early by threshold “${abortedBy}”${at !== undefined ? ` at ${formatElapsed(at)}` : ''}.` : '');
    this.abort.hidden = abortedBy === undefined;
  }
}

/** A threshold belongs on charts of what it judges: all requests, or the endpoint shown (with or without its method). */
function inScope(t: Threshold, selected: EndpointKey | null): boolean {
  if (!t.scope || !selected) return !t.scope && !selected;
  return t.scope.name === selected.name && (t.scope.method === undefined || t.scope.method === selected.method);
}

/** "Thresholds passed (4 of 4)", "Thresholds failed: 1 of 4 (fail_ratio < 1%: 3.20 %)", "Verdict unknown: …". */
function verdictSentence(verdict: Verdict, parsed: ReadonlyMap<string, { threshold?: Threshold }>): string {
  const all = verdict.thresholds;
  const count = (state: ThresholdState) => all.filter((s) => s.state === state).length;
  switch (verdict.outcome) {
    case 'passed':
      return `Thresholds passed (${count('passed')} of ${all.length})`;
    case 'failed': {
      const failed = all.filter((s) => s.state === 'failed');
      const named = failed.slice(0, NAMED_FAILURES).map((s) => {
        const t = parsed.get(s.text)?.threshold;
        return t && s.value !== null ? `${s.text}: ${formatThresholdValue(t.metric, s.value)}` : s.text;
      });
      const more = failed.length > NAMED_FAILURES ? ` and ${failed.length - NAMED_FAILURES} more` : '';
      return `Thresholds failed: ${failed.length} of ${all.length} (${named.join('; ')}${more})`;
    }
    case 'unknown': {
      const open = all.length - count('passed');
      return `Verdict unknown: ${open} threshold${open === 1 ? '' : 's'} could not be judged`;
    }
  }
}
