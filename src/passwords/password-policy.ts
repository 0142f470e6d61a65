/**
 * What a new password must be (README, "Changing an expired password"): the `passwordPolicy`
 * option. Gatehouse hashes a new password itself, so the host never sees the plaintext and
 * could not refuse a weak one afterwards; the policy is where it says what to refuse.
 * It is a top-level option, not one of `passwordChange`, because it is about passwords,
 * not about the expired-password step: every endpoint that sets a password applies it.
 */
import type { Request } from 'express';
import type { Actor } from '../actor';
import { fail, knownOptions, type OptionNames } from '../config-error';
import { GatehouseError } from '../errors';
import { BCRYPT_MAX_PASSWORD_BYTES } from '../bcrypt-limits';

/** What `passwordPolicy.validate` is told besides the password. */
export interface PasswordPolicyContext {
  /** Whose password it is to be. */
  actor: Actor;
  /** The request that sets it (`POST {sessions}/password`, `POST {account}/password`, or the one given to `auth.passwords.change`). */
  req: Request;
}

/**
 * The `passwordPolicy` option of `gatehouse()`.
 *
 * @example
 * ```ts
 * gatehouse({ store, passwordChange: {}, passwordPolicy: { minLength: 15, validate: async (password) => ((await isBreached(password)) ? 'appears in a data breach' : undefined) } });
 * ```
 */
export interface PasswordPolicyOptions {
  /**
   * Fewest characters (Unicode code points, so `'🔑'` is one) a new password may have, 1 to 64.
   * Default `8`, OWASP ASVS 5.0's minimum (6.2.1); ASVS and NIST SP 800-63B recommend 15
   * where the password is the only factor.
   * @example { minLength: 15 }
   */
  minLength?: number;
  /**
   * Checks a new password once its length is acceptable and the request has proved who it
   * is for (a change ticket that checked out, or the current password of a signed-in user). Resolves (or returns) a reason to refuse —
   * a phrase that completes "password …", e.g. `'appears in a data breach'`, sent as the
   * 400.1 `detail` — or `undefined` to accept. If it throws or rejects, the password is not
   * changed: 503.1, reported as `callback.error` (not `store.error`). Default: none.
   * @example { validate: (password, { actor }) => (password.toLowerCase().includes(actor.id) ? 'must not contain your user id' : undefined) }
   */
  validate?: (password: string, context: PasswordPolicyContext) => string | undefined | void | Promise<string | undefined | void>;
}

/** {@link PasswordPolicyOptions} after validation. */
export interface ResolvedPasswordPolicy {
  minLength: number;
  validate: NonNullable<PasswordPolicyOptions['validate']> | null;
}

const DEFAULT_MIN_LENGTH = 8;
/** A longer minimum leaves no room under bcrypt's 72 bytes for passwords outside ASCII. */
const MAX_MIN_LENGTH = 64;
/** The options of `passwordPolicy`; a compile error when it and {@link PasswordPolicyOptions} disagree. */
const OPTION_NAMES: OptionNames<PasswordPolicyOptions> = { minLength: true, validate: true };

/**
 * Validates `passwordPolicy` and fills in defaults. Throws a `GatehouseConfigError` naming the option.
 *
 * @example
 * ```ts
 * resolvePasswordPolicy(undefined);          // { minLength: 8, validate: null }
 * resolvePasswordPolicy({ minLength: 15 });  // { minLength: 15, validate: null }
 * ```
 */
export function resolvePasswordPolicy(value: unknown): ResolvedPasswordPolicy {
  if (value === undefined) return { minLength: DEFAULT_MIN_LENGTH, validate: null };
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('passwordPolicy', 'passwordPolicy must be an object such as { minLength: 12 }.');
  knownOptions(value, OPTION_NAMES, 'passwordPolicy', { where: 'gatehouse()' });
  const { minLength = DEFAULT_MIN_LENGTH, validate } = value as PasswordPolicyOptions;
  if (!Number.isInteger(minLength) || minLength < 1 || minLength > MAX_MIN_LENGTH) {
    fail('passwordPolicy.minLength', `passwordPolicy.minLength must be an integer from 1 to ${MAX_MIN_LENGTH}; default ${DEFAULT_MIN_LENGTH}.`);
  }
  if (validate !== undefined && typeof validate !== 'function') {
    fail('passwordPolicy.validate', 'passwordPolicy.validate must be a function (password, { actor, req }) => reason | undefined, sync or async.');
  }
  return { minLength, validate: validate ?? null };
}

/** A 400.1 about the `password` field; `problem` completes "password …". */
export function refusedPassword(problem: string): GatehouseError {
  return new GatehouseError('400.1', { detail: `password ${problem}.`, extensions: { field: 'password' } });
}

/**
 * The checks that need no actor, cheapest first: the minimum length, then bcrypt's 72 bytes
 * (unless `fitsHasher` says the hasher takes longer ones: prehash is on). Throws 400.1.
 */
function checkPasswordShape(password: string, policy: ResolvedPasswordPolicy, fitsHasher: (password: string) => boolean): void {
  let characters = 0;
  for (const _ of password) if (++characters >= policy.minLength) break;
  if (characters < policy.minLength) throw refusedPassword(`must be at least ${policy.minLength} characters`);
  if (!fitsHasher(password)) throw refusedPassword(`must be at most ${BCRYPT_MAX_PASSWORD_BYTES} bytes in UTF-8`);
}

/**
 * The whole policy for a new password, in the one order every endpoint that sets a password
 * follows: the shape (no actor needed), then the host's `validate`. A `validate` that throws,
 * rejects or answers something that is no reason is the host's failure: `onCallbackError` is
 * told and its error thrown, so the password is not changed. Throws 400.1 for a refusal.
 */
export async function checkNewPassword(
  password: string,
  policy: ResolvedPasswordPolicy,
  context: PasswordPolicyContext & { fitsHasher: (password: string) => boolean; onCallbackError: (error: unknown) => Error },
): Promise<void> {
  checkPasswordShape(password, policy, context.fitsHasher);
  if (!policy.validate) return;
  let reason: unknown;
  try {
    reason = await policy.validate(password, { actor: context.actor, req: context.req });
    if (reason !== undefined && reason !== null && (typeof reason !== 'string' || reason === '')) {
      throw new TypeError('passwordPolicy.validate must resolve to a reason (a non-empty string) or undefined.');
    }
  } catch (error) {
    throw context.onCallbackError(error);
  }
  if (typeof reason === 'string') throw refusedPassword(reason.replace(/[\x00-\x1f\x7f]/g, '').replace(/\.$/, ''));
}
