// A DRF-style service whose users are of two kinds: "SSO" users who sign in through the
// company's OpenID provider, and local users with a password (`POST /api/auth/sessions`).
// Both end in the same opaque tokens (`Authorization: Bearer …`); an SSO user is known by the
// provider's (issuer, subject), and the provider's verified e-mail links a local user who
// already exists (the company's own directory is trusted for its addresses).
'use strict';
const express = require('express');
const { gatehouse, MemoryStore } = require('express-gatehouse');

/** Resolves to { app, auth, store } for the provider at `issuer`; `origin` is where the API is reached. */
async function createDrfSsoApp({ issuer, clientId, clientSecret, origin }) {
  const store = new MemoryStore();
  await store.addUser({ login: 'local@example.org', password: 'a local password 1234', roles: ['staff'] });
  const auth = gatehouse({
    store,
    oidc: {
      providers: {
        company: { issuer, clientId, clientSecret, redirectUri: `${origin}/api/auth/oidc/company/callback`, trustVerifiedEmail: true },
      },
      onFirstSignIn: async ({ claims }) => store.addUser({ login: String(claims.email), roles: ['sso'] }),
    },
  });
  const app = express();
  app.use('/api/auth', auth.routes());
  app.use('/api', auth.authenticate());
  app.get('/api/me', auth.require(), (req, res) => res.json({ id: req.user.id, roles: req.user.roles }));
  return { app, auth, store };
}

module.exports = { createDrfSsoApp };
