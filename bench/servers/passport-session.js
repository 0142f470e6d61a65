// Anchor: express-session (its MemoryStore) + passport.session(), logged in once.
'use strict';
const express = require('express');
const session = require('express-session');
const passport = require('passport');

module.exports = async function create() {
  passport.serializeUser((user, done) => done(null, user.id));
  passport.deserializeUser((id, done) => done(null, { id }));
  const app = express();
  app.use(session({ secret: 'bench-cookie-secret-of-at-least-32-chars', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  app.post('/login', (req, res, next) => req.login({ id: 'alice' }, (error) => (error ? next(error) : res.json({ ok: true }))));
  app.get('/v1/projects', (req, res) => (req.user ? res.json({ projects: ['demo'] }) : res.sendStatus(401)));
  async function prepare(base) {
    const response = await fetch(`${base}/login`, { method: 'POST' });
    return { path: '/v1/projects', headers: { Cookie: response.headers.get('set-cookie').split(';')[0] } };
  }
  return { app, prepare };
};
