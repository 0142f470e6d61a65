/**
 * examples/oidc/: the STAC admin UI signing in through a Cognito-like provider, and a
 * DRF-style service with SSO users beside password users, black box, against a real
 * provider (node-oidc-provider) on loopback.
 */
import path from 'node:path';
import request from 'supertest';
import { ensureBuilt, ROOT } from '../helpers/build';
import { Browser, CLIENT_SECRET, listening, startProviderWith, type TestProvider } from '../helpers/oidc';

let server: Awaited<ReturnType<typeof listening>>;
let provider: TestProvider;

beforeAll(async () => {
  ensureBuilt();
  server = await listening();
  provider = await startProviderWith(
    [
      { client_id: 'stac', client_secret: CLIENT_SECRET, redirect_uris: [`${server.origin}/admin/oidc/cognito/callback`] },
      { client_id: 'drf', client_secret: CLIENT_SECRET, redirect_uris: [`${server.origin}/api/auth/oidc/company/callback`] },
    ],
    {
      editor: { email: 'editor@example.org', email_verified: true, 'cognito:groups': ['stac-admins'] },
      visitor: { email: 'visitor@example.org', email_verified: true, 'cognito:groups': [] },
      local: { email: 'local@example.org', email_verified: true },
      sso: { email: 'sso@example.org', email_verified: true },
    },
  );
});
afterAll(async () => {
  await provider.stop();
  await server.close();
});

describe('example: the STAC admin UI through Cognito', () => {
  it('signs a stac-admins member in with a cookie and refuses anyone else', async () => {
    const { createStacAdminApp } = require(path.join(ROOT, 'examples', 'oidc', 'stac-admin.js'));
    const { app } = await createStacAdminApp({ issuer: provider.issuer, clientId: 'stac', clientSecret: CLIENT_SECRET, origin: server.origin, secure: false });
    server.serve(app);
    const editor = new Browser();
    const callback = await editor.signInAtProvider(`${server.origin}/admin/oidc/cognito/start?returnTo=/admin/whoami`, 'editor', { callbackPrefix: `${server.origin}/admin/oidc/cognito/callback` });
    expect((await editor.visit(callback)).location).toBe(`${server.origin}/admin/whoami`);
    expect(JSON.parse((await editor.visit(`${server.origin}/admin/whoami`)).body)).toMatchObject({ roles: ['admin'] });

    const visitor = new Browser();
    const refused = await visitor.visit(await visitor.signInAtProvider(`${server.origin}/admin/oidc/cognito/start`, 'visitor', { callbackPrefix: `${server.origin}/admin/oidc/cognito/callback` }));
    expect(JSON.parse(refused.body)).toMatchObject({ code: '403.1' });
  });
});

describe('example: a DRF-style service with SSO users beside password users', () => {
  it('hands both kinds the same tokens, and links a local user by the trusted verified e-mail', async () => {
    const { createDrfSsoApp } = require(path.join(ROOT, 'examples', 'oidc', 'drf-sso.js'));
    const { app, store } = await createDrfSsoApp({ issuer: provider.issuer, clientId: 'drf', clientSecret: CLIENT_SECRET, origin: server.origin });
    server.serve(app);
    const callbackPrefix = `${server.origin}/api/auth/oidc/company/callback`;
    const password = await request(app).post('/api/auth/sessions').send({ login: 'local@example.org', password: 'a local password 1234' }).expect(200);
    const local = await request(app).get('/api/me').set('Authorization', `Bearer ${password.body.token}`).expect(200);

    const sso = new Browser();
    const ssoAnswer = await sso.visit(await sso.signInAtProvider(`${server.origin}/api/auth/oidc/company/start`, 'sso', { callbackPrefix }));
    const ssoMe = await request(app).get('/api/me').set('Authorization', `Bearer ${JSON.parse(ssoAnswer.body).token}`).expect(200);
    expect(ssoMe.body.roles).toEqual(['sso']);

    const linked = new Browser();
    const linkedAnswer = await linked.visit(await linked.signInAtProvider(`${server.origin}/api/auth/oidc/company/start`, 'local', { callbackPrefix }));
    const linkedMe = await request(app).get('/api/me').set('Authorization', `Bearer ${JSON.parse(linkedAnswer.body).token}`).expect(200);
    expect(linkedMe.body.id).toBe(local.body.id);
    expect(await store.findIdentity(provider.issuer, 'local')).toMatchObject({ actorId: local.body.id });
  });
});
