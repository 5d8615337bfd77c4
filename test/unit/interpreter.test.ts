// Which interpreter a run uses, with the vscode stub: locustStudio.python, then the Python Environments extension, then the Python extension, then PATH.
import { vscodeStub, type StubExtension } from '../helpers/vscodeStub';
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { PVSC_EXTENSION_ID } from '@vscode/python-extension';
import { chooseInterpreter, describeInterpreter, namedInterpreter, PYTHON_ENVIRONMENTS_EXTENSION_ID, recordedInterpreter } from '../../extension/interpreter';

const RESOURCE = { scheme: 'file', fsPath: '/work/shop/locustfile.py', path: '/work/shop/locustfile.py' } as unknown as vscode.Uri;

function extension(exports: unknown, { active = true } = {}): StubExtension & { activations: number } {
  const stub = {
    isActive: active,
    exports: active ? exports : undefined,
    activations: 0,
    activate() {
      stub.activations++;
      stub.isActive = true;
      stub.exports = exports;
      return Promise.resolve(exports);
    },
  };
  return stub;
}

/** The Python Environments extension's API as Locust Studio reads it: the environment for a scope, and how to run it. */
function pythonEnvironments(run: { executable: string; args?: string[] } | undefined, scopes: unknown[] = []) {
  return extension({ getEnvironment: (scope: unknown) => (scopes.push(scope), Promise.resolve(run && { execInfo: { run } })) });
}

/** The Python extension's API (@vscode/python-extension): the active environment's path, resolved to its executable. */
function pythonExtension(executable: string) {
  return extension({
    environments: {
      getActiveEnvironmentPath: () => ({ id: executable, path: executable }),
      resolveEnvironment: () => Promise.resolve({ executable: { uri: { fsPath: executable } } }),
    },
  });
}

beforeEach(() => vscodeStub.reset());

test('nothing installed and no setting: PATH', async () => {
  assert.deepEqual(await namedInterpreter(RESOURCE), { source: 'path', path: undefined });
});

test('the Python extension alone names its selected interpreter', async () => {
  vscodeStub.extensions.set(PVSC_EXTENSION_ID, pythonExtension('/venvs/py/bin/python'));
  assert.deepEqual(await namedInterpreter(RESOURCE), { source: 'pythonExtension', path: '/venvs/py/bin/python' });
});

test('the Python Environments extension comes before the Python extension, activated when it is not yet, asked for the file', async () => {
  const scopes: unknown[] = [];
  const environments = pythonEnvironments({ executable: '/venvs/envs/bin/python', args: [] }, scopes);
  environments.isActive = false;
  vscodeStub.extensions.set(PYTHON_ENVIRONMENTS_EXTENSION_ID, environments);
  vscodeStub.extensions.set(PVSC_EXTENSION_ID, pythonExtension('/venvs/py/bin/python'));
  assert.deepEqual(await namedInterpreter(RESOURCE), { source: 'pythonEnvironments', path: '/venvs/envs/bin/python' });
  assert.equal(environments.activations, 1);
  assert.deepEqual(scopes, [RESOURCE]);
});

test('locustStudio.python wins over both extensions', async () => {
  vscodeStub.settings.set('locustStudio.python', '  /opt/locust/bin/python  ');
  vscodeStub.extensions.set(PYTHON_ENVIRONMENTS_EXTENSION_ID, pythonEnvironments({ executable: '/venvs/envs/bin/python' }));
  vscodeStub.extensions.set(PVSC_EXTENSION_ID, pythonExtension('/venvs/py/bin/python'));
  assert.deepEqual(await namedInterpreter(RESOURCE), { source: 'setting', path: '/opt/locust/bin/python' });
});

test('an environment run through another program (conda run), none selected, or a failing API: the next source', async () => {
  vscodeStub.extensions.set(PVSC_EXTENSION_ID, pythonExtension('/venvs/py/bin/python'));
  vscodeStub.extensions.set(PYTHON_ENVIRONMENTS_EXTENSION_ID, pythonEnvironments({ executable: 'conda', args: ['run', '-n', 'load', 'python'] }));
  assert.deepEqual(await namedInterpreter(RESOURCE), { source: 'pythonExtension', path: '/venvs/py/bin/python' });
  vscodeStub.extensions.set(PYTHON_ENVIRONMENTS_EXTENSION_ID, pythonEnvironments(undefined));
  assert.deepEqual(await namedInterpreter(RESOURCE), { source: 'pythonExtension', path: '/venvs/py/bin/python' });
  vscodeStub.extensions.set(PYTHON_ENVIRONMENTS_EXTENSION_ID, extension({ getEnvironment: () => Promise.reject(new Error('not ready')) }));
  assert.deepEqual(await namedInterpreter(RESOURCE), { source: 'pythonExtension', path: '/venvs/py/bin/python' });
  assert.ok(vscodeStub.logs.some((line) => /Python Environments extension did not say.*not ready/s.test(line)), 'the failure is logged');
  vscodeStub.extensions.set(PYTHON_ENVIRONMENTS_EXTENSION_ID, extension({}));
  assert.deepEqual(await namedInterpreter(RESOURCE), { source: 'pythonExtension', path: '/venvs/py/bin/python' }, 'an API without getEnvironment');
});

test('a run verifies the named interpreter with Python itself: its Locust version, its options, and where the choice came from', async () => {
  vscodeStub.extensions.set(PYTHON_ENVIRONMENTS_EXTENSION_ID, pythonEnvironments({ executable: '/usr/bin/python3' }));
  const chosen = await chooseInterpreter(RESOURCE);
  assert.ok(chosen, 'Debian’s python3 has Locust');
  assert.equal(chosen.source, 'pythonEnvironments');
  assert.equal(chosen.locustVersion, '2.12.1');
  assert.ok(chosen.options.includes('spawn-rate') && !chosen.options.includes('processes'), 'its Locust’s own options');
  assert.deepEqual(recordedInterpreter(chosen), { path: '/usr/bin/python3', locustVersion: '2.12.1', source: 'pythonEnvironments' });
  assert.match(describeInterpreter(chosen), /^\/usr\/bin\/python3 \(Locust 2\.12\.1, from the Python Environments extension’s environment\)$/);
});

test('a named interpreter that does not exist: an error message that says which and why, and no run', async () => {
  vscodeStub.extensions.set(PYTHON_ENVIRONMENTS_EXTENSION_ID, pythonEnvironments({ executable: '/nowhere/bin/python' }));
  assert.equal(await chooseInterpreter(RESOURCE), undefined);
  assert.equal(vscodeStub.messages.length, 1);
  assert.match(vscodeStub.messages[0]!.text, /\/nowhere\/bin\/python cannot run Locust: not found/);
});
