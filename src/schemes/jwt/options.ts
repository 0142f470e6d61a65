/**
 * Options of the `jwt` scheme and their validation. Keys become `KeyObject`s here, once:
 * handed a string, jsonwebtoken tries `createPublicKey` (and throws) on every verify,
 * which measured about 30× slower.
 */
import { createHash, createPrivateKey, createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import jwt, { type Algorithm } from 'jsonwebtoken';
import type { Actor } from '../../actor';
import { fail, knownOptions, type OptionNames } from '../../config-error';

/** Claims of a verified token, as the issuer wrote them. */
export type JwtClaims = Record<string, unknown> & {
  /** Subject: the actor id, for tokens issued here. */
  sub?: string;
  /** Issuer. */
  iss?: string;
  /** Expiry, in seconds since the epoch. */
  exp?: number;
  /** Issued at, in seconds since the epoch. */
  iat?: number;
  /** Token id, the key of its revocation. */
  jti?: string;
};

/**
 * An external identity provider whose access tokens are accepted (AWS Cognito, Auth0, Keycloak).
 *
 * @example
 * ```ts
 * { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf',
 *   jwksUri: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf/.well-known/jwks.json',
 *   algorithms: ['RS256'], tokenUse: 'access', clientId: '4abc…',
 *   actorFromClaims: (c) => ({ id: String(c.sub), kind: 'user', roles: (c['cognito:groups'] as string[]) ?? [] }) }
 * ```
 */
export interface ExternalIssuer {
  /** The exact `iss` of its tokens. */
  issuer: string;
  /** Where its signing keys are published. Keys are cached; an unknown `kid` refetches (rate limited). */
  jwksUri: string;
  /** Required `aud`, when its tokens carry one (Cognito access tokens do not; use `clientId`). */
  audience?: string | string[];
  /** Allowed algorithms, asymmetric only, e.g. `['RS256']`. Required. */
  algorithms: Algorithm[];
  /** Turns verified claims into the Actor; `null` refuses the token (401.2). */
  actorFromClaims: (claims: JwtClaims) => Actor | null | Promise<Actor | null>;
  /** Cognito's `token_use` claim must equal this (`'access'` or `'id'`). Default: not checked. */
  tokenUse?: 'access' | 'id';
  /** Cognito access tokens carry `client_id` instead of `aud`; it must be one of these. Default: not checked. */
  clientId?: string | string[];
}

/**
 * One local signing key with its key id, for {@link JwtOptions.keys}. Give either an HMAC
 * `secret` or an asymmetric `privateKey` (and/or `publicKey`), never both.
 *
 * @example
 * ```ts
 * { kid: '2026-03', privateKey: fs.readFileSync('jwt-2026-03.pem') }          // signs (first in the list)
 * { kid: '2026-01', publicKey: fs.readFileSync('jwt-2026-01.pub.pem') }       // verifies until removed
 * { kid: 'hs-2026', secret: process.env.JWT_SECRET, alg: 'HS512' }
 * ```
 */
export interface JwtKey {
  /** Key id, written into the `kid` header of the tokens it signs. A non-empty string of at most 256 characters, unique in `keys`. */
  kid: string;
  /** HMAC secret, at least 32 bytes. */
  secret?: string | Buffer | KeyObject;
  /** Private key (PEM or KeyObject); needed only by the key that signs. */
  privateKey?: string | Buffer | KeyObject;
  /** Public key; derived from `privateKey` when omitted. */
  publicKey?: string | Buffer | KeyObject;
  /**
   * The one algorithm this key signs and verifies with. Default: `'HS256'` for a secret,
   * `'RS256'` for RSA, `'PS256'` for RSA-PSS, `'ES256'`/`'ES384'`/`'ES512'` by EC curve.
   */
  alg?: Algorithm;
}

/**
 * Options of the `jwt` scheme. The scheme is on when `secret`, keys or `issuers` are given.
 *
 * @example
 * ```ts
 * jwt: { secret: process.env.JWT_SECRET, issuer: 'https://api.example.org', audience: 'api' }
 * ```
 */
export interface JwtOptions {
  /** HMAC secret, at least 32 bytes, for HS256/384/512. */
  secret?: string | Buffer | KeyObject;
  /** Private key (PEM or KeyObject) to sign local tokens with RS*, PS* or ES*. */
  privateKey?: string | Buffer | KeyObject;
  /** Public key to verify local tokens; derived from `privateKey` when omitted. */
  publicKey?: string | Buffer | KeyObject;
  /**
   * Several local keys, for rotating the signing key without ending anyone's session. The
   * **first** key signs new tokens (its `kid` goes in the token header); every key listed
   * verifies the tokens carrying its `kid` until it is removed. A token without a `kid`, or
   * with one not listed, is refused (401.2) — keys are never tried one after another.
   * Replaces `secret`/`privateKey`/`publicKey`/`algorithms`. HMAC and asymmetric keys may be
   * mixed (each `kid` is tied to its own algorithm, so one cannot stand in for the other);
   * only the asymmetric ones are published at the JWKS endpoint. Default: none.
   *
   * @example
   * ```ts
   * // Rotation: add the new key first; keep the old one until its last token has expired (accessTtl).
   * jwt: { keys: [{ kid: '2026-03', privateKey: newPem }, { kid: '2026-01', privateKey: oldPem }], issuer: 'https://api.example.org' }
   * ```
   */
  keys?: JwtKey[];
  /** Allowed algorithms for local tokens; the first one signs. Default: `['HS256']` with a secret, else from the key type. `none` is never allowed. */
  algorithms?: Algorithm[];
  /** `iss` of local tokens, checked on verify. Default: none. */
  issuer?: string;
  /** `aud` of local tokens, checked on verify. Default: none. */
  audience?: string | string[];
  /** Lifetime of access tokens in ms. Default `900000` (15 min). */
  accessTtl?: number;
  /** Lifetime of refresh tokens in ms, renewed on each rotation. Default `1209600000` (14 days). */
  refreshTtl?: number;
  /**
   * The reuse interval (Auth0's term; Okta's "grace period"), in ms: for this long after a
   * refresh token is rotated, presenting it again is taken as a retry — a client whose answer
   * was lost, or the same refresh sent to two instances at once — and answered with the
   * same successor the first rotation made, so the session goes on. Presented after the
   * interval it is taken as stolen, and its whole family is revoked. The price: within the
   * interval, someone who copied the just-used token gets that successor too. `0` turns
   * retries off (every second use revokes the family, whatever the instances' clocks say).
   * Across instances the interval is measured by the clock of the one a retry reaches, from
   * the rotating one's stamp: with clocks `s` ms apart a retry is honoured for the interval
   * ± `s`, and a stamp more than `clockTolerance` in its future is not a retry. Default
   * `30000` (30 s).
   * @example jwt: { secret, refreshReuseInterval: 10_000 }
   */
  refreshReuseInterval?: number;
  /**
   * Clock skew tolerated on `exp`/`nbf`, and between instances judging a refresh retry (see
   * `refreshReuseInterval`), in seconds. Default `5`.
   * @example jwt: { secret, clockTolerance: 10 }
   */
  clockTolerance?: number;
  /**
   * `false` (default): the actor is re-read from the store on every request, so a removed
   * user or a role change takes effect at once. `true`: the actor comes from the claims
   * (`sub`, `kind`, `roles`); revocations are still checked.
   */
  stateless?: boolean;
  /** External issuers whose tokens are accepted too. Default: none. */
  issuers?: ExternalIssuer[];
}

/** A validated external issuer. */
export interface ResolvedIssuer extends Omit<ExternalIssuer, 'clientId'> {
  /** {@link ExternalIssuer.clientId} as a list (the `client_id` claim must be one of them), or `null` for any. */
  clientIds: string[] | null;
}

/** A validated entry of `jwt.keys`. */
export interface ResolvedJwtKey {
  /** {@link JwtKey.kid}. */
  kid: string;
  /** The one algorithm of this key, default filled in. */
  alg: Algorithm;
  /** `null` for a verify-only asymmetric key. */
  signingKey: KeyObject | null;
  /** Verifies tokens whose `kid` is this key's: the secret, or the public key. */
  verifyKey: KeyObject;
}

/** A public key as published in a JWK Set (RFC 7517): never a private member, never a secret. */
export interface PublicJwk {
  /** Key type: `'RSA'` or `'EC'`. */
  kty: string;
  /** The key's id, as in the `kid` header of the tokens it verifies. */
  kid: string;
  /** The one algorithm the key is used with. */
  alg: string;
  /** Always `'sig'`: the key verifies signatures. */
  use: 'sig';
  [member: string]: unknown;
}

/** The `jwt` options after validation. */
export interface ResolvedJwtOptions {
  /** Signs local tokens; `null` when only external issuers are configured. */
  signingKey: KeyObject | null;
  /** Verifies local tokens; `null` when only external issuers are configured. */
  verifyKey: KeyObject | null;
  /** {@link JwtOptions.algorithms}, default filled in. */
  algorithms: Algorithm[];
  /** With `jwt.keys`: every local key, the signing one first; verification picks one by `kid`. Else empty. */
  keys: ResolvedJwtKey[];
  /** `kid` header of the tokens signed here; `null` with a single HMAC secret. */
  signingKid: string | null;
  /** Public local keys to publish at the JWKS endpoint; empty with HMAC keys only. */
  jwks: PublicJwk[];
  /** {@link JwtOptions.issuer}. */
  issuer: string | undefined;
  /** {@link JwtOptions.audience}. */
  audience: string | string[] | undefined;
  /** {@link JwtOptions.accessTtl}, default filled in (ms). */
  accessTtl: number;
  /** {@link JwtOptions.refreshTtl}, default filled in (ms). */
  refreshTtl: number;
  /** {@link JwtOptions.refreshReuseInterval}, default filled in (ms). */
  refreshReuseInterval: number;
  /** {@link JwtOptions.clockTolerance}, default filled in (s). */
  clockTolerance: number;
  /** {@link JwtOptions.stateless}, default filled in. */
  stateless: boolean;
  /** {@link JwtOptions.issuers}, each validated. */
  issuers: ResolvedIssuer[];
}

const HMAC: ReadonlySet<string> = new Set(['HS256', 'HS384', 'HS512']);
// No Ed25519/EdDSA: jsonwebtoken neither signs nor verifies it, so such a key is refused here
// rather than failing every login.
const ASYMMETRIC_BY_KEY: Readonly<Record<string, readonly string[]>> = {
  rsa: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
  'rsa-pss': ['PS256', 'PS384', 'PS512'],
  ec: ['ES256', 'ES384', 'ES512'],
};
const EC_ALGORITHM_BY_CURVE: Readonly<Record<string, string>> = { 'prime256v1': 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };
/** The options of `jwt`, in the order messages list them; a compile error when it and {@link JwtOptions} disagree. */
const OPTION_NAMES: OptionNames<JwtOptions> = {
  secret: true,
  keys: true,
  privateKey: true,
  publicKey: true,
  algorithms: true,
  issuer: true,
  audience: true,
  accessTtl: true,
  refreshTtl: true,
  refreshReuseInterval: true,
  clockTolerance: true,
  stateless: true,
  issuers: true,
};
const MIN_SECRET_BYTES = 32;
const MIN_RSA_BITS = 2048;
const MAX_KID_LENGTH = 256;
/** The options of an entry of `jwt.keys`; a compile error when it and {@link JwtKey} disagree. */
const KEY_OPTION_NAMES: OptionNames<JwtKey> = { kid: true, secret: true, privateKey: true, publicKey: true, alg: true };
/** The options of an entry of `jwt.issuers`; a compile error when it and {@link ExternalIssuer} disagree. */
const ISSUER_OPTION_NAMES: OptionNames<ExternalIssuer> = {
  issuer: true,
  jwksUri: true,
  audience: true,
  algorithms: true,
  actorFromClaims: true,
  tokenUse: true,
  clientId: true,
};
/** Members of a public JWK (RFC 7517/7518/8037); anything else a key export holds (`d`, `p`, `k`, …) is left out. */
const PUBLIC_JWK_MEMBERS: Readonly<Record<string, readonly string[]>> = { RSA: ['kty', 'n', 'e'], EC: ['kty', 'crv', 'x', 'y'], OKP: ['kty', 'crv', 'x'] };

function publicKeyMatches(privateKey: KeyObject, publicKey: KeyObject): boolean {
  // SPKI rather than JWK: Node cannot write an RSA-PSS key as a JWK.
  return createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).equals(publicKey.export({ type: 'spki', format: 'der' }));
}

function secretKey(secret: unknown, name = 'secret'): KeyObject {
  if (secret instanceof KeyObject) {
    if (secret.type !== 'secret') fail(`jwt.${name}`, `jwt.${name} must be an HMAC secret; give asymmetric keys as privateKey/publicKey.`);
    if ((secret.symmetricKeySize ?? 0) < MIN_SECRET_BYTES) fail(`jwt.${name}`, `jwt.${name} must be at least ${MIN_SECRET_BYTES} bytes.`);
    return secret;
  }
  if (typeof secret !== 'string' && !Buffer.isBuffer(secret)) fail(`jwt.${name}`, `jwt.${name} must be a string, a Buffer or a secret KeyObject.`);
  const bytes = Buffer.from(secret as string | Buffer);
  if (bytes.length < MIN_SECRET_BYTES) fail(`jwt.${name}`, `jwt.${name} must be at least ${MIN_SECRET_BYTES} bytes; generate one with crypto.randomBytes(32).toString('base64').`);
  return createSecretKey(bytes);
}

/** An asymmetric key pair (either half may be missing, not both), checked and matched. */
function keyPair(privateInput: unknown, publicInput: unknown, prefix: string): { signingKey: KeyObject | null; verifyKey: KeyObject; keyAlgorithms: string[] } {
  const signingKey = privateInput === undefined ? null : asymmetricKey(privateInput, 'private', `${prefix}privateKey`);
  const verifyKey = publicInput === undefined ? createPublicKey(signingKey!) : asymmetricKey(publicInput, 'public', `${prefix}publicKey`);
  const keyAlgorithms = algorithmsForKey(verifyKey);
  if (keyAlgorithms.length === 0) fail(`jwt.${prefix}publicKey`, `jwt.${prefix}publicKey: unsupported key type; use RSA or EC (P-256/384/521).`);
  // jsonwebtoken refuses to sign with a shorter RSA key; say so now rather than on the first login.
  const modulusLength = verifyKey.asymmetricKeyDetails?.modulusLength;
  if (modulusLength !== undefined && modulusLength < MIN_RSA_BITS) fail(`jwt.${prefix}${publicInput === undefined ? 'privateKey' : 'publicKey'}`, `jwt.${prefix}privateKey/publicKey: RSA keys must have at least ${MIN_RSA_BITS} bits.`);
  if (signingKey && !publicKeyMatches(signingKey, verifyKey)) fail(`jwt.${prefix}publicKey`, `jwt.${prefix}publicKey does not belong to ${prefix ? `jwt.${prefix}` : ''}privateKey; omit publicKey to derive it.`, { code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
  return { signingKey, verifyKey, keyAlgorithms };
}

/**
 * Only the public members of `key` as a JWK (sorted, as RFC 7638 wants them); `null` for a key
 * Node cannot write as a JWK (an RSA-PSS-only key), which is then not published.
 */
function publicMembers(key: KeyObject): Record<string, unknown> | null {
  let exported: Record<string, unknown>;
  try {
    exported = key.export({ format: 'jwk' }) as Record<string, unknown>;
  } catch {
    return null;
  }
  const members = [...(PUBLIC_JWK_MEMBERS[exported.kty as string] ?? [])].sort();
  return members.length > 0 ? Object.fromEntries(members.map((member) => [member, exported[member]])) : null;
}

/**
 * Signs and verifies one throwaway token, so a key jsonwebtoken will not use with `alg` (an
 * RSA-PSS key whose parameters do not fit it, say) is refused at start-up, not on every login.
 */
function checkSigns(signingKey: KeyObject, verifyKey: KeyObject, alg: Algorithm, name: string): void {
  try {
    jwt.verify(jwt.sign({}, signingKey, { algorithm: alg }), verifyKey, { algorithms: [alg] });
  } catch (error) {
    fail(`jwt.${name}`, `jwt.${name} cannot sign ${alg} tokens: ${(error as Error).message}`);
  }
}

/** The JWK Set entry of a public key, or `null` when it cannot be published. */
function publicJwk(key: KeyObject, kid: string, alg: string): PublicJwk | null {
  const members = publicMembers(key);
  return members ? ({ ...members, kid, alg, use: 'sig' } as PublicJwk) : null;
}

/**
 * RFC 7638 thumbprint: the `kid` of a single asymmetric key (`jwt.privateKey`), so its tokens
 * and its JWKS entry match without the host naming the key. `null` when it cannot be published.
 */
function thumbprint(key: KeyObject): string | null {
  const members = publicMembers(key);
  return members ? createHash('sha256').update(JSON.stringify(members)).digest('base64url') : null;
}

function resolveKey(input: JwtKey, index: number): ResolvedJwtKey {
  const name = `keys[${index}]`;
  if (!input || typeof input !== 'object' || Array.isArray(input)) fail(`jwt.${name}`, `jwt.${name} must be an object { kid, secret } or { kid, privateKey, publicKey? }.`);
  knownOptions(input, KEY_OPTION_NAMES, `jwt.${name}`);
  if (typeof input.kid !== 'string' || input.kid === '' || input.kid.length > MAX_KID_LENGTH) fail(`jwt.${name}.kid`, `jwt.${name}.kid must be a non-empty string of at most ${MAX_KID_LENGTH} characters.`);
  const asymmetric = input.privateKey !== undefined || input.publicKey !== undefined;
  if (input.secret !== undefined && asymmetric) fail(`jwt.${name}.secret`, `jwt.${name}: secret cannot be combined with privateKey/publicKey; one key is either HMAC or asymmetric.`, { code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
  if (input.secret === undefined && !asymmetric) fail(`jwt.${name}`, `jwt.${name} needs a secret (HMAC) or a privateKey/publicKey.`, { code: 'GATEHOUSE_MISSING_OPTION' });
  if (input.secret !== undefined) {
    const key = secretKey(input.secret, `${name}.secret`);
    const [alg] = checkAlgorithms([input.alg ?? 'HS256'], [...HMAC], `${name}.alg`);
    return { kid: input.kid, alg, signingKey: key, verifyKey: key };
  }
  const { signingKey, verifyKey, keyAlgorithms } = keyPair(input.privateKey, input.publicKey, `${name}.`);
  const [alg] = checkAlgorithms([input.alg ?? keyAlgorithms[0]], keyAlgorithms, `${name}.alg`);
  if (signingKey) checkSigns(signingKey, verifyKey, alg, `${name}.privateKey`);
  return { kid: input.kid, alg, signingKey, verifyKey };
}

function resolveKeys(input: unknown): ResolvedJwtKey[] {
  if (!Array.isArray(input) || input.length === 0) fail('jwt.keys', 'jwt.keys must be a non-empty array of { kid, secret | privateKey | publicKey }; the first one signs.');
  const keys = input.map(resolveKey);
  keys.forEach((key, index) => {
    const first = keys.findIndex((other) => other.kid === key.kid);
    if (first !== index) fail(`jwt.keys[${index}].kid`, `jwt.keys[${index}].kid '${key.kid}' is already used by jwt.keys[${first}]; every kid must be unique.`);
  });
  if (!keys[0].signingKey) fail('jwt.keys[0]', 'jwt.keys[0] signs new tokens, so it needs a secret or a privateKey; list verify-only keys after it.');
  return keys;
}

function asymmetricKey(value: unknown, kind: 'private' | 'public', name: string): KeyObject {
  if (value instanceof KeyObject) {
    if (value.type !== kind) fail(`jwt.${name}`, `jwt.${name} must be a ${kind} key.`);
    return value;
  }
  if (typeof value !== 'string' && !Buffer.isBuffer(value)) fail(`jwt.${name}`, `jwt.${name} must be a PEM string, a Buffer or a KeyObject.`);
  try {
    return kind === 'private' ? createPrivateKey(value as string | Buffer) : createPublicKey(value as string | Buffer);
  } catch {
    return fail(`jwt.${name}`, `jwt.${name} could not be read as a ${kind} key (PEM expected).`);
  }
}

/** Algorithms an asymmetric key may be used with. */
function algorithmsForKey(key: KeyObject): string[] {
  const type = key.asymmetricKeyType ?? '';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
    return EC_ALGORITHM_BY_CURVE[curve] ? [EC_ALGORITHM_BY_CURVE[curve]] : [];
  }
  return [...(ASYMMETRIC_BY_KEY[type] ?? [])];
}

function checkAlgorithms(value: unknown, allowed: readonly string[], name: string): Algorithm[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((a) => typeof a === 'string')) {
    fail(`jwt.${name}`, `jwt.${name} must be a non-empty array such as ['${allowed[0] ?? 'RS256'}'].`);
  }
  for (const algorithm of value) {
    if (algorithm.toLowerCase() === 'none') fail(`jwt.${name}`, `jwt.${name} may not include 'none'.`);
    if (!allowed.includes(algorithm)) fail(`jwt.${name}`, `jwt.${name}: '${algorithm}' does not fit the key; use ${allowed.map((a) => `'${a}'`).join(', ')}.`);
  }
  return value as Algorithm[];
}

function duration(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1000) fail(`jwt.${name}`, `jwt.${name} must be a whole number of milliseconds, at least 1000 (default ${fallback}).`);
  return value;
}

function audienceOption(value: unknown, name: string): string | string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  if (Array.isArray(value) && value.length > 0 && value.every((a) => typeof a === 'string' && a !== '')) return [...value];
  return fail(`jwt.${name}`, `jwt.${name} must be a non-empty string or array of strings.`);
}

function resolveIssuer(input: ExternalIssuer, index: number): ResolvedIssuer {
  const name = `issuers[${index}]`;
  if (!input || typeof input !== 'object' || Array.isArray(input)) fail(`jwt.${name}`, `jwt.${name} must be an object { issuer, jwksUri, algorithms, actorFromClaims }.`);
  // A misspelt clientId or audience would leave that check off: tokens for any client of the pool would pass.
  knownOptions(input, ISSUER_OPTION_NAMES, `jwt.${name}`);
  if (typeof input.issuer !== 'string' || input.issuer === '') fail(`jwt.${name}.issuer`, `jwt.${name}.issuer must be the exact iss of its tokens.`);
  let uri: URL;
  try {
    uri = new URL(input.jwksUri);
  } catch {
    return fail(`jwt.${name}.jwksUri`, `jwt.${name}.jwksUri must be an absolute URL.`);
  }
  if (uri.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(uri.hostname)) {
    fail(`jwt.${name}.jwksUri`, `jwt.${name}.jwksUri must use https (plain http only for a loopback address in tests).`);
  }
  const asymmetric = Object.values(ASYMMETRIC_BY_KEY).flat();
  const algorithms = checkAlgorithms(input.algorithms, [...new Set(asymmetric)], `${name}.algorithms`);
  if (typeof input.actorFromClaims !== 'function') fail(`jwt.${name}.actorFromClaims`, `jwt.${name}.actorFromClaims must be a function (claims) => Actor | null.`);
  if (input.tokenUse !== undefined && input.tokenUse !== 'access' && input.tokenUse !== 'id') fail(`jwt.${name}.tokenUse`, `jwt.${name}.tokenUse must be 'access' or 'id'.`);
  const clientIds = input.clientId === undefined ? null : ([] as string[]).concat(input.clientId);
  if (clientIds && (clientIds.length === 0 || !clientIds.every((c) => typeof c === 'string' && c !== ''))) fail(`jwt.${name}.clientId`, `jwt.${name}.clientId must be a string or array of strings.`);
  return {
    issuer: input.issuer,
    jwksUri: input.jwksUri,
    audience: audienceOption(input.audience, `${name}.audience`),
    algorithms,
    actorFromClaims: input.actorFromClaims,
    tokenUse: input.tokenUse,
    clientIds,
  };
}

/**
 * Every object {@link resolveJwtOptions} returned. `JwtStrategy` takes either the options a
 * user writes or these; it tells them apart by identity, not by shape, so no object a user
 * writes can pass for validated options and skip the checks.
 */
const RESOLVED = new WeakSet<ResolvedJwtOptions>();

function markResolved(resolved: ResolvedJwtOptions): ResolvedJwtOptions {
  RESOLVED.add(resolved);
  return resolved;
}

/** True for an object {@link resolveJwtOptions} returned (not a copy of one). */
export function isResolvedJwtOptions(value: unknown): value is ResolvedJwtOptions {
  return typeof value === 'object' && value !== null && RESOLVED.has(value as ResolvedJwtOptions);
}

/** Validates the `jwt` option; `false` (or absent) turns the scheme off. */
export function resolveJwtOptions(input: JwtOptions | false | undefined): ResolvedJwtOptions | false {
  if (input === undefined || input === false) return false;
  if (!input || typeof input !== 'object' || Array.isArray(input)) fail('jwt', 'jwt must be an object of options, or false to turn JWT off.');
  knownOptions(input, OPTION_NAMES, 'jwt');
  if (input.secret !== undefined && (input.privateKey !== undefined || input.publicKey !== undefined)) {
    fail('jwt.secret', 'jwt.secret cannot be combined with privateKey/publicKey: choose HMAC or an asymmetric key.', { code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
  }
  if (input.keys !== undefined) {
    const single = (['secret', 'privateKey', 'publicKey', 'algorithms'] as const).find((option) => input[option] !== undefined);
    if (single) fail('jwt.keys', `jwt.keys replaces ${single}: give each key (and its alg) in keys instead.`, { code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
  }

  let signingKey: KeyObject | null = null;
  let verifyKey: KeyObject | null = null;
  let keyAlgorithms: string[] = [];
  let keys: ResolvedJwtKey[] = [];
  let signingKid: string | null = null;
  let jwks: PublicJwk[] = [];
  if (input.keys !== undefined) {
    keys = resolveKeys(input.keys);
    ({ signingKey, verifyKey, kid: signingKid } = keys[0]);
    keyAlgorithms = [keys[0].alg];
    jwks = keys.flatMap((key) => (key.verifyKey.type === 'public' ? (publicJwk(key.verifyKey, key.kid, key.alg) ?? []) : []));
  } else if (input.secret !== undefined) {
    signingKey = verifyKey = secretKey(input.secret);
    keyAlgorithms = [...HMAC];
  } else if (input.privateKey !== undefined || input.publicKey !== undefined) {
    ({ signingKey, verifyKey, keyAlgorithms } = keyPair(input.privateKey, input.publicKey, ''));
    signingKid = thumbprint(verifyKey);
  }
  if (input.issuers !== undefined && !Array.isArray(input.issuers)) fail('jwt.issuers', 'jwt.issuers must be an array of { issuer, jwksUri, algorithms, actorFromClaims }.');
  const issuers = (input.issuers ?? []).map(resolveIssuer);
  if (verifyKey === null && issuers.length === 0) {
    fail('jwt', 'jwt needs a secret, a privateKey/publicKey or issuers; or set jwt: false.', { code: 'GATEHOUSE_MISSING_OPTION' });
  }
  if (new Set(issuers.map((external) => external.issuer)).size !== issuers.length) fail('jwt.issuers', 'jwt.issuers lists the same issuer twice; list each once.');
  const algorithms = verifyKey === null ? [] : checkAlgorithms(input.algorithms ?? [keyAlgorithms[0]], keyAlgorithms, 'algorithms');
  if (keys.length === 0 && signingKey?.type === 'private') checkSigns(signingKey, verifyKey!, algorithms[0], 'privateKey');
  if (input.issuer !== undefined && (typeof input.issuer !== 'string' || input.issuer === '')) fail('jwt.issuer', 'jwt.issuer must be a non-empty string.');
  if (issuers.some((external) => external.issuer === input.issuer)) fail('jwt.issuer', 'jwt.issuer is also listed in issuers; local and external issuers must differ.', { code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
  const clockTolerance = input.clockTolerance ?? 5;
  if (typeof clockTolerance !== 'number' || !Number.isInteger(clockTolerance) || clockTolerance < 0 || clockTolerance > 300) {
    fail('jwt.clockTolerance', 'jwt.clockTolerance must be whole seconds from 0 to 300 (default 5).');
  }
  if (input.stateless !== undefined && typeof input.stateless !== 'boolean') fail('jwt.stateless', 'jwt.stateless must be true or false (default false).');
  const refreshReuseInterval = input.refreshReuseInterval ?? 30_000;
  if (typeof refreshReuseInterval !== 'number' || !Number.isSafeInteger(refreshReuseInterval) || refreshReuseInterval < 0 || refreshReuseInterval > 5 * 60 * 1000) {
    fail('jwt.refreshReuseInterval', 'jwt.refreshReuseInterval must be whole milliseconds from 0 (no retries) to 300000 (default 30000).');
  }
  if (keys.length === 0 && verifyKey?.type === 'public' && signingKid) jwks = [publicJwk(verifyKey, signingKid, algorithms[0])!];
  return markResolved({
    signingKey,
    verifyKey,
    algorithms,
    keys,
    signingKid,
    jwks,
    issuer: input.issuer,
    audience: audienceOption(input.audience, 'audience'),
    accessTtl: duration(input.accessTtl, 'accessTtl', 15 * 60 * 1000),
    refreshTtl: duration(input.refreshTtl, 'refreshTtl', 14 * 24 * 60 * 60 * 1000),
    refreshReuseInterval,
    clockTolerance,
    stateless: input.stateless ?? false,
    issuers,
  });
}
