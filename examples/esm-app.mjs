#!/usr/bin/env node
// The Quick start as an ES module. `import` loads the package's own ESM build (its
// package.json "exports" send `import` to dist/esm), with the same names as `require`; the
// subpaths (`express-gatehouse/redis`, `/postgres`, `/testing`) import the same way. Run it
// with `node examples/esm-app.mjs` (PORT picks the port, default 8080; 0 for any free one).
import express from 'express';
import { gatehouse, MemoryStore } from 'express-gatehouse';

const store = new MemoryStore({ passwordCost: 10 });
await store.addUser({ login: 'alice@example.org', password: 'correct horse battery', roles: ['admin'] });

const auth = gatehouse({ store, apiKeys: { myapikey1029384756: { role: 'admin' } } });
const app = express();
app.use('/v1', auth.routes());
app.use('/v1', auth.authenticate());
app.get('/v1/projects', auth.require(), (req, res) => res.json({ user: req.user }));
app.delete('/v1/users/:id', auth.require({ roles: ['admin'] }), (req, res) => res.json({ removed: req.params.id }));

const server = app.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', (error) => {
  if (error) throw error; // e.g. EADDRINUSE: the port is taken
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
