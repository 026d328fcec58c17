import { isIP } from 'node:net';

/**
 * Whether a server listening on `host` is reachable from this machine only: an address in
 * 127.0.0.0/8, ::1 (also written in full, or IPv4-mapped) or the name localhost. Anything else,
 * 0.0.0.0 and :: first, and any other name, may be reached from elsewhere.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare.toLowerCase() === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) !== 6) return false;
  // The URL parser writes an IPv6 address one way: ::1 as [::1], ::ffff:127.0.0.1 as
  // [::ffff:7f00:1].
  const canonical = new URL(`http://[${bare}]/`).hostname;
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}
