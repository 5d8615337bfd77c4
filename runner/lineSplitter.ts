// Splits a byte stream into lines with a hard cap on line length, so no peer can make us buffer without bound.

export interface LineSplitterOptions {
  /** Longest accepted line in bytes, newline excluded. */
  maxLineBytes: number;
  onLine(line: string): void;
  /**
   * A line over the cap was dropped. `bytes` is its length as far as it was seen (the whole length once its newline
   * arrived, or what had arrived when the stream ended); `head` is its beginning, for diagnostics.
   */
  onOversized?(bytes: number, head: string): void;
}

/** Bytes of an oversized line kept to describe it. */
const HEAD_BYTES = 120;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Works on bytes, not strings: a chunk may end inside a multi-byte UTF-8 character, and the cap is in bytes. A trailing
 * "\r" is dropped (Windows-style line ends from user prints). Holds at most `maxLineBytes` plus one chunk.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private pendingBytes = 0;
  /** Set while the rest of an oversized line is being skipped: how many bytes it had so far. */
  private skipped: { bytes: number; head: Buffer } | undefined;

  constructor(private readonly options: LineSplitterOptions) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline < 0 ? chunk.length : newline;
      this.take(chunk.subarray(start, end));
      if (newline < 0) return;
      this.finishLine();
      start = newline + 1;
    }
  }

  /** The stream ended: a last line without newline still counts. */
  end(): void {
    if (this.skipped || this.pendingBytes > 0) this.finishLine();
  }

  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.skipped) {
      this.skipped.bytes += piece.length;
      return;
    }
    // "\r" is removed only at the end of a line, so it may legitimately sit one byte over the cap until then.
    if (this.pendingBytes + piece.length > this.options.maxLineBytes + 1) {
      const head = Buffer.concat([...this.parts, piece.subarray(0, HEAD_BYTES)]).subarray(0, HEAD_BYTES);
      this.skipped = { bytes: this.pendingBytes + piece.length, head };
      this.parts = [];
      this.pendingBytes = 0;
      return;
    }
    // Copied: the chunk's memory belongs to the stream, and a subarray would pin the whole chunk.
    this.parts.push(Buffer.from(piece));
    this.pendingBytes += piece.length;
  }

  private finishLine(): void {
    if (this.skipped) {
      const { bytes, head } = this.skipped;
      this.skipped = undefined;
      this.options.onOversized?.(bytes, head.toString('utf8'));
      return;
    }
    let line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.pendingBytes);
    this.parts = [];
    this.pendingBytes = 0;
    if (line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN) line = line.subarray(0, line.length - 1);
    if (line.length > this.options.maxLineBytes) {
      this.options.onOversized?.(line.length, line.subarray(0, HEAD_BYTES).toString('utf8'));
      return;
    }
    this.options.onLine(line.toString('utf8'));
  }
}
