/**
 * The client a lockout counter with `by: 'login+ip'` belongs to, from `req.ip`.
 *
 * An IPv6 client is counted by its /64: a home line, a phone or a cloud server is handed a
 * whole /64 and may use any address in it, so counting single addresses gives one attacker
 * billions of fresh counters. An IPv4-mapped IPv6 address (`::ffff:203.0.113.9`, what a
 * dual-stack socket reports) is the IPv4 client it stands for.
 */
import { isIP } from 'node:net';

/**
 * `203.0.113.9` for an IPv4 client (also when written IPv4-mapped), `2001:db8:0:7::/64` for
 * an IPv6 one (lower case, no leading zeros, zone dropped), the percent-encoded text for
 * anything else (so it never holds `:`), `unknown` when there is none. Pure.
 *
 * @example
 * ```ts
 * addressGroup('2001:db8:0:7::15');      // '2001:db8:0:7::/64'
 * addressGroup('::ffff:198.51.100.7');  // '198.51.100.7'
 * ```
 */
export function addressGroup(clientIp: string | undefined): string {
  if (!clientIp) return 'unknown';
  const version = isIP(clientIp);
  if (version === 4) return clientIp;
  if (version !== 6) return encodeURIComponent(clientIp);
  const words = ipv6Words(clientIp);
  if (words.slice(0, 5).every((word) => word === 0) && words[5] === 0xffff) {
    return [words[6] >> 8, words[6] & 0xff, words[7] >> 8, words[7] & 0xff].join('.');
  }
  return `${words.slice(0, 4).map((word) => word.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit words of an address `isIP` calls IPv6. */
function ipv6Words(address: string): number[] {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  // A trailing dotted quad (`::ffff:1.2.3.4`) is the last two words.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const [a, b, c, d] = tail.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((word) => parseInt(word, 16)) : []);
  const front = parse(head);
  const back = parse(rest);
  return rest === undefined ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}
