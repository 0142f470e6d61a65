/**
 * Two instances over one Redis Cluster, each with its own ioredis Cluster client: a logout on
 * one is refused on the other at its next request, concurrent refresh-token uses keep the
 * README's promises, and a save racing with a bulk delete (the one place where the cluster
 * layout writes across slots) never leaves a live token its actor's index does not list.
 */
import express from 'express';
import type { Cluster } from 'ioredis';
import request from 'supertest';
import { combineStores, gatehouse, MemoryStore, type TokenRecord } from '../src';
import { RedisStore } from '../src/store/redis';
import { CLUSTER_SAVE_TOKEN } from '../src/store/redis-cluster-scripts';
import { ALICE_PASSWORD } from './helpers/app';
import { pause, type Pause } from './helpers/backends';
import { instancesOver, revokedOnARefusedOnB } from './helpers/instances-over';
import { backendsOver, itKeepsRefreshPromisesUnderConcurrentUse } from './helpers/refresh-instances';
import { useRedisCluster } from './helpers/redis-cluster';
import { runId } from './helpers/services';

const { cluster } = useRedisCluster();
const keyPrefix = `gatehouse-test:cluster-instances:${runId()}:`;
const storeOnItsOwnClient = (client: Cluster = cluster().client()) => new RedisStore({ client, keyPrefix });

/** One gatehouse() instance over the host's users and a token store. */
function instance(users: MemoryStore, tokens: RedisStore) {
  const auth = gatehouse({ store: combineStores({ credentials: users, tokens }) });
  const app = express();
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  return { app, auth };
}

/** A cluster client whose token writes (CLUSTER_SAVE_TOKEN) wait at `current()`, after the save has indexed the token. */
function clientHoldingTokenWrites(current: () => Pause | null): Cluster {
  const client = cluster().client();
  const evalsha = client.evalsha.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as unknown as { evalsha: unknown }).evalsha = async (sha: string, ...rest: unknown[]) => {
    if (sha === CLUSTER_SAVE_TOKEN.sha) await current()?.wait();
    return evalsha(sha, ...rest);
  };
  return client;
}

describe('two instances over one Redis Cluster', () => {
  it('should refuse on instance B, on its next request, a session logged out on instance A', async () => {
    const [a, b] = await instancesOver([storeOnItsOwnClient(), storeOnItsOwnClient()]);
    const { acceptedBefore, refusedAfter } = await revokedOnARefusedOnB(a, b, 5);
    expect(acceptedBefore).toBe(5);
    expect(refusedAfter).toEqual(Array(5).fill('401 401.2'));
  });

  it('should end on every instance all of an actor\'s tokens, spread over the slots, when another instance revokes them all', async () => {
    const a = storeOnItsOwnClient();
    const b = storeOnItsOwnClient();
    const actorId = `alice-${runId()}`;
    const hashes = Array.from({ length: 12 }, (_, index) => `${index}`.padStart(64, 'c'));
    const record = (hash: string): TokenRecord => ({
      hash, kind: 'session', actorId, createdAt: Date.now(), expiresAt: Date.now() + 60_000, usedAt: null, lastUsedAt: null, label: null, roles: null, familyId: null, data: null,
    });
    for (const hash of hashes) await a.saveToken(record(hash));
    expect(await b.deleteTokensForActor(actorId)).toBe(12);
    expect(await Promise.all(hashes.map((hash) => a.findToken(hash)))).toEqual(hashes.map(() => null));
    expect(await a.listTokens(actorId)).toEqual([]);
  });

  it('should keep a token saved during a bulk delete listed, so the next delete ends it', async () => {
    let gate: Pause | null = pause();
    const a = new RedisStore({ client: clientHoldingTokenWrites(() => gate), keyPrefix });
    const b = storeOnItsOwnClient();
    const actorId = `bob-${runId()}`;
    const hash = 'd'.repeat(64);
    const saving = a.saveToken({ hash, kind: 'session', actorId, createdAt: Date.now(), expiresAt: Date.now() + 60_000, usedAt: null, lastUsedAt: null, label: null, roles: null, familyId: null, data: null });
    await gate.reached; // indexed, not written yet
    expect(await b.deleteTokensForActor(actorId)).toBe(0);
    gate.release();
    await saving;
    gate = null;
    // Written after the delete, like a save that came after it; still listed under its actor.
    expect((await b.listTokens(actorId)).map((found) => found.hash)).toEqual([hash]);
    expect(await b.deleteTokensForActor(actorId)).toBe(1);
    expect(await a.findToken(hash)).toBeNull();
  });

  it('should refuse a login whose session was being saved while another instance revoked all of the actor\'s credentials', async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    const alice = await users.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD });
    const gate = pause();
    const a = instance(users, new RedisStore({ client: clientHoldingTokenWrites(() => gate), keyPrefix }));
    const b = instance(users, storeOnItsOwnClient());
    const login = request(a.app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD }).then((res) => res);
    await gate.reached; // the session is indexed under alice, not written yet
    await b.auth.tokens.revokeAll(alice.id);
    gate.release();
    const answer = await login;
    expect([answer.status, answer.body.code]).toEqual([401, '401.2']);
    expect(await b.auth.tokens.list(alice.id)).toEqual([]);
  });
});

describe('two concurrent uses of one refresh token over one Redis Cluster', () => {
  itKeepsRefreshPromisesUnderConcurrentUse(backendsOver(storeOnItsOwnClient), 'RedisStore');
});
