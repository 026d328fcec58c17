import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createConnectivity } from './api/connectivity';
import { createSession, type RefreshTokenStore } from './api/session';
import { App } from './app';
import { createQueryClient } from './query-client';
import { SessionProvider } from './session-context';
import './styles.css';

// The one module with side effects: it wires the services to the browser and mounts the app.

/** Same origin by default (the server serves this app); VITE_API_URL points elsewhere. */
const baseUrl = (import.meta.env.VITE_API_URL as string | undefined) ?? '';
const REFRESH_TOKEN_KEY = 'enclave.refresh_token';

// localStorage keeps the session across reloads and tabs; README.md says what that costs.
// Where storage is refused (some private modes), the session lasts as long as the page.
function refreshTokenStore(): RefreshTokenStore {
  let memory: string | null = null;
  const attempt = <T,>(use: () => T, fallback: () => T): T => {
    try {
      return use();
    } catch {
      return fallback();
    }
  };
  return {
    read: () =>
      attempt(
        () => localStorage.getItem(REFRESH_TOKEN_KEY),
        () => memory,
      ),
    write: (token) =>
      attempt(
        () => localStorage.setItem(REFRESH_TOKEN_KEY, token),
        () => void (memory = token),
      ),
    clear: () =>
      attempt(
        () => localStorage.removeItem(REFRESH_TOKEN_KEY),
        () => void (memory = null),
      ),
  };
}

// One refresh at a time across the origin's tabs (see SessionOptions.exclusive). Web Locks
// exist in secure contexts (https, localhost); elsewhere each tab goes alone.
function exclusive<T>(task: () => Promise<T>): Promise<T> {
  const locks = (navigator as Partial<Navigator>).locks;
  if (locks === undefined) return task();
  // (The DOM typings nest the callback's promise; at run time the lock resolves with T.)
  return locks.request('enclave-refresh', task).then((result) => result);
}

const connectivity = createConnectivity();
const session = createSession({
  baseUrl,
  store: refreshTokenStore(),
  exclusive,
  onAnswer: connectivity.report,
});
// Signed out in another tab: this one follows at once, rather than at its next request.
// (A null key is storage.clear().)
window.addEventListener('storage', (event) => {
  if (event.key !== REFRESH_TOKEN_KEY && event.key !== null) return;
  if (event.newValue === null && session.state().status === 'signed-in') {
    session.end('You signed out in another tab.');
  }
});
void session.restore();

const queryClient = createQueryClient();
const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionProvider session={session} connectivity={connectivity} baseUrl={baseUrl}>
        <App />
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
