// Which traceback locations the panel turns into links: only absolute paths inside a workspace folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inRoots, splitTraceback } from '../../webview/traceback';

test('a path is linkable only inside a root, absolute, without ".." segments', () => {
  const roots = ['/work/project', 'C:\\Users\\me\\proj\\'];
  assert.equal(inRoots('/work/project/locustfile.py', roots), true);
  assert.equal(inRoots('/work/project/sub/tasks.py', roots), true);
  assert.equal(inRoots('C:\\Users\\me\\proj\\locustfile.py', roots), true, 'Windows paths, root given with a trailing separator');
  assert.equal(inRoots('/work/project-other/x.py', roots), false, 'a sibling folder sharing the prefix is outside');
  assert.equal(inRoots('/work/project', roots), false, 'the folder itself is not a file in it');
  assert.equal(inRoots('/work/project/../etc/passwd', roots), false);
  assert.equal(inRoots('project/locustfile.py', roots), false, 'relative paths are ambiguous');
  assert.equal(inRoots('/usr/lib/python3/dist-packages/locust/user/task.py', roots), false);
  assert.equal(inRoots('/work/project/x.py', ['']), false, 'an empty root matches nothing');
});

test('a traceback splits into text and links, and joins back to the same text', () => {
  const traceback = [
    'Traceback (most recent call last):',
    '  File "/usr/lib/python3/dist-packages/locust/user/task.py", line 347, in run',
    '  File "/work/project/locustfile.py", line 42, in checkout',
    '  File "/work/project/locustfile.py", line 0, in nowhere',
    'ValueError: File "/work/project/fake.py", line 7 <img src=x>',
  ].join('\n');
  const parts = splitTraceback(traceback, ['/work/project']);
  assert.equal(parts.map((p) => p.text).join(''), traceback);
  assert.deepEqual(
    parts.filter((p) => 'path' in p),
    [
      { text: 'File "/work/project/locustfile.py", line 42', path: '/work/project/locustfile.py', line: 42 },
      { text: 'File "/work/project/fake.py", line 7', path: '/work/project/fake.py', line: 7 },
    ],
    'line 0 is no location; the host checks again whatever the text claims',
  );
});
