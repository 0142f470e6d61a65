/**
 * Who a request acts as, once authenticated.
 *
 * `kind` tells people (`user`), field devices (`appUser`) and machine keys (`apiKey`)
 * apart; hosts may add kinds of their own and fields of their own.
 */
export interface Actor {
  /** Stable identifier (the store's primary key, or a label for role-only API keys). */
  id: string;
  /** `'user'`, `'appUser'`, `'apiKey'`, or a kind the host defines. */
  kind: 'user' | 'appUser' | 'apiKey' | (string & {});
  /** Roles for `auth.require({ roles })`; empty when the actor has none. */
  roles: string[];
  /** A name for display; never used for decisions. */
  displayName?: string;
  /** Host fields travel along untouched. */
  [hostField: string]: unknown;
}

/** The scheme ids (README, "Schemes"), declared in `schemes/ids.ts`. */
export type { SchemeId } from './schemes/ids';
import type { SchemeId } from './schemes/ids';

/** Opaque token kinds (README, "Opaque tokens"). */
export type TokenKind = 'session' | 'appUser' | 'personal' | 'apiKey' | 'refresh';

/** What `req.authInfo` holds after a successful authentication. */
export interface AuthInfo {
  /** Which scheme authenticated the request. */
  scheme: SchemeId;
  /** For opaque tokens: the token's kind. For JWTs: `'access'`. */
  tokenKind?: TokenKind | 'access';
  /** When the credential stops working, if it expires. */
  expiresAt?: Date;
  /**
   * The scopes the credential carries (an `apiKeys` entry's or a token's `scopes`, a JWT's
   * `scope` or `scp` claim). Absent: the credential is not scoped, and `auth.require({ scopes })`
   * does not restrict it (password logins, sessions, keys issued without scopes).
   */
  scopes?: string[];
  /**
   * When the actor last proved who they are for this credential: the login's password check,
   * raised by `POST {sessions}/reauthenticate`; for Basic, this request; for a JWT, its
   * `auth_time`. Absent for credentials without a proof (API keys, app-user keys, personal
   * tokens), which `auth.require({ maxAge })` refuses.
   */
  authTime?: Date;
  /** How they proved it, as RFC 8176 `amr` values (`['pwd']`, `['pwd', 'otp']`); absent with `authTime`. */
  amr?: string[];
  /** The authentication context class: `'single'` or `'mfa'` from `amr` (README, "Step-up"), or an external JWT's `acr` claim. */
  acr?: string;
}

// `req.user` and `req.authInfo` on every Express request, without @types/passport. The two
// properties are declared exactly as @types/passport declares them, so an app that has it
// as well merges both declarations without a conflict.
declare global {
  // Express declares its request types in this namespace; augmenting them needs it too.
  namespace Express {
    // Empty on purpose: `req.user` is exactly an Actor.
    interface User extends Actor {}
    interface AuthInfo {
      scheme?: import('./actor').SchemeId;
      tokenKind?: import('./actor').TokenKind | 'access';
      expiresAt?: Date;
      scopes?: string[];
      authTime?: Date;
      amr?: string[];
      acr?: string;
    }
    interface Request {
      /** The actor `auth.authenticate()` resolved; unset for anonymous requests. */
      user?: User | undefined;
      /** How the request was authenticated; set with `user`. */
      authInfo?: AuthInfo | undefined;
    }
  }
}
