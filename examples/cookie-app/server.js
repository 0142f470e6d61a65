#!/usr/bin/env node
// Serves the cookie example. With TLS_CERT and TLS_KEY (PEM files) it serves HTTPS with
// Secure __Host- cookies; without them it serves plain HTTP with `cookie.secure: false`,
// which is only for http://127.0.0.1 during development. With OIDC_ISSUER, OIDC_CLIENT_ID and
// OIDC_CLIENT_SECRET the sign-in page also offers "Sign in with sso" (register
// {origin}/v1/oidc/sso/callback at the provider); the provider's verified e-mail
// alice@example.org signs in as the example's alice.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');
const { listenOrExplain } = require('../listen');
const { createCookieApp } = require('./app');

async function main() {
  const tls = process.env.TLS_CERT && process.env.TLS_KEY;
  const port = Number(process.env.PORT || 8443);
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const sso = process.env.OIDC_ISSUER && { issuer: process.env.OIDC_ISSUER, clientId: process.env.OIDC_CLIENT_ID, clientSecret: process.env.OIDC_CLIENT_SECRET, redirectUri: `${origin}/v1/oidc/sso/callback`, trustVerifiedEmail: true };
  const { app } = await createCookieApp({
    cookieSecret: process.env.SESSION_SECRET || crypto.randomBytes(32).toString('base64'),
    secure: Boolean(tls),
    ...(process.env.TOTP_KEY ? { totpKey: process.env.TOTP_KEY } : {}),
    ...(sso ? { oidc: { providers: { sso } } } : {}),
  });
  const server = tls
    ? https.createServer({ cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) }, app)
    : http.createServer(app);
  listenOrExplain(server, { port, host: '127.0.0.1', rerun: 'node examples/cookie-app/server.js' }, (address) => {
    console.log(`cookie example on ${tls ? 'https' : 'http'}://127.0.0.1:${address.port}/ (alice@example.org / correct horse battery)`);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
