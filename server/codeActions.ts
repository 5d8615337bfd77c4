// Quick fixes: one code action per fix of the diagnostics under the cursor, plus "update all legacy API uses".
import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver';
import type { DiagnosticData } from './diagnostics';

function before(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function overlaps(a: Range, b: Range): boolean {
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** Intersecting ranges (an insertion touching another edit is fine): two such edits cannot be applied together. */
function conflicts(a: TextEdit, b: TextEdit): boolean {
  const aEmpty = !before(a.range.start, a.range.end);
  const bEmpty = !before(b.range.start, b.range.end);
  if (aEmpty && bEmpty) return false;
  return before(a.range.start, b.range.end) && before(b.range.start, a.range.end);
}

function editKey(edit: TextEdit): string {
  const { start, end } = edit.range;
  return `${start.line}:${start.character}-${end.line}:${end.character}=${edit.newText}`;
}

function dataOf(diagnostic: Diagnostic): DiagnosticData | undefined {
  const data = diagnostic.data as Partial<DiagnosticData> | undefined;
  return Array.isArray(data?.fixes) ? (data as DiagnosticData) : undefined;
}

/**
 * Merges the fixes of many diagnostics into one edit list: duplicates once, conflicting fixes left out.
 * Linear in the number of edits: a rename shared by many diagnostics is seen once, and conflicts are only
 * looked for among edits on the same lines.
 */
export function mergeFixEdits(diagnostics: Diagnostic[]): TextEdit[] {
  const merged: TextEdit[] = [];
  const keys = new Set<string>();
  const byLine = new Map<number, TextEdit[]>();
  const seenFixes = new Set<TextEdit[]>();
  for (const diagnostic of diagnostics) {
    const first = dataOf(diagnostic)?.fixes[0];
    if (!first || seenFixes.has(first.edits)) continue;
    seenFixes.add(first.edits);
    const fresh = first.edits.filter((e) => !keys.has(editKey(e)));
    const clash = fresh.some((e) => {
      for (let line = e.range.start.line; line <= e.range.end.line; line++) {
        if (byLine.get(line)?.some((m) => conflicts(m, e))) return true;
      }
      return false;
    });
    // A fix is taken whole or not at all, so the result stays consistent.
    if (clash) continue;
    for (const edit of fresh) {
      keys.add(editKey(edit));
      merged.push(edit);
      for (let line = edit.range.start.line; line <= edit.range.end.line; line++) {
        const list = byLine.get(line) ?? [];
        list.push(edit);
        byLine.set(line, list);
      }
    }
  }
  return merged;
}

const FIX_ALL_TITLE = 'Update every legacy Locust API use in this file';

/** `only` is the client's filter of kinds (e.g. `source.fixAll` on save); absent means "everything that applies here". */
export function codeActionsFor(uri: string, current: Diagnostic[], range: Range, only?: string[]): CodeAction[] {
  const legacy = current.filter((d) => dataOf(d)?.legacy && (dataOf(d)?.fixes.length ?? 0) > 0);
  if (only && !only.some((kind) => CodeActionKind.QuickFix.startsWith(kind))) {
    const wantsFixAll = only.some((kind) => CodeActionKind.SourceFixAll.startsWith(kind) || kind.startsWith(CodeActionKind.SourceFixAll));
    if (!wantsFixAll || legacy.length === 0) return [];
    return [{ title: FIX_ALL_TITLE, kind: CodeActionKind.SourceFixAll, diagnostics: legacy, edit: { changes: { [uri]: mergeFixEdits(legacy) } } }];
  }
  const actions: CodeAction[] = [];
  const here = current.filter((d) => overlaps(d.range, range));
  for (const diagnostic of here) {
    for (const [index, fix] of (dataOf(diagnostic)?.fixes ?? []).entries()) {
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: index === 0,
        edit: { changes: { [uri]: fix.edits } },
      });
    }
  }
  if (legacy.length > 1 && here.some((d) => dataOf(d)?.legacy)) {
    actions.push({
      title: FIX_ALL_TITLE,
      kind: CodeActionKind.QuickFix,
      diagnostics: legacy,
      edit: { changes: { [uri]: mergeFixEdits(legacy) } },
    });
  }
  return actions;
}
