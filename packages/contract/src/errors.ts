import { z } from 'zod';

/** One failing field of a request: where it is and what is wrong with it. */
export const ErrorDetailSchema = z.object({
  path: z.string(),
  message: z.string(),
});

/** The body of every error response the API sends, whatever the status. */
export const ErrorBodySchema = z.object({
  error: z.string(),
  message: z.string(),
  status_code: z.number().int(),
  details: z.array(ErrorDetailSchema).optional(),
});

export type ErrorBody = z.infer<typeof ErrorBodySchema>;
export type ErrorDetail = z.infer<typeof ErrorDetailSchema>;

/** The standard reason phrase for each status the API answers with, used as `error`. */
export const errorNames = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  417: 'Expectation Failed',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
} as const;

export type ErrorStatus = keyof typeof errorNames;

/** Builds an error body in the API's one format. */
export function errorBody(
  status: ErrorStatus,
  message: string,
  details?: ErrorDetail[],
): ErrorBody {
  return details === undefined
    ? { error: errorNames[status], message, status_code: status }
    : { error: errorNames[status], message, status_code: status, details };
}

// The texts of the errors more than one place builds (the server's answers and the OpenAPI
// examples), so a message reads the same wherever it comes from.

/** `Invalid request: body.title: must be …; query.limit: …`: every failing field, named. */
export function invalidRequestMessage(details: readonly ErrorDetail[]): string {
  return `Invalid request: ${details.map(({ path, message }) => `${path}: ${message}`).join('; ')}`;
}

/** `Conflict: body.name is already …`: the field whose value is taken, and why. */
export function conflictMessage({ path, message }: ErrorDetail): string {
  return `Conflict: ${path} ${message}`;
}

/** `Task not found`: an item that is not the caller's, or does not exist, alike. */
export function notFoundMessage(singular: string): string {
  return `${singular.charAt(0).toUpperCase()}${singular.slice(1)} not found`;
}

/** A 400 naming every failing field in its message and in `details`. */
export function invalidRequest(details: ErrorDetail[]): ErrorBody {
  return errorBody(400, invalidRequestMessage(details), details);
}

/** A 409 naming the field whose value is taken. */
export function conflict(detail: ErrorDetail): ErrorBody {
  return errorBody(409, conflictMessage(detail), [detail]);
}

/** Why a unique field's value is refused: another of the owner's items already holds it. */
export function takenMessage(field: string, resource: string): string {
  return `is already the ${field} of another of your ${resource}`;
}

/** Why a reference is refused: the id is not one of the owner's items of that resource. */
export function notYoursMessage(resource: string): string {
  return `must be the id of one of your ${resource}`;
}
