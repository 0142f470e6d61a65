import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore } from '../src';
import { buildApp, CONFIG_API_KEY } from './helpers/app';

describe('credentials in URLs are taken off before the app sees them', () => {
  it('strips /key/{token}, keeps the query, redacts originalUrl and sets no-store / no-referrer', async () => {
    const t = await buildApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    const res = await request(t.app).post(`/v1/key/${token}/forms/42/submissions?draft=true`);
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(t.device.id);
    expect(t.seen.url).toBe('/v1/forms/42/submissions?draft=true');
    expect(t.seen.originalUrl).toBe('/v1/key/REDACTED/forms/42/submissions?draft=true');
    expect(JSON.stringify(t.seen)).not.toContain(token);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('removes apikey / apiKey from req.url and req.query and redacts originalUrl', async () => {
    const t = await buildApp();
    const res = await request(t.app).get(`/v1/projects?page=2&apiKey=${CONFIG_API_KEY}&sort=name`);
    expect(res.status).toBe(200);
    expect(res.body.authInfo.scheme).toBe('apiKey');
    expect(t.seen.url).toBe('/v1/projects?page=2&sort=name');
    expect(t.seen.query).toEqual({ page: '2', sort: 'name' });
    expect(t.seen.originalUrl).toBe('/v1/projects?page=2&apiKey=REDACTED&sort=name');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('a 404 page never echoes the key (finalhandler prints originalUrl)', async () => {
    const t = await buildApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    const res = await request(t.app).get(`/v1/key/${token}/no-such-route?apikey=${CONFIG_API_KEY}`);
    expect(res.status).toBe(404);
    expect(res.text).toContain('Cannot GET /v1/key/REDACTED/no-such-route');
    expect(res.text).not.toContain(token);
    expect(res.text).not.toContain(CONFIG_API_KEY);
  });

  it('percent-decodes the key and accepts /key/{token} with nothing after it', async () => {
    const t = await buildApp();
    t.app.get('/v1/', t.auth.require({ actors: ['appUser'] }), (req, res) => res.json({ id: req.user?.id, url: req.url }));
    const { token } = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    const encoded = token.replace(/_/g, '%5F');
    const res = await request(t.app).get(`/v1/key/${encoded}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: t.device.id, url: '/v1/' });
  });

  it('refuses a web session token in the URL (only app-user tokens travel there)', async () => {
    const t = await buildApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    const res = await request(t.app).get(`/v1/key/${token}/projects`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
  });

  it('an app-user token also works as a Bearer header; require() keeps app users out by default', async () => {
    const t = await buildApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    const forms = await request(t.app).get('/v1/forms').set('Authorization', `Bearer ${token}`);
    expect(forms.status).toBe(200);
    const projects = await request(t.app).get(`/v1/key/${token}/projects`);
    expect(projects.status).toBe(403);
    expect(projects.body.code).toBe('403.1');
  });

  it.each(['/v1/key/%zz/forms', '/v1/key/%E0%A4%A/forms', '/v1/key//forms', '/v1/key/%00/forms', '/v1/key/a%2Fb/forms'])(
    'a malformed or empty key (%s) is a failed credential, never a 500',
    async (path) => {
      const t = await buildApp();
      const res = await request(t.app).get(path);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('401.2');
    },
  );

  it('with appUserUrl: false, /key/… reaches the app untouched', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    const auth = gatehouse({ store, appUserUrl: false });
    const app = express();
    app.use(auth.authenticate());
    app.get('/key/:k/x', (req, res) => res.json({ k: req.params.k }));
    const res = await request(app).get('/key/abc/x');
    expect(res.body).toEqual({ k: 'abc' });
  });

  it('routes() and authenticate() agree on one request: the key is taken once', async () => {
    const t = await buildApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    const res = await request(t.app).get(`/v1/key/${token}/forms`);
    expect(res.status).toBe(200);
    expect(t.seen.url).toBe('/v1/forms');
  });
});
