import { createSession, webStorage, type WebStorageLike } from '@enclave/client';
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
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
function localStorageOrMemory(): WebStorageLike {
  const memory = new Map<string, string>();
  const attempt = <T,>(use: () => T, fallback: () => T): T => {
    try {
      return use();
    } catch {
      return fallback();
    }
  };
  return {
    getItem: (key) =>
      attempt(
        () => localStorage.getItem(key),
        () => memory.get(key) ?? null,
      ),
    setItem: (key, value) =>
      attempt(
        () => localStorage.setItem(key, value),
        () => void memory.set(key, value),
      ),
    removeItem: (key) =>
      attempt(
        () => localStorage.removeItem(key),
        () => void memory.delete(key),
      ),
  };
}

// The typed client's session: the refresh token in localStorage, refreshed by one tab at a
// time (Web Locks), a sign-out in one tab followed by the others (the storage event), and
// restore() waiting out an unreachable server ('restoring' meanwhile; the banner says so).
const session = createSession({
  baseUrl,
  storage: webStorage(localStorageOrMemory(), REFRESH_TOKEN_KEY),
});
void session.restore();

const queryClient = createQueryClient();
const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionProvider session={session} baseUrl={baseUrl}>
        <App />
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
