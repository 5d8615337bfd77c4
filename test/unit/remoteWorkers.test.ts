// Workers on other hosts, the plain parts: SSH targets and addresses checked, ssh's options, the remote command quoted,
// the modules beside a locustfile that a worker gets, the command for a worker started by hand, and the CLI's checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { importedModules, filesBeside, remoteCommand, shellWord, sshArgs, validateMasterBind, validateWorkerHost, MAX_SHIPPED_FILES } from '../../runner/remoteWorkers';
import { masterArgs, workerCommand } from '../../runner/locustRun';
import { parseRunArgs } from '../../runner/cli';
import { mergeDefaults, remoteWorkerPlan, runOptionsFor } from '../../runner/runChoices';

test('SSH targets: user@host and host pass; options, spaces and shell characters are refused with a clear message', () => {
  for (const ok of ['root@10.0.0.2', 'load-1', 'deploy@load-1.example.org', 'a.b_c@h']) assert.equal(validateWorkerHost(ok), undefined, ok);
  for (const bad of ['-oProxyCommand=x', 'a b', 'user@host;rm', '', '@host', 'host:22', 'user@-x']) {
    assert.match(validateWorkerHost(bad) ?? '', /is not an SSH target: user@host or host/, bad);
  }
});

test('the master’s address: an address or a name of this machine, never a wildcard', () => {
  for (const ok of ['10.0.0.1', '::1', 'load-master.local']) assert.equal(validateMasterBind(ok), undefined, ok);
  assert.match(validateMasterBind('0.0.0.0') ?? '', /not a wildcard/);
  assert.match(validateMasterBind('a b') ?? '', /is not an address/);
});

test('ssh never prompts, gives up connecting and notices a dropped connection; the target comes after "--"', () => {
  const args = sshArgs('root@h', { sshConfig: '/tmp/cfg' }, 'cmd');
  assert.deepEqual(args.slice(0, 2), ['-F', '/tmp/cfg']);
  for (const option of ['BatchMode=yes', 'ConnectTimeout=10', 'ServerAliveInterval=2', 'ServerAliveCountMax=3']) assert.ok(args.includes(option), option);
  assert.deepEqual(args.slice(-3), ['--', 'root@h', 'cmd']);
  assert.ok(!sshArgs('h', {}, 'cmd').includes('-F'), 'the user’s own configuration when none is given');
});

test('the remote command is one shell word per argument, whatever the interpreter’s path holds', () => {
  assert.equal(shellWord('/usr/bin/python3'), '/usr/bin/python3');
  assert.equal(shellWord("/opt/my python/it's"), `'/opt/my python/it'\\''s'`);
  assert.match(remoteCommand('/opt/py 3/python'), /^'\/opt\/py 3\/python' -c 'import sys, json; exec\(/);
});

test('a worker gets the locustfile and the modules and packages beside it that it imports, followed from file to file', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'locust-studio-beside-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'locustfile.py'), 'import os, helpers as h\nfrom locust import task\nfrom shop.pages import cart\n');
  await writeFile(path.join(dir, 'helpers.py'), 'import data\n');
  await writeFile(path.join(dir, 'data.py'), 'X = 1\n');
  await writeFile(path.join(dir, 'unrelated.py'), 'Y = 2\n');
  await mkdir(path.join(dir, 'shop', 'pages'), { recursive: true });
  await writeFile(path.join(dir, 'shop', '__init__.py'), '');
  await writeFile(path.join(dir, 'shop', 'pages', '__init__.py'), '');
  await writeFile(path.join(dir, 'shop', 'pages', 'cart.py'), '');
  assert.deepEqual(importedModules('import os, helpers as h\nfrom locust import task\n  from a.b import c\n'), ['os', 'helpers', 'locust', 'a']);
  assert.deepEqual(filesBeside(path.join(dir, 'locustfile.py')).sort(), ['data.py', 'helpers.py', 'locustfile.py', 'shop/__init__.py', 'shop/pages/__init__.py', 'shop/pages/cart.py']);

  // Bounded: a folder that would give a worker too many files is refused with a reason.
  const many = path.join(dir, 'many');
  await mkdir(path.join(many, 'pkg'), { recursive: true });
  await writeFile(path.join(many, 'locustfile.py'), 'import pkg\n');
  await writeFile(path.join(many, 'pkg', '__init__.py'), '');
  await Promise.all(Array.from({ length: MAX_SHIPPED_FILES + 1 }, (_, i) => writeFile(path.join(many, 'pkg', `m${i}.py`), '')));
  assert.throws(() => filesBeside(path.join(many, 'locustfile.py')), /more than 200 files/);
});

test('the master binds to the chosen address and waits for every worker; the command for a worker by hand names it', () => {
  const options = { python: 'python3', locustfile: '/work/my tests/locustfile.py', userClasses: ['Shop'], tags: ['a'], masterBind: '10.0.0.1', remoteWorkers: { hosts: ['h1', 'h2'] } };
  assert.deepEqual(masterArgs(options, 5557), ['--master', '--master-bind-host=10.0.0.1', '--master-bind-port=5557', '--expect-workers=2']);
  assert.deepEqual(masterArgs({ ...options, workers: 1 }, 5557).at(-1), '--expect-workers=3', 'local workers only when asked for');
  assert.deepEqual(masterArgs({ python: 'p', locustfile: 'l.py', workers: 2 }, 5557)[1], '--master-bind-host=127.0.0.1', 'loopback unless chosen');
  assert.equal(workerCommand(options, 5557), 'locust --locustfile=locustfile.py Shop --worker --master-host=10.0.0.1 --master-port=5557 --tags a');
});

test('the CLI: worker hosts, the master’s address and the ssh options are checked before anything runs', () => {
  const parsed = parseRunArgs(['run', 'l.py', '--worker-hosts', 'root@a, b', '--master-bind', '10.0.0.1', '--on-worker-failure', 'continue'].slice(1), 'python3');
  assert.equal(parsed.options.mode, 'distributed');
  assert.deepEqual(parsed.options.remoteWorkers, { hosts: ['root@a', 'b'], onFailure: 'continue' });
  assert.equal(parsed.options.masterBind, '10.0.0.1');
  const refused: [string[], RegExp][] = [
    [['--worker-hosts=-oProxyCommand=x'], /--worker-hosts: "-oProxyCommand=x" is not an SSH target/],
    [['--worker-hosts', 'a', '--on-worker-failure', 'maybe'], /--on-worker-failure must be stop or continue/],
    [['--worker-hosts', 'a', '--ssh-config', '/nonexistent/cfg'], /--ssh-config: no file at/],
    [['--ssh-config', '/etc/hostname'], /--ssh-config goes with --worker-hosts/],
    [['--master-bind', '10.0.0.1'], /--master-bind goes with --workers or --worker-hosts/],
    [['--worker-hosts', 'a', '--master-bind', '0.0.0.0'], /not a wildcard/],
  ];
  for (const [args, message] of refused) assert.throws(() => parseRunArgs(['l.py', ...args], 'python3'), message, args.join(' '));
});

test('the editor’s settings make the same plan by the same rules: hosts and address checked, a run option per setting', () => {
  const settings = { hosts: [' loadgen@10.0.0.11 ', ''], masterBind: '10.0.0.10', python: '/opt/venv/bin/python', sshConfig: '', onFailure: 'continue' };
  const plan = remoteWorkerPlan(settings);
  assert.deepEqual(plan, { remoteWorkers: { hosts: ['loadgen@10.0.0.11'], python: '/opt/venv/bin/python', onFailure: 'continue' }, masterBind: '10.0.0.10' });
  assert.ok(!('error' in plan));
  const options = runOptionsFor({ locustfile: '/w/locustfile.py', userClasses: [] }, mergeDefaults(), { python: 'python3', statsInterval: 1, workers: 0, remote: plan });
  assert.equal(options.mode, 'distributed');
  assert.equal(options.workers, 0, 'no local workers unless the workers setting asks');
  assert.equal(options.masterBind, '10.0.0.10');
  assert.deepEqual(remoteWorkerPlan({ ...settings, hosts: ['a b'] }), { error: 'locustStudio.workerHosts: "a b" is not an SSH target: user@host or host (a name from your ssh configuration works too).' });
  assert.match((remoteWorkerPlan({ ...settings, masterBind: '::' }) as { error: string }).error, /^locustStudio\.masterBind: .*not a wildcard/);
  assert.deepEqual(remoteWorkerPlan({ hosts: [], masterBind: '', python: 'python3', sshConfig: '', onFailure: 'stop' }), {}, 'nothing set: a run as before');
});
