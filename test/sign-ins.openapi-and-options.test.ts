/**
 * The self-service endpoints as `auth.openapi()` describes them (a valid OpenAPI 3.1 document,
 * the same endpoints `routes()` serves), each optional and path-configurable, and the
 * `selfService` option checked at construction.
 */
import request from 'supertest';
import { gatehouse, MemoryStore } from '../src';
import { buildApp, ALICE_PASSWORD } from './helpers/app';
import { runEsmHelper } from './helpers/esm';

const validate = (document: unknown) => runEsmHelper<{ valid: boolean; error?: string }>('openapi-validate.mjs', document);
const INFO = { title: 'Projects API', version: '1.0.0' };
const SELF_SERVICE_PATHS = ['/account/sessions', '/account/sessions/others', '/account/sessions/{id}', '/account/password', '/admin/actors/{actorId}/sessions'];

describe('selfService endpoints in auth.openapi()', () => {
  it('describes every endpoint, in a document that validates', async () => {
    const { auth } = await buildApp({ selfService: {} });
    const fragment = auth.openapi({ mountPath: '/v1' });
    expect(Object.keys(fragment.paths)).toEqual(expect.arrayContaining(SELF_SERVICE_PATHS.map((path) => `/v1${path}`)));
    expect(Object.keys(fragment.paths['/v1/account/sessions'])).toEqual(['get']);
    expect(Object.keys(fragment.paths['/v1/account/sessions/others'])).toEqual(['delete']);
    expect(Object.keys(fragment.paths['/v1/account/password'])).toEqual(['post']);
    expect(fragment.components.schemas.GatehouseSignIn).toMatchObject({ type: 'object', properties: { current: { type: 'boolean' } } });
    const result = await validate({ openapi: '3.1.0', info: INFO, ...fragment });
    expect(result).toMatchObject({ valid: true });
    expect(result.error).toBeUndefined();
  });

  it('describes none of them without the option, and each can be left out', async () => {
    const off = (await buildApp()).auth.openapi();
    expect(Object.keys(off.paths).filter((path) => path.startsWith('/account') || path.startsWith('/admin'))).toEqual([]);
    const some = (await buildApp({ selfService: { list: true, end: false, endOthers: false, passwordChange: false, adminRevokeAll: false } })).auth.openapi();
    expect(Object.keys(some.paths).filter((path) => path.startsWith('/account') || path.startsWith('/admin'))).toEqual(['/account/sessions']);
  });

  it('serves them at the paths given, and describes them there', async () => {
    const { auth } = await buildApp({ selfService: {} });
    const express = (await import('express')).default;
    const app = express();
    const paths = { account: '/me', admin: '/staff' };
    app.use('/v1', auth.routes({ paths }));
    const login = await request(app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
    const listed = await request(app).get('/v1/me/sessions').set('Authorization', `Bearer ${login.body.token}`);
    expect(listed.status).toBe(200);
    expect(listed.body.sessions).toHaveLength(1);
    expect((await request(app).get('/v1/account/sessions').set('Authorization', `Bearer ${login.body.token}`)).status).toBe(404);
    expect(Object.keys(auth.openapi({ paths }).paths)).toEqual(expect.arrayContaining(['/me/sessions', '/me/password', '/staff/actors/{actorId}/sessions']));
  });

  it('refuses a misspelt or mistyped selfService option at construction', () => {
    const store = new MemoryStore();
    expect(() => gatehouse({ store, selfService: { recordIP: true } as never })).toThrow(expect.objectContaining({ code: 'GATEHOUSE_UNKNOWN_OPTION', option: 'selfService.recordIP' }));
    expect(() => gatehouse({ store, selfService: { recordIp: 'yes' } as never })).toThrow(expect.objectContaining({ option: 'selfService.recordIp' }));
    expect(() => gatehouse({ store, selfService: 'on' as never })).toThrow(expect.objectContaining({ option: 'selfService' }));
  });

  it('answers 401.1 without a credential, and 403.1 for an app user', async () => {
    const t = await buildApp({ selfService: {} });
    expect((await request(t.app).get('/v1/account/sessions')).body.code).toBe('401.1');
    const { token } = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    expect((await request(t.app).get('/v1/account/sessions').set('Authorization', `Bearer ${token}`)).body.code).toBe('403.1');
  });
});
