// DocumentAnalyses from sources: edits re-parse incrementally on the old tree, and only the changed document is re-analysed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentAnalyses } from '../../server/documentAnalysis';
import { pythonParser } from '../../server/parser';

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
