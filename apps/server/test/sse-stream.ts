import { eventStreamParser, type ServerSentEvent } from '@enclave/client';

/** A change stream read raw, as a test inspects it: its events and every byte of text. */
export interface RawStream {
  status: number;
  headers: Headers;
  events: ServerSentEvent[];
  /** Everything received, comments included. */
  text(): string;
  /** Resolves once `predicate` holds for the events so far (fails after `timeoutMs`). */
  until(predicate: (events: ServerSentEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves when the server ends the body. */
  closed: Promise<void>;
  close(): void;
}

/** Opens `url` as an event stream with these headers and reads it in the background. */
export async function openRawStream(
  url: string,
  headers: Record<string, string>,
): Promise<RawStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  const events: ServerSentEvent[] = [];
  let text = '';
  const waiters = new Set<() => void>();
  const parser = eventStreamParser((event) => {
    events.push(event);
    for (const waiter of waiters) waiter();
  });
  const closed = (async () => {
    if (response.body === null || response.status !== 200) {
      text = await response.text().catch(() => '');
      return;
    }
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        const piece = decoder.decode(chunk, { stream: true });
        text += piece;
        parser.push(piece);
        for (const waiter of waiters) waiter();
      }
    } catch {
      // aborted by close()
    }
    for (const waiter of waiters) waiter();
  })();
  return {
    status: response.status,
    headers: response.headers,
    events,
    text: () => text,
    until(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        if (predicate(events)) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`stream: condition not met in ${timeoutMs} ms; got ${events.length} events`),
          );
        }, timeoutMs);
        const check = () => {
          if (!predicate(events)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    closed,
    close: () => abort.abort(),
  };
}

/** The changes of a stream's events, parsed. */
export const changesOf = (events: ServerSentEvent[]) =>
  events
    .filter(({ event }) => event === 'change')
    .map(({ data, id }) => ({
      ...(JSON.parse(data) as {
        cursor: string;
        id: number;
        resource: string;
        op: string;
        user_id?: string;
        item: { user_id: string } | null;
      }),
      eventId: id,
    }));
