import { QueryClient } from '@tanstack/react-query';
import { ApiError, retryDelay, retryRead } from './api/api-error';

/**
 * Reads retry while the server is unavailable (so the app recovers by itself when it is back)
 * and fail at once on anything a retry cannot change; writes say per mutation (api/*.ts).
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: retryRead, retryDelay, staleTime: 10_000 },
      mutations: { retry: false, retryDelay },
    },
  });
}

const unavailable = (error: unknown) => error instanceof ApiError && error.kind === 'unavailable';

/**
 * Whether some request is waiting to be retried because the server was unavailable: a read
 * or a write still under way whose last attempt failed so. Not "the last answer": one
 * endpoint answering must not hide that another is still failing.
 */
export function retryingUnavailable(queryClient: QueryClient): boolean {
  const reads = queryClient
    .getQueryCache()
    .findAll()
    .some(
      (query) => query.state.fetchStatus !== 'idle' && unavailable(query.state.fetchFailureReason),
    );
  const writes = queryClient
    .getMutationCache()
    .findAll({ status: 'pending' })
    .some((mutation) => unavailable(mutation.state.failureReason));
  return reads || writes;
}
