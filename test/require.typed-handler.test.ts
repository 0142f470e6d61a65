import request from 'supertest';
import { isAuthenticated } from '../src';
import { buildApp } from './helpers/app';

describe('auth.require().handler(route) and isAuthenticated(req)', () => {
  it('runs the route with the user set, and answers refusals exactly as auth.require() does', async () => {
    const t = await buildApp();
    t.app.get(
      '/v1/typed-admin',
      t.auth.require({ roles: ['admin'] }).handler((req, res) => res.json({ id: req.user.id, scheme: req.authInfo.scheme })),
    );
    const alice = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    const bob = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'session' });

    const allowed = await request(t.app).get('/v1/typed-admin').set('Authorization', `Bearer ${alice.token}`);
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({ id: t.alice.id, scheme: 'sessionToken' });

    const forbidden = await request(t.app).get('/v1/typed-admin').set('Authorization', `Bearer ${bob.token}`);
    const plainForbidden = await request(t.app).get('/v1/admin').set('Authorization', `Bearer ${bob.token}`);
    expect([forbidden.status, forbidden.body]).toEqual([plainForbidden.status, plainForbidden.body]);
    expect(forbidden.body.code).toBe('403.1');

    const anonymous = await request(t.app).get('/v1/typed-admin');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('401.1');
    expect(anonymous.headers['www-authenticate']).toBe((await request(t.app).get('/v1/admin')).headers['www-authenticate']);
  });

  it('hands a rejected promise from the route to Express 5 error handling', async () => {
    const t = await buildApp();
    t.app.get(
      '/v1/typed-fails',
      t.auth.require().handler(async () => {
        throw new Error('route failed');
      }),
    );
    t.app.use((error: Error, _req: unknown, res: { status(code: number): { json(body: unknown): void } }, _next: unknown) =>
      res.status(500).json({ caught: error.message }),
    );
    const alice = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    const answer = await request(t.app).get('/v1/typed-fails').set('Authorization', `Bearer ${alice.token}`);
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ caught: 'route failed' });
  });

  it('isAuthenticated(req) is true behind auth.require() and false for an anonymous request', async () => {
    const t = await buildApp();
    const seen: boolean[] = [];
    t.app.get('/v1/guarded', (req, res) => {
      seen.push(isAuthenticated(req));
      res.json({ id: isAuthenticated(req) ? req.user.id : null });
    });
    const alice = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    expect((await request(t.app).get('/v1/guarded').set('Authorization', `Bearer ${alice.token}`)).body).toEqual({ id: t.alice.id });
    expect((await request(t.app).get('/v1/guarded')).body).toEqual({ id: null });
    expect(seen).toEqual([true, false]);
  });

  it('refuses a handler that is not a function, at construction', async () => {
    const t = await buildApp();
    expect(() => t.auth.require().handler('list' as never)).toThrow('auth.require().handler(): pass a route handler');
  });
});
