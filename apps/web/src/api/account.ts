import { queryOptions } from '@tanstack/react-query';
import { expectStatus, type Api } from './client';

/** The signed-in account (its email, for the header); 404 for a provider's user. */
export function accountQuery(api: Api) {
  return queryOptions({
    queryKey: ['account', api.userId] as const,
    queryFn: async ({ signal }) => {
      const answer = await api.call((client) => client.auth.me({ fetchOptions: { signal } }));
      return expectStatus(answer, 200).body;
    },
    staleTime: Infinity,
  });
}
