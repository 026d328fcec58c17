import { randomBytes } from 'node:crypto';
import { mkdirSync, utimesSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  createExclusively,
  errorCode,
  readFileState,
  readFileStateOrError,
  removeIfContent,
  replaceAtomically,
  sameFileState,
  unlinkIfExists,
  type FileState,
} from './exclusive-file.js';
import {
  bootId,
  hasProcFs,
  pidNamespace,
  processStartTicks,
  readProcess,
} from './process-identity.js';

// One server process per embedded data folder: two PGlite instances writing one folder corrupt
// it, and PGlite's own postmaster.pid always names the fixed pid -42, so it locks nothing.
//
// The lock is a file inside the folder (PGlite ignores it: it initialises a folder holding only
// this file, and reopens it). Inside rather than beside the folder, so that it lives wherever the
// data lives: on a mounted volume, `<folder>.lock` would sit outside the volume, unseen by a
// server on another host that mounts the same volume.

/** The lock file's name inside the data folder. */
export const LOCK_FILE_NAME = 'enclave.lock';

const LockHolderSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  /** Differs after a reboot: a pid from another boot says nothing about this one. */
  bootId: z.string().optional(),
  /** Containers on one kernel share the boot id, but a pid only means something in its namespace. */
  pidNamespace: z.string().optional(),
  /** Clock ticks after boot (field 22 of /proc/<pid>/stat): tells a reused pid from the holder. */
  startTicks: z.number().int().nonnegative().optional(),
  since: z.string(),
});

const LockRecordSchema = LockHolderSchema.extend({
  /** Makes every lock's content unique, so "is it still ours?" is a comparison of content. */
  nonce: z.string(),
});

/** What a lock file says about the process that holds the folder. */
export type LockHolder = z.infer<typeof LockHolderSchema>;
type LockRecord = z.infer<typeof LockRecordSchema>;

/** Why a lock was judged stale and removed. */
export type StaleReason = 'exited' | 'pid reused' | 'not refreshed' | 'unreadable';

/** A stale lock that was removed: what it said (nothing when unreadable) and why it went. */
export type TakenOverLock = Partial<LockHolder> & { reason: StaleReason; lastRefreshed: string };

export interface DataDirLock {
  /** The lock file. */
  readonly path: string;
  /** Set when the folder was taken over from a server that is gone (e.g. after kill -9). */
  readonly takenOverFrom?: TakenOverLock;
  /** Removes the lock file if it is still ours. Synchronous (fit for an 'exit' handler), idempotent. */
  release(): void;
}

export interface DataDirLockOptions {
  /** A lock from another host (or unreadable) counts as stale once unrefreshed this long. */
  staleAfterMs?: number;
  /** How often the holder refreshes its lock file's mtime; well under `staleAfterMs`. */
  refreshEveryMs?: number;
  /** Called once if a refresh finds the lock file gone or someone else's: the folder is no
   * longer ours alone (only a holder frozen past `staleAfterMs`, or a deleted file, gets here). */
  onLost?: () => void;
}

/** The data folder is held by another live process (or could not be taken over from a dead one). */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';

  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_STALE_AFTER_MS = 30_000;
const DEFAULT_REFRESH_EVERY_MS = 10_000;
const ATTEMPTS = 5;
const ADVICE = 'one server process per folder: stop it or set DATA_DIR to another folder';

/**
 * Makes this process the only server using `dataDir` (created if missing), or throws
 * DataDirLockedError naming the process that holds it. A lock left by a process that is gone is
 * taken over, and `takenOverFrom` says so.
 */
export function acquireDataDirLock(dataDir: string, options: DataDirLockOptions = {}): DataDirLock {
  const folder = path.resolve(dataDir);
  mkdirSync(folder, { recursive: true });
  const lockPath = path.join(folder, LOCK_FILE_NAME);
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const self = currentRecord();
  const content = `${JSON.stringify(self)}\n`;

  let found: FoundLock | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (createExclusively(lockPath, content))
      return holdLock(lockPath, content, undefined, options);
    found = readLock(lockPath);
    if (found === undefined) continue; // released in between: try again
    const reason = staleReason(found, self, staleAfterMs);
    if (reason === undefined) throw lockedError(folder, found, self, staleAfterMs);
    if (replaceStale(lockPath, found, content, self, staleAfterMs)) {
      const takenOverFrom = { ...holderOf(found), reason, lastRefreshed: iso(found.mtimeMs) };
      return holdLock(lockPath, content, takenOverFrom, options);
    }
  }
  throw new DataDirLockedError(
    folder,
    found && holderOf(found),
    `The data folder ${folder} is being taken over by another starting server right now; ${ADVICE}`,
  );
}

function currentRecord(): LockRecord {
  return {
    pid: process.pid,
    host: hostname(),
    bootId: bootId(),
    pidNamespace: pidNamespace(),
    startTicks: processStartTicks('self'),
    since: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex'),
  };
}

function holdLock(
  lockPath: string,
  content: string,
  takenOverFrom: TakenOverLock | undefined,
  options: DataDirLockOptions,
): DataDirLock {
  // The mtime is the heartbeat that servers on other hosts, which cannot see our pid, go by.
  const refresh = setInterval(() => {
    const current = readFileStateOrError(lockPath);
    if (current instanceof Error) return; // e.g. a network volume's hiccup: try next time
    if (current?.raw !== content) {
      clearInterval(refresh);
      options.onLost?.();
      return;
    }
    const now = new Date();
    try {
      utimesSync(lockPath, now, now);
    } catch {
      // Same: the next refresh tries again, well before the lock counts as stale.
    }
  }, options.refreshEveryMs ?? DEFAULT_REFRESH_EVERY_MS);
  refresh.unref();

  let released = false;
  return {
    path: lockPath,
    takenOverFrom,
    release() {
      if (released) return;
      released = true;
      clearInterval(refresh);
      // Runs on the way out, where throwing helps no one: a lock left behind names a process
      // that is gone, and the next start takes it over.
      try {
        removeIfContent(lockPath, content);
      } catch {
        // See above.
      }
    },
  };
}

/** Whether the lock found is stale, and why; undefined while its holder may be running. */
function staleReason(
  found: FoundLock,
  self: LockRecord,
  staleAfterMs: number,
): StaleReason | undefined {
  const unrefreshed = Date.now() - found.mtimeMs > staleAfterMs;
  const holder = found.record;
  if (holder === undefined) return unrefreshed ? 'unreadable' : undefined;
  if (!sameProcessSpace(holder, self)) return unrefreshed ? 'not refreshed' : undefined;
  return localHolderGone(holder);
}

/**
 * Only on the same host, boot and pid namespace does the holder's pid name a process we can look
 * at; elsewhere (a shared volume, another container) its refreshed mtime is all we have.
 */
function sameProcessSpace(holder: LockHolder, self: LockHolder): boolean {
  return (
    holder.host === self.host &&
    holder.bootId === self.bootId &&
    holder.pidNamespace === self.pidNamespace
  );
}

function localHolderGone(holder: LockHolder): StaleReason | undefined {
  if (hasProcFs()) {
    const running = readProcess(holder.pid);
    if (running?.zombie) return 'exited';
    if (running !== undefined) {
      const reused = holder.startTicks !== undefined && running.startTicks !== holder.startTicks;
      return reused ? 'pid reused' : undefined;
    }
    // No entry: gone, unless /proc hides other users' processes (hidepid), which kill() does not.
  }
  try {
    process.kill(holder.pid, 0);
    return undefined;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return errorCode(error) === 'ESRCH' ? 'exited' : undefined;
  }
}

/**
 * Puts our lock in place of the stale lock `found`, unless it changed since it was read. In
 * place, by a rename over it: were it removed first, a server starting that instant could
 * create its own lock in the gap and both would run. Takers-over take turns through a second
 * lock file, so two of them cannot both judge the same stale lock and both replace it. What is
 * left: a taker-over that dies within its few system calls leaves that second file, which is
 * then removed on the same rules, with the same race between two takers-over in that moment.
 * (PostgreSQL's postmaster.pid accepts the like.)
 */
function replaceStale(
  lockPath: string,
  found: FoundLock,
  content: string,
  self: LockRecord,
  staleAfterMs: number,
): boolean {
  const turnPath = `${lockPath}.takeover`;
  if (!takeTurn(turnPath, content, self, staleAfterMs)) return false;
  try {
    const current = readFileState(lockPath);
    // Gone (released) or changed (someone else's now): the caller looks again.
    if (current === undefined || !sameFileState(current, found)) return false;
    replaceAtomically(lockPath, content);
    return true;
  } finally {
    removeIfContent(turnPath, content);
  }
}

function takeTurn(turnPath: string, content: string, self: LockRecord, staleAfterMs: number) {
  // A turn lasts a few system calls, so a second is long; a turn file whose holder is gone is
  // removed on the same rules as the lock itself.
  for (let tries = 0; tries < 100; tries++) {
    if (createExclusively(turnPath, content)) return true;
    const other = readLock(turnPath);
    if (other === undefined) continue;
    if (staleReason(other, self, staleAfterMs) === undefined) {
      sleep(10);
      continue;
    }
    const current = readLock(turnPath);
    if (current !== undefined && sameFileState(current, other)) unlinkIfExists(turnPath);
  }
  return false;
}

/** A lock file as read, with what it says if that can be parsed. */
interface FoundLock extends FileState {
  record: LockRecord | undefined;
}

function readLock(file: string): FoundLock | undefined {
  const state = readFileState(file);
  return state && { ...state, record: parseRecord(state.raw) };
}

function parseRecord(raw: string): LockRecord | undefined {
  try {
    const parsed = LockRecordSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function lockedError(
  folder: string,
  found: FoundLock,
  self: LockRecord,
  staleAfterMs: number,
): DataDirLockedError {
  const holder = holderOf(found);
  const ageS = Math.max(0, Math.round((Date.now() - found.mtimeMs) / 1000));
  const staleS = Math.round(staleAfterMs / 1000);
  if (holder === undefined) {
    return new DataDirLockedError(
      folder,
      undefined,
      `The data folder ${folder} is in use: its lock file ${LOCK_FILE_NAME} cannot be read and ` +
        `was written ${ageS} s ago (if no server uses the folder, the lock counts as stale ` +
        `${staleS} s after that); ${ADVICE}`,
    );
  }
  const refreshed = sameProcessSpace(holder, self)
    ? ''
    : `; its lock was refreshed ${ageS} s ago and counts as stale ${staleS} s after a refresh`;
  return new DataDirLockedError(
    folder,
    holder,
    `The data folder ${folder} is in use by process ${holder.pid} on host ${holder.host} ` +
      `(since ${holder.since}${refreshed}); ${ADVICE}`,
  );
}

function holderOf(found: FoundLock): LockHolder | undefined {
  // Parsing with the holder's schema leaves the nonce out: it means nothing to a reader.
  return found.record && LockHolderSchema.parse(found.record);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
