/**
 * Challenge tickets (README, "Second factor"): a correct password of an actor with a second
 * factor answers 401.5 with a ticket instead of a credential. The ticket names the actor, when
 * the password was proven (`provenAt`: a `tokens.revokeAll` after it refuses the login), what
 * the login asked for (a token, a cookie, a JWT pair), its expiry and a random nonce, and is
 * signed (HMAC-SHA256) with a key derived from the first `secondFactor.encryptionKeys` key, so
 * every instance with the same keys accepts the others' tickets. The signature is checked
 * before anything in the ticket is read, so a forged ticket costs no store call and no hash;
 * the nonce is spent in the store's used-code window when the ticket is answered, so it works once.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../actor';
import { GatehouseError } from '../errors';

/** Longest ticket read; anything longer is not one of ours. */
export const MAX_CHALLENGE_TICKET_LENGTH = 1024;

/** What the login asked for, carried by the ticket so the second step hands out the same. */
type ChallengedCredentials =
  | { type: 'jwt' }
  | {
      type: 'session';
      /** A session token. */
      token: boolean;
      /** A cookie session. */
      cookie: boolean;
      /** A 'token+cookie' login over plain HTTP, whose cookie was withheld. */
      cookieWithheld: boolean;
    };

/** What a ticket says. */
export interface ChallengeClaims {
  actorId: string;
  /** When the password was proven, in ms. */
  provenAt: number;
  credentials: ChallengedCredentials;
  /** Failed attempts the password check found before this login. */
  previousAccessFailedCount: number;
}

/** A ticket read by {@link ChallengeTickets.read}: its claims, its expiry and its nonce. */
export interface ReadChallengeTicket extends ChallengeClaims {
  expiresAt: number;
  nonce: string;
}

/** Issues and reads challenge tickets. */
export class ChallengeTickets {
  private readonly keys: readonly Buffer[];

  /** @param options.keys - the `secondFactor.encryptionKeys`; the first signs, every one verifies (key rotation). */
  constructor(private readonly options: { keys: readonly Buffer[]; ttl: number; now: () => number }) {
    this.keys = options.keys.map((key) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'gatehouse challenge ticket', 32)));
  }

  /** A new ticket for `claims`; resolves to the ticket and when it expires. */
  issue(claims: ChallengeClaims): { ticket: string; expiresAt: number } {
    const expiresAt = this.options.now() + this.options.ttl;
    const c = claims.credentials.type === 'jwt' ? 'jwt' : `${claims.credentials.token ? 't' : ''}${claims.credentials.cookie ? 'c' : ''}${claims.credentials.cookieWithheld ? 'w' : ''}`;
    const payload = Buffer.from(
      JSON.stringify({ a: claims.actorId, p: claims.provenAt, c, f: claims.previousAccessFailedCount, e: expiresAt, n: randomBytes(16).toString('base64url') }),
    ).toString('base64url');
    return { ticket: `${payload}.${mac(this.keys[0], payload)}`, expiresAt };
  }

  /**
   * The claims of a ticket one of the keys signed and that has not expired; 401.2 when it is
   * not one (forged, altered, malformed), 401.4 when it has expired. Nothing of the ticket is
   * read before its signature checks out.
   */
  read(ticket: string): ReadChallengeTicket {
    const [payload, signature, extra] = ticket.split('.');
    if (!payload || !signature || extra !== undefined) throw new GatehouseError('401.2');
    if (!this.keys.some((key) => sameText(mac(key, payload), signature))) throw new GatehouseError('401.2');
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw new GatehouseError('401.2');
    }
    const { a, p, c, f, e, n } = (parsed ?? {}) as Record<string, unknown>;
    if (typeof a !== 'string' || typeof p !== 'number' || typeof c !== 'string' || typeof f !== 'number' || typeof e !== 'number' || typeof n !== 'string') {
      throw new GatehouseError('401.2');
    }
    if (e <= this.options.now()) throw new GatehouseError('401.4', { detail: 'The challenge ticket has expired; log in again.' });
    const credentials: ChallengedCredentials = c === 'jwt' ? { type: 'jwt' } : { type: 'session', token: c.includes('t'), cookie: c.includes('c'), cookieWithheld: c.includes('w') };
    return { actorId: a, provenAt: p, credentials, previousAccessFailedCount: f, expiresAt: e, nonce: n };
  }
}

/**
 * The 401.5 a right password of an actor with a second factor answers: a new ticket for the
 * login (`challengeTicket`), when it expires (`challengeExpiresAt`, ISO 8601) and the kinds of
 * factor that can answer it (`factors`, plus `'recovery'`).
 */
export function challengeError(tickets: ChallengeTickets, claims: ChallengeClaims, kinds: readonly string[], actor: Actor): GatehouseError {
  const { ticket, expiresAt } = tickets.issue(claims);
  return new GatehouseError('401.5', {
    extensions: { challengeTicket: ticket, challengeExpiresAt: new Date(expiresAt).toISOString(), factors: [...kinds, 'recovery'] },
    headers: { 'Cache-Control': 'no-store' },
    actor,
  });
}

function mac(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(`challenge\n${payload}`).digest('base64url');
}

/** Constant-time equality of two strings (a length difference is no secret: MACs have one length). */
function sameText(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
