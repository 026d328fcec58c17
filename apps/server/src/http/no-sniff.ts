import type { RequestHandler } from 'express';

/**
 * Every answer is exactly the type it says: no browser reads a JSON body (which may echo a
 * user's own text) or a downloaded file as HTML or script because its bytes look like one.
 */
export const NO_SNIFF = { 'X-Content-Type-Options': 'nosniff' } as const;

/** Sets {@link NO_SNIFF} on every answer Express gives, errors and the web app included. */
export const noSniff: RequestHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  next();
};
