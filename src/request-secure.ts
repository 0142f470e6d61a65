/**
 * Whether a request came over HTTPS, as Express's `req.secure` says, for the schemes
 * accepted over HTTPS only (Basic, cookie).
 *
 * Express (4 and 5) works `req.secure` out on every read: TLS on the connection, unless
 * the connection's peer is a trusted proxy (`trust proxy`), whose `X-Forwarded-Proto` then
 * decides. Asking the trust function parses the peer's address each time, about 40 k CPU
 * instructions a request (`npm run bench:instructions`; `bench/profiling.md`), though a connection's
 * peer never changes. Here that one answer is kept on the connection, together with the
 * trust function it came from (a changed `trust proxy`, or another app's, asks again);
 * the rule itself is Express's, read for every request, with one difference: Express reads
 * only the first of several `X-Forwarded-Proto` values, which is the client's own when a
 * proxy appends its value (`https, http`); here every value must say `https`
 * ({@link forwardedProtoIsHttps}). Where `secure` is not Express's own getter — a host
 * defined its own on the request or on `app.request` — it is read as is.
 */
import type { Request } from 'express';

type TrustProxy = (address: string | undefined, hop: number) => boolean;

/** The trust function's answer for a connection's peer. */
interface PeerTrust {
  trust: TrustProxy;
  trusted: boolean;
}

const PEER_TRUST = Symbol('gatehouse.peerTrust');

/** Per request prototype (`app.request`): does `secure` resolve to Express's own getter? */
const expressGetterOf = new WeakMap<object, boolean>();

/**
 * True when `req` came over HTTPS: `req.secure === true`, computed as Express computes it.
 *
 * @example
 * ```ts
 * if (!isSecureRequest(req)) return outcome.fail(new GatehouseError('401.3'), 401);
 * ```
 */
export function isSecureRequest(req: Request): boolean {
  const socket = req.socket as (Request['socket'] & { encrypted?: boolean; [PEER_TRUST]?: PeerTrust }) | undefined;
  const trust = typeof req.app?.get === 'function' ? (req.app.get('trust proxy fn') as unknown) : undefined;
  if (!socket || typeof trust !== 'function' || !usesExpressGetter(req)) return req.secure === true;
  const encrypted = socket.encrypted === true;
  let known = socket[PEER_TRUST];
  if (known === undefined || known.trust !== trust) {
    known = { trust: trust as TrustProxy, trusted: (trust as TrustProxy)(socket.remoteAddress, 0) };
    socket[PEER_TRUST] = known;
  }
  if (!known.trusted) return encrypted;
  const header = req.headers['x-forwarded-proto'];
  if (typeof header !== 'string' || header === '') return encrypted;
  return forwardedProtoIsHttps(header);
}

/**
 * True when every comma-separated value of a trusted `X-Forwarded-Proto` (spaces around
 * each trimmed) is `https`. A proxy that appends its own value leaves the client's first
 * (`https, http`), and two headers reach Node joined the same way; Express believes the
 * first value, which lets a client turn plain HTTP into HTTPS. Here a value a client adds
 * can only refuse its own request: the trusted hop's value, last, must say `https` too.
 *
 * @example
 * forwardedProtoIsHttps('https') // → true
 * forwardedProtoIsHttps('https, http') // → false
 */
export function forwardedProtoIsHttps(header: string): boolean {
  let start = 0;
  for (;;) {
    const comma = header.indexOf(',', start);
    const end = comma === -1 ? header.length : comma;
    if (header.slice(start, end).trim() !== 'https') return false;
    if (comma === -1) return true;
    start = comma + 1;
  }
}

/** True when reading `req.secure` would run Express's getter (found once per request prototype). */
function usesExpressGetter(req: Request): boolean {
  if (Object.prototype.hasOwnProperty.call(req, 'secure')) return false;
  const prototype = Object.getPrototypeOf(req) as object | null;
  if (prototype === null) return false;
  let known = expressGetterOf.get(prototype);
  if (known === undefined) {
    known = isExpressRequestPrototype(prototype);
    expressGetterOf.set(prototype, known);
  }
  return known;
}

/** The first object on the chain owning `secure` is Express's request prototype: getters `secure` and `protocol` of its own. */
function isExpressRequestPrototype(start: object): boolean {
  for (let at: object | null = start; at !== null; at = Object.getPrototypeOf(at) as object | null) {
    const secure = Object.getOwnPropertyDescriptor(at, 'secure');
    if (!secure) continue;
    const protocol = Object.getOwnPropertyDescriptor(at, 'protocol');
    return secure.get?.name === 'secure' && protocol?.get?.name === 'protocol';
  }
  return false;
}
