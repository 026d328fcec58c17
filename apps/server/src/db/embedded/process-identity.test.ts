import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { processStartTicks, readProcess } from './process-identity.js';

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function start(command: string, args: string[]) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  return child;
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
    });
  });
}

describe.runIf(processStartTicks('self') !== undefined)('readProcess (Linux /proc)', () => {
  it('reads the start time of a process whose name holds spaces and parentheses', async () => {
    const child = start(process.execPath, [
      '-e',
      "process.title = 'x) (y z) 9'; console.log('ready'); setInterval(() => {}, 1000)",
    ]);
    await firstLine(child);
    const found = readProcess(child.pid ?? 0);
    expect(found?.zombie).toBe(false);
    // Started after this test process, and an integer count of ticks: a parse thrown off by the
    // name would land on another field.
    expect(found?.startTicks).toBeGreaterThanOrEqual(processStartTicks('self') ?? Infinity);
    expect(Number.isSafeInteger(found?.startTicks)).toBe(true);
  });

  it('tells a zombie (exited, not yet reaped) from a running process', async () => {
    // The shell becomes `sleep 5`, which never reaps the short sleep it started.
    const parent = start('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 5']);
    const pid = Number(await firstLine(parent));
    expect(readProcess(pid)?.zombie).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(readProcess(pid)?.zombie).toBe(true);
    expect(processStartTicks(pid)).toBeUndefined();
  });

  it('finds nothing for a pid that no process has', () => {
    expect(readProcess(2 ** 22 + 1)).toBeUndefined(); // above the kernel's largest pid_max
  });
});
