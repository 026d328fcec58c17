import { MutationObserver, QueryObserver } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api/api-error';
import { createQueryClient, retryingUnavailable } from './query-client';

const unavailable = new ApiError(503, undefined, 20);
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('retryingUnavailable', () => {
  it('holds while a read is being retried for a 503, and ends with its success', async () => {
    const queryClient = createQueryClient();
    let attempts = 0;
    const observer = new QueryObserver(queryClient, {
      queryKey: ['flaky'],
      queryFn: () => (++attempts < 3 ? Promise.reject(unavailable) : Promise.resolve('data')),
    });
    const stop = observer.subscribe(() => undefined);
    await until(() => retryingUnavailable(queryClient));
    await until(() => observer.getCurrentResult().data === 'data');
    expect(retryingUnavailable(queryClient)).toBe(false);
    expect(attempts).toBe(3);
    stop();
  });

  it('ignores other failures, and a read that gave up', async () => {
    const queryClient = createQueryClient();
    const observer = new QueryObserver(queryClient, {
      queryKey: ['missing'],
      queryFn: () => Promise.reject(new ApiError(404, undefined)),
    });
    const stop = observer.subscribe(() => undefined);
    await until(() => observer.getCurrentResult().isError);
    expect(retryingUnavailable(queryClient)).toBe(false);
    stop();
  });

  it('holds while a write is being retried', async () => {
    const queryClient = createQueryClient();
    let attempts = 0;
    const write = new MutationObserver(queryClient, {
      mutationFn: () => (++attempts < 2 ? Promise.reject(unavailable) : Promise.resolve('done')),
      retry: 3,
    });
    const done = write.mutate();
    await until(() => retryingUnavailable(queryClient));
    await expect(done).resolves.toBe('done');
    expect(retryingUnavailable(queryClient)).toBe(false);
  });
});
