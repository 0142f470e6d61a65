// A browser UI on Gatehouse cookie sessions: a login form (public/index.html), which asks for
// an authenticator code when the account has one, a page that calls the API with the session
// cookie and turns two-step sign-in (TOTP) on (public/app.html), and a "devices" page where the
// user sees where they are signed in and signs out elsewhere (public/devices.html, on the
// `selfService` endpoints). Given `oidc` (Gatehouse's `oidc` option), the login form also offers
// "Sign in with <provider>" for each provider, which ends in the same cookie session; signing
// out of such a session is RP-initiated logout (POST /v1/oidc/<provider>/logout), which ends
// the provider's session too. Used by
// `server.js` and by the real-browser tests. No build step.
'use strict';
const crypto = require('node:crypto');
const path = require('node:path');
const express = require('express');
const { gatehouse, MemoryStore } = require('express-gatehouse');

/**
 * Builds the example app. `secure: false` is for plain-HTTP local development only.
 * `totpKey` seals the TOTP secrets at rest (32 bytes, base64); keep it, or enrolled accounts
 * cannot sign in after a restart. `oidc` is Gatehouse's `oidc` option as is (each provider's
 * `redirectUri` is `{origin}/v1/oidc/{name}/callback`); without it there is no provider
 * sign-in. Resolves to { app, auth, store }.
 */
async function createCookieApp({ cookieSecret, secure = true, trustedOrigins = [], totpKey = crypto.randomBytes(32).toString('base64'), oidc }) {
  const store = new MemoryStore({ passwordCost: 10 });
  await store.addUser({ login: 'alice@example.org', password: 'correct horse battery', roles: ['admin'] });
  const auth = gatehouse({
    store,
    cookie: { secret: cookieSecret, secure, trustedOrigins },
    secondFactor: { encryptionKeys: [totpKey], issuer: 'Gatehouse example' },
    selfService: {},
    ...(oidc ? { oidc } : {}),
  });

  const app = express();
  app.use(express.static(path.join(__dirname, 'public')));
  // The sign-in page asks which providers to offer (names only; each is a path segment).
  app.get('/oidc-providers.json', (req, res) => res.json(Object.keys(oidc ? oidc.providers : {})));
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/me', auth.require(), (req, res) => res.json({ id: req.user.id, displayName: req.user.displayName, scheme: req.authInfo.scheme }));
  // Gatehouse's own second-factor endpoints are under /v1/second-factor (auth.routes()).
  app.post('/v1/notes', auth.require(), (req, res) => res.json({ saved: true, by: req.user.displayName }));
  return { app, auth, store };
}

module.exports = { createCookieApp };
