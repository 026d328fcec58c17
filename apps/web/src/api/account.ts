import type { ChangePasswordBody } from '@enclave/client';
import { mutationOptions, queryOptions, type QueryClient } from '@tanstack/react-query';
import { expectStatus, type Api } from './client';

// The signed-in account: who it is, its password, its sessions, its deletion. Every call
// carries the bearer token (api.call); the screens decide what follows (signing out…).

export const accountKeys = {
  me: (userId: string) => ['account', userId] as const,
  sessions: (userId: string) => ['account', userId, 'sessions'] as const,
};

/** The signed-in account (its email, whether verified); 404 for a provider's user. */
export function accountQuery(api: Api) {
  return queryOptions({
    queryKey: accountKeys.me(api.userId),
    queryFn: async ({ signal }) => {
      const answer = await api.call((client) => client.auth.me({ fetchOptions: { signal } }));
      return expectStatus(answer, 200).body;
    },
    staleTime: Infinity,
  });
}

/** Changes the password; the server signs every other session out (this one stays). */
export function changePasswordMutation(api: Api, queryClient: QueryClient) {
  return mutationOptions({
    mutationKey: ['account', api.userId, 'password'],
    mutationFn: async (body: ChangePasswordBody) => {
      const answer = await api.call((client) => client.auth.changePassword({ body }), {
        checksPassword: true,
      });
      expectStatus(answer, 204);
    },
    // Never repeated by itself: a wrong current password counts as a failed sign-in.
    retry: false,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountKeys.sessions(api.userId) }),
  });
}

/** The account's sessions, most recently used first, the current one marked. */
export function sessionsQuery(api: Api) {
  return queryOptions({
    queryKey: accountKeys.sessions(api.userId),
    queryFn: async ({ signal }) => {
      const answer = await api.call((client) => client.auth.sessions({ fetchOptions: { signal } }));
      return expectStatus(answer, 200).body.sessions;
    },
  });
}

/** Signs one session out; a 404 is one already gone. */
export function endSessionMutation(api: Api, queryClient: QueryClient) {
  return mutationOptions({
    mutationKey: ['account', api.userId, 'end-session'],
    mutationFn: async (id: string) => {
      const answer = await api.call((client) => client.auth.endSession({ params: { id } }));
      expectStatus(answer, 204, 404);
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountKeys.sessions(api.userId) }),
  });
}

/** Signs every session out, this one included: the screen then signs out here too. */
export function endAllSessionsMutation(api: Api) {
  return mutationOptions({
    mutationKey: ['account', api.userId, 'end-all-sessions'],
    mutationFn: async () => {
      const answer = await api.call((client) => client.auth.endAllSessions());
      expectStatus(answer, 204);
    },
  });
}

/** Deletes the account and all its data, the password confirming it. */
export function deleteAccountMutation(api: Api) {
  return mutationOptions({
    mutationKey: ['account', api.userId, 'delete'],
    mutationFn: async (password: string) => {
      const answer = await api.call((client) => client.auth.deleteAccount({ body: { password } }), {
        checksPassword: true,
      });
      expectStatus(answer, 204);
    },
    retry: false,
  });
}

/** Mails a new verification link (at most one a minute: 429 with Retry-After sooner). */
export function sendVerificationMutation(api: Api) {
  return mutationOptions({
    mutationKey: ['account', api.userId, 'send-verification'],
    mutationFn: async () => {
      const answer = await api.call((client) => client.accountMail.sendVerification());
      return expectStatus(answer, 202).body;
    },
    retry: false,
  });
}
