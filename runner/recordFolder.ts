// Makes the folders a run writes to (its record, CSV exports, JUnit files) and says, in words a user can act on, why it cannot.
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** A folder a run was to write to cannot be made or written: nothing was started. */
export class RecordFolderError extends Error {
  override readonly name = 'RecordFolderError';
}

/** Why a file-system call failed, by its code, for a message (the path is said by the caller). */
export function writeErrorReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOSPC':
      return 'no space left on the device (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is used up (EDQUOT)';
    case 'EROFS':
      return 'it is on a read-only file system (EROFS)';
    case 'EACCES':
    case 'EPERM':
      return `no permission to write there (${code})`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `a file is in the way where a folder should be (${code})`;
    case 'ENOENT':
      // mkdir of a child of an existing folder that still says ENOENT: a pseudo file system such as /proc or /sys.
      return 'folders cannot be made there (ENOENT: not an ordinary file system, such as /proc)';
    default:
      return (error as Error).message;
  }
}

/**
 * `mkdir -p` that always ends. Node's own recursive mkdirSync loops forever (at 100 % CPU) where mkdir says ENOENT under
 * a folder that exists (/proc/x): it takes ENOENT for "parent missing", makes the parent (EEXIST), and retries. Here each
 * missing folder is made once, from the deepest one that exists down, and the first failure is thrown as it is.
 */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  let existing = path.resolve(dir);
  for (;;) {
    try {
      if (!statSync(existing).isDirectory()) {
        throw Object.assign(new Error(`${existing} is a file, not a folder`), { code: 'ENOTDIR' });
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const parent = path.dirname(existing);
      // The root always exists; this only guards against a path that never reaches it.
      if (parent === existing) throw error;
      missing.push(existing);
      existing = parent;
    }
  }
  for (const folder of missing.reverse()) mkdirSync(folder);
}

/** makeFolder, its failure as a RecordFolderError saying what `what` (a record, an export) needed and why it failed. */
export function makeFolderFor(dir: string, what: string): void {
  try {
    makeFolder(dir);
  } catch (error) {
    throw new RecordFolderError(`cannot write ${what} under ${dir}: ${writeErrorReason(error)}`);
  }
}
