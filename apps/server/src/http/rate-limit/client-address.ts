import { isIPv6 } from 'node:net';

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** IPv6 groups of a textual part of an address; an embedded IPv4 address counts as two. */
function groupsOf(part: string): string[] {
  if (part === '') return [];
  return part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group]));
}

/**
 * The key of a client address for per-address limits: an IPv4 address as it is, an IPv6
 * address by its /64 network, since one subscriber is usually given a whole /64 and could
 * otherwise speak from 2^64 addresses with a fresh budget each.
 */
export function addressKey(ip: string | undefined): string {
  // Express has no address for a socket that is already gone; such requests share one bucket.
  if (ip === undefined) return 'unknown';
  const address = ip.split('%')[0] ?? ip;
  if (!isIPv6(address)) return address;
  const mapped = MAPPED_IPV4.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  const [head = '', tail = ''] = address.split('::');
  const front = groupsOf(head);
  const back = groupsOf(tail);
  const zeros = Array.from({ length: 8 - front.length - back.length }, () => '0');
  const network = [...front, ...zeros, ...back]
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16));
  return `${network.join(':')}::/64`;
}
