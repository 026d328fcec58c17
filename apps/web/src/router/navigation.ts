import { useMemo, useSyncExternalStore } from 'react';
import { appPath, hrefOf, parseLocation, type Route, type Target } from './routes';

// A change of hash fires `hashchange`; leaving a mailed link's path (history.replaceState)
// fires nothing, so `navigate` says so with a `popstate` of its own.
function subscribe(onChange: () => void) {
  window.addEventListener('hashchange', onChange);
  window.addEventListener('popstate', onChange);
  return () => {
    window.removeEventListener('hashchange', onChange);
    window.removeEventListener('popstate', onChange);
  };
}

const currentAddress = () => window.location.href;

/** The route the address bar names, following every change of it. */
export function useRoute(): Route {
  const address = useSyncExternalStore(subscribe, currentAddress);
  return useMemo(() => parseLocation(new URL(address)), [address]);
}

/** Goes to `route`; `replace` leaves no history entry (e.g. after signing in or a delete). */
export function navigate(route: Target, { replace = false } = {}): void {
  const href = hrefOf(route);
  const { pathname, search } = window.location;
  const path = appPath(pathname);
  if (path !== pathname || search !== '') {
    // On a mailed link's address: leave it (and its token) for the app's own.
    const address = `${path}${href}`;
    if (replace) window.history.replaceState(null, '', address);
    else window.history.pushState(null, '', address);
    window.dispatchEvent(new PopStateEvent('popstate'));
  } else if (replace) window.location.replace(href);
  else window.location.hash = href;
}
