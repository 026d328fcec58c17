import { contract } from '@enclave/contract';
import { initClient } from '@ts-rest/core';

export { contract };
export type * from '@enclave/contract';

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Where the API lives, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** A JWT sent as `Authorization: Bearer <token>` on every request. */
  token?: string;
  /** Extra headers sent on every request. */
  headers?: Record<string, string>;
}

/** A typed client of the whole API: `client.tasks.list({ params: { user_id } })`, and so on. */
export function createClient({ baseUrl, token, headers = {} }: ClientOptions) {
  return initClient(contract, {
    baseUrl,
    baseHeaders: token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` },
    throwOnUnknownStatus: false,
  });
}

export type Client = ReturnType<typeof createClient>;
