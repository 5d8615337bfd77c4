// JUnit XML from a run's verdict: one test case per threshold, for CI test reporters (Jenkins, GitLab, GitHub actions).
import { formatDuration } from '../protocol/duration';
import { describeMeasurement, describeThreshold, type Threshold, type ThresholdStatus, type Verdict } from '../protocol/thresholds';

/** The class name every threshold test case carries, so that reporters group them. */
export const JUNIT_CLASSNAME = 'locust-studio.thresholds';

/**
 * The verdict as a JUnit report: a `<testsuites>` holding one `<testsuite>` named `suiteName` (the locustfile), one
 * `<testcase>` per judged threshold, named by its text. A failed threshold gets a `<failure>` whose message is its
 * measurement against its limit. An `unknown` one (or any that was never settled) gets an `<error>`, not a failure nor a
 * skip: the run could not answer it (no such endpoint, ended before the warm-up…), which CI must show and not count as
 * passed, yet it is not evidence that the system missed its target. Every untrusted text is escaped for XML 1.0.
 */
export function junitXml(verdict: Verdict, thresholds: readonly Threshold[], { suiteName, durationSeconds }: { suiteName: string; durationSeconds: number }): string {
  // Texts may repeat: each status takes the first threshold of its text not taken yet (the evaluator keeps their order).
  const byText = new Map<string, Threshold[]>();
  for (const t of thresholds) {
    const list = byText.get(t.text);
    if (list) list.push(t);
    else byText.set(t.text, [t]);
  }
  const failures = verdict.thresholds.filter((s) => s.state === 'failed').length;
  const errors = verdict.thresholds.filter((s) => s.state !== 'failed' && s.state !== 'passed').length;
  const time = seconds(durationSeconds);
  const cases = verdict.thresholds.map((status) => testCase(status, byText.get(status.text)?.shift(), verdict.abortedBy));
  const counts = `tests="${verdict.thresholds.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="Locust Studio thresholds" ${counts}>`,
    `  <testsuite name="${attribute(suiteName)}" ${counts}>`,
    '    <properties>',
    `      <property name="outcome" value="${attribute(verdict.outcome)}"/>`,
    ...(verdict.abortedBy !== undefined ? [`      <property name="abortedBy" value="${attribute(verdict.abortedBy)}"/>`] : []),
    // The outcome stands; CI is told its measurements are not to be trusted (protocol/loadGenerator.ts).
    ...(verdict.unreliable !== undefined ? [`      <property name="unreliable" value="${attribute(verdict.unreliable)}"/>`] : []),
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function testCase(status: ThresholdStatus, threshold: Threshold | undefined, abortedBy: string | undefined): string {
  const open = `    <testcase name="${attribute(status.text)}" classname="${JUNIT_CLASSNAME}" time="0"`;
  if (status.state === 'passed') return `${open}/>`;
  const lines: string[] = [];
  if (threshold) lines.push(describeThreshold(threshold));
  if (status.reason) lines.push(status.reason);
  if (status.failedAt !== undefined) lines.push(`Failed ${formatDuration(Math.round(status.failedAt * 10) / 10)} into the run.`);
  if (abortedBy === status.text) lines.push('The run was stopped early by this threshold (abort).');
  const body = text(lines.join('\n'));
  if (status.state === 'failed') {
    const message = threshold ? describeMeasurement(threshold, status) : (status.reason ?? 'failed');
    return `${open}>\n      <failure message="${attribute(message)}" type="threshold">${body}</failure>\n    </testcase>`;
  }
  const message = status.reason ?? (status.state === 'unknown' ? 'the run could not judge this threshold' : `not settled: the threshold is still ${status.state}`);
  return `${open}>\n      <error message="${attribute(message)}" type="${status.state === 'unknown' ? 'unknown' : 'unsettled'}">${body}</error>\n    </testcase>`;
}

function seconds(value: number): string {
  return Number.isFinite(value) && value > 0 ? value.toFixed(3) : '0';
}

/**
 * Characters XML 1.0 cannot carry at all (C0 controls but tab, newline and carriage return; U+FFFE, U+FFFF) become a
 * visible `\uXXXX`, and lone surrogates U+FFFD; pairs (emoji) stay.
 */
function legal(value: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let replacement: string | undefined;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      replacement = '\uFFFD';
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      replacement = '\uFFFD';
    } else if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff) {
      replacement = `\\u${c.toString(16).padStart(4, '0')}`;
    }
    if (replacement === undefined) continue;
    out += value.slice(from, i) + replacement;
    from = i + 1;
  }
  return from === 0 ? value : out + value.slice(from);
}

function text(value: string): string {
  // \r would reach a reader as \n (XML's line-end normalisation) unless written as a reference.
  return legal(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

function attribute(value: string): string {
  // In attributes a reader turns raw tabs and line ends into spaces: references keep them.
  return text(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}
