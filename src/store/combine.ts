/**
 * Joins the host's own user lookup with a shared store for everything else, giving the
 * one `GatehouseStore` that `gatehouse({ store })` takes.
 */
import type { AttemptStore, CredentialStore, GatehouseStore, RevocationStore, TokenStore } from './types';

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
}

const CREDENTIAL_METHODS = ['findCredentials', 'findActor'] as const;
const TOKEN_METHODS = ['saveToken', 'findToken', 'deleteToken', 'deleteTokensForActor', 'deleteTokenFamily', 'markTokenUsed'] as const;
const REVOCATION_METHODS = ['saveRevocation', 'findRevocations'] as const;
const ATTEMPT_METHODS = ['readAttempts', 'recordFailedAttempt', 'clearAttempts'] as const;

/**
 * A `GatehouseStore` whose users come from `credentials` and whose tokens, revocations and
 * counters come from `tokens` (or from `revocations` / `attempts` when given). Methods are
 * bound to the object they came from, so class-based stores keep their `this`.
 * Throws a `TypeError` naming the first missing method.
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
    throw new TypeError('combineStores: pass { credentials, tokens }, e.g. combineStores({ credentials: hostUsers, tokens: redisStore }).');
  }
  const { credentials, tokens } = parts;
  const revocations = parts.revocations ?? tokens;
  const attempts = parts.attempts ?? tokens;
  const combined = {
    ...bindMethods(credentials, 'credentials', CREDENTIAL_METHODS),
    ...bindMethods(tokens, 'tokens', TOKEN_METHODS),
    ...bindMethods(revocations, parts.revocations ? 'revocations' : 'tokens', REVOCATION_METHODS, parts.revocations ? '' : ', or pass revocations'),
    ...bindMethods(attempts, parts.attempts ? 'attempts' : 'tokens', ATTEMPT_METHODS, parts.attempts ? '' : ', or pass attempts'),
  } as GatehouseStore;
  if (typeof tokens.touchToken === 'function') combined.touchToken = tokens.touchToken.bind(tokens);
  if (typeof credentials.updatePasswordHash === 'function') combined.updatePasswordHash = credentials.updatePasswordHash.bind(credentials);
  return combined;
}

function bindMethods<Name extends string>(
  source: unknown,
  partName: string,
  methods: readonly Name[],
  alternative = '',
): Record<Name, (...args: unknown[]) => unknown> {
  if (source === null || typeof source !== 'object') {
    throw new TypeError(`combineStores: ${partName} is required and must be an object with ${methods.join(', ')}.`);
  }
  const bound = {} as Record<Name, (...args: unknown[]) => unknown>;
  for (const method of methods) {
    const fn = (source as Record<string, unknown>)[method];
    if (typeof fn !== 'function') {
      throw new TypeError(`combineStores: ${partName}.${method} must be a function (${partName} lacks ${method}${alternative}).`);
    }
    bound[method] = (fn as (...args: unknown[]) => unknown).bind(source);
  }
  return bound;
}
