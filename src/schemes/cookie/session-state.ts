/**
 * What Gatehouse keeps in a browser session. Its own file, apart from the express-session
 * store that declares it on express-session's `SessionData`, so the published types of
 * `CookieSessions` do not pull in that module augmentation (and `@types/express-session`).
 */
import type { SignInOrigin } from '../../tokens/sign-in-device';

/** The Gatehouse part of a browser session. */
export interface CookieSessionState {
  /** The actor logged in; resolved with `findActor` on every request. */
  actorId: string;
  /** Login time, for the absolute lifetime. */
  createdAt: number;
  /** Last request, for the idle timeout (written at most every tenth of it). */
  lastSeenAt: number;
  /**
   * When the login behind the session checked the password (ms); a per-actor "not before"
   * from `revokeAll` at or after it ends the session. Absent in sessions established by earlier versions.
   */
  provenAt?: number;
  /**
   * How that proof was made, as RFC 8176 `amr` values (`['pwd']`, `['pwd', 'otp']`); raised
   * with `provenAt` by re-authentication. Absent in sessions established by earlier versions,
   * which read as `['pwd']` when they have a `provenAt`.
   */
  amr?: string[];
  /** The session's CSRF token, returned by the login; `X-CSRF-Token` may carry it on unsafe requests. */
  csrfToken: string;
  /**
   * The login this session belongs to, when that login also handed out a session token
   * (`login.credentials: 'token+cookie'`): both records share it as their family, and
   * ending either ends both.
   */
  loginId?: string;
  /** When the session ends at the latest (ms), if earlier than its absolute timeout: the login's token expiry. */
  endsAt?: number;
  /** Where the login came from (User-Agent, and the address with `selfService.recordIp`), when `selfService` is on. */
  signIn?: SignInOrigin;
}
