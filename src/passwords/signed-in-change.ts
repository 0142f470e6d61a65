/**
 * A signed-in user's password change (`POST {account}/password`, `auth.passwords.change`): the
 * current password is checked exactly as a login checks it (the same `PasswordCheck`: lockout
 * before any hash, a dummy hash for a login that is not the caller's, one 401.2 for every wrong
 * answer), the new one goes through `passwordPolicy` as the expired-password step's does, the
 * store saves it by compare-and-set, and then the user's other sign-ins end (`end`, default
 * `'others'`): a password someone else learned stops working everywhere but here.
 */
import type { Request } from 'express';
import type { Actor } from '../actor';
import { GatehouseError, isGatehouseError } from '../errors';
import { clientIp, reportingFailures, type Emit, type ReportCallbackError } from '../events';
import { normalizeLogin } from '../login';
import type { SchemeId } from '../schemes/ids';
import type { GuardedStore } from '../store/guard';
import type { SignIns, CurrentCredential } from '../tokens/sign-ins';
import type { TokenService } from '../tokens/token-service';
import type { PasswordHasher } from './hasher';
import type { PasswordCheck } from './password-check';
import { checkNewPassword, refusedPassword, type ResolvedPasswordPolicy } from './password-policy';

/** Which credentials a signed-in password change ends: all but the current one (default), all, or none. */
export type EndOnPasswordChange = 'others' | 'all' | 'none';

/** The ways {@link EndOnPasswordChange} may be given. */
export const END_ON_PASSWORD_CHANGE: readonly EndOnPasswordChange[] = ['others', 'all', 'none'];

/** What a signed-in change is asked for. */
export interface SignedInChange {
  /** The signed-in actor, whose password changes. */
  actor: Actor;
  /** The scheme the request was authenticated with (for the lockout's audit events). */
  scheme: SchemeId;
  /** The login the current password belongs to; it must be the actor's own. */
  login: string;
  currentPassword: string;
  newPassword: string;
  end: EndOnPasswordChange;
  /** The credential the request is made with, kept with `end: 'others'`. */
  current: CurrentCredential;
  req: Request;
}

/** What the change needs of the instance. */
export interface SignedInChangeDependencies {
  store: GuardedStore;
  passwordCheck: PasswordCheck;
  hasher: Pick<PasswordHasher, 'hash' | 'verify' | 'accepts'>;
  policy: ResolvedPasswordPolicy;
  tokens: TokenService;
  signIns: SignIns;
  emit: Emit;
  reportCallbackError: ReportCallbackError;
}

/** The cause of a 503.1 already reported as `callback.error` (so it is not reported again as `store.error`). */
export const POLICY_CALLBACK_FAILED: unique symbol = Symbol('reported as callback.error');

/**
 * Changes the password; resolves to how many credentials ended and the "not before" written
 * (`null` with `end: 'none'`), which the caller uses to keep a browser session in use. Rejects
 * with 401.2 (wrong current password, or a login that is not the actor's), 403.2 (locked),
 * 400.1 (the new password refused by the policy, or equal to the current one), 503.1/503.2.
 * Refusals are reported as `login.failed`/`login.locked` and `password.changeRefused`.
 */
export async function changeSignedInPassword(deps: SignedInChangeDependencies, change: SignedInChange): Promise<{ ended: number; notBefore: number | null }> {
  const { actor, req } = change;
  try {
    const result = await changePassword(deps, change);
    deps.emit?.({ type: 'password.changed', scheme: change.scheme, actorId: actor.id, ip: clientIp(req), code: null });
    return result;
  } catch (error) {
    if (isGatehouseError(error) && !error.code.startsWith('5')) {
      deps.emit?.({ type: 'password.changeRefused', scheme: change.scheme, actorId: actor.id, ip: clientIp(req), code: error.code });
    }
    throw error;
  }
}

async function changePassword(deps: SignedInChangeDependencies, change: SignedInChange): Promise<{ ended: number; notBefore: number | null }> {
  const { actor, req, newPassword } = change;
  const check = reportingFailures(deps.passwordCheck, deps.emit, change.scheme);
  try {
    const { actor: owner } = await check.check({ login: change.login, password: change.currentPassword, clientIp: req.ip });
    // Someone else's login with its right password is answered as a wrong one: this is no login endpoint.
    if (owner.id !== actor.id) throw new GatehouseError('401.2');
  } catch (error) {
    // An expired password is the right one (403.3 only ever follows a correct password): changing it is the point.
    if (!(isGatehouseError(error) && error.code === '403.3' && error.actor?.id === actor.id)) throw error;
  }
  const record = await deps.store.findCredentials!(normalizeLogin(change.login));
  if (!record || record.actor.id !== actor.id || record.passwordHash === null) throw new GatehouseError('401.2');
  await checkNewPassword(newPassword, deps.policy, {
    actor: record.actor,
    req,
    fitsHasher: (candidate) => deps.hasher.accepts(candidate),
    onCallbackError(error) {
      deps.reportCallbackError(req, 'passwordPolicy.validate', error, { code: '503.1', actorId: actor.id });
      return new GatehouseError('503.1', { detail: 'The new password could not be checked; try again later.', cause: POLICY_CALLBACK_FAILED });
    },
  });
  if (await deps.hasher.verify(newPassword, record.passwordHash)) throw refusedPassword('must differ from the current password');
  const newHash = await deps.hasher.hash(newPassword);
  // Compare-and-set: a change made meanwhile (another tab, the expired-password step) wins.
  if (!(await deps.store.changePassword!(actor.id, record.passwordHash, newHash))) throw new GatehouseError('401.2');
  if (change.end === 'all') return { ended: await deps.tokens.revokeAll(actor.id), notBefore: null };
  if (change.end === 'none') return { ended: 0, notBefore: null };
  return deps.signIns.endOthers(actor.id, change.current, 'all', clientIp(req));
}
