import { readFileSync, readlinkSync } from 'node:fs';

// What the data-folder lock records about a process so that another process can later tell
// whether that same process is still running. A pid alone is not enough: pids are reused, and a
// restarted container commonly gives its new server the very pid the old one had.

/** The kernel's id for this boot (Linux), or undefined where there is none to read. */
export function bootId(): string | undefined {
  return readTrimmed('/proc/sys/kernel/random/boot_id');
}

/**
 * The pid namespace this process lives in (Linux), e.g. `pid:[4026531836]`. Two containers on one
 * kernel share the boot id but not their pids: a pid only means something inside its namespace.
 */
export function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

/** Whether this system has a /proc to read processes from. */
export function hasProcFs(): boolean {
  return processStat('self') !== undefined;
}

/** What /proc says of a process: undefined when it has no entry there (or there is no /proc). */
export function readProcess(
  pid: number | 'self',
): { startTicks: number | undefined; zombie: boolean } | undefined {
  const stat = processStat(pid);
  if (stat === undefined) return undefined;
  // Field 2 is the command in parentheses and may itself hold spaces and parentheses, so the
  // fields are counted from the last ')': state is field 3, start time (clock ticks after boot)
  // field 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0] ?? '';
  const ticks = Number(fields[22 - 3]);
  return {
    startTicks: Number.isSafeInteger(ticks) ? ticks : undefined,
    // A process that has exited but not yet been reaped by its parent.
    zombie: state === 'Z' || state === 'X' || state === 'x',
  };
}

/** When `pid` started, in clock ticks after boot, if it is running and /proc says. */
export function processStartTicks(pid: number | 'self'): number | undefined {
  const found = readProcess(pid);
  return found === undefined || found.zombie ? undefined : found.startTicks;
}

function processStat(pid: number | 'self'): string | undefined {
  return readTrimmed(`/proc/${pid}/stat`);
}

function readTrimmed(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
