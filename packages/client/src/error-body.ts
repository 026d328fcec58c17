import { ErrorBodySchema, ErrorDetailSchema, type ErrorBody } from '@enclave/contract';

// The one reading of the API's error format on the client side: the session's declared
// failures and the web app's errors both go by it.

const HeadSchema = ErrorBodySchema.omit({ details: true });

/**
 * The body in the API's error format (`error`, `message`, `status_code`, and `details` when
 * it names fields), or undefined if it is not one (a proxy's page, an empty 502). Only
 * well-formed details are kept: a malformed entry costs that entry, not the whole message.
 */
export function errorBodyOf(body: unknown): ErrorBody | undefined {
  const head = HeadSchema.safeParse(body);
  if (!head.success) return undefined;
  const { details } = body as { details?: unknown };
  if (!Array.isArray(details)) return head.data;
  const valid = details.flatMap((detail: unknown) => {
    const parsed = ErrorDetailSchema.safeParse(detail);
    return parsed.success ? [parsed.data] : [];
  });
  return { ...head.data, details: valid };
}
