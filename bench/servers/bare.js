// Baseline: a bare Express route, no authentication at all. With `liveRecords`, the process
// also holds that many session-sized records in a Map (no one reads them): the scaling row's
// floor, what a large live heap costs any Express server under load. With `load`, it first
// `require`s those packages and keeps them (nothing mounted): what merely loading them costs
// a route that does not use them (bench/profiling.md, round 14).
'use strict';
const express = require('express');

module.exports = async function create({ liveRecords = 0, load = [] } = {}) {
  const loaded = load.map((name) => require(name));
  const app = express();
  app.locals.loadedModules = loaded;
  app.get('/v1/projects', (req, res) => res.json({ projects: ['demo'] }));
  if (liveRecords > 0) app.locals.heldRecords = holdRecords(liveRecords);
  return { app, prepare: async () => ({ path: '/v1/projects', headers: {} }) };
};

/** A Map of `count` records shaped like stored sessions: a 64-character key and eleven fields. */
function holdRecords(count) {
  const held = new Map();
  const now = Date.now();
  const owners = Array.from({ length: 1000 }, (_, i) => `owner-${i}`);
  for (let i = 0; i < count; i += 1) {
    const key = i.toString(16).padStart(64, '0');
    held.set(key, { key, kind: 'session', owner: owners[i % 1000], createdAt: now, expiresAt: now + 86_400_000, a: null, b: null, c: null, d: null, e: null, f: undefined });
  }
  return held;
}
