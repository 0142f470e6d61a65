#!/usr/bin/env node
// A STAC API behind Amazon Cognito, from Gatehouse options alone: reads are public; writes
// (the Transaction extension) need a Cognito access token, verified through the issuer's
// JWKS URI, of a user in the `stac-editors` group; the admin UI logs in with a cookie, and an
// admin with an authenticator app is challenged as Cognito challenges (`SOFTWARE_TOKEN_MFA`).
// Run: `node examples/wire/stac-cognito.js` (it starts a stand-in Cognito on loopback).
'use strict';
const express = require('express');
const { gatehouse, MemoryStore } = require('express-gatehouse');

/**
 * Cognito's answer to a right password when the user has TOTP: the challenge's name and the
 * `Session` to answer it with (here the 401.5's `challengeTicket`, which
 * `POST /admin/second-factor/challenge` takes as `ticket` with the `code`). Cognito sends it
 * with 200; Gatehouse keeps every refusal a 4xx, so it comes with 401. Other problems as they are.
 */
function cognitoShaped(problem) {
  if (problem.code !== '401.5' || typeof problem.challengeTicket !== 'string') return { body: problem, contentType: 'application/problem+json' };
  return { body: { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: problem.challengeTicket, ChallengeParameters: {} } };
}

/** Resolves to { app, auth, store } for the Cognito user pool at `issuer` (its JWKS at `jwksUri`). */
async function createStacApp({ issuer, jwksUri, clientId, cookieSecret = 'stac-example-cookie-secret-of-32-chars', totpKey = 'c3RhYy1leGFtcGxlLXRvdHAta2V5LW9mLTMyLWJ5dGU=' }) {
  const store = new MemoryStore({ passwordCost: 10 });
  await store.addUser({ login: 'admin@example.org', password: 'admin password 1234', roles: ['admin'] });

  // ---- configuration ----
  const auth = gatehouse({
    store,
    jwt: {
      issuers: [
        {
          issuer,
          jwksUri,
          algorithms: ['RS256'],
          tokenUse: 'access',
          clientId,
          actorFromClaims: (claims) => ({ id: String(claims.sub), kind: 'user', roles: Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'] : [] }),
        },
      ],
    },
    cookie: { secret: cookieSecret },
    login: { credentials: 'cookie' },
    secondFactor: { encryptionKeys: [totpKey], issuer: 'STAC admin' },
    responses: { error: cognitoShaped },
  });
  const editors = auth.require({ schemes: ['jwt'], roles: ['stac-editors'] });

  // ---- the app ----
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use('/admin', auth.routes());
  app.use(auth.authenticate());
  app.get('/collections', (_req, res) => res.json({ collections: [{ id: 'sentinel-2' }] }));
  app.post('/collections/:collectionId/items', editors, (req, res) => res.status(201).json({ collection: req.params.collectionId, createdBy: req.user.id }));
  app.get('/admin', auth.require({ schemes: ['cookie'] }), (req, res) => res.json({ admin: req.user.id }));
  return { app, auth, store };
}

module.exports = { createStacApp };

if (require.main === module) {
  const { startStandInIssuer } = require('./stand-in-issuer');
  startStandInIssuer().then(async (cognito) => {
    const { app } = await createStacApp(cognito);
    const server = app.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
      console.log(`STAC example on http://127.0.0.1:${server.address().port}; an editor's token:\n${cognito.accessToken('editor-1', ['stac-editors'])}`);
    });
  });
}
