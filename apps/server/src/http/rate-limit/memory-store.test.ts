import { describe, expect, it } from 'vitest';
import { createMemoryStore } from './memory-store.js';

const policy = { burst: 2, perSecond: 1 };

function clock() {
  let time = 0;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

describe('the in-memory store', () => {
  it('keeps a bucket per key', async () => {
    const store = createMemoryStore(policy, clock());
    expect(await store.take('a')).toEqual({ allowed: true, tokens: 1 });
    expect(await store.take('a')).toEqual({ allowed: true, tokens: 0 });
    expect(await store.take('a')).toEqual({ allowed: false, tokens: 0 });
    expect(await store.take('b')).toEqual({ allowed: true, tokens: 1 });
  });

  it('refills by its clock', async () => {
    const time = clock();
    const store = createMemoryStore(policy, time);
    await store.take('a');
    await store.take('a');
    expect((await store.take('a'))?.allowed).toBe(false);
    time.advance(999);
    expect((await store.take('a'))?.allowed).toBe(false);
    time.advance(1);
    expect(await store.take('a')).toEqual({ allowed: true, tokens: 0 });
  });

  it('makes room by dropping full buckets first, which loses nothing', async () => {
    const time = clock();
    const store = createMemoryStore(policy, { ...time, maxKeys: 10 });
    // Nine keys seen once, long ago: their buckets are full again by now.
    for (let i = 0; i < 9; i += 1) await store.take(`idle-${i}`);
    time.advance(10_000);
    await store.take('busy');
    await store.take('busy');
    await store.take('newcomer');
    expect(store.size).toBe(2);
    expect(await store.take('busy')).toEqual({ allowed: false, tokens: 0 });
  });

  it('keeps a busy key while a flood of others passes, when full buckets make room', async () => {
    const time = clock();
    const store = createMemoryStore(policy, { ...time, maxKeys: 10 });
    await store.take('busy');
    await store.take('busy');
    for (let i = 0; i < 50; i += 1) {
      // Each newcomer is full again a few seconds later, so sweeping it loses nothing.
      await store.take(`flood-${i}`);
      time.advance(5000);
      // The busy key stays busy: it spends what it regained and is used most recently.
      await store.take('busy');
      await store.take('busy');
    }
    expect(store.size).toBeLessThanOrEqual(10);
    expect(await store.take('busy')).toEqual({ allowed: false, tokens: 0 });
  });

  it('drops the least recently used when every bucket is busy', async () => {
    const time = clock();
    const store = createMemoryStore({ burst: 1, perSecond: 1 }, { ...time, maxKeys: 10 });
    for (let i = 0; i < 10; i += 1) await store.take(`key-${i}`);
    // key-0 is used again, so key-1 is now the least recently used.
    await store.take('key-0');
    await store.take('key-10');
    expect(store.size).toBe(10);
    // A dropped bucket starts full again; a kept one is still empty.
    expect((await store.take('key-1'))?.allowed).toBe(true);
    expect((await store.take('key-0'))?.allowed).toBe(false);
    expect((await store.take('key-10'))?.allowed).toBe(false);
  });
});
