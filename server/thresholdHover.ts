// Hover on a locustfile's THRESHOLDS: each threshold in plain English, and what the variable is for.
import type { Tree } from 'web-tree-sitter';
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import type { LocustfileModel, SourceRange } from '../protocol/model';
import { describeThreshold, METRIC_INFO, THRESHOLD_METRICS, THRESHOLD_OPS } from '../protocol/thresholds';
import { rangeOf } from './locustfileModel';

/** The grammar in a few lines, built from the shared parser's own lists. */
export function thresholdGrammar(): string {
  const metrics = THRESHOLD_METRICS.map((m) => `\`${m}\``).join(' ');
  return [
    '```text',
    '[SCOPE:] METRIC OP VALUE[UNIT] [over DURATION] [after DURATION] [abort]',
    '```',
    `- METRIC: ${metrics}; OP: ${THRESHOLD_OPS.map((op) => `\`${op}\``).join(' ')}`,
    '- VALUE: times need `ms` or `s` (`250ms`), `fail_ratio` takes `1%` or `0.01`, rates a number (`50`, `50/s`)',
    '- SCOPE: a request name as in the statistics, optionally with its method (`GET /cart:`); none: all requests',
    '- `over 30s`: judged in every 30 s window · `after 60s`: warm-up not judged · `abort`: stop the run once it failed for good',
  ].join('\n');
}

function contains(range: SourceRange, position: Position): boolean {
  const { start, end } = range;
  if (position.line < start.line || position.line > end.line) return false;
  if (position.line === start.line && position.character < start.character) return false;
  return !(position.line === end.line && position.character > end.character);
}

function hover(range: SourceRange, lines: string[]): Hover {
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, range };
}

/** The hover over a threshold string or the `THRESHOLDS` name of its declaration; null anywhere else. */
export function thresholdHoverAt(tree: Tree, model: LocustfileModel, position: Position): Hover | null {
  const declaredAt = model.thresholdsDeclaredAt;
  if (!declaredAt || !contains(declaredAt, position)) return null;
  for (const declaration of model.thresholds) {
    if (!contains(declaration.range, position)) continue;
    const parsed = declaration.parsed;
    if (!parsed) {
      return hover(declaration.range, ['An f-string: its value is only known when the file runs, so Locust Studio cannot read this threshold.', '', thresholdGrammar()]);
    }
    if (!parsed.ok) return hover(declaration.range, [`**Malformed threshold**: ${parsed.error}`, '', thresholdGrammar()]);
    const { metric } = parsed.threshold;
    return hover(declaration.range, [
      `**Threshold**: ${describeThreshold(parsed.threshold)}.`,
      '',
      `\`${metric}\`: ${METRIC_INFO[metric].description}`,
      '',
      thresholdGrammar(),
    ]);
  }
  const node = tree.rootNode.descendantForPosition({ row: position.line, column: position.character });
  const assignment = node?.parent;
  if (node?.type !== 'identifier' || node.text !== 'THRESHOLDS' || assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.id !== node.id) return null;
  const count = model.thresholds.length;
  return hover(rangeOf(node), [
    '```python',
    'THRESHOLDS: list[str]',
    '```',
    '',
    `Pass/fail targets of the load test (${count === 1 ? 'one threshold' : `${count} thresholds`}), one string each: Locust Studio reads them without running the file, judges them during the run and gives the run its verdict.`,
    'Plain Locust ignores this variable, so the file still runs the same without Locust Studio.',
    '',
    thresholdGrammar(),
  ]);
}
