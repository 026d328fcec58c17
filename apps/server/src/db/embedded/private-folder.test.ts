import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keepFolderPrivate, makeFolderPrivate, PrivateFolderError } from './private-folder.js';

const scratch = mkdtempSync(join(tmpdir(), 'enclave-private-'));
const modeOf = (target: string) => statSync(target).mode & 0o777;

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** A file with exactly `mode`, whatever the umask. */
function fileWithMode(target: string, mode: number) {
  writeFileSync(target, 'row data');
  chmodSync(target, mode);
}

describe('makeFolderPrivate', () => {
  it('creates a missing folder, parents included, closed to other users', () => {
    const folder = join(scratch, 'new', 'data');
    expect(makeFolderPrivate(folder)).toBe(0);
    expect(modeOf(folder)).toBe(0o700);
  });

  it('closes an open folder and everything in it, and says how many it closed', () => {
    const folder = join(scratch, 'open');
    mkdirSync(join(folder, 'base', '5'), { recursive: true });
    chmodSync(folder, 0o755);
    chmodSync(join(folder, 'base'), 0o777);
    chmodSync(join(folder, 'base', '5'), 0o700);
    fileWithMode(join(folder, 'PG_VERSION'), 0o666);
    fileWithMode(join(folder, 'base', '5', '1259'), 0o644);
    fileWithMode(join(folder, 'base', '5', '1249'), 0o600);
    // A link is left alone: what it points to is not the folder's.
    const outside = join(scratch, 'outside.txt');
    fileWithMode(outside, 0o644);
    symlinkSync(outside, join(folder, 'link'));

    expect(makeFolderPrivate(folder)).toBe(4);
    expect(modeOf(folder)).toBe(0o700);
    expect(modeOf(join(folder, 'base'))).toBe(0o700);
    expect(modeOf(join(folder, 'base', '5'))).toBe(0o700);
    expect(modeOf(join(folder, 'PG_VERSION'))).toBe(0o600);
    expect(modeOf(join(folder, 'base', '5', '1259'))).toBe(0o600);
    expect(modeOf(join(folder, 'base', '5', '1249'))).toBe(0o600);
    expect(modeOf(outside)).toBe(0o644);
    // Nothing left to close.
    expect(makeFolderPrivate(folder)).toBe(0);
  });

  it('refuses, saying why and what to do, a folder it may not change', () => {
    // The kernel lets no one, root included, change the mode of a process's /proc folder.
    expect(() => makeFolderPrivate('/proc/1')).toThrow(PrivateFolderError);
    expect(() => makeFolderPrivate('/proc/1')).toThrow(
      /\/proc\/1 is open to other users \(mode 0555\).*EPERM.*set DATA_DIR/,
    );
  });
});

describe('keepFolderPrivate', () => {
  it('closes what appears later, until told to stop', async () => {
    const folder = join(scratch, 'kept');
    makeFolderPrivate(folder);
    const stop = keepFolderPrivate(folder, 20);
    fileWithMode(join(folder, '000000010000000000000002'), 0o666);
    await expect.poll(() => modeOf(join(folder, '000000010000000000000002'))).toBe(0o600);
    stop();
    fileWithMode(join(folder, 'later'), 0o666);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(modeOf(join(folder, 'later'))).toBe(0o666);
  });
});
