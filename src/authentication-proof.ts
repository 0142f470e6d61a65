/**
 * How and when a credential's actor proved who they are (README, "Step-up: recent and
 * stronger sign-ins"): the moment (`authTime`, the login's `provenAt`), the methods as
 * RFC 8176 `amr` values, and the authentication context class (`acr`) derived from them.
 * Pure: no I/O; the strategies read a proof from their credential, `auth.require()` judges it.
 */

/** The `amr` of a proof that names none: a password login (RFC 8176 `pwd`). */
export const DEFAULT_AMR: readonly string[] = Object.freeze(['pwd']);

/**
 * The `amr` of a sign-in at an OpenID provider whose ID token names no method (Google, Cognito
 * and Keycloak send no `amr` by default), or only values that are not method names: `['ext']`,
 * "proven at an external identity provider, by a method it did not state". Gatehouse's own
 * value: RFC 8176 registers no value for an unknown method, and OpenID Connect Core §2 leaves
 * `amr` values to the parties that use them. Never guessed as `pwd`: it is no factor Gatehouse
 * knows, so the proof's `acr` is `'single'` and it never passes `acr: 'mfa'`.
 */
const UNSTATED_PROVIDER_AMR: readonly string[] = Object.freeze(['ext']);

/**
 * The `acr` values Gatehouse derives, weakest first: `'single'` for a proof with one kind of
 * factor (a password), `'mfa'` for one with two kinds (a password and a one-time code). A
 * route requiring one lets in that value or a stronger one.
 */
const ACR_LEVELS: readonly string[] = Object.freeze(['single', 'mfa']);

/**
 * The kind of factor each RFC 8176 method is: something known, something held, something one
 * is. Methods not listed (`geo`, `mca`, an identity provider's own values) are no factor.
 */
const FACTOR_OF_METHOD: ReadonlyMap<string, 'knowledge' | 'possession' | 'inherence'> = new Map([
  ['pwd', 'knowledge'], ['pin', 'knowledge'], ['kba', 'knowledge'],
  ['otp', 'possession'], ['hwk', 'possession'], ['swk', 'possession'], ['sms', 'possession'], ['tel', 'possession'], ['sc', 'possession'],
  ['fpt', 'inherence'], ['face', 'inherence'], ['iris', 'inherence'], ['retina', 'inherence'], ['vbm', 'inherence'],
] as const);

/** An `amr` value: printable ASCII without spaces, quotes or backslashes, so it fits any header or claim as it is. */
const AMR_VALUE = /^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/;

/**
 * The `acr` of a proof made with these methods: `'mfa'` when they include `mfa` itself or
 * factors of two kinds (`['pwd', 'otp']`), otherwise `'single'` (also for a provider sign-in
 * that names no method, {@link UNSTATED_PROVIDER_AMR}).
 *
 * @example acrOf(['pwd']) // 'single'; acrOf(['pwd', 'otp']) // 'mfa'
 */
export function acrOf(amr: readonly string[]): 'single' | 'mfa' {
  if (amr.includes('mfa')) return 'mfa';
  const kinds = new Set(amr.map((method) => FACTOR_OF_METHOD.get(method)).filter((kind) => kind !== undefined));
  return kinds.size >= 2 ? 'mfa' : 'single';
}

/**
 * The methods of a login's proof as stored: its `amr` without duplicates, or {@link DEFAULT_AMR}
 * when it names none. A value that is not an RFC 8176-shaped token is a bug of the login path
 * that issued it: a `TypeError`, before anything is issued.
 */
export function proofMethods(amr: readonly string[] | undefined): string[] {
  if (amr === undefined) return [...DEFAULT_AMR];
  if (!Array.isArray(amr) || amr.length === 0 || !amr.every((value) => typeof value === 'string' && AMR_VALUE.test(value))) {
    throw new TypeError('issueLogin: proof.amr must be a non-empty array of RFC 8176 method names such as [\'pwd\', \'otp\'].');
  }
  return [...new Set(amr)];
}

/**
 * The methods of a sign-in at an OpenID provider, from its ID token's `amr` claim: the values
 * of an RFC 8176 method's shape, without duplicates (others are left out, never guessed at);
 * {@link UNSTATED_PROVIDER_AMR} when none is left.
 *
 * @example providerProofMethods(['pwd', 'otp']) // ['pwd', 'otp']; providerProofMethods(undefined) // ['ext']
 */
export function providerProofMethods(claimed: unknown): string[] {
  const named = Array.isArray(claimed) ? claimed.filter((value) => storedMethods([value]) !== undefined) : [];
  return named.length > 0 ? [...new Set(named as string[])] : [...UNSTATED_PROVIDER_AMR];
}

/**
 * The methods a stored record or a verified claim names, or `undefined` when it names none
 * validly (a credential from before this version, a store that mangled it, an identity
 * provider's odd claim): such a credential has no proof, and step-up refuses it.
 */
export function storedMethods(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0 || !value.every((method) => typeof method === 'string' && AMR_VALUE.test(method))) return undefined;
  return [...value] as string[];
}

/** What a credential's proof adds to `req.authInfo`: its moment, methods and class. */
export interface ProofInfo {
  authTime?: Date;
  amr?: string[];
  acr?: string;
}

/**
 * `req.authInfo`'s proof fields for a proof made at `provenAt` (ms) with `amr`; `acr` as given
 * (a verified claim) or derived with {@link acrOf}. Nothing for a credential without a proof
 * (API keys, app-user keys, personal tokens): step-up refuses those.
 */
export function proofInfo(provenAt: number | undefined, amr: string[] | undefined, acr?: string): ProofInfo {
  const info: ProofInfo = {};
  if (typeof provenAt === 'number' && Number.isFinite(provenAt)) info.authTime = new Date(provenAt);
  if (amr) info.amr = amr;
  if (acr !== undefined) info.acr = acr;
  else if (amr) info.acr = acrOf(amr);
  return info;
}

/**
 * True when a credential of class `actual` meets a route that requires one of `required`: the
 * same value, or (for Gatehouse's own {@link ACR_LEVELS}) a stronger one.
 */
export function acrSatisfies(actual: string | undefined, required: readonly string[]): boolean {
  if (actual === undefined) return false;
  const rank = ACR_LEVELS.indexOf(actual);
  return required.some((value) => value === actual || (rank !== -1 && ACR_LEVELS.indexOf(value) !== -1 && rank >= ACR_LEVELS.indexOf(value)));
}
