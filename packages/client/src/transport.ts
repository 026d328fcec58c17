import { isZodType, type ApiFetcherArgs } from '@ts-rest/core';

/** The part of `fetch` the client uses; `globalThis.fetch` and any wrapper of it fit. */
export type FetchLike = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string;
    /** The call's `fetchOptions` come along too (`signal`, to cancel it; `credentials`…). */
    signal?: AbortSignal | null;
  },
) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

/** The global fetch, looked up at each request (so a polyfill or a test's stub installed later is used). */
export const globalFetch: FetchLike = (url, init) => globalThis.fetch(url, init);

/**
 * The body of an answer: parsed JSON when its type says JSON, else its text; undefined when
 * empty (a 204, a 304). JSON that does not parse (a proxy's page sent as JSON) stays text, so
 * the caller goes by the status rather than meeting a SyntaxError.
 */
async function bodyOf(answer: Awaited<ReturnType<FetchLike>>): Promise<unknown> {
  const text = await answer.text();
  if (text === '') return undefined;
  if (!/json/i.test(answer.headers.get('content-type') ?? '')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Sends one request that ts-rest built through `fetch`, and reads its answer as ts-rest's
 * own fetcher would: the status, the body, the headers, and, when asked (`validateResponse`),
 * the body checked against the route's schema for that status.
 */
export async function send(fetch: FetchLike, args: ApiFetcherArgs) {
  const { route, path, method, headers, body, fetchOptions, validateResponse } = args;
  // Every route of the contract takes JSON, which ts-rest hands over as text.
  const answer = await fetch(path, {
    ...fetchOptions,
    method,
    headers,
    body: typeof body === 'string' ? body : undefined,
  });
  const parsed = await bodyOf(answer);
  const schema = route.responses[answer.status];
  const checked =
    (validateResponse ?? route.validateResponseOnClient) === true && isZodType(schema)
      ? (schema.parse(parsed) as unknown)
      : parsed;
  // A wrapper's headers need only `get`, which is all a caller reads of them.
  return { status: answer.status, body: checked, headers: answer.headers as Headers };
}
