/**
 * The app the step-up and re-authentication tests build on: `gatehouse()` over their store with
 * every kind of credential whose sign-in they judge (session tokens, cookies, JWTs, the
 * configured API key), a clock of its own started from the real time, and its audit events kept.
 */
import express from 'express';
import { gatehouse, type AuditEvent, type GatehouseOptions, type GatehouseStore } from '../../src';
import { CONFIG_API_KEY } from './app';
import { realNow } from './clock';
import { COOKIE_SECRET } from './cookie';
import { JWT_OPTIONS } from './jwt';

/** `gatehouse()` over `store` (`options` last), with its routes and `authenticate()` under `/v1`; the test adds its own routes. */
export function everyCredentialApp(store: GatehouseStore, options: Partial<GatehouseOptions> = {}) {
  const clock = { now: realNow() };
  const events: AuditEvent[] = [];
  const auth = gatehouse({
    store,
    now: () => clock.now,
    jwt: JWT_OPTIONS,
    cookie: { secret: COOKIE_SECRET, secure: false },
    apiKeys: { [CONFIG_API_KEY]: { role: 'admin', label: 'config-admin' } },
    onEvent: (event) => void events.push(event),
    ...options,
  });
  const app = express();
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  return { app, auth, clock, events };
}
