/** The `cookie` scheme: browser sessions over express-session (README, "Cookie sessions"). */
import type { Request, Response } from 'express';
import type { OpenApiObject } from '../../openapi-facts';
import type { BuiltScheme, SchemeDefinition } from '../definition';
import { COOKIE_DETECTION } from './detection';
import { resolveCookieOptions, type CookieOptions, type ResolvedCookieOptions } from './options';
import { CookieSessions, CookieStrategy } from './strategy';

/** What the login routes use besides the strategy. */
export interface BuiltCookieScheme extends BuiltScheme {
  /** Establishes a session at login and ends it at logout. */
  sessions: CookieSessions;
}

export const COOKIE_SCHEME: SchemeDefinition<'cookie', ResolvedCookieOptions, BuiltCookieScheme> = {
  id: 'cookie',
  detection: COOKIE_DETECTION,
  securitySchemes: ({ facts, paths, mountPath }): Record<string, OpenApiObject> =>
    facts.cookieName
      ? {
          cookie: {
            type: 'apiKey',
            in: 'cookie',
            name: facts.cookieName,
            description: `Browser session cookie set by \`POST ${mountPath}${paths.login}\` with \`session: true\`. Unsafe methods from another origin also need the session's CSRF token in \`X-CSRF-Token\` (403.4 otherwise).`,
          },
        }
      : {},
  option: 'cookie',
  resolve: (input) => resolveCookieOptions(input as CookieOptions | false | undefined),
  storeFeatures: (cookie) => (cookie ? [cookie.store ? 'cookieOwnStore' : 'cookie'] : []),
  // Sessions in a host's own store cannot be deleted by revokeAll; they are refused by the "not before".
  revocationHorizon: (cookie) => (cookie.store ? cookie.absoluteTimeout : 0),
  build(options, { store, now, revocations }) {
    // Sessions in the Gatehouse store are token records, which revokeAll deletes; a host's
    // own session store is reached through the per-actor "not before" instead.
    const sessions = new CookieSessions({ options, store, now, revocations });
    const end = async (req: Request, res: Response) => {
      await sessions.end(req, res);
      return true;
    };
    return { strategy: new CookieStrategy({ sessions, store }), sessions, end };
  },
};
