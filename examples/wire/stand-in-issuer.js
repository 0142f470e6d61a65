// A stand-in for Amazon Cognito on loopback: an RSA key, its JWKS at
// http://127.0.0.1:{port}/.well-known/jwks.json, and access tokens shaped like Cognito's
// (token_use, client_id, cognito:groups, no aud). For the STAC example and its test only.
'use strict';
const { generateKeyPairSync, randomUUID } = require('node:crypto');
const http = require('node:http');
const jwt = require('jsonwebtoken');

/** Resolves to { issuer, jwksUri, clientId, accessToken(sub, groups), stop() }. */
async function startStandInIssuer() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'stand-in-1';
  const server = http.createServer((_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const issuer = `${base}/eu-west-1_StandIn`;
  const clientId = 'stac-client';
  return {
    issuer,
    clientId,
    jwksUri: `${base}/.well-known/jwks.json`,
    accessToken: (sub, groups = [], nowSeconds = Math.floor(Date.now() / 1000)) =>
      jwt.sign({ sub, iss: issuer, token_use: 'access', client_id: clientId, 'cognito:groups': groups, iat: nowSeconds, exp: nowSeconds + 3600, jti: randomUUID() }, privateKey, { algorithm: 'RS256', keyid: kid }),
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

module.exports = { startStandInIssuer };
