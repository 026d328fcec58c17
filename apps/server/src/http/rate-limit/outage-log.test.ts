import { describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import { createOutageLog } from './outage-log.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', {
    write: (line: string) => {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  let time = 0;
  const outage = createOutageLog(logger, { redis: 'cache:6379' }, () => time);
  return {
    lines,
    outage,
    at: (ms: number) => {
      time = ms;
    },
  };
}

describe('the outage log', () => {
  it('says nothing while the store answers', () => {
    const { lines, outage } = capture();
    outage.answered();
    outage.answered();
    expect(lines).toEqual([]);
  });

  it('warns once when an incident starts and tells its length and cost when it ends', () => {
    const { lines, outage, at } = capture();
    at(1000);
    for (let i = 0; i < 5; i += 1) outage.failed(new Error('Command timed out'), 1000);
    at(4000);
    outage.answered();
    outage.answered();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 40, redis: 'cache:6379', reason: 'Command timed out' });
    expect(lines[1]).toMatchObject({
      level: 30,
      redis: 'cache:6379',
      duration_ms: 3000,
      requests_let_through: 5,
    });
  });

  it('counts a late failure of a command sent before the recovery in no new incident', () => {
    const { lines, outage, at } = capture();
    at(100);
    outage.failed(new Error('down'), 100);
    at(200);
    outage.answered();
    at(300);
    outage.failed(new Error('Command timed out'), 150);
    expect(lines).toHaveLength(2);
    // A command sent after the recovery that fails is a new incident.
    outage.failed(new Error('down again'), 250);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ level: 40, reason: 'down again' });
  });
});
