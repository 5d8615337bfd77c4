// Keeps one parse and one model per open document, rebuilt only when the document's version changes.
import type { Tree } from 'web-tree-sitter';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { LocustfileModel } from '../protocol/model';
import { pythonParser } from './parser';
import { buildModel } from './locustfileModel';

interface Analysis {
  version: number;
  tree: Tree;
  model: LocustfileModel;
}

export class DocumentAnalyses {
  private readonly analyses = new Map<string, Analysis>();

  async modelOf(document: TextDocument): Promise<LocustfileModel> {
    const cached = this.analyses.get(document.uri);
    if (cached?.version === document.version) return cached.model;
    const parser = await pythonParser();
    const tree = parser.parse(document.getText());
    if (!tree) throw new Error(`tree-sitter returned no tree for ${document.uri}`);
    cached?.tree.delete();
    const model = buildModel(tree, document.uri, document.version);
    this.analyses.set(document.uri, { version: document.version, tree, model });
    return model;
  }

  forget(uri: string): void {
    this.analyses.get(uri)?.tree.delete();
    this.analyses.delete(uri);
  }
}
