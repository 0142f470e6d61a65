/**
 * A person's own sign-ins (README, "Managing your own sign-ins"): listing them, ending one, and
 * ending all but the one in use. Every credential ends through `TokenService.end`, as logout and
 * `revokeById` do; "all but this one" also writes the actor's "not before" (`revokeAll`'s rule),
 * so what is not in the token store — a login still in flight, a JWT access token, a session in
 * a host's own session store — ends too, and the one in use is kept by a proof time after it.
 */
import type { Emit } from '../events';
import type { GuardedStore } from '../store/guard';
import type { StoredTokenKind, TokenRecord } from '../store/types';
import type { Revocations } from './revocations';
import { describeDevice, readSignInOrigin, type DeviceDescription, type SignInOrigin } from './sign-in-device';
import type { TokenService } from './token-service';

/** The kinds a login hands out: what the sign-in list shows and "sign out everywhere else" ends. */
export const SIGN_IN_KINDS: readonly StoredTokenKind[] = ['session', 'cookie', 'refresh'];

/**
 * The credential a request is made with, as the sign-in endpoints tell it apart: the store key
 * of its record (a session token, a cookie session in the Gatehouse store), or the refresh
 * family a JWT access token belongs to. Empty for credentials the store does not hold (Basic,
 * configured API keys, a session in the host's own session store).
 */
export interface CurrentCredential {
  hash?: string;
  familyId?: string | null;
}

/** One sign-in as the list endpoint answers it: never a token, hash or session id. */
export interface SignInInfo {
  /** The credential's id: what `DELETE {account}/sessions/{id}` takes. */
  id: string;
  /** `'session'` (a bearer token from a login), `'cookie'` (a browser session) or `'refresh'` (a JWT login's refresh family). */
  kind: StoredTokenKind;
  /** The name it was issued with, or `null`. */
  label: string | null;
  /** When it was issued (a JWT login: its refresh token's last rotation). */
  createdAt: string;
  /** Last use recorded (at most once per `lastUsedInterval`), or `null`. */
  lastUsedAt: string | null;
  /** When it stops working, or `null`. */
  expiresAt: string | null;
  /** The User-Agent sent with the login, or `null` (none sent, or signed in before it was recorded). */
  userAgent: string | null;
  /** The device the User-Agent names. */
  device: DeviceDescription;
  /** The login's client address; present only with `selfService.recordIp`. */
  ip?: string;
  /** True for the credential this request is made with (and the other half of its login). */
  current: boolean;
}

/** What {@link SignIns} needs. */
export interface SignInsDependencies {
  store: GuardedStore;
  tokens: TokenService;
  revocations: Revocations | null;
  emit: Emit;
  now: () => number;
  /** `cookie.idleTimeout` (ms), when cookie sessions are on: a browser session idle that long is over, though its record may still be there. */
  cookieIdleTimeout: number | null;
}

/** Where a record keeps the origin of its login: a browser session in its session state, others in `data`. */
function originOf(record: TokenRecord): SignInOrigin | null {
  const data = record.data as { signIn?: unknown; gatehouse?: { signIn?: unknown } } | null | undefined;
  return readSignInOrigin(record.kind === 'cookie' ? data?.gatehouse?.signIn : data?.signIn);
}

/** Lists and ends one actor's sign-ins. */
export class SignIns {
  constructor(private readonly deps: SignInsDependencies) {}

  /** The actor's live sign-ins, oldest first, the current one marked. */
  async list(actorId: string, current: CurrentCredential): Promise<SignInInfo[]> {
    const records = await this.records(actorId);
    const currentFamily = familyOfCurrent(records, current);
    return records
      .filter((record) => SIGN_IN_KINDS.includes(record.kind) && typeof record.id === 'string' && this.isLive(record))
      .sort((a, b) => a.createdAt - b.createdAt || (a.id! < b.id! ? -1 : 1))
      .map((record) => {
        const origin = originOf(record);
        return {
          id: record.id!,
          kind: record.kind,
          label: record.label ?? null,
          createdAt: new Date(record.createdAt).toISOString(),
          lastUsedAt: record.lastUsedAt == null ? null : new Date(record.lastUsedAt).toISOString(),
          expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
          userAgent: origin?.userAgent ?? null,
          device: describeDevice(origin?.userAgent ?? null),
          ...(origin?.ip !== undefined ? { ip: origin.ip } : {}),
          current: isCurrent(record, current, currentFamily),
        };
      });
  }

  /**
   * Ends the actor's sign-in with this id; resolves to whether one was ended. Another actor's
   * id, an unknown id and a credential that is no sign-in (an API key) all resolve to `false`
   * after the same one store read, so the answer and its cost tell them apart no more than the
   * status does.
   */
  async endById(actorId: string, id: string): Promise<TokenRecord | null> {
    const record = await this.deps.store.findTokenById!(id);
    if (!record || record.id !== id || record.actorId !== actorId || !SIGN_IN_KINDS.includes(record.kind)) return null;
    return (await this.deps.tokens.end(record)) ? record : null;
  }

  /**
   * Ends every credential of the actor except the current one (and the other half of its
   * login): of `kinds` in the token store, each through `TokenService.end` (a refresh family
   * with the access tokens bound to it); and, through the actor's "not before", whatever the
   * store does not list — logins still in flight, JWT access tokens, sessions in a host's own
   * session store. The current credential is kept: its records are skipped, and a refresh family
   * kept gets a proof time just after the "not before" (the caller does the same for a cookie
   * session). Resolves to how many credentials ended and the "not before" written (`null`
   * without revocations). `ip` is the requester's, for the `token.revokedOthers` event.
   */
  async endOthers(actorId: string, current: CurrentCredential, kinds: readonly StoredTokenKind[] | 'all', ip: string | null = null): Promise<{ ended: number; notBefore: number | null }> {
    const { store, tokens, revocations } = this.deps;
    // The "not before" first, as revokeAll does: a login in flight either saves before the
    // listing below (and is ended there) or confirms its proof after this (and is refused).
    const notBefore = revocations ? await revocations.revokeActor(actorId) : null;
    const records = await this.records(actorId);
    const currentFamily = familyOfCurrent(records, current);
    const endedFamilies = new Set<string>();
    let ended = 0;
    for (const record of records) {
      if (isCurrent(record, current, currentFamily)) {
        if (record.kind === 'refresh' && record.usedAt == null && notBefore !== null) {
          // The family in use outlives the "not before": its next rotation is judged by this proof time.
          await store.updateToken!({ ...record, data: { ...(record.data as object | null | undefined), provenAt: notBefore + 1 } });
        }
        continue;
      }
      if (kinds !== 'all' && !kinds.includes(record.kind)) continue;
      // A family (a refresh family, a login's token and cookie) ends once, whole.
      if (record.familyId && (record.kind === 'refresh' || record.kind === 'session' || record.kind === 'cookie')) {
        if (endedFamilies.has(record.familyId)) continue;
        endedFamilies.add(record.familyId);
      }
      if (await tokens.end(record)) ended += 1;
    }
    this.deps.emit?.({ type: 'token.revokedOthers', scheme: null, actorId, ip, code: null, count: ended });
    return { ended, notBefore };
  }

  /** What `tokens.list` counts as live, and a browser session within its idle timeout. */
  private isLive(record: TokenRecord): boolean {
    const now = this.deps.now();
    const idle = this.deps.cookieIdleTimeout;
    if (record.kind === 'cookie' && idle !== null && now - (record.lastUsedAt ?? record.createdAt) >= idle) return false;
    return this.deps.tokens.isLive(record, now);
  }

  private async records(actorId: string): Promise<TokenRecord[]> {
    return (await this.deps.store.listTokens!(actorId)).filter((record) => record.actorId === actorId);
  }
}

/** The family the current credential belongs to: a JWT's refresh family, or the login of its token or cookie. */
function familyOfCurrent(records: readonly TokenRecord[], current: CurrentCredential): string | null {
  if (current.familyId) return current.familyId;
  if (!current.hash) return null;
  const own = records.find((record) => record.hash === current.hash);
  return own && (own.kind === 'session' || own.kind === 'cookie') && own.familyId ? own.familyId : null;
}

function isCurrent(record: TokenRecord, current: CurrentCredential, family: string | null): boolean {
  if (current.hash !== undefined && record.hash === current.hash) return true;
  return family !== null && record.familyId === family;
}
