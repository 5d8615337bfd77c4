// DocumentAnalyses from sources: edits re-parse incrementally on the old tree, and only the changed document is re-analysed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentAnalyses } from '../../server/documentAnalysis';
import { pythonParser } from '../../server/parser';
import { codeLensesFor } from '../../server/codeLenses';

const TEXT = 'from locust import HttpUser, task\n\nclass U(HttpUser):\n    @task\n    def a(self):\n        self.client.get("/ä")\n';

test('an incremental change re-parses on the edited old tree, and the tree equals a fresh parse', async () => {
  const analyses = new DocumentAnalyses();
  analyses.openDocument('file:///a.py', 'python', 1, TEXT);
  await analyses.analysisOf('file:///a.py');
  assert.equal(analyses.fullParses, 1);
  analyses.changeDocument('file:///a.py', 2, [
    { range: { start: { line: 3, character: 9 }, end: { line: 3, character: 9 } }, text: '(3)' },
    { range: { start: { line: 5, character: 28 }, end: { line: 5, character: 28 } }, text: ', name="ä😀"' },
  ]);
  const analysis = await analyses.analysisOf('file:///a.py');
  assert.equal(analyses.incrementalParses, 1);
  assert.equal(analysis?.model.users[0]?.tasks[0]?.weight, 3);
  const fresh = (await pythonParser()).parse(analysis?.document.getText() ?? '');
  assert.equal(analysis?.tree.rootNode.toString(), fresh?.rootNode.toString());
  assert.equal(analysis?.document.getText(), TEXT.replace('@task', '@task(3)').replace('"/ä")', '"/ä", name="ä😀")'));
  fresh?.delete();
  analyses.forget('file:///a.py');
});

test('a change to one document leaves the analyses of the others untouched', async () => {
  const analyses = new DocumentAnalyses();
  analyses.openDocument('file:///a.py', 'python', 1, TEXT);
  analyses.openDocument('file:///b.py', 'python', 1, TEXT);
  const a1 = await analyses.analysisOf('file:///a.py');
  const b1 = await analyses.analysisOf('file:///b.py');
  analyses.changeDocument('file:///a.py', 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# c\n' }]);
  const a2 = await analyses.analysisOf('file:///a.py');
  const b2 = await analyses.analysisOf('file:///b.py');
  assert.notEqual(a2, a1);
  assert.equal(b2, b1, 'b is not re-parsed');
  assert.equal(analyses.fullParses + analyses.incrementalParses, 3);
  assert.equal(a2?.model.users[0]?.range.start.line, 3);
  analyses.forget('file:///a.py');
  analyses.forget('file:///b.py');
});

test('a full-text change starts from a fresh parse', async () => {
  const analyses = new DocumentAnalyses();
  analyses.openDocument('file:///a.py', 'python', 1, TEXT);
  await analyses.analysisOf('file:///a.py');
  analyses.changeDocument('file:///a.py', 2, [{ text: 'import os\n' }]);
  const analysis = await analyses.analysisOf('file:///a.py');
  assert.equal(analyses.fullParses, 2);
  assert.equal(analysis?.model.isLocustfile, false);
  analyses.forget('file:///a.py');
});

test('an edit that changes nothing the model says reuses the last model (and its lenses); any other edit rebuilds it', async () => {
  const text = [
    'from locust import HttpUser, task, tag',
    '',
    'class U(HttpUser):',
    '    host = "http://127.0.0.1:8080"',
    '',
    '    @tag("browse")',
    '    @task(2)',
    '    def a(self):',
    '        print("abc")',
    '        self.client.get("/one")',
    '        self.client.get("/two")',
    '',
    '    @task',
    '    def b(self):',
    '        pass',
    '',
  ].join('\n');
  const fresh = async (source: string, version: number) => {
    const other = new DocumentAnalyses();
    other.openDocument('file:///a.py', 'python', version, source);
    const model = (await other.analysisOf('file:///a.py'))?.model;
    other.forget('file:///a.py');
    return model;
  };
  const analyses = new DocumentAnalyses();
  analyses.openDocument('file:///a.py', 'python', 1, text);
  const first = await analyses.analysisOf('file:///a.py');
  assert.ok(first);
  const lenses = codeLensesFor(first.model);

  // Typing inside a string on an inner line of a task (not a request's name): same statements, same places, same facts.
  analyses.changeDocument('file:///a.py', 2, [{ range: { start: { line: 8, character: 16 }, end: { line: 8, character: 16 } }, text: 'x' }]);
  const second = await analyses.analysisOf('file:///a.py');
  assert.ok(second);
  assert.equal(second.model.users, first.model.users, 'the model’s classes are reused');
  assert.equal(second.model.version, 2);
  assert.deepEqual(second.model, await fresh(second.document.getText(), 2), 'and equal what a fresh analysis says');
  assert.equal(codeLensesFor(second.model), lenses, 'lenses too');
  // The facts point into the new tree (diagnostics and hover read it): the class's node is the one in the current text.
  assert.equal(second.facts.classes[0]?.node.tree, second.tree);

  // Renaming a task changes what the model says: rebuilt, and equal to a fresh analysis.
  analyses.changeDocument('file:///a.py', 3, [{ range: { start: { line: 13, character: 8 }, end: { line: 13, character: 9 } }, text: 'checkout' }]);
  const third = await analyses.analysisOf('file:///a.py');
  assert.ok(third);
  assert.notEqual(third.model.users, first.model.users);
  assert.deepEqual(third.model.users[0]?.tasks.map((t) => t.name), ['a', 'checkout']);
  assert.deepEqual(third.model, await fresh(third.document.getText(), 3));
  assert.notEqual(codeLensesFor(third.model), lenses);

  // A syntax error anywhere: never reused while it lasts.
  analyses.changeDocument('file:///a.py', 4, [{ range: { start: { line: 10, character: 30 }, end: { line: 10, character: 31 } }, text: '' }]);
  const broken = await analyses.analysisOf('file:///a.py');
  assert.equal(broken?.tree.rootNode.hasError, true);
  analyses.changeDocument('file:///a.py', 5, [{ range: { start: { line: 10, character: 30 }, end: { line: 10, character: 30 } }, text: ')' }]);
  const repaired = await analyses.analysisOf('file:///a.py');
  assert.ok(repaired);
  assert.deepEqual(repaired.model, await fresh(repaired.document.getText(), 5));
  analyses.forget('file:///a.py');
});
