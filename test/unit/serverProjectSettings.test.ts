// hostConfiguredBeside: a host in locust.conf or pyproject.toml [tool.locust] next to the locustfile counts; other sections do not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { hostConfiguredBeside } from '../../server/projectSettings';

test('a host in locust.conf or in [tool.locust] of pyproject.toml is seen; a host of another tool is not', async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'locust-studio-settings-'));
  const uri = pathToFileURL(path.join(folder, 'locustfile.py')).href;
  try {
    assert.equal(hostConfiguredBeside(uri), false);
    await writeFile(path.join(folder, 'pyproject.toml'), '[tool.other]\nhost = "http://no"\n\n[tool.locust]\nusers = 3\n');
    assert.equal(hostConfiguredBeside(uri), false);
    await writeFile(path.join(folder, 'pyproject.toml'), '[tool.locust]\nhost = "http://127.0.0.1:8080"\n');
    assert.equal(hostConfiguredBeside(uri), true);
    await rm(path.join(folder, 'pyproject.toml'));
    await writeFile(path.join(folder, 'locust.conf'), '# host = commented out\nusers = 2\n');
    assert.equal(hostConfiguredBeside(uri), false);
    await writeFile(path.join(folder, 'locust.conf'), 'host = http://127.0.0.1:8080\n');
    assert.equal(hostConfiguredBeside(uri), true);
    assert.equal(hostConfiguredBeside('untitled:Untitled-1'), false);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
