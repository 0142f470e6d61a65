#!/usr/bin/env node
// Host endpoints for managing issued credentials, the screens the systems Gatehouse replaces
// all have: ODK Central's App Users (create one, see it, revoke it) and a DRF-style "your
// tokens" page (create a personal token, list them with last use, delete one). Gatehouse
// gives the calls (auth.tokens.issue / list / revokeById); the routes and their rules are
// the host's. Run it with `node examples/credential-admin.js`.
'use strict';
const { randomUUID } = require('node:crypto');
const express = require('express');
const { gatehouse, MemoryStore } = require('express-gatehouse');

/** Builds the example app on a MemoryStore with one admin and one user. Resolves to { app, auth, store }. */
async function createCredentialAdminApp({ now } = {}) {
  const store = new MemoryStore({ passwordCost: 10 });
  await store.addUser({ login: 'admin@example.org', password: 'admin password 1234', roles: ['admin'] });
  await store.addUser({ login: 'alice@example.org', password: 'correct horse battery' });
  const auth = gatehouse({ store, ...(now ? { now } : {}) });

  const app = express();
  app.use(express.json());
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  const admin = auth.require({ roles: ['admin'] });

  // ---- ODK Central: App Users ----

  // Create an app user and its key; the key is in the response this once, never again.
  app.post('/v1/app-users', admin, async (req, res) => {
    const displayName = typeof req.body?.displayName === 'string' ? req.body.displayName : 'App user';
    const appUser = await store.addUser({ login: `app-user-${randomUUID()}`, kind: 'appUser', displayName });
    const key = await auth.tokens.issue({ actorId: appUser.id, kind: 'appUser', label: displayName });
    res.status(201).json({ id: appUser.id, displayName, credentialId: key.id, token: key.token });
  });

  // What an admin sees of an actor's credentials: ids, kinds, labels, times; no secrets.
  app.get('/v1/actors/:actorId/credentials', admin, async (req, res) => {
    res.json(await auth.tokens.list(req.params.actorId));
  });

  // "Revoke this App User" (or any credential): ends it on the next request, on every instance.
  app.delete('/v1/credentials/:id', admin, async (req, res) => {
    const ended = await auth.tokens.revokeById(req.params.id);
    if (!ended) return res.status(404).json({ error: 'no such credential' });
    res.json({ success: true });
  });

  // ---- DRF / GitHub: your own tokens ----

  app.get('/v1/me/tokens', auth.require(), async (req, res) => {
    res.json(await auth.tokens.list(req.user.id, { kinds: ['personal'] }));
  });

  app.post('/v1/me/tokens', auth.require(), async (req, res) => {
    const label = typeof req.body?.label === 'string' ? req.body.label.slice(0, 100) : undefined;
    const { id, token, createdAt, expiresAt } = await auth.tokens.issue({ actorId: req.user.id, kind: 'personal', label });
    res.status(201).json({ id, token, label: label ?? null, createdAt, expiresAt });
  });

  // Scoped to the caller: someone else's id answers 404 like an unknown one.
  app.delete('/v1/me/tokens/:id', auth.require(), async (req, res) => {
    const ended = await auth.tokens.revokeById(req.params.id, { actorId: req.user.id });
    res.status(ended ? 204 : 404).end();
  });

  app.get('/v1/forms', auth.require({ actors: ['user', 'appUser'] }), (req, res) => res.json({ actor: req.user.id, forms: ['household-survey'] }));
  return { app, auth, store };
}

module.exports = { createCredentialAdminApp };

if (require.main === module) {
  createCredentialAdminApp().then(({ app }) => {
    const port = Number(process.env.PORT ?? 8080);
    const server = app.listen(port, '127.0.0.1', () => {
      console.log(`Credential admin example on http://127.0.0.1:${server.address().port}/v1 (admin@example.org / admin password 1234)`);
    });
  });
}
