/**
 * Change tickets for expired passwords (README, "Changing an expired password").
 *
 * A login with the right but expired password (403.3) gets a ticket that lets its owner set
 * a new password without the old one again. The ticket names the login, the actor, its
 * expiry and a keyed digest of the password hash it was issued for, and is signed
 * (HMAC-SHA256). The signature is checked before anything in the ticket is used, so a
 * forged one never reaches the store; the digest is then checked against the hash the
 * store holds: once the password has changed it no longer matches, so a ticket works
 * once, and never after another change. Nothing is stored for it.
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
    const payload = Buffer.from(
      JSON.stringify({ l: claims.login, a: claims.actorId, e: this.options.now() + this.options.ttl, h: this.hashBinding(passwordHash) }),
    ).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /**
   * The claims of a ticket this key signed, not yet checked against a hash or the clock;
   * 401.2 when it is not one. Nothing of the ticket is read before its signature checks out.
   */
  read(ticket: string): ChangeTicketClaims & { expiresAt: number; binding: string } {
    const [payload, mac, extra] = ticket.split('.');
    if (!payload || !mac || extra !== undefined) throw new GatehouseError('401.2');
    if (!sameText(this.mac(payload), mac)) throw new GatehouseError('401.2');
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw new GatehouseError('401.2');
    }
    const { l, a, e, h } = (claims ?? {}) as { l?: unknown; a?: unknown; e?: unknown; h?: unknown };
    if (typeof l !== 'string' || typeof a !== 'string' || typeof e !== 'number' || typeof h !== 'string') throw new GatehouseError('401.2');
    return { login: l, actorId: a, expiresAt: e, binding: h };
  }

  /** Checks a ticket read by {@link read} against the current hash: 401.2 when it does not match, 401.4 when expired. */
  verify(ticket: ReturnType<ChangeTickets['read']>, passwordHash: string): void {
    if (!sameText(this.hashBinding(passwordHash), ticket.binding)) throw new GatehouseError('401.2');
    if (ticket.expiresAt <= this.options.now()) throw new GatehouseError('401.4');
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(`ticket\n${payload}`).digest('base64url');
  }

  /** Keyed, so the ticket (which its holder reads) tells nothing about the hash. */
  private hashBinding(passwordHash: string): string {
    return createHmac('sha256', this.key).update(`hash\n${passwordHash}`).digest('base64url');
  }
}

/** Constant-time equality of two strings (a length difference is no secret: MACs have one length). */
function sameText(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
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
