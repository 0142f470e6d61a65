// Anchor: passport-jwt alone, configured the common way (a string secret, no store).
'use strict';
const express = require('express');
const jwt = require('jsonwebtoken');
const passport = require('passport');
const { Strategy: JwtStrategy, ExtractJwt } = require('passport-jwt');

const SECRET = 'bench-jwt-secret-that-is-32-bytes-long!';

module.exports = async function create() {
  passport.use(
    new JwtStrategy({ secretOrKey: SECRET, jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), algorithms: ['HS256'] }, (claims, done) =>
      done(null, { id: claims.sub }),
    ),
  );
  const app = express();
  app.use(passport.initialize());
  app.get('/v1/projects', passport.authenticate('jwt', { session: false }), (req, res) => res.json({ projects: ['demo'] }));
  const token = jwt.sign({ sub: 'alice' }, SECRET, { algorithm: 'HS256', expiresIn: '1h' });
  return { app, prepare: async () => ({ path: '/v1/projects', headers: { Authorization: `Bearer ${token}` } }) };
};
