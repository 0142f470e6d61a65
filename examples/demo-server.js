#!/usr/bin/env node
// A small API on the embedded MemoryStore: one demo user, one API key and one app-user
// token, with curl commands that work against it. Run it with `npm start`.
'use strict';
const http = require('node:http');
const express = require('express');
const { gatehouse, MemoryStore } = require('express-gatehouse');
const { listenOrExplain } = require('./listen');

const DEMO_LOGIN = 'demo@example.org';
const DEMO_PASSWORD = 'demo password 1234';
const DEMO_API_KEY = 'demo-api-key-0123456789';

async function main() {
  const store = new MemoryStore({ passwordCost: 10 });
  const demo = await store.addUser({ login: DEMO_LOGIN, password: DEMO_PASSWORD, roles: ['admin'] });
  const tablet = await store.addUser({ login: 'tablet-7', kind: 'appUser' });

  const auth = gatehouse({ store, apiKeys: { [DEMO_API_KEY]: { role: 'reader', label: 'demo-key' } } });
  const { token: appUserToken } = await auth.tokens.issue({ actorId: tablet.id, kind: 'appUser' });

  const app = express();
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/public', (req, res) => res.json({ hello: req.user ? req.user.displayName : 'anonymous' }));
  app.get('/v1/projects', auth.require(), (req, res) => res.json({ actor: req.user, scheme: req.authInfo.scheme, projects: ['demo'] }));
  app.get('/v1/forms', auth.require({ actors: ['user', 'appUser'] }), (req, res) => res.json({ actor: req.user.id, forms: ['household-survey'] }));
  app.delete('/v1/users/:id', auth.require({ roles: ['admin'] }), (req, res) => res.json({ removed: req.params.id }));

  const host = process.env.HOST || '127.0.0.1';
  const port = Number(process.env.PORT ?? 8080);
  listenOrExplain(http.createServer(app), { port, host, rerun: 'npm start' }, (address) => {
    const base = `http://${host}:${address.port}/v1`;
    const login = `curl -s -X POST ${base}/sessions -H 'Content-Type: application/json' -d '{"login":"${DEMO_LOGIN}","password":"${DEMO_PASSWORD}"}'`;
    const lines = [
      `Gatehouse demo listening on ${base} (demo user ${DEMO_LOGIN} / ${DEMO_PASSWORD}, id ${demo.id}; API key ${DEMO_API_KEY})`,
      'Try:',
      `curl -s ${base}/public`,
      login,
      `curl -s ${base}/projects -H 'Authorization: ApiKey ${DEMO_API_KEY}'`,
      `curl -s '${base}/projects?apikey=${DEMO_API_KEY}'`,
      `curl -s ${base}/key/${appUserToken}/forms`,
      `curl -s ${base}/projects`,
      '# log in and keep the session token in TOKEN, then use it and log out:',
      `TOKEN=$(${login} | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).token')`,
      `curl -s ${base}/projects -H "Authorization: Bearer $TOKEN"`,
      `curl -s -X DELETE ${base}/sessions/current -H "Authorization: Bearer $TOKEN"`,
    ];
    console.log(lines.join('\n'));
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
