import express4 from 'express4';
import request from 'supertest';
import { gatehouse, MemoryStore } from '../src';

/** The peer range includes Express 4, whose req.query is a parsed own property, not a getter. */
describe('Express 4 host app', () => {
  it('authenticates, scrubs URL keys from req.url and req.query, and renders problems', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    const device = await store.addUser({ login: 'tablet-7', kind: 'appUser' });
    const auth = gatehouse({ store, apiKeys: { 'express4-compat-key-01': { role: 'reader' } } });
    const { token } = await auth.tokens.issue({ actorId: device.id, kind: 'appUser' });

    const app = express4();
    app.use('/v1', auth.routes() as never);
    app.use('/v1', auth.authenticate() as never);
    app.get('/v1/forms', auth.require({ actors: ['appUser', 'apiKey'] }) as never, (req: any, res: any) =>
      res.json({ id: req.user.id, url: req.url, query: req.query, original: req.originalUrl }),
    );

    const viaKey = await request(app).get(`/v1/key/${token}/forms?x=1`);
    expect(viaKey.status).toBe(200);
    expect(viaKey.body).toEqual({ id: device.id, url: '/v1/forms?x=1', query: { x: '1' }, original: '/v1/key/REDACTED/forms?x=1' });

    const viaQuery = await request(app).get('/v1/forms?apikey=express4-compat-key-01&x=2');
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.body.query).toEqual({ x: '2' });

    const refused = await request(app).get('/v1/forms').set('Authorization', 'Bearer nope');
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('401.2');

    const logout = await request(app).delete(`/v1/key/${token}/sessions/current`);
    expect(logout.body.code).toBe('403.1');
  });
});
