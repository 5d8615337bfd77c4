// JUnit XML of a verdict, read back by a strict XML 1.0 parser (Python's expat), with hostile endpoint names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { junitXml } from '../../runner/junit';
import { parseThreshold, type Threshold, type Verdict } from '../../protocol/thresholds';

/** The document as expat reads it: every element with its attributes and text, depth first. */
async function readXml(xml: string): Promise<{ tag: string; attributes: Record<string, string>; text: string }[]> {
  const script = `
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
print(json.dumps([{"tag": e.tag, "attributes": e.attrib, "text": e.text or ""} for e in root.iter()]))
`;
  const child = promisify(execFile)(process.env.PYTHON ?? 'python3', ['-c', script], { encoding: 'utf8' });
  child.child.stdin!.end(xml, 'utf8');
  return JSON.parse((await child).stdout) as { tag: string; attributes: Record<string, string>; text: string }[];
}

function parsed(text: string): Threshold {
  const result = parseThreshold(text);
  assert.ok(result.ok, text);
  return result.threshold;
}

test('one suite named after the locustfile, one case per threshold: passed, failed with its measurement, unknown as an error', async () => {
  const thresholds = ['p95 < 250ms', 'GET /cart: p99 <= 1s over 30s abort', 'GET /nope: rps > 1'].map(parsed);
  const verdict: Verdict = {
    outcome: 'failed',
    abortedBy: 'GET /cart: p99 <= 1s over 30s abort',
    thresholds: [
      { text: 'p95 < 250ms', state: 'passed', value: 182 },
      { text: 'GET /cart: p99 <= 1s over 30s abort', state: 'failed', value: 1250, failedAt: 95, reason: 'in the 30 s window ending at 1 min 35 s' },
      { text: 'GET /nope: rps > 1', state: 'unknown', value: null, reason: 'no request named GET /nope was made' },
    ],
  };
  const xml = junitXml(verdict, thresholds, { suiteName: 'locustfile.py', durationSeconds: 120.5 });
  const elements = await readXml(xml);
  const [root, suite] = elements;
  assert.equal(root!.tag, 'testsuites');
  assert.deepEqual(
    { name: suite!.attributes['name'], tests: suite!.attributes['tests'], failures: suite!.attributes['failures'], errors: suite!.attributes['errors'], time: suite!.attributes['time'] },
    { name: 'locustfile.py', tests: '3', failures: '1', errors: '1', time: '120.500' },
  );
  assert.equal(elements.filter((e) => e.tag === 'testsuite').length, 1);
  const cases = elements.filter((e) => e.tag === 'testcase');
  assert.deepEqual(cases.map((c) => [c.attributes['name'], c.attributes['classname']]), thresholds.map((t) => [t.text, 'locust-studio.thresholds']));
  const failure = elements.find((e) => e.tag === 'failure')!;
  assert.equal(failure.attributes['message'], 'p99 = 1.25 s, limit <= 1 s');
  assert.match(failure.text, /99th percentile response time of GET \/cart in every 30 s window/);
  assert.match(failure.text, /in the 30 s window ending at 1 min 35 s\nFailed 1 min 35 s into the run\.\nThe run was stopped early by this threshold/);
  const error = elements.find((e) => e.tag === 'error')!;
  assert.equal(error.attributes['message'], 'no request named GET /nope was made');
  assert.equal(error.attributes['type'], 'unknown');
  const properties = Object.fromEntries(elements.filter((e) => e.tag === 'property').map((e): [string, string] => [e.attributes['name']!, e.attributes['value']!]));
  assert.deepEqual(properties, { outcome: 'failed', abortedBy: 'GET /cart: p99 <= 1s over 30s abort' });
  // Passed cases have no child: reporters count them green.
  assert.match(xml, /<testcase name="p95 &lt; 250ms" classname="locust-studio.thresholds" time="0"\/>/);
});

test('a verdict whose load generator was saturated keeps its outcome and says why it is unreliable', async () => {
  const thresholds = ['p95 < 250ms'].map(parsed);
  const unreliable = 'The load generator was saturated: worker "a&b" stayed at or above 90 % CPU for 8 s or more.';
  const verdict: Verdict = { outcome: 'passed', unreliable, thresholds: [{ text: 'p95 < 250ms', state: 'passed', value: 182 }] };
  const elements = await readXml(junitXml(verdict, thresholds, { suiteName: 'locustfile.py', durationSeconds: 60 }));
  const properties = Object.fromEntries(elements.filter((e) => e.tag === 'property').map((e): [string, string] => [e.attributes['name']!, e.attributes['value']!]));
  assert.deepEqual(properties, { outcome: 'passed', unreliable });
  assert.equal(elements.filter((e) => e.tag === 'failure' || e.tag === 'error').length, 0, 'the thresholds held: none fails');
});

test('untrusted names are escaped: quotes, <, &, line ends, control characters, emoji, lone surrogates', async () => {
  const name = `/a"b'<c>&d\te\r\nf\u0001g\u001fh🚀i\uD800j\uFFFFk`;
  const text = `GET ${name}: p95 < 250ms`;
  const threshold = parsed(text);
  assert.equal(threshold.scope?.name, name);
  const verdict: Verdict = { outcome: 'failed', thresholds: [{ text, state: 'failed', value: 300, reason: `slow ${name}` }] };
  const xml = junitXml(verdict, [threshold], { suiteName: `suite ${name}`, durationSeconds: 1 });
  const elements = await readXml(xml);
  const readable = `/a"b'<c>&d\te\r\nf\\u0001g\\u001fh🚀i\uFFFDj\\uffffk`;
  assert.equal(elements.find((e) => e.tag === 'testcase')!.attributes['name'], `GET ${readable}: p95 < 250ms`, 'attributes keep tabs and line ends');
  assert.equal(elements.find((e) => e.tag === 'testsuite')!.attributes['name'], `suite ${readable}`);
  assert.match(elements.find((e) => e.tag === 'failure')!.text, new RegExp(`slow ${readable.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}`));
});

test('duplicate texts each find their threshold; a status without one still reports', async () => {
  const thresholds = ['p95 < 250ms', 'p95 < 250ms'].map(parsed);
  const verdict: Verdict = {
    outcome: 'unknown',
    thresholds: [
      { text: 'p95 < 250ms', state: 'failed', value: 300 },
      { text: 'p95 < 250ms', state: 'failed', value: 260 },
      { text: 'rps > 1', state: 'holding', value: 3 },
    ],
  };
  const elements = await readXml(junitXml(verdict, thresholds, { suiteName: 'x', durationSeconds: 0 }));
  assert.deepEqual(elements.filter((e) => e.tag === 'failure').map((e) => e.attributes['message']), ['p95 = 300 ms, limit < 250 ms', 'p95 = 260 ms, limit < 250 ms']);
  const error = elements.find((e) => e.tag === 'error')!;
  assert.deepEqual([error.attributes['type'], error.attributes['message']], ['unsettled', 'not settled: the threshold is still holding']);
  assert.equal(elements.find((e) => e.tag === 'testsuite')!.attributes['time'], '0');
});
