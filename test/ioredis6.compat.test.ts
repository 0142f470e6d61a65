import express from 'express';
import { Redis as Redis6 } from 'ioredis6';
import request from 'supertest';
import { combineStores, gatehouse, MemoryStore } from '../src';
import { RedisStore } from '../src/store/redis';
import { ALICE_PASSWORD } from './helpers/app';
import { JWT_OPTIONS } from './helpers/jwt';
import { deleteRedisKeys, REDIS_URL, runId } from './helpers/services';

/**
 * The peer range includes ioredis 6 (what `npm install ioredis` gives today): RedisStore over
 * a client of ioredis 6 logs in, and a revocation made through it is seen by the next request.
 */
describe('RedisStore over an ioredis 6 client', () => {
  const keyPrefix = `gatehouse-test:ioredis6:${runId()}:`;
  let client: Redis6;

  beforeAll(async () => {
    client = new Redis6(REDIS_URL, { lazyConnect: true, commandTimeout: 2000, maxRetriesPerRequest: 1, retryStrategy: () => null });
    await client.connect();
  });

  afterAll(async () => {
    await deleteRedisKeys(client as never, keyPrefix);
    client.disconnect();
  });

  it('is the ioredis 6 the peer range promises', () => {
    expect(require('ioredis6/package.json').version).toMatch(/^6\./);
  });

  it('logs in with a bearer session and a JWT, and a revokeAll is seen by the next request', async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    const alice = await users.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD });
    const tokens = new RedisStore({ client: client as never, keyPrefix });
    expect(tokens.client).toBe(client);
    const auth = gatehouse({ store: combineStores({ credentials: users, tokens }), jwt: JWT_OPTIONS });
    const app = express();
    app.use('/v1', auth.routes());
    app.use('/v1', auth.authenticate());
    app.get('/v1/projects', auth.require(), (req, res) => res.json({ id: req.user!.id }));
    const credentials = { login: 'alice@example.org', password: ALICE_PASSWORD };

    const session = await request(app).post('/v1/sessions').send(credentials);
    expect(session.status).toBe(200);
    const jwt = await request(app).post('/v1/jwt/authenticate').send(credentials);
    expect(jwt.status).toBe(200);
    const asBearer = () => request(app).get('/v1/projects').set('Authorization', `Bearer ${session.body.token}`);
    const asJwt = () => request(app).get('/v1/projects').set('Authorization', `Bearer ${jwt.body.access}`);
    expect((await asBearer()).body).toEqual({ id: alice.id });
    expect((await asJwt()).body).toEqual({ id: alice.id });
    expect(await client.exists(`${keyPrefix}actor:${alice.id}`)).toBe(1);

    await auth.tokens.revokeAll(alice.id);

    const bearerAfter = await asBearer();
    expect({ status: bearerAfter.status, code: bearerAfter.body.code }).toEqual({ status: 401, code: '401.2' });
    const jwtAfter = await asJwt();
    expect({ status: jwtAfter.status, code: jwtAfter.body.code }).toEqual({ status: 401, code: '401.2' });
    const refresh = await request(app).post('/v1/jwt/refresh').send({ refresh: jwt.body.refresh });
    expect(refresh.status).toBe(401);
  });
});
