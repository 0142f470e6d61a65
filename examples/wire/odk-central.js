#!/usr/bin/env node
// ODK Central's authentication (docs.getodk.org/central-api-authentication), built from
// Gatehouse options alone: sessions at /v1/sessions (24 h) with ODK's bodies, its cookie
// set on every login and used on GET/HEAD only, app users only through /v1/key/{token}/…
// on form-list and submission routes, HTTPS-only Basic that never challenges, precedence
// /key → Bearer → Basic → cookie, and ODK's error shape. Run: `node examples/wire/odk-central.js`.
'use strict';
const express = require('express');
const { gatehouse, MemoryStore } = require('express-gatehouse');

/** Resolves to { app, auth, store } on a MemoryStore with one web user and one app user. */
async function createOdkCentralApp({ now, cookieSecret = 'odk-example-cookie-secret-of-32-characters' } = {}) {
  const store = new MemoryStore({ passwordCost: 10 });
  await store.addUser({ login: 'my.email.address@getodk.org', password: 'my.super.secure.password', roles: ['admin'] });
  const collect = await store.addUser({ login: 'collect-tablet-1', kind: 'appUser', displayName: 'Tablet 1' });

  // ---- configuration ----
  const auth = gatehouse({
    store,
    ...(now ? { now } : {}),
    apiKeys: false,
    precedence: ['appUserUrl', 'bearer', 'basic', 'cookie'],
    sessionToken: { ttl: 24 * 60 * 60 * 1000, kinds: ['session'] },
    cookie: { secret: cookieSecret, name: '__Host-session', absoluteTimeout: 24 * 60 * 60 * 1000, idleTimeout: 24 * 60 * 60 * 1000 },
    login: { credentials: 'token+cookie' },
    methods: { cookie: ['GET'] },
    responses: {
      login: (body) => ({ createdAt: body.createdAt, expiresAt: body.expiresAt, token: body.token }),
      logout: () => ({ message: 'Success' }),
      challenges: [],
      // A locked account answers as any failed login, without the lock's Retry-After; the lockout itself stays on.
      error: (problem) =>
        problem.code === '403.2'
          ? { status: 401, headers: { 'Retry-After': null }, body: { code: '401.2', message: 'Could not authenticate with the provided credentials.' } }
          : { body: { code: problem.code, message: problem.detail } },
    },
  });
  const fieldRoutes = auth.require({ actors: ['user', 'appUser'] });

  // ---- the app ----
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/projects/:projectId/formList', fieldRoutes, (req, res) => res.json([{ xmlFormId: 'household', actor: req.user.id }]));
  app.post('/v1/projects/:projectId/submission', fieldRoutes, (req, res) => res.status(201).json({ actor: req.user.id }));
  app.get('/v1/users/current', auth.require(), (req, res) => res.json({ id: req.user.id }));
  app.post('/v1/projects', auth.require(), (req, res) => res.status(201).json({ createdBy: req.user.id }));
  return { app, auth, store, collect };
}

module.exports = { createOdkCentralApp };

if (require.main === module) {
  createOdkCentralApp().then(({ app }) => {
    const server = app.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => console.log(`ODK Central example on http://127.0.0.1:${server.address().port}/v1`));
  });
}
