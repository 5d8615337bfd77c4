// protocol/limits.ts against the places that cannot import it (package.json's settings), and the rules it states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import {
  DEFAULT_STATS_INTERVAL,
  isSpawnRate,
  isStatsInterval,
  isUserCount,
  MAX_STATS_INTERVAL,
  MAX_USERS,
  MIN_STATS_INTERVAL,
  MIN_USERS_RUNNING,
  MIN_USERS_TO_START,
} from '../../protocol/limits';
import { WebviewToHostSchema } from '../../protocol/webview';

const SettingSchema = v.object({
  default: v.number(),
  minimum: v.optional(v.number()),
  maximum: v.optional(v.number()),
  exclusiveMinimum: v.optional(v.number()),
});
const ManifestSchema = v.object({
  contributes: v.object({ configuration: v.object({ properties: v.record(v.string(), v.unknown()) }) }),
});

function setting(name: string): v.InferOutput<typeof SettingSchema> {
  const manifest = v.parse(ManifestSchema, JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')));
  return v.parse(SettingSchema, manifest.contributes.configuration.properties[`locustStudio.${name}`]);
}

test('package.json’s statsInterval setting has the limits’ range and default', () => {
  const { minimum, maximum, default: fallback } = setting('statsInterval');
  assert.deepEqual({ minimum, maximum, default: fallback }, { minimum: MIN_STATS_INTERVAL, maximum: MAX_STATS_INTERVAL, default: DEFAULT_STATS_INTERVAL });
});

test('package.json’s defaultUsers and defaultSpawnRate settings bound what a run may start with', () => {
  const users = setting('defaultUsers');
  assert.deepEqual({ minimum: users.minimum, maximum: users.maximum }, { minimum: MIN_USERS_TO_START, maximum: MAX_USERS });
  assert.ok(isUserCount(users.default), `the default ${users.default} is a valid number of users`);
  const spawnRate = setting('defaultSpawnRate');
  // "Above 0" is the whole rule: an exclusive minimum of 0 and no other bound.
  assert.deepEqual(
    { exclusiveMinimum: spawnRate.exclusiveMinimum, minimum: spawnRate.minimum, maximum: spawnRate.maximum },
    { exclusiveMinimum: 0, minimum: undefined, maximum: undefined },
  );
  assert.ok(isSpawnRate(spawnRate.default));
});

test('users: whole numbers up to MAX_USERS, from 1 to start a run and from 0 for a running one', () => {
  assert.equal(isUserCount(MIN_USERS_TO_START), true);
  assert.equal(isUserCount(MAX_USERS), true);
  assert.equal(isUserCount(0), false, 'a run does not start with 0 users');
  assert.equal(isUserCount(0, MIN_USERS_RUNNING), true, 'a running one may go down to 0');
  for (const bad of [MAX_USERS + 1, 2.5, -1, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(isUserCount(bad, MIN_USERS_RUNNING), false, String(bad));
});

test('spawn rate: any finite number above 0', () => {
  for (const good of [0.001, 0.5, 5, 1e6]) assert.equal(isSpawnRate(good), true, String(good));
  for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(isSpawnRate(bad), false, String(bad));
});

test('statistics interval: from MIN_STATS_INTERVAL to MAX_STATS_INTERVAL, the default inside', () => {
  assert.equal(isStatsInterval(MIN_STATS_INTERVAL), true);
  assert.equal(isStatsInterval(MAX_STATS_INTERVAL), true);
  assert.equal(isStatsInterval(DEFAULT_STATS_INTERVAL), true);
  for (const bad of [MIN_STATS_INTERVAL / 2, MAX_STATS_INTERVAL + 0.5, Number.NaN]) assert.equal(isStatsInterval(bad), false, String(bad));
});

test('the panel’s setUsers message is validated with the same limits', () => {
  const accepts = (users: number, spawnRate: number) => v.safeParse(WebviewToHostSchema, { type: 'setUsers', users, spawnRate }).success;
  assert.equal(accepts(0, 0.001), true);
  assert.equal(accepts(MAX_USERS, 5), true);
  assert.equal(accepts(MAX_USERS + 1, 5), false);
  assert.equal(accepts(1.5, 5), false);
  assert.equal(accepts(5, 0), false);
});
