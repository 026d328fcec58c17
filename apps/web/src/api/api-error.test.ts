import { describe, expect, it } from 'vitest';
import { ApiError, fieldErrors, formError, retryDelay, retryRead, retryWrite } from './api-error';

const body = (status: number, details?: { path: string; message: string }[]) => ({
  error: 'Some Error',
  message: `message of ${status}`,
  status_code: status,
  ...(details === undefined ? {} : { details }),
});
const error = (status: number, details?: { path: string; message: string }[]) =>
  new ApiError(status, body(status, details));

describe('ApiError.kind', () => {
  it.each([
    [0, 'unavailable'],
    [502, 'unavailable'],
    [503, 'unavailable'],
    [504, 'unavailable'],
    [412, 'changed-elsewhere'],
    [429, 'throttled'],
    [401, 'unauthorized'],
    [403, 'not-found'],
    [404, 'not-found'],
    [400, 'failed'],
    [409, 'failed'],
    [422, 'failed'],
    [428, 'failed'],
    [500, 'failed'],
  ])('%i without details is %s', (status, kind) => {
    expect(error(status).kind).toBe(kind);
  });

  it.each([400, 409, 422])('%i naming fields is invalid', (status) => {
    expect(error(status, [{ path: 'body.name', message: 'is taken' }]).kind).toBe('invalid');
  });

  it("takes the server's message, or says what happened", () => {
    expect(error(412).message).toBe('message of 412');
    expect(new ApiError(0, undefined).message).toBe('The server could not be reached');
    expect(new ApiError(502, undefined).message).toBe('HTTP 502');
  });
});

describe('fieldErrors', () => {
  it('puts each body field’s first message under the field’s name', () => {
    const refused = error(400, [
      { path: 'body.title', message: 'must be at least 1 character' },
      { path: 'body.title', message: 'a second problem' },
      { path: 'body.project_id', message: 'must be the id of one of your projects' },
      { path: 'query.limit', message: 'not a form field' },
      { path: 'body', message: 'the body as a whole' },
    ]);
    // Without the form's texts: the field's name begins the sentence.
    expect(fieldErrors(refused)).toEqual({
      title: 'Title must be at least 1 character',
      project_id: 'Project id must be the id of one of your projects',
    });
  });

  it('says it as the form speaks of its fields: their rule, their conflict, their label', () => {
    const texts = {
      title: { label: 'Title', rule: 'Title must be 1–200 characters' },
      project_id: { label: 'Project' },
    };
    const refused = error(400, [
      { path: 'body.title', message: 'must be at most 200 characters' },
      { path: 'body.project_id', message: 'must be the id of one of your projects' },
    ]);
    expect(fieldErrors(refused, texts)).toEqual({
      title: 'Title must be 1–200 characters',
      project_id: 'Project must be the id of one of your projects',
    });
    // A message that is not the length rule is kept (after the label), not hidden by the rule.
    const odd = error(400, [{ path: 'body.title', message: 'must not hold a NUL character' }]);
    expect(fieldErrors(odd, texts)).toEqual({ title: 'Title must not hold a NUL character' });
  });

  it('maps a 409 that names a field (a project name taken)', () => {
    const taken = error(409, [{ path: 'body.name', message: 'is already taken' }]);
    expect(fieldErrors(taken)).toEqual({ name: 'Name is already taken' });
    const texts = { name: { label: 'Name', taken: 'You already have a project with this name.' } };
    expect(fieldErrors(taken, texts)).toEqual({
      name: 'You already have a project with this name.',
    });
  });

  it('is empty for anything else', () => {
    expect(fieldErrors(error(412))).toEqual({});
    expect(fieldErrors(new Error('boom'))).toEqual({});
    expect(fieldErrors(null)).toEqual({});
  });
});

describe('formError', () => {
  it('is nothing when every problem is shown beside a field of the form', () => {
    const refused = error(400, [{ path: 'body.title', message: 'too short' }]);
    expect(formError(refused, ['title'])).toBeUndefined();
    expect(formError(null)).toBeUndefined();
  });

  it("is the server's message when a named field is not on the form", () => {
    const refused = error(400, [{ path: 'body.pinned', message: 'must be a boolean' }]);
    expect(formError(refused, ['title'])).toBe('message of 400');
  });

  it('explains the statuses a person can act on', () => {
    expect(formError(error(503))).toMatch(/unavailable/);
    expect(formError(error(429))).toMatch(/Too many requests/);
    expect(formError(error(412))).toMatch(/^Changed elsewhere/);
    expect(formError(error(404))).toMatch(/^Not found/);
    expect(formError(error(401))).toBe('message of 401');
    expect(formError(new TypeError('x'))).toMatch(/Something went wrong/);
  });
});

describe('retrying', () => {
  it('retries reads for as long as the server is unavailable, and nothing a retry cannot fix', () => {
    expect(retryRead(1, error(503))).toBe(true);
    expect(retryRead(100, new ApiError(0, undefined))).toBe(true);
    expect(retryRead(1, error(429))).toBe(true);
    expect(retryRead(5, error(429))).toBe(false);
    for (const status of [400, 401, 403, 404, 412, 500]) {
      expect(retryRead(0, error(status)), String(status)).toBe(false);
    }
    expect(retryRead(0, new Error('a bug'))).toBe(false);
  });

  it('retries writes a few times (each is safe to repeat)', () => {
    expect(retryWrite(0, error(503))).toBe(true);
    expect(retryWrite(3, error(503))).toBe(true);
    expect(retryWrite(4, error(503))).toBe(false);
    expect(retryWrite(0, error(412))).toBe(false);
    expect(retryWrite(0, error(400, [{ path: 'body.title', message: 'x' }]))).toBe(false);
  });

  it('waits as long as Retry-After says, else backs off up to 5 s', () => {
    expect(retryDelay(0, new ApiError(503, body(503), 1000))).toBe(1000);
    expect(retryDelay(0, new ApiError(503, body(503), 120_000))).toBe(30_000);
    expect([0, 1, 2, 3, 4].map((n) => retryDelay(n, error(503)))).toEqual([
      500, 1000, 2000, 4000, 5000,
    ]);
  });
});
