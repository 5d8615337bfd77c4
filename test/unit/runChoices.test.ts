// Run choices: layered defaults, input validation, locust.conf and argument parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLocustArgs, processesArgs } from '../../runner/locustRun';
import { ALL_CORES, workerMode, mergeDefaults, parseArguments, parseList, readLocustConf, runOptionsFor, validateHost, validateRunTime, validateSpawnRate, validateUsers } from '../../runner/runChoices';

test('the first layer that has a value wins, field by field', () => {
  const merged = mergeDefaults({ users: 50 }, { users: 20, host: 'http://a:1' }, { users: 10, spawnRate: 2, runTime: '1m' });
  assert.deepEqual(merged, { users: 50, spawnRate: 2, runTime: '1m', host: 'http://a:1', tags: [], excludeTags: [], extraArgs: [], customArgs: {}, profile: '' });
});

test('validation accepts what Locust accepts and explains the rest', () => {
  assert.equal(validateUsers('25'), undefined);
  assert.match(validateUsers('0') ?? '', /whole number/);
  assert.match(validateUsers('2.5') ?? '', /whole number/);
  assert.equal(validateSpawnRate('0.5'), undefined);
  assert.match(validateSpawnRate('0') ?? '', /above 0/);
  assert.equal(validateRunTime(''), undefined);
  assert.equal(validateRunTime('1h30m'), undefined);
  assert.match(validateRunTime('10 minutes') ?? '', /30s, 5m or 1h30m/);
  assert.equal(validateHost('https://shop.example:8443/base'), undefined);
  assert.match(validateHost('ftp://x') ?? '', /http/);
  assert.match(validateHost('127.0.0.1:8080') ?? '', /http|URL/);
});

test('locust.conf: host, users, spawn rate and run time, with or without --; comments and sections ignored', () => {
  const conf = ['# comment', '[locust]', 'host = http://127.0.0.1:8080', 'users: 30', '--spawn-rate = 3', 'run-time = 2m', 'headless = false'].join('\n');
  assert.deepEqual(readLocustConf(conf), { host: 'http://127.0.0.1:8080', users: 30, spawnRate: 3, runTime: '2m' });
  // Locust's parser matches keys to its long options as they are: it refuses spawn_rate (2.12.1, 2.47.0) or ignores it.
  assert.deepEqual(readLocustConf('spawn_rate = 3'), {});
  assert.deepEqual(readLocustConf('run-time = forever'), {});
});

test('lists and arguments split like a user expects, without any expansion', () => {
  assert.deepEqual(parseList('smoke, checkout  slow'), ['smoke', 'checkout', 'slow']);
  assert.deepEqual(parseArguments(`--loglevel DEBUG --csv-full-history --reset-stats "--html=report $HOME.html" '--x=a b'`), [
    '--loglevel',
    'DEBUG',
    '--csv-full-history',
    '--reset-stats',
    '--html=report $HOME.html',
    '--x=a b',
  ]);
});

test('locust.conf read as ConfigArgParse reads it: a bare run time in seconds, inline comments, a space as separator, flags', () => {
  const conf = ['run-time 90', 'host = http://127.0.0.1:8080  # the demo target', 'users=7 ; seven', 'headless'].join('\n');
  assert.deepEqual(readLocustConf(conf), { host: 'http://127.0.0.1:8080', users: 7, runTime: '90' });
  assert.equal(validateRunTime('60'), undefined, 'Locust takes a bare number of seconds; so does the prompt');
});

test('run options: "Run load test" passes users, spawn rate and run time and sets shapes aside; "Run shape" leaves them to the shape', () => {
  const choices = mergeDefaults({ users: 20, spawnRate: 4, runTime: '2m', host: 'http://127.0.0.1:9', tags: ['a'] });
  const plain = runOptionsFor({ locustfile: '/w/load/locustfile.py', userClasses: ['Shopper'] }, choices, { python: '/usr/bin/python3', statsInterval: 0.5, workers: 0 });
  assert.deepEqual(plain, {
    python: '/usr/bin/python3', locustfile: '/w/load/locustfile.py', cwd: '/w/load', userClasses: ['Shopper'], shapeClass: null,
    users: 20, spawnRate: 4, runTime: '2m', host: 'http://127.0.0.1:9', tags: ['a'], excludeTags: [], extraArgs: [], statsInterval: 0.5,
  });
  const shaped = runOptionsFor({ locustfile: '/w/locustfile.py', userClasses: [], shape: 'Ramp' }, mergeDefaults({ runTime: '' }), { python: 'python3', statsInterval: 1, workers: 3 });
  assert.equal(shaped.shapeClass, 'Ramp');
  assert.equal(shaped.users, undefined, 'the shape decides users…');
  assert.equal(shaped.runTime, undefined, '…and duration (Locust refuses --run-time with a shape)');
  assert.equal(shaped.host, undefined, 'an empty host leaves it to locust.conf and the class');
  assert.deepEqual([shaped.mode, shaped.workers], ['distributed', 3]);
});

test('local workers: Locust’s own --processes where the interpreter’s Locust has it (all cores as Locust counts them), else a master and workers started here', () => {
  const cores = () => 6;
  assert.deepEqual(workerMode(0, true, cores), {}, '0: one Locust process, whatever Locust offers');
  assert.deepEqual(workerMode(0, false, cores), {});
  assert.deepEqual(workerMode(3, true, cores), { mode: 'processes', workers: 3 });
  assert.deepEqual(workerMode(ALL_CORES, true, cores), { mode: 'processes' }, 'all cores: left to Locust (--processes -1)');
  assert.deepEqual(workerMode(3, false, cores), { mode: 'distributed', workers: 3 });
  assert.deepEqual(workerMode(ALL_CORES, false, cores), { mode: 'distributed', workers: 6 }, 'all cores counted here for the workers started here');
  const options = runOptionsFor({ locustfile: '/w/locustfile.py', userClasses: [] }, mergeDefaults({}), { python: 'python3', statsInterval: 1, workers: ALL_CORES, locustHasProcesses: true });
  assert.equal(options.mode, 'processes');
  assert.equal(options.workers, undefined);
  assert.deepEqual(processesArgs({ python: 'p', locustfile: 'f', mode: 'processes' }, 5600), [
    '--processes=-1', '--master-bind-host=127.0.0.1', '--master-bind-port=5600', '--master-host=127.0.0.1', '--master-port=5600',
  ]);
  assert.equal(processesArgs({ python: 'p', locustfile: 'f', mode: 'processes', workers: 2 }, 5600)[0], '--processes=2');
});

test('a profile goes to Locust only where the interpreter’s Locust has --profile (it would refuse the whole run for it)', () => {
  const choices = mergeDefaults({ profile: 'checkout-v2' });
  const target = { locustfile: '/w/locustfile.py', userClasses: [] };
  assert.equal(runOptionsFor(target, choices, { python: 'p', statsInterval: 1, workers: 0, locustHasProfile: true }).profile, 'checkout-v2');
  assert.equal(runOptionsFor(target, choices, { python: 'p', statsInterval: 1, workers: 0, locustHasProfile: false }).profile, undefined);
  assert.ok(buildLocustArgs({ python: 'p', locustfile: 'f', profile: 'checkout v2' }).includes('--profile=checkout v2'));
});
