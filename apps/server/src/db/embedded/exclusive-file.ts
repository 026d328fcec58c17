import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';

// The file operations a lock file needs: created at most once and never seen half-written, read
// together with its mtime, removed only while it still says what its owner wrote.

/** A file's content and identity at one moment. */
export interface FileState {
  raw: string;
  mtimeMs: number;
  ino: number;
}

/**
 * Creates `target` holding `content`, or returns false if it exists. The content is written to a
 * temporary file first and hard-linked into place, so no one ever reads a half-written file.
 */
export function createExclusively(target: string, content: string): boolean {
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, content, { flag: 'wx' });
  try {
    linkSync(temp, target);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') {
      // No hard links on this filesystem: an exclusive create is as atomic, but readers may see
      // the file empty for a moment (a lock reader takes that for a fresh, so live, lock).
      return createWithExclusiveOpen(target, content);
    }
    throw error;
  } finally {
    unlinkIfExists(temp);
  }
}

/**
 * Puts `content` in place of whatever `target` holds, in one step (a rename over it): there is
 * no moment without the file, in which another process could create its own.
 */
export function replaceAtomically(target: string, content: string): void {
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, content, { flag: 'wx' });
  try {
    renameSync(temp, target);
  } finally {
    unlinkIfExists(temp);
  }
}

function createWithExclusiveOpen(target: string, content: string): boolean {
  try {
    writeFileSync(target, content, { flag: 'wx' });
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
}

/** The file as it is now, or undefined if there is none. */
export function readFileState(file: string): FileState | undefined {
  const state = readFileStateOrError(file);
  if (state instanceof Error) throw state;
  return state;
}

/** As readFileState, with a failure to read returned rather than thrown. */
export function readFileStateOrError(file: string): FileState | undefined | Error {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    return errorCode(error) === 'ENOENT' ? undefined : asError(error);
  }
  try {
    // Content and mtime from one open file, so they belong to the same file.
    const stat = fstatSync(fd);
    return { raw: readFileSync(fd, 'utf8'), mtimeMs: stat.mtimeMs, ino: stat.ino };
  } catch (error) {
    return asError(error);
  } finally {
    closeSync(fd);
  }
}

/** Whether two reads saw the very same file, unchanged. */
export function sameFileState(a: FileState, b: FileState): boolean {
  return a.raw === b.raw && a.ino === b.ino && a.mtimeMs === b.mtimeMs;
}

/** Removes `file` if it holds `content` (its owner's), and leaves anyone else's. */
export function removeIfContent(file: string, content: string): void {
  if (readFileState(file)?.raw === content) unlinkIfExists(file);
}

export function unlinkIfExists(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
