// Anchor: passport-http's BasicStrategy with bcrypt (cost 10) on every request.
'use strict';
const bcrypt = require('bcrypt');
const express = require('express');
const passport = require('passport');
const { BasicStrategy } = require('passport-http');

module.exports = async function create() {
  const hash = await bcrypt.hash('correct horse battery', 10);
  passport.use(
    new BasicStrategy((login, password, done) => {
      if (login !== 'alice@example.org') return done(null, false);
      bcrypt.compare(password, hash).then((ok) => done(null, ok ? { id: 'alice' } : false), done);
    }),
  );
  const app = express();
  app.use(passport.initialize());
  app.get('/v1/projects', passport.authenticate('basic', { session: false }), (req, res) => res.json({ projects: ['demo'] }));
  const authorization = `Basic ${Buffer.from('alice@example.org:correct horse battery').toString('base64')}`;
  return { app, prepare: async () => ({ path: '/v1/projects', headers: { Authorization: authorization } }) };
};
