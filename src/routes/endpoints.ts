/**
 * Every endpoint of `auth.routes()`, each declared once in its own file (ARCHITECTURE.md,
 * "How to add an endpoint"). `routes()` mounts the ones that are on, in this order (logout
 * before `DELETE {sessions}/:token`, which would otherwise take `current` for a token);
 * `openapi()` describes the same ones; the router's fast filter serves exactly their
 * (method, path) pairs. The self-service endpoints (`selfService`) come last.
 */
import type { Endpoint } from './endpoint';
import { END_SESSION_ENDPOINT } from './end-session';
import { JWKS_ENDPOINT } from './jwks';
import { JWT_AUTHENTICATE_ENDPOINT } from './jwt-authenticate';
import { JWT_REFRESH_ENDPOINT } from './jwt-refresh';
import { JWT_VERIFY_ENDPOINT } from './jwt-verify';
import { LOGIN_ENDPOINT } from './login';
import { LOGOUT_ENDPOINT } from './logout';
import { OIDC_BACKCHANNEL_LOGOUT_ENDPOINT } from './oidc-backchannel-logout';
import { OIDC_CALLBACK_ENDPOINT } from './oidc-callback';
import { OIDC_IDENTITIES_LIST_ENDPOINT } from './oidc-identities-list';
import { OIDC_IDENTITY_UNLINK_ENDPOINT } from './oidc-identity-unlink';
import { OIDC_LOGOUT_ENDPOINT } from './oidc-logout';
import { OIDC_START_ENDPOINT } from './oidc-start';
import { OIDC_TOKEN_ENDPOINT } from './oidc-token';
import { PASSWORD_CHANGE_ENDPOINT } from './password-change';
import { RECOVERY_CODES_ENDPOINT } from './recovery-codes';
import { SECOND_FACTOR_CHALLENGE_ENDPOINT } from './second-factor-challenge';
import { TOTP_CONFIRM_ENDPOINT } from './totp-confirm';
import { TOTP_DISABLE_ENDPOINT } from './totp-disable';
import { TOTP_ENROL_ENDPOINT } from './totp-enrol';
import { REAUTHENTICATE_ENDPOINT } from './reauthenticate';
import { ACCOUNT_PASSWORD_ENDPOINT } from './account-password';
import { ADMIN_REVOKE_ALL_ENDPOINT } from './admin-revoke-all';
import { SIGN_IN_END_ENDPOINT } from './sign-in-end';
import { SIGN_INS_END_OTHERS_ENDPOINT } from './sign-ins-end-others';
import { SIGN_INS_LIST_ENDPOINT } from './sign-ins-list';

export const ENDPOINTS: readonly Endpoint[] = [
  LOGIN_ENDPOINT,
  PASSWORD_CHANGE_ENDPOINT,
  REAUTHENTICATE_ENDPOINT,
  LOGOUT_ENDPOINT,
  END_SESSION_ENDPOINT,
  JWT_AUTHENTICATE_ENDPOINT,
  JWT_REFRESH_ENDPOINT,
  JWT_VERIFY_ENDPOINT,
  JWKS_ENDPOINT,
  SIGN_INS_LIST_ENDPOINT,
  // Before `{account}/sessions/:id`, which would otherwise take `others` for an id.
  SIGN_INS_END_OTHERS_ENDPOINT,
  SIGN_IN_END_ENDPOINT,
  ACCOUNT_PASSWORD_ENDPOINT,
  ADMIN_REVOKE_ALL_ENDPOINT,
  SECOND_FACTOR_CHALLENGE_ENDPOINT,
  TOTP_ENROL_ENDPOINT,
  TOTP_CONFIRM_ENDPOINT,
  TOTP_DISABLE_ENDPOINT,
  RECOVERY_CODES_ENDPOINT,
  OIDC_START_ENDPOINT,
  OIDC_CALLBACK_ENDPOINT,
  OIDC_LOGOUT_ENDPOINT,
  OIDC_BACKCHANNEL_LOGOUT_ENDPOINT,
  OIDC_IDENTITIES_LIST_ENDPOINT,
  OIDC_IDENTITY_UNLINK_ENDPOINT,
  OIDC_TOKEN_ENDPOINT,
];
