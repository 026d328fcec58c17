import { useMemo, useSyncExternalStore } from 'react';
import { hrefOf, parseRoute, type Route } from './routes';

type Target = Exclude<Route, { name: 'not-found' }>;

function subscribe(onChange: () => void) {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const currentHash = () => window.location.hash;

/** The route the address bar names, following every change of it. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, currentHash);
  return useMemo(() => parseRoute(hash), [hash]);
}

/** Goes to `route`; `replace` leaves no history entry (e.g. after signing in or a delete). */
export function navigate(route: Target, { replace = false } = {}): void {
  const href = hrefOf(route);
  if (replace) window.location.replace(href);
  else window.location.hash = href;
}
