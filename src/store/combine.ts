/**
 * Joins the host's own user lookup with a shared store for everything else, giving the
 * one `GatehouseStore` that `gatehouse({ store })` takes.
 */
import { fail, knownOptions, type OptionNames } from '../config-error';
import { STORE_PARTS } from './methods';
import type { AttemptStore, CredentialStore, GatehouseStore, IdentityStore, RevocationStore, SecondFactorStore, TokenStore } from './types';

/** The parts {@link combineStores} joins. */
export interface StoreParts {
  /** The host's users: `findCredentials(login)` and `findActor(id)`, and optionally `updatePasswordHash`. Required. */
  credentials: CredentialStore;
  /**
   * Tokens (and, unless given separately, revocations and counters), e.g. a `RedisStore`
   * or `PostgresStore`, which implement all three. Required.
   */
  tokens: TokenStore & Partial<RevocationStore & AttemptStore>;
  /** Revocations. Default: `tokens`, which must then implement them. */
  revocations?: RevocationStore;
  /** Failed-login counters. Default: `tokens`, which must then implement them. */
  attempts?: AttemptStore;
  /** Second factors (`secondFactor` option). Default: `tokens`, when it has them (RedisStore and PostgresStore do). */
  secondFactors?: SecondFactorStore;
  /**
   * Identities at OpenID providers linked to actors (`oidc`). Default: `credentials` when it
   * has `findIdentity` (the host's user table), else `tokens` (a `RedisStore` or
   * `PostgresStore` keeps them too).
   */
  identities?: IdentityStore;
}

/** The parts of {@link combineStores}; a compile error when it and {@link StoreParts} disagree. */
const PART_NAMES: OptionNames<StoreParts> = { credentials: true, tokens: true, revocations: true, attempts: true, secondFactors: true, identities: true };

/**
 * A `GatehouseStore` whose users come from `credentials` and whose tokens, revocations and
 * counters come from `tokens` (or from `revocations` / `attempts` when given). Methods are
 * bound to the object they came from, so class-based stores keep their `this`.
 * Throws a `GatehouseConfigError` naming the first missing method.
 *
 * @example
 * ```ts
 * import { combineStores } from 'express-gatehouse';
 * import { RedisStore } from 'express-gatehouse/redis';
 *
 * const hostUsers = {
 *   async findCredentials(login) {
 *     const user = await db.users.findByLogin(login);
 *     return user && { actor: { id: user.id, kind: 'user', roles: user.roles }, passwordHash: user.bcryptHash };
 *   },
 *   async findActor(id) {
 *     const user = await db.users.findById(id);
 *     return user && { id: user.id, kind: 'user', roles: user.roles };
 *   },
 * };
 * const store = combineStores({ credentials: hostUsers, tokens: new RedisStore({ client: process.env.REDIS_URL! }) });
 * const auth = gatehouse({ store });
 * ```
 */
export function combineStores(parts: StoreParts): GatehouseStore {
  if (parts === null || typeof parts !== 'object') {
    fail('', 'pass { credentials, tokens }, e.g. combineStores({ credentials: hostUsers, tokens: redisStore }).', { where: 'combineStores', code: 'GATEHOUSE_MISSING_OPTION' });
  }
  // A misspelt `revocations` or `attempts` would quietly fall back to `tokens`.
  knownOptions(parts, PART_NAMES, '', { where: 'combineStores' });
  const { credentials, tokens } = parts;
  const revocations = parts.revocations ?? tokens;
  const attempts = parts.attempts ?? tokens;
  const identities = parts.identities ?? (typeof (credentials as Partial<IdentityStore> | null)?.findIdentity === 'function' ? credentials : tokens);
  const combined = {
    ...bindMethods(credentials, 'credentials', STORE_PARTS.credentials),
    ...bindMethods(tokens, 'tokens', STORE_PARTS.tokens),
    ...bindMethods(revocations, parts.revocations ? 'revocations' : 'tokens', STORE_PARTS.revocations, parts.revocations ? '' : ', or pass revocations'),
    ...bindMethods(attempts, parts.attempts ? 'attempts' : 'tokens', STORE_PARTS.attempts, parts.attempts ? '' : ', or pass attempts'),
    ...bindMethods(parts.secondFactors ?? tokens, parts.secondFactors ? 'secondFactors' : 'tokens', STORE_PARTS.secondFactors),
    ...bindMethods(identities, parts.identities ? 'identities' : 'tokens', STORE_PARTS.identities),
  } as unknown as GatehouseStore;
  return combined;
}

/** The part's required methods (throwing for the first missing one) and whichever optional ones it has, bound to `source`. */
function bindMethods(
  source: unknown,
  partName: string,
  part: { required: readonly string[]; optional: readonly string[] },
  alternative = '',
): Record<string, (...args: unknown[]) => unknown> {
  if (source === null || typeof source !== 'object') {
    fail(partName, `${partName} is required and must be an object with ${part.required.join(', ')}.`, { where: 'combineStores', code: 'GATEHOUSE_MISSING_OPTION' });
  }
  const bound: Record<string, (...args: unknown[]) => unknown> = {};
  for (const method of [...part.required, ...part.optional]) {
    const fn = (source as Record<string, unknown>)[method];
    if (typeof fn === 'function') bound[method] = (fn as (...args: unknown[]) => unknown).bind(source);
    else if (part.required.includes(method)) {
      fail(`${partName}.${method}`, `${partName}.${method} must be a function (${partName} lacks ${method}${alternative}).`, {
        where: 'combineStores',
        code: 'GATEHOUSE_STORE_METHODS_MISSING',
      });
    }
  }
  return bound;
}
