// A TypeScript app handing its own ioredis client to RedisStore, compiled by
// test/types.peer-ranges.test.ts against each end of the peer ranges (ioredis 5 and 6,
// Express 4 and 5 types), strict and without skipLibCheck. The `@ts-expect-error` lines must
// stay errors, so the fixture cannot pass by resolving to `any`.
import express from 'express';
import { Cluster, Redis } from 'ioredis';
import { combineStores, gatehouse, MemoryStore } from 'express-gatehouse';
import { RedisStore, REDIS_FAIL_FAST_OPTIONS } from 'express-gatehouse/redis';

const client = new Redis('redis://127.0.0.1:6379', REDIS_FAIL_FAST_OPTIONS);
const tokens = new RedisStore({ client, keyPrefix: 'billing-api:auth:', now: () => Date.now() });
// `client` is the client given: a Redis or, for a Redis Cluster, a Cluster (CHANGELOG, Changed).
const same: Redis | Cluster = tokens.client;
const single: Redis | null = tokens.client instanceof Cluster ? null : tokens.client;
// @ts-expect-error the client is an ioredis client, ioredis options or a URL
new RedisStore({ client: 6379 });

const auth = gatehouse({ store: combineStores({ credentials: new MemoryStore(), tokens }) });
const app = express();
app.use('/v1', auth.routes());
app.use('/v1', auth.authenticate());
app.get(
  '/v1/projects',
  auth.require().handler((req, res) => {
    const id: string = req.user.id;
    // @ts-expect-error behind auth.require() the user is set, and its id is a string
    const wrong: number = req.user.id;
    res.json({ id, wrong, scheme: req.authInfo.scheme });
  }),
);

export const peers = { same, single, app };
