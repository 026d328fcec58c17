import { describe, expect, it } from 'vitest';
import { eventStreamParser, type ServerSentEvent } from './event-stream.js';

function parse(chunks: string[]) {
  const events: ServerSentEvent[] = [];
  const ids: string[] = [];
  const parser = eventStreamParser(
    (event) => events.push(event),
    (id) => ids.push(id),
  );
  for (const chunk of chunks) parser.push(chunk);
  return { events, ids };
}

describe('eventStreamParser', () => {
  it('reads events split anywhere, with any line ending, and drops comments', () => {
    const { events } = parse([
      ': hello\r\n\r\nid: c1\nevent: cha',
      'nge\ndata: {"a":1}\r',
      '\n\rdata: line one\ndata:line two\n\n: keep-alive\n\nretry: 1500\nevent: end\ndata: {}\n\n',
    ]);
    expect(events).toEqual([
      { event: 'change', data: '{"a":1}', id: 'c1' },
      // The id stays the last one given until another comes, as in EventSource.
      { event: 'message', data: 'line one\nline two', id: 'c1' },
      { event: 'end', data: '{}', id: 'c1', retry: 1500 },
    ]);
  });

  it('announces an id given without data once, and not again on a later blank line', () => {
    const { events, ids } = parse([': open\nid: start\n\n', ': keep-alive\n\n', '\n']);
    expect(events).toEqual([]);
    expect(ids).toEqual(['start']);
  });

  it('ignores an id holding NUL and a retry that is not a number, and waits for a line to end', () => {
    const { events, ids } = parse(['id: a\0b\nretry: 1e3\ndata: x\n\nid: half']);
    expect(events).toEqual([{ event: 'message', data: 'x' }]);
    expect(ids).toEqual([]);
  });
});
