/**
 * A jwks-rsa client for one key set URL, as the JWT scheme's external issuers and the OIDC
 * back-channel logout use it: keys cached (jwks-rsa's 10 minutes), at most 10 fetches a
 * minute for kids it has not seen.
 *
 * jwks-rsa, with the copy of jose it brings (~100 modules, ~1 MB of heap), is loaded when the
 * first such client is made: an instance with only local keys and no OIDC provider never
 * loads it, and a larger heap makes every garbage collection of the host dearer.
 */
import type { JwksClient } from 'jwks-rsa';
import { onFirstUse } from './on-first-use';

/** Fetches of a key set a minute, for kids not in the cache (someone sending made-up kids). */
const FETCHES_PER_MINUTE = 10;

const jwksRsa = onFirstUse(() => require('jwks-rsa') as typeof import('jwks-rsa'));

/** A new client of `jwksUri` whose fetches give up after `timeoutMs`. */
export function jwksClientFor(jwksUri: string, timeoutMs: number): JwksClient {
  return new (jwksRsa().JwksClient)({ jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: FETCHES_PER_MINUTE, timeout: timeoutMs });
}
