/**
 * Change tickets for expired passwords (README, "Changing an expired password").
 *
 * A login with the right but expired password (403.3) gets a ticket that lets its owner set
 * a new password without the old one again. The ticket names the login, the actor and its
 * expiry, and is signed (HMAC-SHA256) together with a digest of the password hash it was
 * issued for: once the password has changed, the signature no longer checks out, so a
 * ticket works once, and never after another change. Nothing is stored for it.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { GatehouseError } from '../errors';
import { normalizeLogin } from '../login';
import type { CredentialStore } from '../store/types';

/** What a ticket names. */
export interface ChangeTicketClaims {
  /** The normalised login. */
  login: string;
  actorId: string;
}

/** Longest ticket read; anything longer is not one of ours. */
export const MAX_TICKET_LENGTH = 2048;

/** Issues and checks change tickets. */
export class ChangeTickets {
  private readonly key: Buffer;

  /**
   * @param options.ttl - lifetime of a ticket in ms.
   * @param options.secret - shared by every instance that must accept the others' tickets; default a per-process random key.
   */
  constructor(private readonly options: { ttl: number; secret: string | null; now: () => number }) {
    this.key = options.secret === null ? randomBytes(32) : createHash('sha256').update(`gatehouse password change\n${options.secret}`).digest();
  }

  /** A ticket for `claims`, bound to the current `passwordHash`. */
  issue(claims: ChangeTicketClaims, passwordHash: string): string {
    const payload = Buffer.from(JSON.stringify({ l: claims.login, a: claims.actorId, e: this.options.now() + this.options.ttl })).toString('base64url');
    return `${payload}.${this.mac(payload, passwordHash)}`;
  }

  /** The claims of a well-formed ticket, not yet checked against a hash; 401.2 when it is not one. */
  read(ticket: string): ChangeTicketClaims & { expiresAt: number; payload: string; mac: string } {
    const [payload, mac, extra] = ticket.split('.');
    if (!payload || !mac || extra !== undefined) throw new GatehouseError('401.2');
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw new GatehouseError('401.2');
    }
    const { l, a, e } = (claims ?? {}) as { l?: unknown; a?: unknown; e?: unknown };
    if (typeof l !== 'string' || typeof a !== 'string' || typeof e !== 'number') throw new GatehouseError('401.2');
    return { login: l, actorId: a, expiresAt: e, payload, mac };
  }

  /** Checks a ticket read by {@link read} against the current hash: 401.2 when it does not match, 401.4 when expired. */
  verify(ticket: ReturnType<ChangeTickets['read']>, passwordHash: string): void {
    const expected = Buffer.from(this.mac(ticket.payload, passwordHash));
    const given = Buffer.from(ticket.mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new GatehouseError('401.2');
    if (ticket.expiresAt <= this.options.now()) throw new GatehouseError('401.4');
  }

  private mac(payload: string, passwordHash: string): string {
    const hashDigest = createHash('sha256').update(passwordHash).digest('hex');
    return createHmac('sha256', this.key).update(`${payload}\n${hashDigest}`).digest('base64url');
  }
}

/**
 * Adds a change ticket to a 403.3 (the password was right, and has expired) when the change
 * step is on; rethrows every error. For the login endpoints (`POST /sessions`, `POST /jwt/authenticate`).
 */
export async function withChangeTicket(
  passwordChange: { tickets: ChangeTickets } | null | undefined,
  store: Partial<Pick<CredentialStore, 'findCredentials'>>,
  login: string,
  error: unknown,
): Promise<never> {
  if (!passwordChange || !(error instanceof GatehouseError) || error.code !== '403.3' || !store.findCredentials) throw error;
  const normalized = normalizeLogin(login);
  const record = await store.findCredentials(normalized);
  if (!record || record.passwordHash === null) throw error;
  const changeTicket = passwordChange.tickets.issue({ login: normalized, actorId: record.actor.id }, record.passwordHash);
  throw new GatehouseError('403.3', { detail: error.message, extensions: { ...error.extensions, changeTicket }, headers: { ...error.headers }, actor: record.actor });
}
