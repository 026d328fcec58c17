// The open streams of this process, by owner: what a wake-up (a write here, a NOTIFY from
// another instance, the safety poll) reaches. A wake-up only says "look again": each stream
// reads its owner's log after its own cursor, so a lost or doubled wake-up changes nothing
// but the moment a change is seen.

/** One open stream, as the hub sees it. */
export interface StreamSubscriber {
  /**
   * Read the log again (soon), unless the stream is already at `upTo` or past it; calls while
   * a read runs fold into one more read.
   */
  wake(upTo?: number): void;
  /** End the stream with `event: end`, saying why. */
  end(reason: string): void;
}

export class ChangeHub {
  private readonly byOwner = new Map<string, Set<StreamSubscriber>>();
  private total = 0;

  constructor(private readonly streamsPerUser: number) {}

  /** Adds a stream, unless its owner already has `streamsPerUser` open (false: 429). */
  open(owner: string, subscriber: StreamSubscriber): boolean {
    const streams = this.byOwner.get(owner) ?? new Set();
    if (streams.size >= this.streamsPerUser) return false;
    streams.add(subscriber);
    this.byOwner.set(owner, streams);
    this.total += 1;
    return true;
  }

  close(owner: string, subscriber: StreamSubscriber): void {
    const streams = this.byOwner.get(owner);
    if (streams?.delete(subscriber) !== true) return;
    this.total -= 1;
    if (streams.size === 0) this.byOwner.delete(owner);
  }

  /** Wakes the owner's streams in this process, if it has any. */
  wake(owner: string, upTo?: number): void {
    for (const stream of this.byOwner.get(owner) ?? []) stream.wake(upTo);
  }

  /** After wake-ups may have been missed (the listening connection was lost). */
  wakeAll(): void {
    for (const streams of this.byOwner.values()) for (const stream of streams) stream.wake();
  }

  /** Ends every stream (a graceful shutdown). */
  endAll(reason: string): void {
    for (const streams of [...this.byOwner.values()]) {
      for (const stream of [...streams]) stream.end(reason);
    }
  }

  get openStreams(): number {
    return this.total;
  }

  hasStreams(owner: string): boolean {
    return this.byOwner.has(owner);
  }
}
