import { chmodSync, lstatSync, mkdirSync, readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { errorCode } from './exclusive-file.js';

// The embedded database's folder holds every row and every account's password hash (its WAL
// too): it is its server's user's alone, the folder and every folder in it 0700, every file
// 0600. main.ts sets the umask to 077, which makes the folders so, but PGlite's file system
// (Emscripten's) creates every file 0666 whatever the umask. So the folder is made private at
// start (a folder of an older version, or made by hand, is tightened), again once the database
// is ready (initdb's and the migrations' files), and then every minute (a new WAL segment).
// Within a 0700 folder, a file another user cannot reach meanwhile is no one else's to read.

/** The folder, or something in it, is open to other users and this process cannot close it. */
export class PrivateFolderError extends Error {
  override readonly name = 'PrivateFolderError';
}

const OPEN_TO_OTHERS = 0o077;

/** Closes `target` to other users; true if it was open to them. Gone meanwhile: false. */
function closeToOthers(target: string, folder: boolean): boolean {
  let mode: number;
  try {
    const stat = lstatSync(target);
    // chmod follows a link: what it points to is not ours to change.
    if (stat.isSymbolicLink()) return false;
    mode = stat.mode & 0o777;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
  if ((mode & OPEN_TO_OTHERS) === 0) return false;
  try {
    chmodSync(target, folder ? 0o700 : 0o600);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    const owner = lstatSync(target).uid;
    throw new PrivateFolderError(
      `${target} is open to other users (mode ${mode.toString(8).padStart(4, '0')}) and ` +
        `this process cannot make it private (${errorCode(error)}; owner uid ${owner}, this ` +
        `process uid ${process.getuid?.() ?? '?'}): run the server as its owner, chmod -R go= ` +
        'it, or set DATA_DIR to a folder of its own',
    );
  }
}

/**
 * Makes `folder` private to this process's user, creating it (0700) if it is missing: it and
 * every folder in it 0700, every file 0600. Returns how many it had to close to other users;
 * throws PrivateFolderError when it cannot.
 */
export function makeFolderPrivate(folder: string): number {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  let closed = closeToOthers(folder, true) ? 1 : 0;
  for (const entry of entriesOf(folder)) {
    const target = path.join(entry.parentPath, entry.name);
    if (closeToOthers(target, entry.isDirectory())) closed += 1;
  }
  return closed;
}

/** Everything below `folder`; a folder removed during the walk (a scratch one) starts it again. */
function entriesOf(folder: string, tries = 3): Dirent[] {
  try {
    return readdirSync(folder, { recursive: true, withFileTypes: true });
  } catch (error) {
    if (errorCode(error) !== 'ENOENT' || tries <= 1) throw error;
    return entriesOf(folder, tries - 1);
  }
}

/** Makes `folder` private every `everyMs` until the returned function is called. */
export function keepFolderPrivate(folder: string, everyMs = 60_000): () => void {
  const timer = setInterval(() => {
    try {
      makeFolderPrivate(folder);
    } catch {
      // A file that vanished mid-walk is skipped; anything else was said at start.
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
