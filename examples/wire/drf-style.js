#!/usr/bin/env node
// A Django REST Framework-style service (DRF TokenAuthentication with keyword "Bearer", and
// Simple JWT's views), from Gatehouse options alone: long-lived personal tokens that an
// admin issues, no bearer token from a login, /api/v1/jwt/authenticate/, verify/ and
// refresh/ with DRF's trailing slashes, and DRF's `{ detail }` errors. A user with an
// authenticator app gets the two-step answer of DRF's two-factor packages: `{ detail,
// ephemeral_token, method }`, answered at /api/v1/second-factor/challenge with the code.
// Run: `node examples/wire/drf-style.js`.
'use strict';
const express = require('express');
const { gatehouse, MemoryStore } = require('express-gatehouse');

/** Resolves to { app, auth, store } on a MemoryStore with one admin and one user. */
async function createDrfStyleApp({ jwtSecret = 'drf-example-jwt-secret-of-at-least-32-bytes', totpKey = 'ZHJmLWV4YW1wbGUtdG90cC1rZXktb2YtMzItYnl0ZXM=' } = {}) {
  const store = new MemoryStore({ passwordCost: 10 });
  await store.addUser({ login: 'admin', password: 'admin password 1234', roles: ['admin'] });
  const user = await store.addUser({ login: 'alice', password: 'alice password 1234' });

  // ---- configuration ----
  const auth = gatehouse({
    store,
    jwt: { secret: jwtSecret },
    login: { credentials: 'none' },
    responses: {
      jwt: (body) => ({ access: body.access, refresh: body.refresh }),
      error: (problem) => ({
        body: problem.code === '401.5' && problem.challengeTicket ? { detail: problem.detail, ephemeral_token: problem.challengeTicket, method: 'app' } : { detail: problem.detail },
      }),
    },
    secondFactor: { encryptionKeys: [totpKey] },
  });

  // ---- the app ----
  const app = express();
  app.use('/api/v1', auth.routes());
  app.use('/api/v1', auth.authenticate());
  // The admin hands out a long-lived token (DRF's admin "Tokens" page).
  app.post('/api/v1/admin/tokens/:userId/', auth.require({ roles: ['admin'] }), async (req, res) => {
    const { token } = await auth.tokens.issue({ actorId: req.params.userId, kind: 'personal', label: 'issued by an admin' });
    res.status(201).json({ key: token });
  });
  app.get('/api/v1/snippets/', auth.require(), (req, res) => res.json({ owner: req.user.id, results: [] }));
  return { app, auth, store, user };
}

module.exports = { createDrfStyleApp };

if (require.main === module) {
  createDrfStyleApp().then(({ app }) => {
    const server = app.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => console.log(`DRF-style example on http://127.0.0.1:${server.address().port}/api/v1`));
  });
}
