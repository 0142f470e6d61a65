/**
 * What an authenticated request costs a Redis Cluster: the commands the store's ioredis
 * Cluster client sends per request (counted on the client, so the commands a Lua script runs
 * inside Redis do not count). One, as on a single primary: the token's HMGET.
 */
import express from 'express';
import type { Cluster } from 'ioredis';
import request from 'supertest';
import { combineStores, gatehouse, MemoryStore } from '../src';
import { RedisStore } from '../src/store/redis';
import { ALICE_PASSWORD } from './helpers/app';
import { useRedisCluster } from './helpers/redis-cluster';
import { runId } from './helpers/services';

const { cluster } = useRedisCluster();
const COOKIE_SECRET = 'a-cookie-secret-of-at-least-32-characters';

/** A cluster client recording the name of every command it sends. */
function countingClient(): { client: Cluster; sent: string[] } {
  const client = cluster().client();
  const sent: string[] = [];
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
    sent.push(command.name);
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof client.sendCommand;
  return { client, sent };
}

async function app() {
  const { client, sent } = countingClient();
  const users = new MemoryStore({ passwordCost: 10 });
  await users.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD });
  const auth = gatehouse({ store: combineStores({ credentials: users, tokens: new RedisStore({ client, keyPrefix: `gatehouse-test:rt:${runId()}:` }) }), cookie: { secret: COOKIE_SECRET } });
  const server = express();
  server.set('trust proxy', 'loopback');
  server.use('/v1', auth.routes());
  server.use('/v1', auth.authenticate());
  server.get('/v1/projects', auth.require(), (req, res) => res.json({ id: req.user!.id }));
  return { server, sent };
}

/** The commands each of `count` requests sent, after one request to warm up (its last-use write). */
async function commandsPerRequest(send: () => Promise<request.Response>, sent: string[], count = 20): Promise<string[][]> {
  expect((await send()).status).toBe(200);
  const perRequest: string[][] = [];
  for (let i = 0; i < count; i += 1) {
    const before = sent.length;
    expect((await send()).status).toBe(200);
    perRequest.push(sent.slice(before));
  }
  return perRequest;
}

describe('commands per authenticated request on a Redis Cluster', () => {
  it('should send one command (the token\'s HMGET) per opaque bearer request', async () => {
    const { server, sent } = await app();
    const { body } = await request(server).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
    const perRequest = await commandsPerRequest(() => request(server).get('/v1/projects').set('Authorization', `Bearer ${body.token}`), sent);
    expect(perRequest).toEqual(perRequest.map(() => ['hmget']));
  });

  it('should send one command (the session record\'s HMGET) per cookie-session request', async () => {
    const { server, sent } = await app();
    const login = await request(server).post('/v1/sessions').set('X-Forwarded-Proto', 'https').send({ login: 'alice@example.org', password: ALICE_PASSWORD, session: true });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    const perRequest = await commandsPerRequest(() => request(server).get('/v1/projects').set('X-Forwarded-Proto', 'https').set('Cookie', cookie), sent);
    expect(perRequest).toEqual(perRequest.map(() => ['hmget']));
  });
});
