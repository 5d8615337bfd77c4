// Path checks for what untrusted senders (the panel, a Locust process) ask the host to open; free of 'vscode' so they are unit-tested.
import path from 'node:path';

/**
 * True when `file` lies strictly inside `folder` (callers resolve both first, symlinks followed): no `..` escape, no
 * sibling that merely shares the folder's name as a prefix, no other drive. A file named `..x` inside is still inside.
 */
export function isInside(folder: string, file: string, paths: Pick<typeof path, 'relative' | 'isAbsolute' | 'sep'> = path): boolean {
  const relative = paths.relative(folder, file);
  if (relative === '' || paths.isAbsolute(relative)) return false;
  return relative !== '..' && !relative.startsWith(`..${paths.sep}`);
}
