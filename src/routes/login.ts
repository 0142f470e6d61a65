/**
 * `POST /sessions` (README, "Endpoints"): a login by password, answered with a session token,
 * a cookie session or both (`login.credentials`). Any credential sent with it is ignored, so
 * a client holding a stale token can still log in.
 */
import type { Request } from 'express';
import { crossOriginRequestOf, isCrossOriginAllowed } from '../cross-origin';
import { GatehouseError } from '../errors';
import { auditedCheck } from '../events';
import { withChangeTicket } from '../passwords/change-ticket';
import { challengeError } from '../second-factor/challenge-ticket';
import { clientGoneSignal } from '../passwords/client-gone';
import { isSecureRequest } from '../request-secure';
import { handle, type Endpoint } from './endpoint';
import { badField, bodyObject, readLoginBody } from './login-body';
import { LOGIN_PROBLEMS, credentialFreeOperation, ok, problems } from './openapi-operation';

/** The body's `session`: a JSON boolean, or a form's `true`/`false`; 400.1 otherwise. */
function sessionField(req: Request): boolean | undefined {
  const value = bodyObject(req.body).session;
  if (value === undefined || typeof value === 'boolean') return value;
  if ((value === 'true' || value === 'false') && req.is('application/x-www-form-urlencoded')) return value === 'true';
  throw badField('session', 'must be true or false');
}

export const LOGIN_ENDPOINT: Endpoint = {
  id: 'gatehouseLogin',
  method: () => 'POST',
  path: (paths) => paths.login,
  body: true,
  mounted: ({ passwordCheck, config, cookieSessions }) => passwordCheck !== null && config.login.credentials !== 'none' && (config.schemes.sessionToken !== false || cookieSessions !== null),
  handler(context) {
    const passwordCheck = context.passwordCheck!;
    const credentials = context.config.login.credentials;
    const issueSessionTokens = context.config.schemes.sessionToken !== false;
    return handle(async (req, res) => {
      const { login, password } = readLoginBody(req.body);
      const asked = sessionField(req);
      // 'token+cookie' and 'cookie' hand out the cookie on every login, whatever `session` says.
      const wantsCookie = credentials === 'asked' ? asked === true : true;
      const wantsToken = credentials === 'asked' ? !wantsCookie : credentials === 'token+cookie';
      const offered = wantsCookie ? context.cookieSessions : null;
      if (wantsCookie && !offered) throw badField('session', 'cannot be true: cookie sessions are not enabled');
      if (wantsToken && !issueSessionTokens) throw badField('session', 'must be true: session tokens are turned off');
      // A Secure cookie cannot be set over plain HTTP. 'token+cookie' then hands out the token
      // alone (ODK Central makes only the cookie HTTPS-only); a login for the cookie alone is
      // refused before the password is checked.
      const cookieWithheld = Boolean(offered?.options.secure && !isSecureRequest(req));
      if (cookieWithheld && !wantsToken) throw new GatehouseError('401.3');
      const cookieSessions = cookieWithheld ? null : offered;
      // Login CSRF: a page on another origin must not sign the browser into an account of its
      // choosing. There is no session (and no CSRF token) yet, so the browser's headers decide.
      if (cookieSessions && !isCrossOriginAllowed(crossOriginRequestOf(req.method, req.headers), { trustedOrigins: cookieSessions.options.trustedOrigins, sessionCsrfToken: undefined })) {
        throw new GatehouseError('403.4');
      }
      // The proof of identity starts here: a revokeAll from now on refuses what this login issues.
      const provenAt = context.now();
      const { actor, previousAccessFailedCount, secondFactors } = await auditedCheck(
        context.emit ?? null,
        req,
        cookieSessions ? 'cookie' : 'sessionToken',
        login,
        passwordCheck.check({ login, password, clientIp: req.ip, signal: clientGoneSignal(res) }),
      ).catch((error: unknown) => withChangeTicket(context.passwordChange, context.store, login, error));
      if (secondFactors.length > 0 && context.secondFactors) {
        // No credential yet: the ticket carries what this login asked for to the second step.
        const credentials = { type: 'session', token: wantsToken, cookie: cookieSessions !== null, cookieWithheld } as const;
        throw challengeError(context.secondFactors.tickets, { actorId: actor.id, provenAt, credentials, previousAccessFailedCount }, secondFactors, actor);
      }
      await context.issueLogin(actor, { provenAt, previousAccessFailedCount, credentials: { type: 'session', token: wantsToken, cookie: cookieSessions, cookieWithheld } }, req, res);
    });
  },
  openapi({ schemes, secondFactor }) {
    const cookie = schemes.has('cookie');
    const loginSchema = cookie
      ? { allOf: [{ $ref: '#/components/schemas/GatehouseLogin' }, { type: 'object', properties: { session: { type: 'boolean', description: '`true`: sign in with the session cookie instead of a bearer token.' } } }] }
      : { $ref: '#/components/schemas/GatehouseLogin' };
    return credentialFreeOperation(
      'gatehouseLogin',
      'Log in',
      loginSchema,
      {
        '200': ok('Logged in.', {
          type: 'object',
          required: ['previousAccessFailedCount'],
          properties: {
            token: { type: 'string', description: 'Opaque session token, shown this once.' },
            createdAt: { type: 'string', format: 'date-time' },
            expiresAt: { type: ['string', 'null'], format: 'date-time' },
            csrf: { type: 'string', description: 'With `session: true`: send it as `X-CSRF-Token` on cross-origin unsafe requests.' },
            previousAccessFailedCount: { type: 'integer', description: 'Failed attempts since the last successful login.' },
          },
        }),
        ...problems([...LOGIN_PROBLEMS, ...(cookie ? (['401.3', '403.4'] as const) : []), ...(secondFactor ? (['401.5'] as const) : [])]),
      },
      'Any credential sent with the request is ignored. Unknown login and wrong password answer alike.',
    );
  },
};
