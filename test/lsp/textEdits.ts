// Applies LSP TextEdits to a text, as an editor would: all ranges refer to the original text.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit } from 'vscode-languageserver';

export function applyEdits(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///edit.py', 'python', 1, text), edits);
}
