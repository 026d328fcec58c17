import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { awaitDatabase } from './await-database.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { lines, logger };
}

describe('awaitDatabase', () => {
  it('retries while the database is unreachable, with a growing wait, then returns', async () => {
    const { lines, logger } = capture();
    let calls = 0;
    const result = await awaitDatabase({
      attempt: () => (++calls < 4 ? Promise.reject(refused()) : Promise.resolve('migrated')),
      logger,
      signal: new AbortController().signal,
      firstDelayMs: 4,
      maxDelayMs: 10,
      random: () => 1,
    });
    expect(result).toBe('migrated');
    expect(calls).toBe(4);
    const retries = lines.filter((line) => line.event === 'database_not_ready');
    expect(retries.map((line) => line.retry_in_ms)).toEqual([4, 8, 10]);
    expect(retries.map((line) => line.attempt)).toEqual([1, 2, 3]);
    expect(retries[0]).toMatchObject({ level: 40, reason: 'unreachable' });
  });

  it('jitters each wait between half and all of its ceiling', async () => {
    const { lines, logger } = capture();
    let calls = 0;
    await awaitDatabase({
      attempt: () => (++calls < 2 ? Promise.reject(refused()) : Promise.resolve(true)),
      logger,
      signal: new AbortController().signal,
      firstDelayMs: 20,
      random: () => 0,
    });
    expect(lines[0]?.retry_in_ms).toBe(10);
  });

  it('does not retry a fault that waiting cannot fix', async () => {
    const { lines, logger } = capture();
    const wrongPassword = Object.assign(new Error('password authentication failed'), {
      code: '28P01',
    });
    let calls = 0;
    await expect(
      awaitDatabase({
        attempt: () => {
          calls += 1;
          return Promise.reject(wrongPassword);
        },
        logger,
        signal: new AbortController().signal,
      }),
    ).rejects.toBe(wrongPassword);
    expect(calls).toBe(1);
    expect(lines).toEqual([]);
  });

  it('stops waiting when the shutdown signal comes', async () => {
    const { logger } = capture();
    const stop = new AbortController();
    const waiting = awaitDatabase({
      attempt: () => Promise.reject(refused()),
      logger,
      signal: stop.signal,
      firstDelayMs: 60_000,
    });
    setTimeout(() => stop.abort(), 20);
    await expect(waiting).resolves.toBeUndefined();
  });
});
