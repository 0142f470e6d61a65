/**
 * `POST {secondFactor}/challenge` (README, "Second factor"): the second step of a login whose
 * password was right and whose actor has a second factor (401.5). Takes the `challengeTicket`
 * and a code — a TOTP code or a recovery code — and hands out exactly what the login would
 * have (a session token, a cookie session, both, or a JWT pair) through the one login-issuing
 * path, with `amr: ['pwd', 'otp']`.
 *
 * The ticket's signature is checked first, so a forged ticket costs no store call and no hash
 * (there is no bcrypt on this path at all). The code is checked under the actor's lockout (a
 * wrong one counts as a wrong password does); the ticket is then spent in the store's used-code
 * window, so it works once on every instance; and `provenAt` is the password's, so a
 * `tokens.revokeAll` after the password refuses the login (401.2).
 */
import { crossOriginRequestOf, isCrossOriginAllowed } from '../cross-origin';
import { GatehouseError, isGatehouseError } from '../errors';
import { clientIp } from '../events';
import { isSecureRequest } from '../request-secure';
import { MAX_CHALLENGE_TICKET_LENGTH } from '../second-factor/challenge-ticket';
import type { SecondFactorStore } from '../store/types';
import { handle, type Endpoint } from './endpoint';
import { bodyObject, requiredString } from './login-body';
import { credentialFreeOperation, ok, problems } from './openapi-operation';

/** Longest code read: a recovery code with spaces or dashes fits well within it. */
const MAX_CODE_LENGTH = 64;

export const SECOND_FACTOR_CHALLENGE_ENDPOINT: Endpoint = {
  id: 'gatehouseSecondFactorChallenge',
  method: () => 'POST',
  path: (paths) => `${paths.secondFactor}/challenge`,
  body: true,
  mounted: ({ secondFactors, passwordCheck }) => secondFactors !== null && passwordCheck !== null,
  handler(context) {
    const secondFactors = context.secondFactors!;
    const store = context.store as unknown as Required<Pick<SecondFactorStore, 'markOneTimeUse'>>;
    return handle(async (req, res) => {
      const body = bodyObject(req.body);
      const ticket = secondFactors.tickets.read(requiredString(body, 'ticket', MAX_CHALLENGE_TICKET_LENGTH));
      const code = requiredString(body, 'code', MAX_CODE_LENGTH).trim();
      const asked = ticket.credentials;
      // The cookie is set on this answer: the same conditions as at login apply to this request.
      let cookie = null;
      let cookieWithheld = asked.type === 'session' && asked.cookieWithheld;
      if (asked.type === 'session' && asked.cookie) {
        const offered = context.cookieSessions;
        if (!offered) throw new GatehouseError('401.2');
        if (offered.options.secure && !isSecureRequest(req)) {
          if (!asked.token) throw new GatehouseError('401.3');
          cookieWithheld = true;
        } else {
          cookie = offered;
        }
        if (cookie && !isCrossOriginAllowed(crossOriginRequestOf(req.method, req.headers), { trustedOrigins: cookie.options.trustedOrigins, sessionCsrfToken: undefined })) {
          throw new GatehouseError('403.4');
        }
      }
      const checked = (error: GatehouseError | null, factor: 'totp' | 'recovery' | null) =>
        context.emit?.({ type: 'secondFactor.checked', scheme: null, actorId: ticket.actorId, ip: clientIp(req), code: error?.code ?? null, passed: error === null, factor });
      let factor: 'totp' | 'recovery';
      try {
        ({ factor } = await secondFactors.check(ticket.actorId, code, req.ip));
        // Spent now, on every instance: a ticket answers one login.
        if (!(await store.markOneTimeUse(ticket.actorId, `ticket:${ticket.nonce}`, ticket.expiresAt, context.now()))) throw new GatehouseError('401.2');
      } catch (error) {
        if (isGatehouseError(error) && !error.code.startsWith('5')) checked(error, null);
        throw error;
      }
      checked(null, factor);
      const actor = await context.store.findActor!(ticket.actorId);
      if (!actor) throw new GatehouseError('401.2');
      const proof = { provenAt: ticket.provenAt, amr: ['pwd', 'otp'], previousAccessFailedCount: ticket.previousAccessFailedCount };
      await context.issueLogin(
        actor,
        asked.type === 'jwt' ? { ...proof, credentials: { type: 'jwt' } } : { ...proof, credentials: { type: 'session', token: asked.token, cookie, cookieWithheld } },
        req,
        res,
      );
    });
  },
  openapi: ({ schemes }) =>
    credentialFreeOperation(
      'gatehouseSecondFactorChallenge',
      'Answer a 401.5 second-factor challenge with a code',
      {
        type: 'object',
        required: ['ticket', 'code'],
        properties: {
          ticket: { type: 'string', description: 'The `challengeTicket` of the 401.5.' },
          code: { type: 'string', description: 'A TOTP code (six digits) or a recovery code.' },
        },
      },
      {
        '200': ok('What the login would have answered: its session token or cookie (as `POST /sessions`), or its JWT pair (as `POST /jwt/authenticate`).', {
          oneOf: [
            { $ref: '#/components/schemas/GatehouseJwtPair' },
            {
              type: 'object',
              required: ['previousAccessFailedCount'],
              properties: {
                token: { type: 'string' },
                createdAt: { type: 'string', format: 'date-time' },
                expiresAt: { type: ['string', 'null'], format: 'date-time' },
                csrf: { type: 'string' },
                previousAccessFailedCount: { type: 'integer' },
              },
            },
          ],
        }),
        ...problems(['400.1', '401.2', '401.4', '403.2', '503.1', ...(schemes.has('cookie') ? (['401.3', '403.4'] as const) : [])]),
      },
      'A wrong code counts toward the lockout as a wrong password does; a TOTP code, a recovery code and a ticket are each accepted once.',
    ),
};
