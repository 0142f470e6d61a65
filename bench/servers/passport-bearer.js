// Anchor: passport-http-bearer alone, tokens in a Map (no hashing, no expiry).
'use strict';
const crypto = require('node:crypto');
const express = require('express');
const passport = require('passport');
const { Strategy: BearerStrategy } = require('passport-http-bearer');

module.exports = async function create() {
  const token = crypto.randomBytes(32).toString('base64url');
  const tokens = new Map([[token, { id: 'alice', roles: ['admin'] }]]);
  passport.use(new BearerStrategy((presented, done) => done(null, tokens.get(presented) || false)));
  const app = express();
  app.use(passport.initialize());
  app.get('/v1/projects', passport.authenticate('bearer', { session: false }), (req, res) => res.json({ projects: ['demo'] }));
  return { app, prepare: async () => ({ path: '/v1/projects', headers: { Authorization: `Bearer ${token}` } }) };
};
