#!/usr/bin/env node
// ApostropheCMS's REST API authentication (docs.apostrophecms.org/reference/api/authentication),
// from Gatehouse options alone: the `apiKeys` map with roles, `Authorization: ApiKey …` and
// `?apikey=`/`?apiKey=`, bearer login and logout at /api/v1/@apostrophecms/login/login|logout,
// and a cookie-only login with `session: true`. Run: `node examples/wire/apostrophe.js`.
'use strict';
const express = require('express');
const { gatehouse, MemoryStore } = require('express-gatehouse');

/** Resolves to { app, auth, store } on a MemoryStore with one editor. */
async function createApostropheApp({ cookieSecret = 'apostrophe-example-cookie-secret-32-chars' } = {}) {
  const store = new MemoryStore({ passwordCost: 10 });
  await store.addUser({ login: 'editor', password: 'editor password 1234', roles: ['editor'] });

  // ---- configuration ----
  const auth = gatehouse({
    store,
    apiKeys: { myapikey1029384756: { role: 'admin' } },
    cookie: { secret: cookieSecret },
    responses: {
      login: (body) => (body.token ? { token: body.token } : {}),
      logout: () => ({}),
    },
  });
  const routes = auth.routes({
    paths: { login: '/api/v1/@apostrophecms/login/login', logout: '/api/v1/@apostrophecms/login/logout' },
    logoutMethod: 'POST',
  });

  // ---- the app ----
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(routes);
  app.use(auth.authenticate());
  app.get('/api/v1/article', auth.require(), (req, res) => res.json({ results: [], user: req.user.id, roles: req.user.roles }));
  return { app, auth, store };
}

module.exports = { createApostropheApp };

if (require.main === module) {
  createApostropheApp().then(({ app }) => {
    const server = app.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => console.log(`Apostrophe example on http://127.0.0.1:${server.address().port}/api/v1`));
  });
}
