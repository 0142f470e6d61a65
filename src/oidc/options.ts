/**
 * The `oidc` option (README, "Sign in through an OpenID provider"): the providers a browser or
 * an app may sign in through, and what happens on a first sign-in. Pure: checked once at
 * construction, nothing here talks to a provider.
 */
import type { Actor } from '../actor';
import { durationOption, fail, knownOptions, type OptionNames } from '../config-error';
import { resolveAppRedirects, type AppRedirect } from './app-redirects';

/** What {@link OidcOptions.onFirstSignIn} is told about an identity no actor is linked to yet. */
export interface FirstSignIn {
  /** The provider's name in `oidc.providers`, e.g. `'cognito'`. */
  provider: string;
  /** The provider's issuer identifier (`iss`). */
  issuer: string;
  /** The provider's subject identifier (`sub`). */
  subject: string;
  /** Every claim of the validated ID token (`email`, `email_verified`, `name`, …). */
  claims: Readonly<Record<string, unknown>>;
}

/** A private key the client authenticates to the token endpoint with (`private_key_jwt`). */
export interface PrivateKeyJwtOptions {
  /** The private key, PKCS#8 PEM (RSA for RS256, P-256 for ES256). Required. */
  key: string;
  /** The key id the provider knows it by (the assertion's `kid`). Default: none. */
  kid?: string;
}

/** One OpenID provider. */
export interface OidcProviderOptions {
  /**
   * The provider's issuer identifier; its discovery document is read from
   * `{issuer}/.well-known/openid-configuration` and must name the same issuer. Required.
   * @example 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123'
   */
  issuer: string;
  /** The client id registered at the provider. Required. */
  clientId: string;
  /**
   * The client secret (`client_secret_basic` at the token endpoint). Give this or
   * `privateKeyJwt`, or neither for a public client (PKCE alone). Default: none.
   */
  clientSecret?: string;
  /**
   * A private key (PKCS#8 PEM) to authenticate to the token endpoint with a signed assertion
   * (`private_key_jwt`, RS256 or ES256), instead of `clientSecret`. Default: none.
   * @example { privateKeyJwt: { key: fs.readFileSync('client.pem', 'utf8'), kid: 'k1' } }
   */
  privateKeyJwt?: PrivateKeyJwtOptions;
  /** The scopes asked for; `openid` is always among them. Default `['openid', 'email', 'profile']`. */
  scopes?: string[];
  /**
   * The callback URL registered at the provider, exactly: the provider sends the browser back
   * to it, and the code exchange names it again. It must be `https:` (or `http:` on a loopback
   * host, RFC 8252) and point at `{oidc}/{provider}/callback` of `auth.routes()`. Required.
   * @example 'https://api.example.org/v1/oidc/cognito/callback'
   */
  redirectUri: string;
  /**
   * Where RP-initiated logout (`GET {oidc}/{provider}/logout`) sends the browser back to after
   * the provider's end-session endpoint, as registered there. Default: none (the provider's page).
   */
  postLogoutRedirectUri?: string;
  /**
   * Trust this provider's `email` when it says `email_verified: true`: a first sign-in whose
   * verified e-mail is a login in the store links to that actor. Only for a provider that owns
   * the addresses it verifies (a company's own directory); with any other, someone who
   * registers your users' addresses there would sign in as them. Default `false`.
   */
  trustVerifiedEmail?: boolean;
}

/** Options of signing in through OpenID providers. */
export interface OidcOptions {
  /**
   * The providers, by name (the name is a path segment of the start and callback endpoints).
   * @example { cognito: { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123', clientId: 'abc', clientSecret: process.env.COGNITO_SECRET, redirectUri: 'https://api.example.org/v1/oidc/cognito/callback' } }
   */
  providers: Record<string, OidcProviderOptions>;
  /**
   * Decides about an identity no actor is linked to yet: resolve to the actor to sign in as
   * (create it in your user table first; Gatehouse links the identity to it), or `null` to
   * refuse (403.1). Default: every unknown identity is refused.
   * @example { onFirstSignIn: async ({ claims }) => users.create({ login: String(claims.email), kind: 'user', roles: [] }) }
   */
  onFirstSignIn?: (signIn: FirstSignIn) => Promise<Actor | null> | Actor | null;
  /**
   * Seals the sign-in transaction cookie (state, nonce, PKCE verifier), so every instance
   * opens the others' (at least 32 characters). Default: `cookie.secret` when cookies are on,
   * else a random key per process (one instance).
   */
  secret?: string;
  /** How long a sign-in may take at the provider, in ms. Default `600_000` (10 minutes). */
  transactionTtl?: number;
  /**
   * How recent the sign-in behind a credential must be to unlink an identity
   * (`DELETE {oidc}/identities/{provider}/{subject}`), in ms; older is 401.6 (sign in again, or
   * `POST {sessions}/reauthenticate`). Default `300_000` (5 minutes).
   * @example { recentSignIn: 10 * 60_000 }
   */
  recentSignIn?: number;
  /**
   * The redirect URIs of native apps that sign in through a provider in the system browser
   * (RFC 8252): `GET {oidc}/{provider}/start?credentials=token&appRedirect=…&codeChallenge=…`
   * ends at one of them with a single-use code, which the app trades for its token or JWT pair
   * at `POST {oidc}/token` with its PKCE verifier (README, "Native apps"). A private-use scheme
   * in reverse-domain form (`com.example.app:/oauth2redirect`, §7.1) or a claimed `https:` URL
   * (§7.2) must match exactly; a loopback one, `http://127.0.0.1/…` or `http://[::1]/…` listed
   * without a port (§7.3), matches with any port. `localhost` is refused (§8.3). No query or
   * fragment. Needs a store with `markOneTimeUse` (each code is used once, on every instance).
   * Default `[]` (no native apps).
   * @example { appRedirects: ['com.example.app:/oauth2redirect', 'http://127.0.0.1/callback'] }
   */
  appRedirects?: string[];
}

/** One provider after validation. */
export interface ResolvedOidcProvider {
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string | null;
  privateKeyJwt: { key: string; kid: string | null } | null;
  scopes: string[];
  redirectUri: string;
  postLogoutRedirectUri: string | null;
  trustVerifiedEmail: boolean;
}

/** The `oidc` option after validation. */
export interface ResolvedOidcOptions {
  providers: ReadonlyMap<string, ResolvedOidcProvider>;
  onFirstSignIn: OidcOptions['onFirstSignIn'] | null;
  secret: string | null;
  transactionTtl: number;
  recentSignIn: number;
  appRedirects: readonly AppRedirect[];
}

const OIDC_OPTION_NAMES: OptionNames<OidcOptions> = { providers: true, onFirstSignIn: true, secret: true, transactionTtl: true, recentSignIn: true, appRedirects: true };
const PROVIDER_OPTION_NAMES: OptionNames<OidcProviderOptions> = {
  issuer: true,
  clientId: true,
  clientSecret: true,
  privateKeyJwt: true,
  scopes: true,
  redirectUri: true,
  postLogoutRedirectUri: true,
  trustVerifiedEmail: true,
};
const KEY_OPTION_NAMES: OptionNames<PrivateKeyJwtOptions> = { key: true, kid: true };

/** A provider name: one path segment. */
const PROVIDER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** A scope token (RFC 6749 §3.3). */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** True when `host` names the local machine (RFC 8252 §7.3: `http:` is allowed there). */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}

/** An absolute `https:` URL (or `http:` to a loopback host), without a fragment. */
function urlOption(value: unknown, option: string, example: string): string {
  let url: URL | null = null;
  try {
    url = typeof value === 'string' ? new URL(value) : null;
  } catch {
    url = null;
  }
  if (!url || url.hash !== '' || url.username !== '' || !(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname)))) {
    fail(option, `${option} must be an absolute https: URL (http: only on a loopback host) without a fragment, e.g. '${example}'.`);
  }
  return value as string;
}

function resolveProvider(name: string, value: unknown): ResolvedOidcProvider {
  const at = `oidc.providers.${name}`;
  if (!PROVIDER_NAME.test(name)) fail(at, `${at}: a provider name is letters, digits, '_' and '-' (it is a path segment).`);
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(at, `${at} must be an object such as { issuer, clientId, redirectUri }.`);
  knownOptions(value, PROVIDER_OPTION_NAMES, at);
  const options = value as OidcProviderOptions;
  const issuer = urlOption(options.issuer, `${at}.issuer`, 'https://login.example.org');
  if (typeof options.clientId !== 'string' || options.clientId === '') fail(`${at}.clientId`, `${at}.clientId must be the client id registered at the provider.`, { code: 'GATEHOUSE_MISSING_OPTION' });
  const redirectUri = urlOption(options.redirectUri, `${at}.redirectUri`, `https://api.example.org/v1/oidc/${name}/callback`);
  if (options.clientSecret !== undefined && (typeof options.clientSecret !== 'string' || options.clientSecret === '')) fail(`${at}.clientSecret`, `${at}.clientSecret must be a non-empty string.`);
  let privateKeyJwt: ResolvedOidcProvider['privateKeyJwt'] = null;
  if (options.privateKeyJwt !== undefined) {
    if (options.clientSecret !== undefined) fail(`${at}.privateKeyJwt`, `${at}: give clientSecret or privateKeyJwt, not both.`, { code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
    const key = options.privateKeyJwt as unknown;
    if (!key || typeof key !== 'object') fail(`${at}.privateKeyJwt`, `${at}.privateKeyJwt must be { key: '<PKCS#8 PEM>', kid? }.`);
    knownOptions(key, KEY_OPTION_NAMES, `${at}.privateKeyJwt`);
    const { key: pem, kid } = key as { key: unknown; kid?: unknown };
    if (typeof pem !== 'string' || !pem.includes('-----BEGIN PRIVATE KEY-----')) fail(`${at}.privateKeyJwt.key`, `${at}.privateKeyJwt.key must be a PKCS#8 PEM private key.`);
    if (kid !== undefined && (typeof kid !== 'string' || kid === '')) fail(`${at}.privateKeyJwt.kid`, `${at}.privateKeyJwt.kid must be a non-empty string.`);
    privateKeyJwt = { key: pem, kid: (kid as string | undefined) ?? null };
  }
  const scopes = options.scopes ?? ['openid', 'email', 'profile'];
  if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string' && SCOPE.test(scope))) {
    fail(`${at}.scopes`, `${at}.scopes must be an array of scope names such as ['openid', 'email'].`);
  }
  const postLogoutRedirectUri = options.postLogoutRedirectUri === undefined ? null : urlOption(options.postLogoutRedirectUri, `${at}.postLogoutRedirectUri`, 'https://app.example.org/');
  if (options.trustVerifiedEmail !== undefined && typeof options.trustVerifiedEmail !== 'boolean') fail(`${at}.trustVerifiedEmail`, `${at}.trustVerifiedEmail must be true or false (default false).`);
  return {
    name,
    issuer,
    clientId: options.clientId,
    clientSecret: options.clientSecret ?? null,
    privateKeyJwt,
    scopes: scopes.includes('openid') ? [...scopes] : ['openid', ...scopes],
    redirectUri,
    postLogoutRedirectUri,
    trustVerifiedEmail: options.trustVerifiedEmail ?? false,
  };
}

/** Validates the `oidc` option; `null` when it is not given. */
export function resolveOidcOptions(value: unknown): ResolvedOidcOptions | null {
  if (value === undefined) return null;
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('oidc', 'oidc must be an object such as { providers: { cognito: { issuer, clientId, redirectUri } } }.');
  knownOptions(value, OIDC_OPTION_NAMES, 'oidc');
  const options = value as OidcOptions;
  const providers = options.providers as unknown;
  if (!providers || typeof providers !== 'object' || Array.isArray(providers) || Object.keys(providers).length === 0) {
    fail('oidc.providers', 'oidc.providers must name at least one provider, e.g. { cognito: { issuer, clientId, redirectUri } }.', { code: 'GATEHOUSE_MISSING_OPTION' });
  }
  const resolved = new Map<string, ResolvedOidcProvider>();
  for (const [name, provider] of Object.entries(providers)) resolved.set(name, resolveProvider(name, provider));
  if (options.onFirstSignIn !== undefined && typeof options.onFirstSignIn !== 'function') fail('oidc.onFirstSignIn', 'oidc.onFirstSignIn must be a function ({ provider, issuer, subject, claims }) => actor or null.');
  if (options.secret !== undefined && (typeof options.secret !== 'string' || options.secret.length < 32)) fail('oidc.secret', 'oidc.secret must be at least 32 characters.');
  return {
    providers: resolved,
    onFirstSignIn: options.onFirstSignIn ?? null,
    secret: options.secret ?? null,
    transactionTtl: durationOption(options.transactionTtl, 'oidc.transactionTtl', 10 * 60 * 1000),
    recentSignIn: durationOption(options.recentSignIn, 'oidc.recentSignIn', 5 * 60 * 1000),
    appRedirects: resolveAppRedirects(options.appRedirects),
  };
}
