/**
 * The options of `gatehouse()` after defaults and validation, as every part of an instance
 * reads them (`context.config`). Declared apart from `options.ts`, which resolves them by
 * calling each scheme's resolver through the registry: the context the schemes are built
 * from names this type, so it cannot live where the registry is imported.
 */
import type { AuditListener } from './events';
import type { ResolvedOidcOptions } from './oidc/options';
import type { ResolvedPasswordOptions } from './passwords/hasher';
import type { ResolvedLockoutOptions } from './passwords/lockout';
import type { ResolvedPasswordPolicy } from './passwords/password-policy';
import type { ResolvedRateLimits } from './rate-limits/options';
import type { ResolvedResponses } from './responses';
import type { ResolvedSecondFactorOptions } from './second-factor/options';
import type { SchemeGroup } from './schemes/ids';
import type { SchemeSettings } from './schemes/scheme-options';
import type { GatehouseStore } from './store/types';
import type { ResolvedApiKeyPolicy } from './tokens/api-key-policy';

/**
 * Which credentials `POST /sessions` hands out:
 * - `'asked'` (default): a session token, or the cookie alone when the body says `session: true`;
 * - `'token+cookie'`: both on every login, as one session — ending either (logout with
 *   either, `tokens.revoke`, `revokeById`, `revokeAll`, expiry) ends both (ODK Central);
 * - `'cookie'`: the cookie alone on every login;
 * - `'none'`: no `POST /sessions` at all (tokens come from an administrator, `auth.tokens.issue`).
 */
export type LoginCredentials = 'asked' | 'token+cookie' | 'cookie' | 'none';

/** The options after defaults and validation. */
export interface ResolvedOptions {
  store: Partial<GatehouseStore>;
  precedence: SchemeGroup[];
  multipleCredentials: 'first' | 'reject';
  /** Each scheme's resolved settings, `false` when off (see `SchemeDefinition.resolve`). */
  schemes: SchemeSettings;
  /** Per precedence group, the methods its credentials are considered on; absent: every method. */
  methods: Partial<Record<SchemeGroup, ReadonlySet<string>>>;
  passwords: ResolvedPasswordOptions;
  lockout: ResolvedLockoutOptions | false;
  login: { credentials: LoginCredentials };
  /** Sign-in through OpenID providers; `null` without `oidc`. */
  oidc: ResolvedOidcOptions | null;
  passwordChange: { ttl: number; secret: string | null } | false;
  /** Second factors (`secondFactor`); `false` when off. */
  secondFactor: ResolvedSecondFactorOptions | false;
  passwordPolicy: ResolvedPasswordPolicy;
  /** The self-service endpoints that are on and whether logins record the address; `false` when off. */
  selfService: { list: boolean; end: boolean; endOthers: boolean; passwordChange: boolean; adminRevokeAll: boolean; recordIp: boolean } | false;
  realm: string;
  adminRoles: string[];
  storeTimeout: number;
  responses: ResolvedResponses;
  lastUsedInterval: number;
  /** `rateLimits`, or `null` when off. */
  rateLimits: ResolvedRateLimits | null;
  apiKeyPolicy: ResolvedApiKeyPolicy;
  now: () => number;
  onEvent: AuditListener | null;
}
