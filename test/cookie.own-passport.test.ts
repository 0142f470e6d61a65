import express from 'express';
import passport from 'passport';
import request from 'supertest';
import { CookieSessions, CookieStrategy, MemoryStore, resolveCookieOptions } from '../src';
import { hashSecret } from '../src/tokens/format';
import { COOKIE_SECRET, sessionCookie } from './helpers/cookie';

/** CookieStrategy in an app's own passport setup, without gatehouse(). */
async function ownPassportApp() {
  const store = new MemoryStore({ passwordCost: 10 });
  const alice = await store.addUser({ login: 'alice@example.org', password: 'correct horse battery', roles: ['admin'] });
  const options = resolveCookieOptions({ secret: COOKIE_SECRET });
  if (!options) throw new Error('cookie options resolved to off');
  const sessions = new CookieSessions({ options, store });
  const authenticator = new passport.Authenticator();
  authenticator.use(new CookieStrategy({ sessions, store }));

  const app = express();
  app.set('trust proxy', 'loopback');
  // The app's own login check stands in here; establishing the session is the part under test.
  app.post('/login', async (req, res) => res.json({ csrf: await sessions.establish(req, res, alice.id) }));
  app.get('/me', authenticator.authenticate('cookie', { session: false, failWithError: true }), (req, res) =>
    res.json({ user: req.user, scheme: (req.authInfo as { scheme?: string }).scheme }),
  );
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(401).json({ failed: error instanceof Error ? error.message : String(error) });
  });
  return { app, alice, store };
}

describe('CookieStrategy with an app’s own passport', () => {
  it('should authorize with the cookie from CookieSessions.establish, and answer 401 without it', async () => {
    const { app, alice, store } = await ownPassportApp();
    const login = await request(app).post('/login').set('X-Forwarded-Proto', 'https');
    expect(login.status).toBe(200);
    expect(login.body.csrf).toEqual(expect.any(String));
    const { pair, line } = sessionCookie(login);
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/Secure/);

    const me = await request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Cookie', pair);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: alice, scheme: 'cookie' });
    // Kept as a token record of kind 'cookie' under the hash of the session id, as with gatehouse().
    const sid = decodeURIComponent(pair.split('=')[1]).slice(2).split('.')[0];
    expect(await store.findToken(hashSecret(sid))).toMatchObject({ kind: 'cookie', actorId: alice.id });

    const without = await request(app).get('/me').set('X-Forwarded-Proto', 'https');
    expect(without.status).toBe(401);
  });

  it('resolveCookieOptions fills in the defaults and refuses what gatehouse() refuses', () => {
    expect(resolveCookieOptions({ secret: COOKIE_SECRET })).toMatchObject({
      name: '__Host-gatehouse', secure: true, sameSite: 'lax', idleTimeout: 1_800_000, absoluteTimeout: 43_200_000,
    });
    expect(resolveCookieOptions(false)).toBe(false);
    expect(() => resolveCookieOptions({ secret: 'short' })).toThrow(TypeError);
  });
});
