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
  413: 'Payload Too Large',
  417: 'Expectation Failed',
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
