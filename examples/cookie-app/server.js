#!/usr/bin/env node
// Serves the cookie example. With TLS_CERT and TLS_KEY (PEM files) it serves HTTPS with
// Secure __Host- cookies; without them it serves plain HTTP with `cookie.secure: false`,
// which is only for http://127.0.0.1 during development.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');
const { listenOrExplain } = require('../listen');
const { createCookieApp } = require('./app');

async function main() {
  const tls = process.env.TLS_CERT && process.env.TLS_KEY;
  const { app } = await createCookieApp({
    cookieSecret: process.env.SESSION_SECRET || crypto.randomBytes(32).toString('base64'),
    secure: Boolean(tls),
    ...(process.env.TOTP_KEY ? { totpKey: process.env.TOTP_KEY } : {}),
  });
  const server = tls
    ? https.createServer({ cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) }, app)
    : http.createServer(app);
  const port = Number(process.env.PORT || 8443);
  listenOrExplain(server, { port, host: '127.0.0.1', rerun: 'node examples/cookie-app/server.js' }, (address) => {
    console.log(`cookie example on ${tls ? 'https' : 'http'}://127.0.0.1:${address.port}/ (alice@example.org / correct horse battery)`);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
