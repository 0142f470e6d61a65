#!/usr/bin/env node
// A developer portal for a public API: a signed-in user lists, creates, rotates, disables,
// enables and deletes their own API keys, sees each key's limits and how much of them it has
// used, and the keys call the API. Gatehouse gives the calls (auth.tokens.create / list /
// rotate / disable / enable / revokeById), checks the keys and counts their requests; the
// pages and their rules are the host's. Run it with `node examples/api-key-portal.js`.
'use strict';
const express = require('express');
const { gatehouse, GatehouseConfigError, MemoryStore } = require('express-gatehouse');

const SCOPES = ['reports:read', 'reports:write'];
// A key on a plan gets the plan's limits (a class of rateLimits.classes); a key without one
// gets rateLimits.limits.
const PLANS = ['pro'];

/** Builds the example app on a MemoryStore with two users. Resolves to { app, auth, store }. */
async function createApiKeyPortalApp({ now } = {}) {
  const store = new MemoryStore({ passwordCost: 10 });
  await store.addUser({ login: 'alice@example.org', password: 'correct horse battery' });
  await store.addUser({ login: 'bob@example.org', password: 'another good password' });
  const auth = gatehouse({
    store,
    // Keys look like sk_live_…: recognisable by secret scanners, refused at once when mistyped.
    apiKeyPolicy: { prefix: 'sk_live_', expiry: { default: '90d', max: '365d' }, retention: '30d' },
    // Every request with a key is counted; writing a report costs 5. The portal's list shows
    // each limit's use in its current window and when it resets (read without counting).
    rateLimits: {
      limits: [{ name: 'burst', limit: 60, window: '1m' }, { name: 'daily', limit: 1000, window: '1d', quota: true }],
      classes: { pro: [{ name: 'burst', limit: 600, window: '1m' }, { name: 'monthly', limit: 100_000, window: 'month', quota: true }] },
      cost: (req) => (req.method === 'POST' ? 5 : 1),
    },
    ...(now ? { now } : {}),
  });

  const app = express();
  app.use(express.json());
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());

  // The portal is for people signed in with a password, never for an API key managing keys.
  const signedIn = auth.require({ actors: ['user'], schemes: ['sessionToken', 'cookie'] });
  const mine = (req) => ({ actorId: req.user.id });
  // A request the key policy refuses (an expiry past the maximum, an unknown scope) is the caller's mistake: 400.
  const badRequest = (res, error) => res.status(400).json({ error: error.message, field: error.option });
  const handle = (route) => (req, res, next) =>
    route(req, res).catch((error) => (error instanceof GatehouseConfigError ? badRequest(res, error) : next(error)));

  // Each key with its state and its limits: [{ name, limit, window, quota, source, used, remaining, resetsAt }].
  app.get('/v1/portal/keys', signedIn, handle(async (req, res) => {
    res.json(await auth.tokens.list(req.user.id, { kinds: ['apiKey'] }));
  }));

  app.post('/v1/portal/keys', signedIn, handle(async (req, res) => {
    const { label, scopes, expiresInDays, plan } = req.body ?? {};
    if (scopes !== undefined && !(Array.isArray(scopes) && scopes.every((scope) => SCOPES.includes(scope)))) {
      return res.status(400).json({ error: `scopes must be some of ${SCOPES.join(', ')}`, field: 'scopes' });
    }
    if (plan !== undefined && !PLANS.includes(plan)) return res.status(400).json({ error: `plan must be one of ${PLANS.join(', ')}`, field: 'plan' });
    const created = await auth.tokens.create({
      actorId: req.user.id,
      label: typeof label === 'string' ? label : undefined,
      scopes,
      ...(expiresInDays === undefined ? {} : { expiresIn: `${Number(expiresInDays)}d` }),
      ...(plan === undefined ? {} : { limits: plan }),
    });
    // The key is in this response once; the portal shows it and never again.
    res.status(201).json(created);
  }));

  app.post('/v1/portal/keys/:id/rotate', signedIn, handle(async (req, res) => {
    const graceHours = Number(req.body?.graceHours ?? 24);
    const created = await auth.tokens.rotate(req.params.id, { grace: `${graceHours}h`, ...mine(req) });
    if (!created) return res.status(404).json({ error: 'no such key' });
    res.status(201).json(created);
  }));

  for (const action of ['disable', 'enable']) {
    app.post(`/v1/portal/keys/:id/${action}`, signedIn, handle(async (req, res) => {
      const done = await auth.tokens[action](req.params.id, mine(req));
      res.status(done ? 204 : 404).end();
    }));
  }

  // Someone else's key answers 404 like an unknown one.
  app.delete('/v1/portal/keys/:id', signedIn, handle(async (req, res) => {
    res.status((await auth.tokens.revokeById(req.params.id, mine(req))) ? 204 : 404).end();
  }));

  // The public API the keys are for.
  app.get('/v1/reports', auth.require({ schemes: ['apiKey'], scopes: ['reports:read'] }), (req, res) => {
    res.json({ owner: req.user.id, reports: ['2026-q4'] });
  });
  app.post('/v1/reports', auth.require({ schemes: ['apiKey'], scopes: ['reports:write'] }), (req, res) => res.status(201).json({ owner: req.user.id }));
  return { app, auth, store };
}

module.exports = { createApiKeyPortalApp };

if (require.main === module) {
  createApiKeyPortalApp().then(({ app }) => {
    const port = Number(process.env.PORT ?? 8080);
    const server = app.listen(port, '127.0.0.1', () => {
      console.log(`API key portal example on http://127.0.0.1:${server.address().port}/v1/portal/keys (alice@example.org / correct horse battery)`);
    });
  });
}
