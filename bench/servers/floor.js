// The least an authentication middleware does on Express: set `req.user` and `req.authInfo`
// on a bare route, optionally after one of Gatehouse's shape steps (src/middleware/request-shape.ts):
// `prepare: 'request'` (the request only, as Gatehouse did until bench/profiling.md round 15) or
// `prepare: 'exchange'` (the request and its response, as `auth.authenticate()` does now).
// These rows show what Express itself charges for the properties, apart from Gatehouse's work.
'use strict';
const path = require('node:path');
const express = require('express');
const { prepareRequestForNewProperties, prepareExchangeForNewProperties } = require(path.join(__dirname, '..', '..', 'dist', 'middleware', 'request-shape.js'));

const STEPS = {
  none: () => {},
  request: (req) => prepareRequestForNewProperties(req),
  exchange: (req, res) => prepareExchangeForNewProperties(req, res),
};

module.exports = async function create({ prepare = 'none' }) {
  const step = STEPS[prepare];
  if (!step) throw new Error(`floor: prepare must be one of ${Object.keys(STEPS).join(', ')}`);
  const app = express();
  const actor = { id: 'alice', kind: 'user', roles: ['admin'] };
  const info = { scheme: 'apiKey', tokenKind: 'apiKey' };
  app.use('/v1', (req, res, next) => {
    step(req, res);
    req.user = actor;
    req.authInfo = info;
    next();
  });
  app.get('/v1/projects', (req, res) => res.json({ projects: ['demo'] }));
  return { app, prepare: async () => ({ path: '/v1/projects', headers: {} }) };
};
