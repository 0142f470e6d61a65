/**
 * Gatehouse: every common way to authenticate an Express API, as Passport strategies
 * behind one precedence-aware middleware. Public exports only.
 *
 * @module express-gatehouse
 */
export { gatehouse, type Gatehouse, type RoutesOptions, type ChangePasswordInput, type PasswordChanging, type LockoutAdministration, type PasswordChangeResult } from './gatehouse';
export type { SignInOrigin } from './tokens/sign-in-device';
export type { EndOnPasswordChange } from './passwords/signed-in-change';
export type { OpenApiFragment, OpenApiOptions, OpenApiSecurityOptions } from './openapi';
export type { OpenApiObject } from './openapi-facts';
export type { RoutePathOptions } from './routes/route-paths';
export type { GatehouseOptions, LoginOptions, PasswordChangeOptions, SelfServiceOptions } from './options';
export type { FirstSignIn, OidcOptions, OidcProviderOptions, PrivateKeyJwtOptions } from './oidc/options';
export type { LoginCredentials } from './resolved-options';
export type { BearerTokenKind, SessionTokenOptions } from './schemes/session-token/options';
export type { BasicOptions } from './schemes/basic/options';
export type {
  ChallengeScheme,
  ErrorResponse,
  ErrorResponseContext,
  JwtResponseBody,
  JwtResponseContext,
  LoginResponseBody,
  LogoutResponseBody,
  ResponsesOptions,
  SuccessResponseContext,
} from './responses';
export { PasswordHasher, type PasswordHasherOptions, type PasswordOptions } from './passwords/hasher';
export { Lockout, type LockoutDependencies, type LockoutOptions } from './passwords/lockout';
export { VerificationCache, type VerificationCacheDependencies, type VerificationCacheOptions } from './passwords/verification-cache';
export { PasswordCheck, type PasswordCheckDependencies, type PasswordCheckInput, type PasswordCheckResult } from './passwords/password-check';
export { isAuthenticated, type AuthenticatedHandler, type AuthenticatedRequest, type RequireHandler, type RequireOptions } from './middleware/require';
export type { Actor, AuthInfo, SchemeId, TokenKind } from './actor';
export { GatehouseError, isGatehouseError, PROBLEMS, problemDetails, type ProblemCode, type ProblemDetails } from './errors';
export { GatehouseConfigError, type GatehouseConfigErrorCode } from './config-error';
export { MemoryStore, type MemoryStoreOptions, type NewUser } from './store/memory';
export type {
  AttemptPolicy,
  AttemptState,
  AttemptStore,
  CredentialRecord,
  CredentialStore,
  GatehouseStore,
  IdentityLink,
  IdentityStore,
  ProviderSessionLink,
  RevocationStore,
  SecondFactorRecord,
  SecondFactorStore,
  StoredTokenKind,
  TokenRecord,
  TokenStore,
} from './store/types';
export { normalizeLogin } from './login';
export { combineStores, type StoreParts } from './store/combine';
export { HttpsBasicStrategy, type HttpsBasicStrategyOptions } from './schemes/basic/strategy';
export { JwtStrategy, type JwtStrategyOptions } from './schemes/jwt/strategy';
export { CookieSessions, CookieStrategy, type CookieSessionsDependencies, type CookieStrategyOptions } from './schemes/cookie/strategy';
export { resolveCookieOptions, type CookieOptions, type ResolvedCookieOptions, type SessionStore } from './schemes/cookie/options';
export { isCrossOriginAllowed, type CrossOriginPolicy, type CrossOriginRequest } from './cross-origin';
export { resolveJwtOptions, type ExternalIssuer, type JwtClaims, type JwtKey, type JwtOptions, type ResolvedJwtOptions } from './schemes/jwt/options';
export { SessionTokenStrategy, type SessionTokenStrategyOptions } from './schemes/session-token/strategy';
export { AppUserUrlStrategy, type AppUserUrlStrategyOptions } from './schemes/app-user-url/strategy';
export { ApiKeyStrategy, type ApiKeyStrategyOptions } from './schemes/api-key/strategy';
export { apiKeyDigest, resolveApiKeys, type ApiKeyEntry, type ApiKeyMap } from './schemes/api-key/options';
export type { RateLimitOptions, RateLimitHeaders, LimitInput, KeyLimitsInput } from './rate-limits/options';
export type { CounterState, LimitCounter, LimitOutcome, LimitSpec, MonthWindow, TokenLimitPlan } from './rate-limits/policy';
export { SCHEME_GROUPS, SCHEME_IDS, type SchemeGroup } from './schemes/ids';
export type { SchemeOptions } from './schemes/scheme-options';
export type {
  ApiKeyOwnerOptions,
  CreateApiKeyInput,
  CreatedApiKey,
  CredentialInfo,
  RotateApiKeyOptions,
  UpdateApiKeyInput,
  IssueTokenInput,
  IssuedToken,
  ListCredentialsOptions,
  RevokeByIdOptions,
  TokenService,
  VerifiedToken,
} from './tokens/token-service';
export { apiKeyPattern, apiKeyShape, generateApiKey, DEFAULT_API_KEY_PREFIX, type ApiKeyShape } from './tokens/api-key-format';
export type { ApiKeyExpiryOptions, ApiKeyPolicyOptions, ApiKeyState, Duration } from './tokens/api-key-policy';
export type { KeyLimitSource, KeyLimitUsage } from './tokens/api-key-usage';
export { AUDIT_EVENT_TYPES, type ApiKeyEventFields, type AuditEvent, type AuditEventBase, type AuditEventDetails, type AuditEventType, type AuditListener, type HostCallback } from './events';
export type { PasswordPolicyContext, PasswordPolicyOptions } from './passwords/password-policy';
export type { SecondFactorOptions } from './second-factor/options';
// Types that appear in the signatures above, exported so apps can name them (type-only:
// nothing new at runtime).
export type { ProblemExtensions } from './errors';
export type { ResolvedApiKey } from './schemes/api-key/options';
export type { ResolvedApiKeyPolicy } from './tokens/api-key-policy';
export type { ApiKeyDetails, ApiKeyRecordData } from './store/types';
export type { Guarded, GuardedStore } from './store/guard';
export type { CheckOptions, ResolvedPasswordOptions } from './passwords/hasher';
export type { ResolvedLockoutOptions } from './passwords/lockout';
export type { ResolvedSecondFactorOptions } from './second-factor/options';
export type { ResolvedVerificationCacheOptions } from './passwords/verification-cache';
export type { PublicJwk, ResolvedIssuer, ResolvedJwtKey } from './schemes/jwt/options';
export type { StandaloneAuthenticateOptions } from './schemes/outcome';
export type { CookieSessionState } from './schemes/cookie/session-state';
export type { Revocations } from './tokens/revocations';
export type { IdentityProviderSession, RevokeFamilyHook, TokenCounting } from './tokens/token-service';
export type { CountedToken } from './store/types';
export type { CountedCredential, RateLimiter } from './rate-limits/limiter';
export type { ResolvedRateLimits } from './rate-limits/options';
