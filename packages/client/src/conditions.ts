import { etagOf } from '@enclave/contract';

// Helpers for the two safe-write headers, so a caller says what it means ("only if unchanged",
// "create once") instead of writing headers by hand:
//
//   client.tasks.patch({ params, body, headers: ifUnchanged(task) })   // 412 if edited since
//   client.tasks.create({ params, body, headers: createOnce() })       // safe to retry

/** Headers for a PUT, PATCH or DELETE that applies only if the item is still as read. */
export function ifUnchanged(item: { version: number }): { 'if-match': string } {
  return { 'if-match': etagOf(item.version) };
}

/** Headers for a GET that answers 304 (no body) while the item is still as read. */
export function ifChanged(item: { version: number }): { 'if-none-match': string } {
  return { 'if-none-match': etagOf(item.version) };
}

/**
 * Headers for a create that is safe to retry: every retry with the same key and body gets
 * the first answer (marked `Idempotent-Replayed: true`) instead of making a second item.
 * Keep the headers object for the retries of one logical create; make a new one for the next.
 */
export function createOnce(key: string = newIdempotencyKey()): { 'idempotency-key': string } {
  return { 'idempotency-key': key };
}

/** A random key: a UUID where the platform has one (browsers in secure contexts, Node). */
export function newIdempotencyKey(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // Pages served over plain http (not localhost) have getRandomValues but no randomUUID.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The version an answer's ETag names (`"3"` → 3), or undefined if it has none. */
export function versionOf(answer: { headers: Headers }): number | undefined {
  const match = /^"([1-9][0-9]*)"$/.exec(answer.headers.get('etag') ?? '');
  return match === null ? undefined : Number(match[1]);
}

/** Whether an answer is the stored answer to an earlier request with the same key. */
export function wasReplayed(answer: { headers: Headers }): boolean {
  return answer.headers.get('idempotent-replayed') === 'true';
}
