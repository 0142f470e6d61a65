// Bare Express with three no-op middlewares where DESIGN §1 mounts Gatehouse's three
// (`app.use('/v1', routes)`, `app.use('/v1', authenticate)`, the route's `require()`):
// the share of a Gatehouse row's cost that is Express's, not Gatehouse's.
'use strict';
const express = require('express');

module.exports = async function create() {
  const app = express();
  const noop = (req, res, next) => next();
  app.use('/v1', express.Router());
  app.use('/v1', noop);
  app.get('/v1/projects', noop, (req, res) => res.json({ projects: ['demo'] }));
  return { app, prepare: async () => ({ path: '/v1/projects', headers: {} }) };
};
