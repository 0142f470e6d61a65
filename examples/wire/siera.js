#!/usr/bin/env node
// SIERA's authentication, from Gatehouse options alone: POST /api/v1/authentication/login
// with SIERA's response body, RFC 7807 problems (application/problem+json) with an integer
// maxRetriesExceeded, lockout, an expired password answered 403 "Expired" with the change
// ticket in `detail` and the change step that takes it, and HTTPS Basic with a Basic
// challenge for Excel and Power BI. Run: `node examples/wire/siera.js`.
'use strict';
const express = require('express');
const { gatehouse, MemoryStore } = require('express-gatehouse');

/** Resolves to { app, auth, store } on a MemoryStore with one analyst and one user whose password has expired. */
async function createSieraApp({ now } = {}) {
  const store = new MemoryStore({ passwordCost: 10 });
  await store.addUser({ login: 'analyst', password: 'analyst password 1234', roles: ['analyst'] });
  await store.addUser({ login: 'expired', password: 'expired password 1234', roles: ['analyst'], passwordExpiresAt: 0 });

  // ---- configuration ----
  const auth = gatehouse({
    store,
    ...(now ? { now } : {}),
    realm: 'SIERA',
    passwordChange: {},
    responses: {
      login: (body) => ({ token: body.token, expiration: body.expiresAt, lockoutTimeRemaining: 0, maxRetriesExceeded: 0, previousAccessFailedCount: body.previousAccessFailedCount }),
      error: ({ changeTicket, ...problem }) => ({
        contentType: 'application/problem+json',
        body: problem.code === '403.3' ? { ...problem, title: 'Expired', detail: changeTicket ?? problem.detail } : problem,
      }),
      challenges: ['basic'],
      maxRetriesExceeded: 'integer',
    },
  });
  const routes = auth.routes({ paths: { sessions: '/api/v1/authentication', login: '/api/v1/authentication/login' } });

  // ---- the app ----
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(routes);
  app.use(auth.authenticate());
  app.get('/api/v1/indicators', auth.require(), (req, res) => res.json({ user: req.user.id, indicators: [] }));
  return { app, auth, store };
}

module.exports = { createSieraApp };

if (require.main === module) {
  createSieraApp().then(({ app }) => {
    const server = app.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => console.log(`SIERA example on http://127.0.0.1:${server.address().port}/api/v1`));
  });
}
