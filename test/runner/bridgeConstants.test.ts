// The Python side's copies of protocol constants (percentiles, line cap, channel variable, statistics interval) against the TypeScript originals, read by importing the real modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_STATS_INTERVAL, MAX_STATS_INTERVAL, MIN_STATS_INTERVAL } from '../../protocol/limits';
import { MAX_BRIDGE_LINE_BYTES, PERCENTILES } from '../../protocol/runner';
import { CHANNEL_FD_ENV, OWNER_PID_ENV } from '../../runner/childProcess';
import { PYTHON } from './support';

const BRIDGE_DIR = path.resolve(__dirname, '..', '..', 'runner', 'python');

// Without a channel, importing the bridge registers no listener: it only repairs this throwaway interpreter's Locust for
// distributed runs.
const SCRIPT = `
import json, os, sys
sys.path.insert(0, sys.argv[1])
import locust_studio_bridge as bridge
import locust_studio_channel as channel
import locust_studio_launch as launch

def interval(text):
    if text is None:
        os.environ.pop("LOCUST_STUDIO_STATS_INTERVAL", None)
    else:
        os.environ["LOCUST_STUDIO_STATS_INTERVAL"] = text
    return bridge._stats_interval()

print(json.dumps({
    "percentiles": list(bridge.PERCENTILES),
    "maxLineBytes": bridge.MAX_LINE_BYTES,
    "channelFdEnv": channel.CHANNEL_FD_ENV,
    "ownerPidEnv": launch.OWNER_PID_ENV,
    "minStatsInterval": bridge.MIN_STATS_INTERVAL,
    "maxStatsInterval": bridge.MAX_STATS_INTERVAL,
    "defaultStatsInterval": bridge.DEFAULT_STATS_INTERVAL,
    "intervals": {"unset": interval(None), "tooShort": interval("0.01"), "tooLong": interval("3600"), "garbage": interval("soon"), "inRange": interval("2.5")},
}))
`;

interface BridgeConstants {
  percentiles: number[];
  maxLineBytes: number;
  channelFdEnv: string;
  ownerPidEnv: string;
  minStatsInterval: number;
  maxStatsInterval: number;
  defaultStatsInterval: number;
  intervals: Record<'unset' | 'tooShort' | 'tooLong' | 'garbage' | 'inRange', number>;
}

let loaded: Promise<BridgeConstants> | undefined;

/** One interpreter for both tests. */
function bridgeConstants(): Promise<BridgeConstants> {
  loaded ??= promisify(execFile)(PYTHON, ['-c', SCRIPT, BRIDGE_DIR], { env: { ...process.env, [CHANNEL_FD_ENV]: '' }, timeout: 30_000 }).then(
    ({ stdout }) => JSON.parse(stdout) as BridgeConstants,
  );
  return loaded;
}

test('the bridge’s percentiles, line cap, channel and owner variables are protocol/runner.ts’s and the child-process core’s', async () => {
  const bridge = await bridgeConstants();
  assert.deepEqual(bridge.percentiles, [...PERCENTILES], 'the same percentiles in the same order');
  assert.equal(bridge.maxLineBytes, MAX_BRIDGE_LINE_BYTES);
  assert.equal(bridge.channelFdEnv, CHANNEL_FD_ENV);
  assert.equal(bridge.ownerPidEnv, OWNER_PID_ENV, 'the launcher watches the owner the child-process core names');
});

test('the bridge’s statistics interval is protocol/limits.ts’s: its range, its default, and out-of-range values brought into it', async () => {
  const bridge = await bridgeConstants();
  assert.deepEqual(
    { min: bridge.minStatsInterval, max: bridge.maxStatsInterval, default: bridge.defaultStatsInterval },
    { min: MIN_STATS_INTERVAL, max: MAX_STATS_INTERVAL, default: DEFAULT_STATS_INTERVAL },
  );
  assert.deepEqual(bridge.intervals, {
    unset: DEFAULT_STATS_INTERVAL,
    tooShort: MIN_STATS_INTERVAL,
    tooLong: MAX_STATS_INTERVAL,
    garbage: DEFAULT_STATS_INTERVAL,
    inRange: 2.5,
  });
});
