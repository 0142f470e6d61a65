import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore } from '../src';
import { BACKENDS, useBackends } from './helpers/backends';

describe.each(BACKENDS)('a token issued with scopes keeps them on %s (in the record\'s data, no new field)', (backend) => {
  const backends = useBackends(`scopes_${backend}`);

  it('req.authInfo.scopes and tokens.list show the scopes; a missing one answers 403.5', async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    const bob = await users.addUser({ login: 'bob@example.org', password: 'irrelevant password', roles: ['reader'] });
    const auth = gatehouse({ store: backends.storeFor(backend, users) });
    const app = express();
    app.use(auth.authenticate());
    app.get('/reports', auth.require({ scopes: ['reports:read'] }), (req, res) => res.json({ scopes: req.authInfo?.scopes ?? null }));
    app.post('/reports', auth.require({ scopes: ['reports:write'] }), (_req, res) => res.json({}));

    const { token, id } = await auth.tokens.issue({ actorId: bob.id, kind: 'apiKey', scopes: ['reports:read'] });
    const read = await request(app).get('/reports').set('Authorization', `ApiKey ${token}`);
    expect(read.status).toBe(200);
    expect(read.body.scopes).toEqual(['reports:read']);
    const write = await request(app).post('/reports').set('Authorization', `ApiKey ${token}`);
    expect(write.status).toBe(403);
    expect(write.body).toMatchObject({ code: '403.5', requiredScopes: ['reports:write'] });
    expect((await auth.tokens.list(bob.id)).find((c) => c.id === id)?.scopes).toEqual(['reports:read']);
  });
});
