import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import { createClient, type Client, type Session, type SessionState } from '@enclave/client';
import { createApi, type Api } from './api/client';
import { retryingUnavailable } from './query-client';

interface Services {
  /** The typed client's session (`createSession` of `@enclave/client`). */
  session: Session;
  baseUrl: string;
}

const ServicesContext = createContext<(Services & { publicClient: Client }) | undefined>(undefined);
const ApiContext = createContext<Api | undefined>(undefined);

/** Provides the session, and the typed API of its user while someone is signed in. */
export function SessionProvider({ children, ...services }: Services & { children: ReactNode }) {
  const { session, baseUrl } = services;
  const state = useSyncExternalStore(session.onChange, session.getState);
  const queryClient = useQueryClient();
  const userId = state.status === 'signed-in' ? state.userId : undefined;
  const api = useMemo(
    () => (userId === undefined ? undefined : createApi({ baseUrl, userId, tokens: session })),
    [baseUrl, userId, session],
  );
  // Whoever signs in next must never see this user's cached data, not even for a frame.
  const previousUser = useRef(userId);
  useEffect(() => {
    if (previousUser.current !== undefined && previousUser.current !== userId) queryClient.clear();
    previousUser.current = userId;
  }, [userId, queryClient]);
  // For what a signed-out person does (a forgotten password, a mailed link): no token. The
  // screens show each failure as it comes, so no quiet retries either.
  const value = useMemo(
    () => ({ session, baseUrl, publicClient: createClient({ baseUrl, retry: false }) }),
    [session, baseUrl],
  );
  return (
    <ServicesContext.Provider value={value}>
      <ApiContext.Provider value={api}>{children}</ApiContext.Provider>
    </ServicesContext.Provider>
  );
}

function useServices(): Services & { publicClient: Client } {
  const services = useContext(ServicesContext);
  if (services === undefined) throw new Error('useServices outside <SessionProvider>');
  return services;
}

/** The typed client without a token, for the routes anyone may call. */
export function usePublicClient(): Client {
  return useServices().publicClient;
}

export function useSession(): Session {
  return useServices().session;
}

export function useSessionState(): SessionState {
  const { session } = useServices();
  return useSyncExternalStore(session.onChange, session.getState);
}

/**
 * Whether the server is unavailable as far as the screen knows: a request is waiting to be
 * retried for it, or the session, restoring itself, cannot reach it.
 */
export function useUnavailable(): boolean {
  const { session } = useServices();
  const queryClient = useQueryClient();
  const retrying = useSyncExternalStore(
    useCallback(
      (onChange: () => void) => {
        const queries = queryClient.getQueryCache().subscribe(onChange);
        const mutations = queryClient.getMutationCache().subscribe(onChange);
        return () => {
          queries();
          mutations();
        };
      },
      [queryClient],
    ),
    () => retryingUnavailable(queryClient),
  );
  const state = useSyncExternalStore(session.onChange, session.getState);
  // Restoring, and waiting to try again: no answer, or a 502–504 (not a 429, which is no outage).
  const status = state.status === 'restoring' ? state.error?.status : undefined;
  const unreachable =
    state.status === 'restoring' &&
    state.error !== undefined &&
    (status === undefined || status >= 500);
  return retrying || unreachable;
}

/** The signed-in user's API; only screens shown to a signed-in user call this. */
export function useApi(): Api {
  const api = useContext(ApiContext);
  if (api === undefined) throw new Error('useApi while signed out');
  return api;
}
