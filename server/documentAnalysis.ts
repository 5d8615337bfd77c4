// Owns the open documents and their parses: incremental tree-sitter re-parse on edits, one model per document version.
import { Edit, type Point, type Tree } from 'web-tree-sitter';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver';
import type { LocustfileModel } from '../protocol/model';
import { pythonParser } from './parser';
import { analyzeTree, ModelCache, type LocustfileFacts } from './locustfileModel';
import { diagnosticsFor, type DiagnosticOptions } from './diagnostics';

/** Everything the features read for one version of a document. */
export interface Analysis {
  document: TextDocument;
  tree: Tree;
  model: LocustfileModel;
  facts: LocustfileFacts;
}

interface OpenDocument {
  document: TextDocument;
  /** The last tree, already `edit()`ed to match `document` when `stale`. */
  tree: Tree | null;
  stale: boolean;
  analysis: Analysis | null;
  cache: ModelCache;
  diagnostics: { version: number; list: Diagnostic[] } | null;
}

/**
 * tree-sitter's point of a text offset: rows count only `\n`, while LSP lines also break at a lone `\r`,
 * so for text with `\r` the point is computed from the text itself.
 */
function treePoint(text: string, offset: number): Point {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let row = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) row++;
  return { row, column: offset - lineStart };
}

/** Where `text` ends if it starts at `start` (tree-sitter points count UTF-16 units, like LSP positions). */
function pointAfter(start: Point, text: string): Point {
  const lastBreak = text.lastIndexOf('\n');
  if (lastBreak < 0) return { row: start.row, column: start.column + text.length };
  let rows = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) rows++;
  return { row: start.row + rows, column: text.length - lastBreak - 1 };
}

export class DocumentAnalyses {
  private readonly open = new Map<string, OpenDocument>();
  /** How many parses reused an old tree; tests and the benchmark read it to prove edits are incremental. */
  incrementalParses = 0;
  fullParses = 0;

  openDocument(uri: string, languageId: string, version: number, text: string): void {
    this.forget(uri);
    this.open.set(uri, { document: TextDocument.create(uri, languageId, version, text), tree: null, stale: false, analysis: null, cache: new ModelCache(), diagnostics: null });
  }

  /** Applies LSP content changes; incremental ones are mirrored on the old tree with `tree.edit`. */
  changeDocument(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): void {
    const entry = this.open.get(uri);
    if (!entry) return;
    let document = entry.document;
    for (const change of changes) {
      if ('range' in change) {
        // What the last model read of the statements this change does not touch is reused by the next one.
        entry.cache.edit(document.offsetAt(change.range.start), document.offsetAt(change.range.end), document.offsetAt(change.range.start) + change.text.length);
      }
      if ('range' in change && entry.tree) {
        const startIndex = document.offsetAt(change.range.start);
        const oldEndIndex = document.offsetAt(change.range.end);
        const text = document.getText();
        let startPosition: Point;
        let oldEndPosition: Point;
        if (text.includes('\r')) {
          startPosition = treePoint(text, startIndex);
          oldEndPosition = treePoint(text, oldEndIndex);
        } else {
          // offsetAt clamps out-of-range positions: take the positions back from the offsets so they agree.
          const start = document.positionAt(startIndex);
          const oldEnd = document.positionAt(oldEndIndex);
          startPosition = { row: start.line, column: start.character };
          oldEndPosition = { row: oldEnd.line, column: oldEnd.character };
        }
        entry.tree.edit(
          new Edit({
            startIndex,
            oldEndIndex,
            newEndIndex: startIndex + change.text.length,
            startPosition,
            oldEndPosition,
            newEndPosition: pointAfter(startPosition, change.text),
          }),
        );
        entry.stale = true;
      } else if (!('range' in change)) {
        // A full-text change: nothing of the old tree (or model) can be reused.
        entry.cache.clear();
        entry.tree?.delete();
        entry.tree = null;
        entry.stale = false;
      }
      document = TextDocument.update(document, [change], version);
    }
    entry.document = TextDocument.update(document, [], version);
    entry.analysis = null;
    entry.diagnostics = null;
  }

  document(uri: string): TextDocument | undefined {
    return this.open.get(uri)?.document;
  }

  uris(): string[] {
    return [...this.open.keys()];
  }

  /** The analysis of the document's current version: re-parsed (reusing the edited tree) only when it changed. */
  async analysisOf(uri: string): Promise<Analysis | undefined> {
    const parser = await pythonParser();
    const entry = this.open.get(uri);
    if (!entry) return undefined;
    if (entry.analysis?.document.version === entry.document.version && entry.analysis.document === entry.document) return entry.analysis;
    const oldTree = entry.stale ? entry.tree : null;
    const tree = parser.parse(entry.document.getText(), oldTree);
    if (!tree) throw new Error(`tree-sitter returned no tree for ${uri}`);
    if (oldTree) this.incrementalParses++;
    else this.fullParses++;
    entry.tree?.delete();
    entry.tree = tree;
    entry.stale = false;
    const { model, facts } = analyzeTree(tree, uri, entry.document.version, entry.cache);
    entry.analysis = { document: entry.document, tree, model, facts };
    return entry.analysis;
  }

  async modelOf(uri: string): Promise<LocustfileModel | undefined> {
    return (await this.analysisOf(uri))?.model;
  }

  /** Diagnostics of the current version, computed once per version. */
  async diagnosticsOf(uri: string, options: DiagnosticOptions): Promise<Diagnostic[] | undefined> {
    const analysis = await this.analysisOf(uri);
    const entry = this.open.get(uri);
    if (!analysis || !entry) return undefined;
    if (entry.diagnostics?.version !== analysis.document.version) {
      entry.diagnostics = { version: analysis.document.version, list: diagnosticsFor(analysis.tree, analysis.model, analysis.facts, options) };
    }
    return entry.diagnostics.list;
  }

  forget(uri: string): void {
    this.open.get(uri)?.tree?.delete();
    this.open.delete(uri);
  }
}

/** The model of a file's text that no editor has open (a file on disk): analysed once, nothing kept. */
export async function modelOfText(uri: string, text: string): Promise<LocustfileModel | undefined> {
  const analyses = new DocumentAnalyses();
  analyses.openDocument(uri, 'python', 0, text);
  try {
    return await analyses.modelOf(uri);
  } finally {
    analyses.forget(uri);
  }
}
