import express from 'express';
import request from 'supertest';
import { gatehouse, type GatehouseOptions, type GatehouseStore } from '../../src';
import { ALICE_PASSWORD } from './app';
import { pause, type Pause } from './backends';
import { COOKIE_SECRET } from './cookie';
import { realNow } from './clock';

/**
 * An app with cookie sessions over `store` and a slow route (`GET /v1/slow`) that `hold()`
 * keeps in flight, for races between a request that loaded its session and the end of it.
 * `logIn(body)` posts alice's login over "HTTPS" with the extra body fields.
 */
export function heldCookieApp(store: GatehouseStore, options: Partial<GatehouseOptions> = {}) {
  const clock = { now: realNow() };
  const { cookie, ...rest } = options;
  const auth = gatehouse({ store, now: () => clock.now, ...rest, cookie: { secret: COOKIE_SECRET, ...(cookie || {}) } });
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/projects', auth.require(), (req, res) => res.json({ user: req.user }));
  let held: Pause | null = null;
  // A slow handler: the request has loaded (and refreshed) its session and is still running.
  app.get('/v1/slow', auth.require(), async (_req, res) => {
    await held?.wait();
    res.json({ done: true });
  });
  const logIn = (body: Record<string, unknown> = {}) =>
    request(app).post('/v1/sessions').set('X-Forwarded-Proto', 'https').send({ login: 'alice@example.org', password: ALICE_PASSWORD, ...body });
  const hold = () => (held = pause());
  return { app, auth, clock, logIn, hold };
}

/** The session id in a signed express-session cookie pair (`name=s%3A<id>.<signature>`). */
export function sessionIdOf(cookie: string): string {
  return decodeURIComponent(cookie.split('=')[1]).slice(2).split('.')[0];
}
