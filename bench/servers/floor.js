// The least an authentication middleware does on Express: set `req.user` and `req.authInfo`
// on a bare route, optionally after Gatehouse's request-shape step (src/middleware/request-shape.ts).
// These rows show what Express itself charges for the properties, apart from Gatehouse's work.
'use strict';
const path = require('node:path');
const express = require('express');
const { prepareRequestForNewProperties } = require(path.join(__dirname, '..', '..', 'dist', 'middleware', 'request-shape.js'));

module.exports = async function create({ prepare = false }) {
  const app = express();
  const actor = { id: 'alice', kind: 'user', roles: ['admin'] };
  const info = { scheme: 'apiKey', tokenKind: 'apiKey' };
  app.use('/v1', (req, res, next) => {
    if (prepare) prepareRequestForNewProperties(req);
    req.user = actor;
    req.authInfo = info;
    next();
  });
  app.get('/v1/projects', (req, res) => res.json({ projects: ['demo'] }));
  return { app, prepare: async () => ({ path: '/v1/projects', headers: {} }) };
};
