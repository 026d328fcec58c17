import type { ServerResponse } from 'node:http';
import { errorBody, type ErrorStatus } from '@enclave/contract';
import { NO_SNIFF } from './no-sniff.js';

// Answers given before Express has the request, or with no request object at all. Each one
// closes the connection: whatever follows on it (a body, the rest of a broken request) is never
// served, only read and dropped for a moment (lingering-close.ts).

/** A whole HTTP response as text, for a socket Node has no response object for. */
export function rawErrorResponse(
  status: ErrorStatus,
  message: string,
  headers: Record<string, string> = {},
): string {
  const error = errorBody(status, message);
  const body = JSON.stringify(error);
  const extra = Object.entries({ ...NO_SNIFF, ...headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (
    `HTTP/1.1 ${status} ${error.error}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    extra +
    'Connection: close\r\n\r\n' +
    body
  );
}

/** The error format on Node's own response object, before Express has decorated it. */
export function sendBareError(res: ServerResponse, status: ErrorStatus, message: string): void {
  const body = JSON.stringify(errorBody(status, message));
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
    ...NO_SNIFF,
  });
  res.end(body);
}
