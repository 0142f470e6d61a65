// Baseline: a bare Express route, no authentication at all.
'use strict';
const express = require('express');

module.exports = async function create() {
  const app = express();
  app.get('/v1/projects', (req, res) => res.json({ projects: ['demo'] }));
  return { app, prepare: async () => ({ path: '/v1/projects', headers: {} }) };
};
