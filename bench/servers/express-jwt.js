// Anchor: express-jwt, the usual non-passport JWT middleware (string secret).
'use strict';
const express = require('express');
const jwt = require('jsonwebtoken');
const { expressjwt } = require('express-jwt');

const SECRET = 'bench-jwt-secret-that-is-32-bytes-long!';

module.exports = async function create() {
  const app = express();
  app.get('/v1/projects', expressjwt({ secret: SECRET, algorithms: ['HS256'] }), (req, res) => res.json({ projects: ['demo'] }));
  const token = jwt.sign({ sub: 'alice' }, SECRET, { algorithm: 'HS256', expiresIn: '1h' });
  return { app, prepare: async () => ({ path: '/v1/projects', headers: { Authorization: `Bearer ${token}` } }) };
};
