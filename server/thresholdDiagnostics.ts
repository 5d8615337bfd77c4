// Diagnostics of a locustfile's THRESHOLDS: malformed thresholds where the fault is, scopes that name no request, what cannot be read.
import type { Tree } from 'web-tree-sitter';
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver';
import type { LocustfileModel, RequestSite, ThresholdDeclaration } from '../protocol/model';
import type { ThresholdScope } from '../protocol/thresholds';
import type { LocustfileFacts } from './locustfileModel';
import { thresholdPositions } from './thresholdDeclarations';

export type ThresholdDiagnosticCode =
  | 'thresholds-not-a-list'
  | 'threshold-not-a-string'
  | 'threshold-f-string'
  | 'threshold-malformed'
  | 'threshold-unknown-endpoint';

/** How many of the file's request names a warning lists before "…". */
const NAMES_LISTED = 5;

/** Without `source` and `data`: diagnosticsFor gives every diagnostic of the server the same. */
function make(range: Range, severity: DiagnosticSeverity, code: ThresholdDiagnosticCode, message: string): Diagnostic {
  return { range, severity, code, message };
}

function siteName(site: RequestSite): string {
  return site.method ? `${site.method} ${site.name ?? ''}` : (site.name ?? '');
}

/** A site the scope may select: same name, and the same method unless either leaves it open. */
function selects(scope: ThresholdScope, site: RequestSite): boolean {
  return site.name === scope.name && (!scope.method || site.method === null || site.method === scope.method);
}

/** The document range of [start, end) in a declaration's text; its whole contents when the tree no longer matches. */
function spanRange(tree: Tree, source: string, declaration: ThresholdDeclaration, start: number, end: number): Range {
  const at = thresholdPositions(tree, source, declaration);
  return at ? { start: at(start, 'start'), end: at(end, 'end') } : declaration.range;
}

export function thresholdDiagnostics(tree: Tree, model: LocustfileModel, facts: LocustfileFacts): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const problem of facts.thresholdProblems) found.push(make(problem.range, DiagnosticSeverity.Error, problem.code, problem.message));
  // A name computed at run time could be any name: only a file whose every request is named in the code can say "no such request".
  const requests = model.requests;
  const namesKnown = requests.length > 0 && requests.every((site) => site.name !== null);
  for (const declaration of model.thresholds) {
    const parsed = declaration.parsed;
    if (!parsed) {
      found.push(
        make(
          declaration.range,
          DiagnosticSeverity.Hint,
          'threshold-f-string',
          'An f-string is only known when the file runs: Locust Studio reads THRESHOLDS without running it, so it cannot check or use this threshold. Write it as a plain string.',
        ),
      );
      continue;
    }
    if (!parsed.ok) {
      found.push(make(spanRange(tree, facts.source, declaration, parsed.start, parsed.end), DiagnosticSeverity.Error, 'threshold-malformed', `Malformed threshold: ${parsed.error}`));
      continue;
    }
    const { scope, spans } = parsed.threshold;
    if (!scope || !spans.scope || !namesKnown || requests.some((site) => selects(scope, site))) continue;
    const written = scope.method ? `${scope.method} ${scope.name}` : scope.name;
    const names = [...new Set(requests.map(siteName))];
    const listed = names.slice(0, NAMES_LISTED).join(', ') + (names.length > NAMES_LISTED ? ', …' : '');
    found.push(
      make(
        spanRange(tree, facts.source, declaration, spans.scope[0], spans.scope[1]),
        DiagnosticSeverity.Warning,
        'threshold-unknown-endpoint',
        `No request in this file is named ${written}: this threshold would judge no request. The file's requests are ${listed}.`,
      ),
    );
  }
  return found;
}
