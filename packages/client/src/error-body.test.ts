import { describe, expect, it } from 'vitest';
import { errorBodyOf } from './error-body.js';

const body = { error: 'Bad Request', message: 'Invalid request', status_code: 400 };

describe('errorBodyOf', () => {
  it('reads the error format, without what it does not define', () => {
    expect(errorBodyOf({ ...body, extra: true })).toEqual(body);
    const details = [{ path: 'body.title', message: 'is required' }];
    expect(errorBodyOf({ ...body, details })).toEqual({ ...body, details });
  });

  it('keeps only well-formed details: a malformed one costs itself, not the message', () => {
    expect(
      errorBodyOf({
        ...body,
        details: [{ path: 'body.title', message: 'is required' }, { path: 1 }, null],
      }),
    ).toEqual({ ...body, details: [{ path: 'body.title', message: 'is required' }] });
    expect(errorBodyOf({ ...body, details: 'body.title' })).toEqual(body);
  });

  it.each([
    undefined,
    null,
    'Bad Gateway',
    {},
    { error: 'x', message: 'y' },
    { ...body, status_code: '400' },
    new Blob([]),
  ])('is undefined for %j', (value) => {
    expect(errorBodyOf(value)).toBeUndefined();
  });
});
