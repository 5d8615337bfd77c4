// The one rule for printing untrusted text on a terminal, and the folder maker that always ends (/proc made Node's loop forever).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { printable } from '../../runner/printable';
import { makeFolder, makeFolderFor, RecordFolderError } from '../../runner/recordFolder';

test('printable: C0, DEL and C1 controls become visible escapes; other text, Unicode included, is kept', () => {
  assert.equal(printable('a\x1b]0;pwned\x07b\r\n\t\x00\x7f\u009b2J'), String.raw`a\x1b]0;pwned\x07b\r\n\t\x00\x7f\x9b2J`);
  assert.equal(printable('GET /products/[id] ✓ é 日本'), 'GET /products/[id] ✓ é 日本');
});

test('makeFolder: makes nested folders; refuses /proc/x and a file in the way, at once', async () => {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-folder-'));
  try {
    makeFolder(path.join(scratch, 'a', 'b', 'c'));
    assert.ok(existsSync(path.join(scratch, 'a', 'b', 'c')));
    makeFolder(path.join(scratch, 'a', 'b'));
    assert.throws(() => makeFolder('/proc/x/y'), { code: 'ENOENT' });
    await writeFile(path.join(scratch, 'file'), '');
    assert.throws(() => makeFolderFor(path.join(scratch, 'file', 'sub'), 'the run record'), (error: Error) => {
      assert.ok(error instanceof RecordFolderError);
      assert.match(error.message, /^cannot write the run record under .*file\/sub: a file is in the way where a folder should be \(ENOTDIR\)$/);
      return true;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
