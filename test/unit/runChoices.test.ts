// Run choices: layered defaults, input validation, locust.conf and argument parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeDefaults, parseArguments, parseList, readLocustConf, validateHost, validateRunTime, validateSpawnRate, validateUsers } from '../../runner/runChoices';

test('the first layer that has a value wins, field by field', () => {
  const merged = mergeDefaults({ users: 50 }, { users: 20, host: 'http://a:1' }, { users: 10, spawnRate: 2, runTime: '1m' });
  assert.deepEqual(merged, { users: 50, spawnRate: 2, runTime: '1m', host: 'http://a:1', tags: [], excludeTags: [], extraArgs: [] });
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
