// Turns a traffic file's bytes into text: UTF-8 (with or without BOM), UTF-16 with a BOM, else Latin-1 with a note.

export interface SourceText {
  text: string;
  /** Set when the bytes were not UTF-8 and were read another way. */
  note: string | undefined;
}

export function decodeSource(bytes: Uint8Array): SourceText {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), note: undefined };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), note: undefined };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes), note: undefined };
  } catch {
    return { text: new TextDecoder('latin1').decode(bytes), note: 'the file is not valid UTF-8: it was read as Latin-1 (check non-ASCII text in bodies)' };
  }
}
