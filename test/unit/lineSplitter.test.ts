// LineSplitter: lines across chunk boundaries, UTF-8 split mid-character, and lines over the cap, without unbounded buffers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from '../../runner/lineSplitter';

function collect(maxLineBytes: number) {
  const lines: string[] = [];
  const oversized: { bytes: number; head: string }[] = [];
  const splitter = new LineSplitter({
    maxLineBytes,
    onLine: (line) => lines.push(line),
    onOversized: (bytes, head) => oversized.push({ bytes, head }),
  });
  return { splitter, lines, oversized };
}

test('a line split over several chunks comes out whole, and several lines in one chunk come out apart', () => {
  const { splitter, lines } = collect(1024);
  splitter.push(Buffer.from('{"type":'));
  splitter.push(Buffer.from('"hello"'));
  splitter.push(Buffer.from('}\nsecond\nthi'));
  assert.deepEqual(lines, ['{"type":"hello"}', 'second']);
  splitter.push(Buffer.from('rd\n'));
  assert.deepEqual(lines, ['{"type":"hello"}', 'second', 'third']);
});

test('a multi-byte character split between chunks is decoded once whole', () => {
  const { splitter, lines } = collect(1024);
  const bytes = Buffer.from('name: Café ✓\n');
  const cut = bytes.indexOf(Buffer.from('✓')) + 1; // inside the three bytes of ✓
  splitter.push(bytes.subarray(0, cut));
  splitter.push(bytes.subarray(cut));
  assert.deepEqual(lines, ['name: Café ✓']);
});

test('CRLF line ends lose their CR; empty lines are kept; the last line without newline counts at end()', () => {
  const { splitter, lines } = collect(1024);
  splitter.push(Buffer.from('a\r\n\nb'));
  assert.deepEqual(lines, ['a', '']);
  splitter.end();
  assert.deepEqual(lines, ['a', '', 'b']);
});

test('a line over the cap is dropped and reported with its length and head; the next line is fine', () => {
  const { splitter, lines, oversized } = collect(16);
  splitter.push(Buffer.from('ok\n0123456789'));
  splitter.push(Buffer.from('0123456789'));
  splitter.push(Buffer.from('0123456789\nafter\n'));
  assert.deepEqual(lines, ['ok', 'after']);
  assert.equal(oversized.length, 1);
  assert.equal(oversized[0]!.bytes, 30);
  assert.ok(oversized[0]!.head.startsWith('0123456789'));
});

test('exactly maxLineBytes is accepted, one more byte is not', () => {
  const { splitter, lines, oversized } = collect(8);
  splitter.push(Buffer.from('12345678\n123456789\n'));
  assert.deepEqual(lines, ['12345678']);
  assert.deepEqual(oversized.map((o) => o.bytes), [9]);
});

test('an endless line costs bounded memory: skipped bytes are counted, not kept', () => {
  const { splitter, lines, oversized } = collect(1024);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  for (let i = 0; i < 200; i++) splitter.push(chunk); // 12.5 MiB without a newline
  const internals = splitter as unknown as { parts: Buffer[]; pendingBytes: number };
  assert.equal(internals.pendingBytes, 0);
  assert.equal(internals.parts.length, 0);
  splitter.push(Buffer.from('tail\nnext\n'));
  assert.deepEqual(lines, ['next']);
  assert.equal(oversized[0]!.bytes, 200 * 64 * 1024 + 4);
  assert.equal(oversized[0]!.head.length, 120);
});

test('an oversized line cut by the end of the stream is still reported', () => {
  const { splitter, lines, oversized } = collect(4);
  splitter.push(Buffer.from('abcdefgh'));
  splitter.end();
  assert.deepEqual(lines, []);
  assert.deepEqual(oversized.map((o) => o.bytes), [8]);
});
