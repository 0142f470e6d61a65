import express, { type Express } from 'express';
import { gatehouse, MemoryStore, type Actor, type Gatehouse, type GatehouseOptions } from '../../src';

export interface TestApp {
  app: Express;
  auth: Gatehouse;
  store: MemoryStore;
  alice: Actor;
  bob: Actor;
  device: Actor;
  /** What the last route handler saw. */
  seen: { url?: string; originalUrl?: string; query?: unknown; user?: unknown; authInfo?: unknown };
}

export const ALICE_PASSWORD = 'correct horse battery';
export const BOB_PASSWORD = 'bob:has:colons';
export const CONFIG_API_KEY = 'myapikey1029384756';

/** A small API like the README's quick start, on a MemoryStore with cheap bcrypt. */
export async function buildApp(options: Partial<GatehouseOptions> = {}, store = new MemoryStore({ passwordCost: 10 })): Promise<TestApp> {
  // A store handed in again (to build a second app over it) keeps its users.
  const existing = async (login: string) => (await store.findCredentials(login))?.actor;
  const alice =
    (await existing('alice@example.org')) ??
    (await store.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD, roles: ['admin'] }));
  const bob =
    (await existing('bob@example.org')) ?? (await store.addUser({ login: 'bob@example.org', password: BOB_PASSWORD, roles: ['editor'] }));
  const device = (await existing('tablet-7')) ?? (await store.addUser({ login: 'tablet-7', kind: 'appUser' }));
  const auth = gatehouse({ store, apiKeys: { [CONFIG_API_KEY]: { role: 'admin', label: 'config-admin' } }, ...options });
  const seen: TestApp['seen'] = {};
  const app = express();
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  const record = (req: express.Request, res: express.Response) => {
    seen.url = req.url;
    seen.originalUrl = req.originalUrl;
    seen.query = { ...(req.query as object) };
    seen.user = req.user;
    seen.authInfo = req.authInfo;
    res.json({ user: req.user ?? null, authInfo: req.authInfo ?? null, url: req.url, query: req.query });
  };
  app.get('/v1/public', record);
  app.get('/v1/projects', auth.require(), record);
  app.get('/v1/forms', auth.require({ actors: ['user', 'appUser'] }), record);
  app.post('/v1/forms/:id/submissions', auth.require({ actors: ['user', 'appUser'] }), record);
  app.get('/v1/admin', auth.require({ roles: ['admin'] }), record);
  app.get('/v1/header-only', auth.require({ schemes: ['sessionToken', 'jwt'] }), record);
  return { app, auth, store, alice, bob, device, seen };
}
