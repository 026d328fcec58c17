import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApi, type Api } from './client';
import { fetchExport, filenameOf } from './export';
import { errorBody, fakeServer } from './fake-server';

describe('filenameOf', () => {
  it.each([
    ['attachment; filename="enclave-export-2026-03-10.json"', 'enclave-export-2026-03-10.json'],
    ['attachment; filename=plain.json', 'plain.json'],
    ['attachment; filename="x.json"; filename*=UTF-8\'\'%C3%A9t%C3%A9.json', 'été.json'],
    ['attachment; filename="say \\"hi\\".json"', 'say "hi".json'],
    ['attachment; filename*=UTF-8\'\'%E0%A4%A; filename="fallback.json"', 'fallback.json'],
    ['attachment', undefined],
    [null, undefined],
  ])('%s → %s', (header, name) => {
    expect(filenameOf(header)).toBe(name);
  });
});

describe('fetchExport', () => {
  let server: ReturnType<typeof fakeServer>;
  let api: Api;
  // As the session does: the token it holds, until a refresh replaces it.
  let current = 'held';
  const refresh = vi.fn(() => {
    current = 'fresh';
    return Promise.resolve(current);
  });

  beforeEach(() => {
    current = 'held';
    server = fakeServer();
    api = createApi({
      baseUrl: 'http://api.test',
      userId: 'user/1',
      tokens: {
        accessToken: () => Promise.resolve(current),
        refresh,
        signOutLocally: () => Promise.resolve(),
      },
    });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    refresh.mockClear();
  });

  it('GETs the export with the token, as bytes, named as the server says', async () => {
    const document = { exported_at: '2026-03-10T12:00:00.000Z', user: null, tasks: [] };
    server.reply({
      status: 200,
      body: document,
      headers: { 'content-disposition': 'attachment; filename="enclave-export.json"' },
    });
    const file = await fetchExport(api);
    expect(server.sent[0]?.url.href).toBe('http://api.test/api/user%2F1/export');
    expect(server.sent[0]?.headers.get('authorization')).toBe('Bearer held');
    expect(file.filename).toBe('enclave-export.json');
    expect(JSON.parse(await file.blob.text())).toEqual(document);
  });

  it('refreshes a refused token once, and fails with the API error', async () => {
    server.reply(
      { status: 401, body: errorBody(401, 'expired') },
      { status: 503, body: errorBody(503, 'away'), headers: { 'retry-after': '2' } },
    );
    await expect(fetchExport(api)).rejects.toMatchObject({
      status: 503,
      kind: 'unavailable',
      retryAfterMs: 2000,
    });
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(server.sent[1]?.headers.get('authorization')).toBe('Bearer fresh');
  });

  it('answers no answer as unavailable', async () => {
    server.reply('network-error');
    await expect(fetchExport(api)).rejects.toMatchObject({ status: 0, kind: 'unavailable' });
  });
});
