/**
 * The store's methods, declared once: which part of the interface each belongs to, and
 * which methods each Gatehouse feature needs. The fail-closed guard, `combineStores` and
 * the construction-time check in `gatehouse()` all derive their lists from here.
 */
import { fail } from '../config-error';
import type { GatehouseStore } from './types';

type MethodName = keyof GatehouseStore;

/** The interface's parts (README, "Writing your own store"), each with its required and optional methods. */
export const STORE_PARTS = {
  credentials: { required: ['findCredentials', 'findActor'], optional: ['updatePasswordHash', 'changePassword', 'hasPassword'] },
  tokens: {
    required: ['saveToken', 'updateToken', 'findToken', 'deleteToken', 'deleteTokensForActor', 'deleteTokenFamily', 'markTokenUsed'],
    optional: ['touchToken', 'listTokens', 'findTokenById', 'consumeLimits', 'findTokenAndConsume', 'readLimits', 'saveProviderSession', 'findProviderSessionActors'],
  },
  revocations: { required: ['saveRevocation', 'findRevocations'], optional: [] },
  attempts: { required: ['readAttempts', 'recordFailedAttempt', 'clearAttempts'], optional: ['clearAttemptsOf'] },
  /** Optional as a whole: needed only with the `secondFactor` option. */
  secondFactors: {
    required: [],
    optional: ['findSecondFactors', 'saveSecondFactor', 'deleteSecondFactor', 'saveRecoveryCodes', 'consumeRecoveryCode', 'countRecoveryCodes', 'markOneTimeUse'],
  },
  identities: { required: [], optional: ['findIdentity', 'linkIdentity', 'unlinkIdentity', 'listIdentities'] },
} as const satisfies Record<string, { required: readonly MethodName[]; optional: readonly MethodName[] }>;

/** Every method Gatehouse may call on a store. */
export const STORE_METHODS: readonly MethodName[] = Object.values(STORE_PARTS).flatMap((part) => [...part.required, ...part.optional]);

/** The methods listed in some part of {@link STORE_PARTS}. */
type ListedMethod = (typeof STORE_PARTS)[keyof typeof STORE_PARTS][keyof (typeof STORE_PARTS)[keyof typeof STORE_PARTS]][number];
/**
 * A compile error when `GatehouseStore` gains a method that no part lists: the guard,
 * `combineStores` and the missing-method check would otherwise silently leave it out.
 */
const EVERY_STORE_METHOD_LISTED: [Exclude<MethodName, ListedMethod>] extends [never] ? true : never = true;

/**
 * What each feature needs from the store, and how to turn it off instead. `gatehouse()`
 * works out which features the options turn on and names every missing method at once.
 */
export const STORE_NEEDS = {
  /** `/key/{token}/…`: app-user tokens are looked up and their actor loaded. */
  appUserUrl: { methods: ['findToken', 'findActor'], off: 'appUserUrl: false' },
  /** Opaque bearer tokens, and ending them (`DELETE /sessions/current`). */
  sessionToken: { methods: ['findToken', 'findActor', 'deleteToken'], off: 'sessionToken: false' },
  /** Store-issued API keys (`tokens.issue({ kind: 'apiKey' })`), and configured keys with an `actorId`. */
  apiKeys: { methods: ['findToken', 'findActor'], off: 'apiKeys: false' },
  /**
   * `POST /sessions` issuing a session token; on when the store has `findCredentials`, so that
   * is not listed. The revocation methods keep a login in flight during `tokens.revokeAll` from
   * handing out a working token.
   */
  login: { methods: ['saveToken', 'saveRevocation', 'findRevocations'], off: 'sessionToken: false' },
  /** `login.credentials: 'token+cookie'`: the token and the cookie of one login end together, as one family. */
  linkedLogin: { methods: ['deleteTokenFamily', 'findToken'], off: "login.credentials: 'asked'" },
  /** Changing an expired password with a change ticket; every credential of the actor ends after. */
  passwordChange: { methods: ['findCredentials', 'changePassword', 'deleteTokensForActor'], off: 'passwordChange: false' },
  /** Second factors (`secondFactor`): TOTP secrets, recovery codes, the used-code window; lockout counts wrong codes. */
  secondFactor: {
    methods: ['findSecondFactors', 'saveSecondFactor', 'deleteSecondFactor', 'saveRecoveryCodes', 'consumeRecoveryCode', 'countRecoveryCodes', 'markOneTimeUse', 'findCredentials', 'findActor'],
    off: 'leave out secondFactor',
  },
  /** Per-key rate limits and quotas (`rateLimits`): counters shared by every instance. */
  rateLimits: { methods: ['consumeLimits'], off: 'rateLimits: false' },
  /** The sign-in list, ending one by id and "sign out everywhere else" (`selfService`). */
  selfService: { methods: ['listTokens', 'findTokenById', 'findToken', 'updateToken', 'deleteToken', 'deleteTokenFamily', 'saveRevocation', 'findRevocations'], off: 'selfService: false' },
  /** A signed-in user's password change (`selfService.passwordChange`): the current password checked, the new one saved. */
  selfServicePassword: { methods: ['findCredentials', 'changePassword', 'listTokens', 'deleteTokensForActor', 'saveRevocation', 'findRevocations'], off: 'selfService: { passwordChange: false }' },
  /** HTTPS-only Basic. */
  basic: { methods: ['findCredentials'], off: 'basic: false' },
  /** Failed-attempt counters for login and Basic. */
  lockout: { methods: ['readAttempts', 'recordFailedAttempt', 'clearAttempts'], off: 'lockout: false' },
  /** Browser sessions kept as token records in the Gatehouse store; they begin at login. */
  cookie: { methods: ['findCredentials', 'findToken', 'saveToken', 'updateToken', 'deleteToken', 'findActor', 'saveRevocation', 'findRevocations'], off: 'cookie: false, or give cookie.store' },
  /** Browser sessions in the host's own express-session store. */
  cookieOwnStore: { methods: ['findCredentials', 'findActor', 'saveRevocation', 'findRevocations'], off: 'cookie: false' },
  /** Ending JWTs before `exp` (logout, `tokens.revokeAll`). */
  jwt: { methods: ['saveRevocation', 'findRevocations'], off: 'jwt: false' },
  /** Issuing JWTs here: refresh-token records and actor look-ups. */
  jwtIssuing: { methods: ['saveToken', 'deleteToken', 'markTokenUsed', 'deleteTokenFamily', 'findActor'], off: 'give only jwt.issuers' },
  /** Verifying locally signed JWTs with actor look-ups (not `stateless`). */
  jwtActors: { methods: ['findActor'], off: 'jwt.stateless: true' },
  /** Sign-in through OpenID providers; listing and unlinking a user's identities (`{oidc}/identities`). */
  oidc: { methods: ['findActor', 'findIdentity', 'linkIdentity', 'unlinkIdentity', 'listIdentities', 'saveRevocation', 'findRevocations'], off: 'oidc: undefined' },
  /** Native apps' sign-in through a provider (`oidc.appRedirects`): each app code is traded once, on every instance. */
  oidcAppRedirects: { methods: ['markOneTimeUse'], off: 'oidc.appRedirects: []' },
} as const satisfies Record<string, { methods: readonly MethodName[]; off: string }>;

/** A feature named in {@link STORE_NEEDS}. */
export type StoreFeature = keyof typeof STORE_NEEDS;

/** How a feature is named in the error: the option a host sets. */
const LABELS: Partial<Record<StoreFeature, string>> = {
  login: 'login (POST /sessions)',
  linkedLogin: "login.credentials: 'token+cookie'",
  cookieOwnStore: 'cookie',
  jwtIssuing: 'jwt',
  selfServicePassword: 'selfService.passwordChange',
  jwtActors: 'jwt',
  oidcAppRedirects: 'oidc.appRedirects',
};

/** The names of the methods a store lacks out of `required`. */
function missingMethods(store: object, required: ReadonlyArray<MethodName>): MethodName[] {
  return required.filter((method) => typeof (store as Record<string, unknown>)[method] !== 'function');
}

/**
 * Throws a `GatehouseConfigError` (`code` `'GATEHOUSE_STORE_METHODS_MISSING'`, `option` `'store'`)
 * naming, for each feature turned on, every method the store lacks (features under one
 * option are reported together), with the ways to fix it.
 */
export function assertStoreHasMethods(store: object, features: Iterable<StoreFeature>): void {
  const byLabel = new Map<string, { methods: Set<MethodName>; off: Set<string> }>();
  for (const feature of features) {
    const missing = missingMethods(store, STORE_NEEDS[feature].methods);
    if (missing.length === 0) continue;
    const label = LABELS[feature] ?? feature;
    const entry = byLabel.get(label) ?? { methods: new Set(), off: new Set() };
    for (const method of missing) entry.methods.add(method);
    entry.off.add(STORE_NEEDS[feature].off);
    byLabel.set(label, entry);
  }
  if (byLabel.size === 0) return;
  const lines = [...byLabel].map(
    ([label, { methods, off }]) => `${label} needs a store with ${[...methods].map((m) => `${m}()`).join(', ')} (or ${[...off].join(', or ')})`,
  );
  fail(
    'store',
    `the store lacks methods for the features turned on: ${lines.join('; ')}. ` +
      'Implement them, combine your store with one that has them (combineStores), or turn the feature off.',
    { code: 'GATEHOUSE_STORE_METHODS_MISSING' },
  );
}
