// Owns the open documents and their parses: incremental tree-sitter re-parse on edits, one model per document version.
import { Edit, type Parser, type Point, type Tree } from 'web-tree-sitter';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver';
import type { LocustfileModel } from '../protocol/model';
import { fileURLToPath } from 'node:url';
import { pythonParser } from './parser';
import { analyzeTree, ModelCache, projectSignatureOf, type LocustfileFacts } from './locustfileModel';
import { ProjectModules } from './projectModules';
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
  diagnostics: { analysis: Analysis; list: Diagnostic[] } | null;
  /** Tells this opening of the document from an earlier one (versions start again when it is reopened). */
  opening: number;
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
  private openings = 0;
  private project: ProjectModules | undefined;

  openDocument(uri: string, languageId: string, version: number, text: string): void {
    this.forget(uri);
    const document = TextDocument.create(uri, languageId, version, text);
    this.open.set(uri, { document, tree: null, stale: false, analysis: null, cache: new ModelCache(), diagnostics: null, opening: ++this.openings });
  }

  /** An open document's text, by its file's path: the project modules are read from the editor before the disk. */
  private openText(file: string): { text: string; stamp: string } | undefined {
    for (const entry of this.open.values()) {
      if (!entry.document.uri.startsWith('file:') || fileURLToPath(entry.document.uri) !== file) continue;
      return { text: entry.document.getText(), stamp: `${entry.opening}.${entry.document.version}` };
    }
    return undefined;
  }

  /** The project modules the documents import, read from the open documents first (made once the parser is loaded). */
  private projectModules(parser: Parser): ProjectModules {
    this.project ??= new ProjectModules(parser, (file) => this.openText(file));
    return this.project;
  }

  /** What the project modules a file imports are now (see projectSignatureOf). */
  private projectSignatureOf(uri: string, facts: LocustfileFacts): string {
    return projectSignatureOf(facts.imports, this.project?.forFile(uri));
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
    const project = this.projectModules(parser);
    const known = entry.analysis;
    if (known?.document.version === entry.document.version && known.document === entry.document) {
      // The same text: still its analysis unless a project module it imports has changed since.
      if (this.projectSignatureOf(uri, known.facts) === known.facts.projectSignature) return known;
    } else {
      const oldTree = entry.stale ? entry.tree : null;
      const tree = parser.parse(entry.document.getText(), oldTree);
      if (!tree) throw new Error(`tree-sitter returned no tree for ${uri}`);
      if (oldTree) this.incrementalParses++;
      else this.fullParses++;
      entry.tree?.delete();
      entry.tree = tree;
      entry.stale = false;
    }
    const tree = entry.tree!;
    const { model, facts } = analyzeTree(tree, uri, entry.document.version, entry.cache, project.forFile(uri));
    entry.analysis = { document: entry.document, tree, model, facts };
    return entry.analysis;
  }

  /** Open documents whose analysis read a project module that has changed since (an open module edited, a file saved). */
  outdatedByProject(): string[] {
    return [...this.open.entries()].filter(([uri, entry]) => entry.analysis && this.projectSignatureOf(uri, entry.analysis.facts) !== entry.analysis.facts.projectSignature).map(([uri]) => uri);
  }

  async modelOf(uri: string): Promise<LocustfileModel | undefined> {
    return (await this.analysisOf(uri))?.model;
  }

  /** Diagnostics of the current version, computed once per version. */
  async diagnosticsOf(uri: string, options: DiagnosticOptions): Promise<Diagnostic[] | undefined> {
    const analysis = await this.analysisOf(uri);
    const entry = this.open.get(uri);
    if (!analysis || !entry) return undefined;
    if (entry.diagnostics?.analysis !== analysis) {
      entry.diagnostics = { analysis, list: diagnosticsFor(analysis.tree, analysis.model, analysis.facts, options) };
    }
    return entry.diagnostics.list;
  }

  forget(uri: string): void {
    this.open.get(uri)?.tree?.delete();
    this.open.delete(uri);
  }

  /** The model of a file's text that no editor has open (a file on disk): analysed once, nothing kept but what it imports. */
  async modelOfText(uri: string, text: string): Promise<LocustfileModel> {
    const parser = await pythonParser();
    const project = this.projectModules(parser);
    const tree = parser.parse(text);
    if (!tree) throw new Error(`tree-sitter returned no tree for ${uri}`);
    try {
      return analyzeTree(tree, uri, 0, undefined, project.forFile(uri)).model;
    } finally {
      tree.delete();
    }
  }
}

/** The model of a file's text that no editor has open, outside a language server (the command line). */
export function modelOfText(uri: string, text: string): Promise<LocustfileModel> {
  return new DocumentAnalyses().modelOfText(uri, text);
}
