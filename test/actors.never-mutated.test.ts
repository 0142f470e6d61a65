/**
 * Gatehouse never changes the objects a host's store returns. A host that caches its actor
 * objects and hands out the same one every time must not find an API key's roles (or a
 * token's) copied into it — that would give the user's ordinary session the key's rights.
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type Actor, type CredentialRecord } from '../src';

const KEY = 'reporting-key-0123456789';

/** A host store that answers every lookup with one cached object per actor. */
async function cachingStore() {
  const store = new MemoryStore({ passwordCost: 10 });
  const bob = await store.addUser({ login: 'bob@example.org', password: 'bob password 123', roles: ['editor'] });
  const cached: Actor = { ...bob, roles: ['editor'] };
  const findCredentials = store.findCredentials.bind(store);
  store.findActor = async (id: string) => (id === bob.id ? cached : null);
  store.findCredentials = async (login: string): Promise<CredentialRecord | null> => {
    const record = await findCredentials(login);
    return record && record.actor.id === bob.id ? { ...record, actor: cached } : record;
  };
  return { store, bob, cached };
}

function appOver(store: MemoryStore, actorId: string) {
  const auth = gatehouse({ store, apiKeys: { [KEY]: { roles: ['admin'], actorId, label: 'reporting' } } });
  const app = express();
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/me', auth.require(), (req, res) => res.json({ roles: req.user!.roles }));
  return { app, auth };
}

describe('actor objects from the host’s store are never mutated', () => {
  it('an API key with an actorId and roles authenticates with the key’s roles, and the user’s session keeps only its own', async () => {
    const { store, bob, cached } = await cachingStore();
    const { app } = appOver(store, bob.id);
    const withKey = await request(app).get('/v1/me').set('Authorization', `ApiKey ${KEY}`);
    expect(withKey.body.roles).toEqual(['admin']);
    expect(cached.roles).toEqual(['editor']);
    const login = await request(app).post('/v1/sessions').send({ login: 'bob@example.org', password: 'bob password 123' });
    const withSession = await request(app).get('/v1/me').set('Authorization', `Bearer ${login.body.token}`);
    expect(withSession.body.roles).toEqual(['editor']);
  });

  it('a store-issued token with its own roles does not write them into the cached actor', async () => {
    const { store, bob, cached } = await cachingStore();
    const { app, auth } = appOver(store, bob.id);
    const { token } = await auth.tokens.issue({ actorId: bob.id, kind: 'apiKey', roles: ['admin'] });
    expect((await request(app).get('/v1/me').set('Authorization', `ApiKey ${token}`)).body.roles).toEqual(['admin']);
    expect(cached.roles).toEqual(['editor']);
    expect((await auth.tokens.verify(token))!.actor.roles).toEqual(['admin']);
    expect(cached.roles).toEqual(['editor']);
  });
});
