/**
 * Scopes: what one credential may do, finer than the actor's roles.
 *
 * One model for every scheme: `req.authInfo.scopes` is the list the credential carries (an
 * `apiKeys` entry's `scopes`, a store-issued token's `scopes`, a JWT's `scope` or `scp`
 * claim). Absent means the credential is not scoped — a password login, a session, a key
 * issued without scopes — and `auth.require({ scopes })` puts no scope restriction on it; a
 * list (even an empty one) means the credential holds exactly those scopes. Pure: no I/O.
 */
import { fail } from './config-error';
import { GatehouseError } from './errors';

/**
 * One scope: RFC 6749 §3.3's `scope-token` (printable ASCII without spaces, `"` or `\`), so it
 * can be written in a space-separated `scope` claim and quoted in a `WWW-Authenticate` header.
 */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** True for a string that is one scope token. */
function isScope(value: unknown): value is string {
  return typeof value === 'string' && SCOPE_TOKEN.test(value);
}

/**
 * A scope list from configuration, checked: `undefined` stays `undefined` (not scoped); anything
 * else must be an array of scope tokens. `nonEmpty` refuses `[]` (a `require()` with nothing
 * to require is a mistake). `describe` starts the message (an `apiKeys` entry, named by position,
 * never by its key). Throws a `GatehouseConfigError` naming `option`.
 */
export function scopeListOption(value: unknown, option: string, where: string, { nonEmpty = false, describe = '' } = {}): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || (nonEmpty && value.length === 0) || !value.every(isScope)) {
    const field = option.slice(option.lastIndexOf('.') + 1);
    fail(option, `${describe ? `${describe}: ` : ''}${field} must be ${nonEmpty ? 'a non-empty' : 'an'} array of scopes such as ['reports:read'] (printable ASCII without spaces, quotes or backslashes).`, { where });
  }
  return [...new Set(value as string[])];
}

/**
 * The scopes a JWT carries: its `scope` claim (space-separated, RFC 8693 §4.2) or, failing that,
 * its `scp` claim (an array, or a space-separated string, as Azure AD and Okta send it).
 * `undefined` when neither claim is present. A claim of another shape refuses the token (401.2):
 * read as "no scopes", a malformed claim would turn a restricted token into an unrestricted one.
 */
export function scopesOfClaims(claims: object): string[] | undefined {
  const { scope, scp } = claims as { scope?: unknown; scp?: unknown };
  const claim = scope !== undefined ? scope : scp;
  if (claim === undefined) return undefined;
  const list = typeof claim === 'string' ? claim.split(' ').filter((part) => part !== '') : claim;
  if (!Array.isArray(list) || !list.every(isScope)) throw new GatehouseError('401.2');
  // A copy: verified claims are cached across requests, and a handler may change req.authInfo.
  return [...list];
}

/** The required scopes the credential lacks: none when it is not scoped (`held` undefined). */
export function missingScopes(required: readonly string[], held: readonly string[] | undefined): string[] {
  if (held === undefined) return [];
  return required.filter((scope) => !held.includes(scope));
}
