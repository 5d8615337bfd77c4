// isInside: what the host agrees to open for the panel (traceback links, remembered record folders).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { isInside } from '../../extension/workspacePaths';

test('a file below the folder is inside; the folder itself, its parent and siblings are not', () => {
  assert.equal(isInside('/w/project', '/w/project/locustfile.py'), true);
  assert.equal(isInside('/w/project', '/w/project/a/b/c.py'), true);
  assert.equal(isInside('/w/project', '/w/project'), false, 'the folder itself');
  assert.equal(isInside('/w/project', '/w'), false, 'its parent');
  assert.equal(isInside('/w/project', '/w/project-other/x.py'), false, 'a sibling sharing the name as a prefix');
  assert.equal(isInside('/w/project', '/etc/passwd'), false);
});

test('`..` escapes are outside, whatever the spelling; a name that merely starts with two dots is inside', () => {
  assert.equal(isInside('/w/project', '/w/project/../secret.py'), false);
  assert.equal(isInside('/w/project', '/w/project/a/../../secret.py'), false);
  assert.equal(isInside('/w/project', '/w/project/..hidden.py'), true);
  assert.equal(isInside('/w/project', '/w/project/a/../b.py'), true);
});

test('Windows paths: another drive is outside, and so is a prefix sibling', () => {
  const win = path.win32;
  assert.equal(isInside('C:\\w\\project', 'C:\\w\\project\\locustfile.py', win), true);
  assert.equal(isInside('C:\\w\\project', 'D:\\w\\project\\locustfile.py', win), false, 'another drive');
  assert.equal(isInside('C:\\w\\project', 'C:\\w\\project2\\x.py', win), false);
  assert.equal(isInside('C:\\w\\project', 'C:\\w\\project\\..\\x.py', win), false);
});
