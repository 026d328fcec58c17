import { vi } from 'vitest';

// A stand-in for the network in the app's unit tests: it records each request the typed
// client sends through fetch and answers from a queue, so a test sees the exact URL, method,
// headers and body the app produces. (Test support only: imported by *.test.ts.)

export interface SentRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | 'network-error';

export function fakeServer() {
  const sent: SentRequest[] = [];
  const replies: Reply[] = [];
  const fetch = vi.fn(async (input: string | URL | Request, init: RequestInit = {}) => {
    if (init.signal?.aborted === true) throw new DOMException('aborted', 'AbortError');
    const request = new Request(input, init);
    const text = await request.text();
    sent.push({
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
    });
    const reply = replies.shift() ?? { status: 500, body: { error: 'no reply queued' } };
    if (reply === 'network-error') throw new TypeError('fetch failed');
    const json = reply.body === undefined ? null : JSON.stringify(reply.body);
    return new Response(json, {
      status: reply.status,
      headers: {
        ...(json === null ? {} : { 'content-type': 'application/json' }),
        ...reply.headers,
      },
    });
  });
  vi.stubGlobal('fetch', fetch);
  return {
    sent,
    /** Queues the answers to the next requests, in order. */
    reply(...next: Reply[]) {
      replies.push(...next);
    },
  };
}

/** An error body in the API's format. */
export function errorBody(status: number, message: string, details?: unknown[]) {
  return { error: 'Error', message, status_code: status, ...(details ? { details } : {}) };
}

/** A JWT-shaped token whose payload carries `sub` (the signature is not checked here). */
export function tokenFor(sub: string, serial = 1): string {
  const payload = btoa(JSON.stringify({ sub, serial }))
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
  return `eyJhbGciOiJIUzI1NiJ9.${payload}.c2lnbmF0dXJl`;
}
