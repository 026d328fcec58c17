import { describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import {
  DatabaseAvailability,
  DatabaseUnavailableError,
  isOutage,
  unavailableReason,
} from './availability.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('unavailableReason', () => {
  it.each([
    ['refused', withCode('ECONNREFUSED'), 'unreachable'],
    ['reset', withCode('ECONNRESET'), 'unreachable'],
    ['no such host', withCode('ENOTFOUND'), 'unreachable'],
    ['connection exception (08006)', withCode('08006'), 'unreachable'],
    ['admin shutdown (57P01)', withCode('57P01'), 'unreachable'],
    ['starting up (57P03)', withCode('57P03'), 'unreachable'],
    ['a standby refusing writes (25006)', withCode('25006'), 'unreachable'],
    ['statement timeout (57014)', withCode('57014'), 'busy'],
    ['too many connections (53300)', withCode('53300'), 'busy'],
    ['disk full (53100)', withCode('53100'), 'busy'],
    ['lost connection', new Error('Connection terminated unexpectedly'), 'unreachable'],
    ['connect timeout', new Error('Connection terminated due to connection timeout'), 'timeout'],
    ['pool wait', new Error('timeout exceeded when trying to connect'), 'busy'],
    [
      'a dead client',
      new Error('Client has encountered a connection error and is not queryable'),
      'unreachable',
    ],
    ['our own', new DatabaseUnavailableError('timeout'), 'timeout'],
    [
      'every address refused',
      Object.assign(new AggregateError([withCode('ECONNREFUSED')]), { code: undefined }),
      'unreachable',
    ],
    ['a cause', new Error('wrapped', { cause: withCode('ECONNRESET') }), 'unreachable'],
  ])('%s → %s', (_name, error, reason) => {
    expect(unavailableReason(error)).toBe(reason);
  });

  it.each([
    ['unique violation', withCode('23505')],
    ['division by zero', withCode('22012')],
    ['a configuration limit (53400)', withCode('53400')],
    ['wrong password (28P01)', withCode('28P01')],
    ['no such database (3D000)', withCode('3D000')],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error', 'boom'],
    ['nothing', undefined],
  ])('%s is not unavailability (stays a 500 or its own answer)', (_name, error) => {
    expect(unavailableReason(error)).toBeUndefined();
  });

  it('counts only unreachable and timeout as outages', () => {
    expect(isOutage('unreachable')).toBe(true);
    expect(isOutage('timeout')).toBe(true);
    expect(isOutage('busy')).toBe(false);
  });
});

function tracker(probe: () => Promise<void>) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  let clock = 1_000;
  const availability = new DatabaseAvailability({ probe, logger, now: () => clock });
  return {
    availability,
    lines,
    advance: (ms: number) => (clock += ms),
  };
}

describe('DatabaseAvailability', () => {
  it('admits without probing while no incident is open', async () => {
    let probes = 0;
    const { availability } = tracker(() => {
      probes += 1;
      return Promise.resolve();
    });
    await availability.admit();
    expect(probes).toBe(0);
    expect(availability.available).toBe(true);
  });

  it('opens one incident for many failures, logged once, and bumps the generation', () => {
    const { availability, lines } = tracker(() => Promise.resolve());
    const generation = availability.generation;
    availability.reportFailure('unreachable', withCode('ECONNREFUSED'));
    availability.reportFailure('timeout', new DatabaseUnavailableError('timeout'));
    availability.reportFailure('unreachable', withCode('ECONNRESET'));
    expect(availability.available).toBe(false);
    expect(availability.generation).toBe(generation + 1);
    expect(lines.filter((line) => line.event === 'database_unavailable')).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, reason: 'unreachable' });
  });

  it('does not open an incident for a busy database', () => {
    const { availability, lines } = tracker(() => Promise.resolve());
    availability.reportFailure('busy', withCode('57014'));
    expect(availability.available).toBe(true);
    expect(lines).toEqual([]);
  });

  it('during an incident, concurrent requests share one probe and are refused while it fails', async () => {
    let probes = 0;
    const { availability } = tracker(() => {
      probes += 1;
      return Promise.reject(withCode('ECONNREFUSED'));
    });
    availability.reportFailure('unreachable', withCode('ECONNREFUSED'));
    const admitted = await Promise.allSettled([1, 2, 3, 4].map(() => availability.admit()));
    expect(probes).toBe(1);
    for (const result of admitted) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(DatabaseUnavailableError);
    }
    // The next request tries again rather than reusing the old answer.
    await expect(availability.admit()).rejects.toMatchObject({ reason: 'unreachable' });
    expect(probes).toBe(2);
  });

  it('closes the incident with the probe that succeeds, and says how long and how many', async () => {
    let up = false;
    const { availability, lines, advance } = tracker(() =>
      up ? Promise.resolve() : Promise.reject(withCode('ECONNREFUSED')),
    );
    availability.reportFailure('unreachable', withCode('ECONNREFUSED'));
    await expect(availability.admit()).rejects.toThrow();
    await expect(availability.admit()).rejects.toThrow();
    availability.countRefusal();
    advance(2_500);
    up = true;
    await availability.admit();
    expect(availability.available).toBe(true);
    const recovered = lines.filter((line) => line.event === 'database_available');
    expect(recovered).toEqual([
      expect.objectContaining({
        level: 30,
        reason: 'unreachable',
        down_ms: 2_500,
        refused_requests: 3,
      }),
    ]);
    // A new failure is a new incident, logged again.
    availability.reportFailure('timeout', new DatabaseUnavailableError('timeout'));
    expect(lines.filter((line) => line.event === 'database_unavailable')).toHaveLength(2);
  });
});
