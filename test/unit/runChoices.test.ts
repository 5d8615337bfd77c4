// Run choices: layered defaults, input validation, locust.conf and argument parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeDefaults, parseArguments, parseList, readLocustConf, runOptionsFor, validateHost, validateRunTime, validateSpawnRate, validateUsers } from '../../runner/runChoices';

test('the first layer that has a value wins, field by field', () => {
  const merged = mergeDefaults({ users: 50 }, { users: 20, host: 'http://a:1' }, { users: 10, spawnRate: 2, runTime: '1m' });
  assert.deepEqual(merged, { users: 50, spawnRate: 2, runTime: '1m', host: 'http://a:1', tags: [], excludeTags: [], extraArgs: [], customArgs: {} });
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

test('locust.conf: host, users, spawn rate and run time, in either spelling; comments and sections ignored', () => {
  const conf = ['# comment', '[locust]', 'host = http://127.0.0.1:8080', 'users: 30', 'spawn_rate = 3', 'run-time = 2m', 'headless = false'].join('\n');
  assert.deepEqual(readLocustConf(conf), { host: 'http://127.0.0.1:8080', users: 30, spawnRate: 3, runTime: '2m' });
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
