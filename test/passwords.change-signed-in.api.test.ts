/**
 * `auth.passwords.change(req, …)`: a host's own "change my password" route, as the README shows
 * it — the same checks as `POST {account}/password` (policy, lockout, ending the others).
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type GatehouseError } from '../src';
import { realNow } from './helpers/clock';

const ALICE = { login: 'alice@example.org', password: 'correct horse battery' };

async function hostApp(end?: 'others' | 'all' | 'none') {
  const store = new MemoryStore({ passwordCost: 10 });
  await store.addUser({ ...ALICE });
  let now = realNow();
  const auth = gatehouse({ store, selfService: { list: false, end: false, endOthers: false, passwordChange: false, adminRevokeAll: false }, passwordPolicy: { minLength: 12 }, now: () => now });
  const app = express();
  app.use(express.json());
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  // The README's route, word for word but for `end`.
  app.post('/v1/me/password', auth.require(), async (req, res, next) => {
    try {
      await auth.passwords.change(req, { login: req.body.login, currentPassword: req.body.current, newPassword: req.body.next, ...(end ? { end } : {}) });
      res.json({ changed: true });
    } catch (error) {
      next(error);
    }
  });
  app.use((error: GatehouseError, _req: express.Request, res: express.Response, _next: express.NextFunction) => res.status(error.status).json({ code: error.code, detail: error.message }));
  app.get('/v1/projects', auth.require(), (_req, res) => res.json({ ok: true }));
  const tokenOf = async () => (await request(app).post('/v1/sessions').send(ALICE)).body.token as string;
  return { app, auth, tokenOf, advance: (ms: number) => (now += ms) };
}

describe('auth.passwords.change', () => {
  it('changes the password, ends the other sign-ins and keeps this one (end: \'others\' by default)', async () => {
    const h = await hostApp();
    const mine = await h.tokenOf();
    const other = await h.tokenOf();
    h.advance(1000);
    const res = await request(h.app).post('/v1/me/password').set('Authorization', `Bearer ${mine}`).send({ login: ALICE.login, current: ALICE.password, next: 'a much longer passphrase' });
    expect(res.body).toEqual({ changed: true });
    expect((await request(h.app).get('/v1/projects').set('Authorization', `Bearer ${other}`)).status).toBe(401);
    expect((await request(h.app).get('/v1/projects').set('Authorization', `Bearer ${mine}`)).status).toBe(200);
  });

  it("with end: 'all' ends this sign-in too; with 'none' ends nothing", async () => {
    const all = await hostApp('all');
    const mine = await all.tokenOf();
    all.advance(1000);
    await request(all.app).post('/v1/me/password').set('Authorization', `Bearer ${mine}`).send({ login: ALICE.login, current: ALICE.password, next: 'a much longer passphrase' });
    expect((await request(all.app).get('/v1/projects').set('Authorization', `Bearer ${mine}`)).status).toBe(401);

    const none = await hostApp('none');
    const kept = await none.tokenOf();
    const other = await none.tokenOf();
    await request(none.app).post('/v1/me/password').set('Authorization', `Bearer ${kept}`).send({ login: ALICE.login, current: ALICE.password, next: 'a much longer passphrase' });
    expect((await request(none.app).get('/v1/projects').set('Authorization', `Bearer ${other}`)).status).toBe(200);
  });

  it('refuses a new password the policy refuses (400.1), the current one (400.1) and a wrong current password (401.2)', async () => {
    const h = await hostApp();
    const mine = await h.tokenOf();
    const post = (current: string, next: string) => request(h.app).post('/v1/me/password').set('Authorization', `Bearer ${mine}`).send({ login: ALICE.login, current, next });
    expect((await post(ALICE.password, 'short')).body).toEqual({ code: '400.1', detail: 'password must be at least 12 characters.' });
    expect((await post(ALICE.password, ALICE.password)).body).toEqual({ code: '400.1', detail: 'password must differ from the current password.' });
    expect((await post('not my password', 'a much longer passphrase')).body.code).toBe('401.2');
    // Someone else's login is no way in: answered as a wrong password.
    expect((await request(h.app).post('/v1/me/password').set('Authorization', `Bearer ${mine}`).send({ login: 'nobody@example.org', current: ALICE.password, next: 'a much longer passphrase' })).body.code).toBe('401.2');
  });
});
