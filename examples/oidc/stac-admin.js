// The STAC API's admin UI signing in through its Cognito user pool (an OpenID provider), from
// Gatehouse options alone: the browser is sent to Cognito and comes back with a Gatehouse
// cookie session; admins are the pool's `stac-admins` group, provisioned on their first
// sign-in; anyone else is refused. Logging out ends the session here and at Cognito, and
// Cognito's back-channel logout ends it too.
'use strict';
const express = require('express');
const { gatehouse, MemoryStore } = require('express-gatehouse');

/**
 * Resolves to { app, auth, store } for the user pool at `issuer`; `origin` is where the app is
 * reached (the callback `${origin}/admin/oidc/cognito/callback` is registered at the pool).
 */
async function createStacAdminApp({ issuer, clientId, clientSecret, origin, cookieSecret = 'stac-admin-cookie-secret-of-32-chars', secure = true }) {
  const store = new MemoryStore();
  const auth = gatehouse({
    store,
    cookie: { secret: cookieSecret, secure },
    login: { credentials: 'cookie' },
    oidc: {
      providers: {
        cognito: {
          issuer,
          clientId,
          clientSecret,
          scopes: ['openid', 'email'],
          redirectUri: `${origin}/admin/oidc/cognito/callback`,
          postLogoutRedirectUri: `${origin}/admin/signed-out`,
        },
      },
      // The seed's shape: admins are the members of the `stac-admins` group.
      onFirstSignIn: async ({ claims }) => {
        const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'] : [];
        if (!groups.includes('stac-admins')) return null;
        return store.addUser({ login: String(claims.email), roles: ['admin'] });
      },
    },
  });
  const app = express();
  app.use('/admin', auth.routes());
  app.use(auth.authenticate());
  app.get('/collections', (_req, res) => res.json({ collections: [{ id: 'sentinel-2' }] }));
  app.get('/admin/whoami', auth.require({ roles: ['admin'] }), (req, res) => res.json({ id: req.user.id, roles: req.user.roles }));
  return { app, auth, store };
}

module.exports = { createStacAdminApp };
