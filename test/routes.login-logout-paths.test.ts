import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore } from '../src';
import { ALICE_PASSWORD } from './helpers/app';

const APOSTROPHE = { login: '/api/v1/@apostrophecms/login/login', logout: '/api/v1/@apostrophecms/login/logout' };

async function apostropheApp() {
  const store = new MemoryStore({ passwordCost: 10 });
  const alice = await store.addUser({ login: 'alice', password: ALICE_PASSWORD, roles: ['admin'] });
  const auth = gatehouse({ store });
  const app = express();
  app.use(auth.routes({ paths: APOSTROPHE, logoutMethod: 'POST' }));
  app.use(auth.authenticate());
  app.get('/api/v1/me', auth.require(), (req, res) => res.json({ id: req.user!.id }));
  return { app, auth, alice };
}

describe('routes({ paths: { login, logout }, logoutMethod }) puts login and logout where the replaced system had them', () => {
  it("should log in at POST /api/v1/@apostrophecms/login/login and out at POST …/logout (ApostropheCMS)", async () => {
    const { app, alice } = await apostropheApp();
    const login = await request(app).post(APOSTROPHE.login).send({ username: 'alice', password: ALICE_PASSWORD });
    expect(login.status).toBe(200);
    const bearer = `Bearer ${login.body.token}`;
    expect((await request(app).get('/api/v1/me').set('Authorization', bearer)).body).toEqual({ id: alice.id });
    const logout = await request(app).post(APOSTROPHE.logout).set('Authorization', bearer);
    expect(logout.status).toBe(200);
    expect(logout.body).toEqual({ success: true });
    const after = await request(app).get('/api/v1/me').set('Authorization', bearer);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('401.2');
  });

  it('should answer the moved logout without a credential with 401.1', async () => {
    const { app } = await apostropheApp();
    const res = await request(app).post(APOSTROPHE.logout);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.1');
  });

  it('should no longer serve POST /sessions once login has moved', async () => {
    const { app } = await apostropheApp();
    expect((await request(app).post('/sessions').send({ username: 'alice', password: ALICE_PASSWORD })).status).toBe(404);
  });

  it('should describe the moved endpoints in openapi() given the same options', async () => {
    const { auth } = await apostropheApp();
    const { paths } = auth.openapi({ paths: APOSTROPHE, logoutMethod: 'POST' });
    expect(paths[APOSTROPHE.login]).toHaveProperty('post.operationId', 'gatehouseLogin');
    expect(paths[APOSTROPHE.logout]).toHaveProperty('post.operationId', 'gatehouseLogout');
    expect(paths).not.toHaveProperty('/sessions/current');
  });

  it.each([
    [{ paths: { login: 'login' } }, /paths.login must be a path/],
    [{ paths: { logout: '/a/../b' } }, /paths.logout must be a path/],
    [{ logoutMethod: 'GET' }, /logoutMethod must be 'DELETE' or 'POST'/],
  ])('%j throws a TypeError naming the option', async (options, message) => {
    const { auth } = await apostropheApp();
    expect(() => auth.routes(options as never)).toThrow(TypeError);
    expect(() => auth.routes(options as never)).toThrow(message);
  });
});
