/**
 * Talks to one OpenID provider through openid-client (the certified relying-party library):
 * discovery, the authorization URL, the code exchange with ID-token validation, and the
 * end-session URL. The only part of sign-in that does network I/O to the provider; a provider
 * that cannot be reached or answers wrongly is 502.1, anything the browser brought that does
 * not check out (state, `iss`, code, nonce, the ID token) is 401.2. Each 502.1 is reported
 * first (`oidc.providerUnreachable`: the provider's name and the stage, never a secret).
 *
 * openid-client is an ES module; it is loaded on first use, so an instance without `oidc`
 * never loads it (Node ≥ 20.19 `require`s it from this CommonJS package).
 */
import { createPrivateKey, webcrypto } from 'node:crypto';
import type * as OpenIdClient from 'openid-client' with { 'resolution-mode': 'import' };
import jwt, { type JwtHeader, type SigningKeyCallback } from 'jsonwebtoken';
import type { JwksClient } from 'jwks-rsa';
import { jwksClientFor } from '../jwks-client';
import { GatehouseError } from '../errors';
import { LOGOUT_TOKEN_CLOCK_SKEW, logoutRequestOf, type LogoutRequest } from './logout-token';
import type { ResolvedOidcProvider } from './options';

type Client = typeof OpenIdClient;
/** A WebCrypto private key as openid-client names it. */
type SigningKey = Extract<Parameters<Client['PrivateKeyJwt']>[0], { algorithm: unknown }>;

let loading: Promise<Client> | null = null;

/** openid-client, loaded once: `require` where Node can load ES modules that way, `import()` elsewhere. */
function openIdClient(): Promise<Client> {
  loading ??= import('openid-client').catch((error: unknown) => {
    if ((error as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw error;
    // Node before 20.19 cannot require an ES module; a real dynamic import can.
    return (new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Client>)('openid-client');
  });
  return loading;
}

/** What a validated sign-in at the provider yields. */
export interface ProviderSignIn {
  /** Every claim of the validated ID token. */
  claims: Record<string, unknown>;
  /** The raw ID token, for `id_token_hint` at RP-initiated logout. */
  idToken: string;
}

/** The checks the callback hands the code exchange. */
export interface CallbackChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Errors of openid-client that mean "what the browser brought does not check out", by `code`. */
const REFUSED_CODES = new Set([
  'OAUTH_AUTHORIZATION_RESPONSE_ERROR',
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_MISSING_SERVER_METADATA',
  'OAUTH_UNSUPPORTED_OPERATION',
  'OAUTH_JWS_SIGNATURE_VERIFICATION_FAILED',
  'OAUTH_RESPONSE_IS_NOT_CONFORM',
  'OAUTH_RESPONSE_BODY_ERROR',
]);

/**
 * OAuth error codes (RFC 6749 §5.2) with which a token endpoint refuses this client itself — its
 * secret or `privateKeyJwt` assertion, or its registration — not what the browser brought.
 */
const CLIENT_REFUSED_ERRORS = new Set(['invalid_client', 'unauthorized_client']);

/** The problem for an error of the exchange: 401.2 for a refused sign-in, 502.1 for a provider that failed or refused this client. */
function problemOf(error: unknown): GatehouseError {
  const code = (error as { code?: unknown }).code;
  const status = (error as { status?: unknown }).status;
  // The provider's 5xx (or an unreadable answer) is its failure; its 4xx (`invalid_grant`: a
  // replayed code, a wrong PKCE verifier) refuses what the browser brought.
  if (code === 'OAUTH_RESPONSE_BODY_ERROR' && typeof status === 'number' && status >= 500) return new GatehouseError('502.1', { cause: error });
  // A misconfigured client (a wrong secret or key) is the deployment's failure, not the user's:
  // 502.1 and an `oidc.providerUnreachable` event (reason `invalid_client`), never a 401.2 that
  // looks like one more refused sign-in.
  if (code === 'OAUTH_RESPONSE_BODY_ERROR' && CLIENT_REFUSED_ERRORS.has(String((error as { error?: unknown }).error))) return new GatehouseError('502.1', { cause: error });
  if (typeof code === 'string' && (REFUSED_CODES.has(code) || code.startsWith('OAUTH_JWT') || code.startsWith('OAUTH_JWS') || code.startsWith('OAUTH_INVALID'))) {
    return new GatehouseError('401.2', { cause: error });
  }
  return new GatehouseError('502.1', { cause: error });
}

/** The client authentication the provider's options name. */
async function clientAuthentication(client: Client, provider: ResolvedOidcProvider): Promise<OpenIdClient.ClientAuth> {
  if (provider.clientSecret !== null) return client.ClientSecretBasic(provider.clientSecret);
  if (provider.privateKeyJwt === null) return client.None();
  const keyObject = createPrivateKey(provider.privateKeyJwt.key);
  const der = keyObject.export({ format: 'der', type: 'pkcs8' });
  const algorithm = keyObject.asymmetricKeyType === 'ec' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const key = (await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign'])) as unknown as SigningKey;
  return client.PrivateKeyJwt(provider.privateKeyJwt.kid ? { key, kid: provider.privateKeyJwt.kid } : key);
}

/** Which request to a provider failed, for the `oidc.providerUnreachable` event. */
export type ProviderStage = 'discovery' | 'tokenExchange' | 'jwks';

/** Told of each failure of the provider that is answered 502.1 (never given a secret: the error is the HTTP client's). */
export type ProviderFailureReport = (provider: string, stage: ProviderStage, error: unknown) => void;

/** The signature algorithms a logout token may use (never `none`, never an HMAC). */
const LOGOUT_TOKEN_ALGORITHMS: jwt.Algorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

/** How long one request to a provider may take, in seconds. */
const PROVIDER_TIMEOUT_SECONDS = 10;

/**
 * One provider: its discovery document is read once (again after a failure), every request
 * to it is bounded by a timeout.
 */
export class ProviderClient {
  private configuration: Promise<OpenIdClient.Configuration> | null = null;
  private keys: JwksClient | null = null;

  constructor(
    readonly provider: ResolvedOidcProvider,
    private readonly reportFailure: ProviderFailureReport | null = null,
  ) {}

  /** 502.1 for a failure of the provider at `stage`, reported first. */
  private unreachable(stage: ProviderStage, error: unknown): GatehouseError {
    this.reportFailure?.(this.provider.name, stage, error);
    return new GatehouseError('502.1', { cause: error });
  }

  /** The discovered configuration; 502.1 when the provider cannot be reached or its document is wrong. */
  private async discovered(): Promise<{ client: Client; configuration: OpenIdClient.Configuration }> {
    const client = await openIdClient();
    const { provider } = this;
    this.configuration ??= (async () => {
      const issuer = new URL(provider.issuer);
      const insecure = issuer.protocol === 'http:';
      const configuration = await client.discovery(issuer, provider.clientId, { redirect_uris: [provider.redirectUri], response_types: ['code'] }, await clientAuthentication(client, provider), {
        timeout: PROVIDER_TIMEOUT_SECONDS,
        // A loopback provider over http: (development, tests); the option refuses any other.
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      });
      configuration.timeout = PROVIDER_TIMEOUT_SECONDS;
      return configuration;
    })();
    try {
      return { client, configuration: await this.configuration };
    } catch (error) {
      this.configuration = null;
      throw this.unreachable('discovery', error);
    }
  }

  /** The provider's metadata (`jwks_uri`, `end_session_endpoint`, …). */
  async metadata(): Promise<OpenIdClient.ServerMetadata> {
    return (await this.discovered()).configuration.serverMetadata();
  }

  /** The URL that sends the browser to the provider, with `state`, `nonce` and the PKCE S256 challenge. */
  async authorizationUrl(checks: CallbackChecks): Promise<URL> {
    const { client, configuration } = await this.discovered();
    return client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.provider.redirectUri,
      scope: this.provider.scopes.join(' '),
      response_type: 'code',
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /**
   * Checks the callback's query (state, `iss` per RFC 9207, error), exchanges the code at the
   * token endpoint with the PKCE verifier, and validates the ID token (signature with the
   * provider's keys and allowed algorithm, `iss`, `aud`, `exp`, `iat`, `nonce`).
   */
  async exchange(query: URLSearchParams, checks: CallbackChecks): Promise<ProviderSignIn> {
    const { client, configuration } = await this.discovered();
    // The redirect URI exactly as registered, with the query the provider sent back.
    const currentUrl = new URL(this.provider.redirectUri);
    currentUrl.search = query.toString();
    try {
      const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims || typeof tokens.id_token !== 'string') throw new GatehouseError('401.2');
      return { claims: { ...claims }, idToken: tokens.id_token };
    } catch (error) {
      if (error instanceof GatehouseError) throw error;
      const problem = problemOf(error);
      throw problem.code === '502.1' ? this.unreachable('tokenExchange', error) : problem;
    }
  }

  /**
   * The logout request of a back-channel logout token: signed with one of the provider's keys
   * (its `jwks_uri`), from its issuer, for this client, not expired, with the claims a logout
   * token must have; `null` for anything else. 502.1 when the provider's keys cannot be read.
   */
  async verifyLogoutToken(token: string, now: number): Promise<LogoutRequest | null> {
    const metadata = await this.metadata();
    if (typeof metadata.jwks_uri !== 'string') throw this.unreachable('jwks', new Error('The provider names no jwks_uri.'));
    this.keys ??= jwksClientFor(metadata.jwks_uri, PROVIDER_TIMEOUT_SECONDS * 1000);
    const keys = this.keys;
    // The provider's keys could not be read (not: the token names a key the provider lacks).
    let keysFailed: unknown = null;
    const getKey = (header: JwtHeader, callback: SigningKeyCallback): void => {
      keys.getSigningKey(header.kid).then(
        (key) => callback(null, key.getPublicKey()),
        (error: unknown) => {
          if ((error as { name?: unknown }).name !== 'SigningKeyNotFoundError') keysFailed = error;
          callback(error as Error);
        },
      );
    };
    const claims = await new Promise<Record<string, unknown> | null>((resolve) => {
      jwt.verify(
        token,
        getKey,
        { algorithms: LOGOUT_TOKEN_ALGORITHMS, issuer: this.provider.issuer, audience: this.provider.clientId, clockTimestamp: Math.floor(now / 1000), clockTolerance: LOGOUT_TOKEN_CLOCK_SKEW / 1000 },
        (error, payload) => resolve(error || !payload || typeof payload !== 'object' ? null : (payload as Record<string, unknown>)),
      );
    });
    if (keysFailed !== null) throw this.unreachable('jwks', keysFailed);
    return claims && typeof claims.exp === 'number' ? logoutRequestOf(claims) : null;
  }

  /** The provider's end-session URL for RP-initiated logout, or `null` when it has none. */
  async endSessionUrl(idTokenHint: string | null): Promise<URL | null> {
    const { client, configuration } = await this.discovered();
    if (!configuration.serverMetadata().end_session_endpoint) return null;
    return client.buildEndSessionUrl(configuration, {
      client_id: this.provider.clientId,
      ...(idTokenHint ? { id_token_hint: idTokenHint } : {}),
      ...(this.provider.postLogoutRedirectUri ? { post_logout_redirect_uri: this.provider.postLogoutRedirectUri } : {}),
    });
  }
}
