// A browser UI on Gatehouse cookie sessions: a login form (public/index.html), a page that
// calls the API with the session cookie (public/app.html), and a "devices" page where the
// user sees where they are signed in and signs out elsewhere (public/devices.html, on the
// `selfService` endpoints). Used by `server.js` and by the real-browser test. No build step.
'use strict';
const path = require('node:path');
const express = require('express');
const { gatehouse, MemoryStore } = require('express-gatehouse');

/**
 * Builds the example app. `secure: false` is for plain-HTTP local development only.
 * Resolves to { app, auth, store }.
 */
async function createCookieApp({ cookieSecret, secure = true, trustedOrigins = [] }) {
  const store = new MemoryStore({ passwordCost: 10 });
  await store.addUser({ login: 'alice@example.org', password: 'correct horse battery', roles: ['admin'] });
  const auth = gatehouse({ store, cookie: { secret: cookieSecret, secure, trustedOrigins }, selfService: {} });

  const app = express();
  app.use(express.static(path.join(__dirname, 'public')));
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/me', auth.require(), (req, res) => res.json({ id: req.user.id, displayName: req.user.displayName, scheme: req.authInfo.scheme }));
  app.post('/v1/notes', auth.require(), (req, res) => res.json({ saved: true, by: req.user.displayName }));
  return { app, auth, store };
}

module.exports = { createCookieApp };
