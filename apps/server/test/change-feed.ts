import type { Change, Client } from '@enclave/client';
import { expect } from 'vitest';

/** Every change of `userId` after `after`, page by page; the last next_cursor with them. */
export async function readChanges(
  client: Client,
  userId: string,
  after: string,
  limit = 1000,
): Promise<{ changes: Change[]; cursor: string }> {
  const changes: Change[] = [];
  let cursor = after;
  for (;;) {
    const page = await client.changes.since({
      params: { user_id: userId },
      query: { after: cursor, limit },
    });
    if (page.status !== 200)
      throw new Error(`changes answered ${page.status}: ${JSON.stringify(page.body)}`);
    changes.push(...page.body.changes);
    cursor = page.body.next_cursor;
    if (!page.body.has_more) return { changes, cursor };
  }
}

/** The cursor a new client starts from. */
export async function startCursor(client: Client, userId: string): Promise<string> {
  const page = await client.changes.since({ params: { user_id: userId }, query: {} });
  expect(page.status).toBe(200);
  if (page.status !== 200) throw new Error('no start cursor');
  expect(page.body).toMatchObject({ changes: [], has_more: false });
  return page.body.next_cursor;
}
