import request from 'supertest';
import { buildApp, type TestApp } from './helpers/app';
import { forge, JWT_OPTIONS, localClaims } from './helpers/jwt';
import { useExternalIssuer } from './helpers/jwks-server';
import { realNow } from './helpers/clock';
import { thrownBy } from './helpers/thrown';

const NOW = realNow();
const now = Math.floor(NOW / 1000);
const READER_KEY = 'reader-key-0123456789abcdef';
const UNSCOPED_KEY = 'unscoped-key-0123456789abcdef';
const ISSUER = 'https://idp.example.org';

/** The test app, plus routes that require one scope and two scopes. */
async function scopedApp(options: Parameters<typeof buildApp>[0] = {}): Promise<TestApp> {
  const t = await buildApp({
    now: () => NOW,
    jwt: JWT_OPTIONS,
    apiKeys: {
      [READER_KEY]: { role: 'reader', label: 'reader', scopes: ['reports:read'] },
      [UNSCOPED_KEY]: { role: 'reader', label: 'unscoped' },
    },
    ...options,
  });
  const ok = (req: import('express').Request, res: import('express').Response) => res.json({ scopes: req.authInfo?.scopes ?? null });
  const actors = ['user', 'apiKey', 'appUser'];
  t.app.get('/v1/reports', t.auth.require({ actors, scopes: ['reports:read'] }), ok);
  t.app.post('/v1/reports', t.auth.require({ actors, scopes: ['reports:read', 'reports:write'] }), ok);
  return t;
}

const get = (t: TestApp, authorization: string) => request(t.app).get('/v1/reports').set('Authorization', authorization);
const post = (t: TestApp, authorization: string) => request(t.app).post('/v1/reports').set('Authorization', authorization);

function expectInsufficientScope(res: request.Response, required: string[]) {
  expect(res.status).toBe(403);
  expect(res.body).toMatchObject({ code: '403.5', status: 403, requiredScopes: required });
}

describe('auth.require({ scopes }): a scoped credential must hold all of them', () => {
  it('an apiKeys map entry with scopes: the scope held passes, a missing one answers 403.5 with no Bearer challenge', async () => {
    const t = await scopedApp();
    const allowed = await get(t, `ApiKey ${READER_KEY}`);
    expect(allowed.status).toBe(200);
    expect(allowed.body.scopes).toEqual(['reports:read']);
    const refused = await post(t, `ApiKey ${READER_KEY}`);
    expectInsufficientScope(refused, ['reports:read', 'reports:write']);
    expect(refused.headers['www-authenticate']).toBeUndefined();
  });

  it('an apiKeys entry without scopes is not scoped: it passes, and req.authInfo has no scopes', async () => {
    const t = await scopedApp();
    const res = await post(t, `ApiKey ${UNSCOPED_KEY}`);
    expect(res.status).toBe(200);
    expect(res.body.scopes).toBeNull();
  });

  it('a store-issued apiKey token carries the scopes it was issued with (ApiKey scheme: no challenge)', async () => {
    const t = await scopedApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'apiKey', scopes: ['reports:read'] });
    expect((await get(t, `ApiKey ${token}`)).body.scopes).toEqual(['reports:read']);
    const refused = await post(t, `ApiKey ${token}`);
    expectInsufficientScope(refused, ['reports:read', 'reports:write']);
    expect(refused.headers['www-authenticate']).toBeUndefined();
  });

  it('a personal token (a bearer scheme) lacking a scope answers 403.5 with Bearer error="insufficient_scope" and the scopes required', async () => {
    const t = await scopedApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'personal', scopes: ['reports:read'] });
    expect((await get(t, `Bearer ${token}`)).status).toBe(200);
    const refused = await post(t, `Bearer ${token}`);
    expectInsufficientScope(refused, ['reports:read', 'reports:write']);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="reports:read reports:write"');
  });

  it('a session token issued with both scopes passes the route needing both; one issued with none ([]) holds none', async () => {
    const t = await scopedApp();
    const both = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'session', scopes: ['reports:write', 'reports:read'] });
    expect((await post(t, `Bearer ${both.token}`)).status).toBe(200);
    const none = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'session', scopes: [] });
    expectInsufficientScope(await get(t, `Bearer ${none.token}`), ['reports:read']);
  });

  it('a password login is not scoped: its session token passes scoped routes', async () => {
    const t = await scopedApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'session' });
    expect((await post(t, `Bearer ${token}`)).status).toBe(200);
  });

  it('tokens.list shows the scopes of a scoped token and none on an unscoped one', async () => {
    const t = await scopedApp();
    await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'apiKey', label: 'scoped', scopes: ['reports:read'] });
    await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'apiKey', label: 'plain' });
    const listed = await t.auth.tokens.list(t.bob.id);
    expect(listed.find((c) => c.label === 'scoped')?.scopes).toEqual(['reports:read']);
    expect(listed.find((c) => c.label === 'plain')).not.toHaveProperty('scopes');
  });

  it("a JWT's space-separated scope claim, and its scp claim as an array or a string, are its scopes", async () => {
    const t = await scopedApp();
    const jwt = (extra: Record<string, unknown>) => `Bearer ${forge(localClaims(t.bob.id, now, extra))}`;
    expect((await post(t, jwt({ scope: 'reports:read  reports:write' }))).status).toBe(200);
    expect((await post(t, jwt({ scp: ['reports:read', 'reports:write'] }))).status).toBe(200);
    expect((await post(t, jwt({ scp: 'reports:write reports:read' }))).status).toBe(200);
    const refused = await post(t, jwt({ scp: ['reports:read'] }));
    expectInsufficientScope(refused, ['reports:read', 'reports:write']);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="reports:read reports:write"');
    // A JWT with neither claim is not scoped.
    expect((await post(t, jwt({}))).status).toBe(200);
  });

  it('a JWT whose scope claim is malformed is refused (401.2), never taken as unscoped', async () => {
    const t = await scopedApp();
    for (const scope of [42, ['reports:read', 7], { read: true }, ['has space']]) {
      const res = await get(t, `Bearer ${forge(localClaims(t.bob.id, now, { scope }))}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('401.2');
    }
  });

  it('an anonymous request on a scoped route is 401.1, not 403.5', async () => {
    const t = await scopedApp();
    const res = await request(t.app).get('/v1/reports');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.1');
  });

  it('the insufficient_scope challenge carries the configured realm', async () => {
    const t = await scopedApp({ realm: 'reports api' });
    const { token } = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'personal', scopes: [] });
    const res = await get(t, `Bearer ${token}`);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="reports api", error="insufficient_scope", scope="reports:read"');
  });
});

describe('scopes from an external issuer (JWKS)', () => {
  const external = useExternalIssuer(ISSUER);

  it("an external access token's scope claim is its scopes", async () => {
    const t = await scopedApp({ jwt: { issuers: [external.entry()] } });
    const token = (scope: string) => external.sign({ sub: 'ext-1', iss: ISSUER, iat: now, exp: now + 600, jti: `j-${scope}`, scope });
    expect((await get(t, `Bearer ${token('reports:read')}`)).body.scopes).toEqual(['reports:read']);
    expectInsufficientScope(await post(t, `Bearer ${token('reports:read')}`), ['reports:read', 'reports:write']);
  });
});

describe('scope options refused at construction', () => {
  it.each([
    ['an empty list', []],
    ['not an array', 'reports:read'],
    ['an empty scope', ['']],
    ['a scope with a space', ['reports read']],
    ['a scope with a quote', ['reports"read']],
    ['a scope with a backslash', ['reports\\read']],
    ['a non-string', [42]],
  ])('auth.require({ scopes }) with %s', async (_what, scopes) => {
    const t = await buildApp();
    expect(thrownBy(() => t.auth.require({ scopes: scopes as never }))).toMatchObject({ name: 'GatehouseConfigError', option: 'scopes' });
  });

  it('an apiKeys entry with a malformed scope, without naming the key', async () => {
    const error = await buildApp({ apiKeys: { [READER_KEY]: { role: 'reader', scopes: ['a b'] } } }).then(() => undefined, (thrown: Error) => thrown);
    expect(error).toMatchObject({ name: 'GatehouseConfigError', option: 'apiKeys.*.scopes' });
    expect(String((error as Error).message)).toContain('apiKeys entry #1');
    expect(String((error as Error).message)).not.toContain(READER_KEY);
  });

  it('tokens.issue with a malformed scope', async () => {
    const t = await buildApp();
    await expect(t.auth.tokens.issue({ actorId: t.bob.id, kind: 'apiKey', scopes: ['x"y'] })).rejects.toMatchObject({ option: 'scopes' });
  });
});

describe('auth.openapi() describes 403.5', () => {
  it('the problem schema lists 403.5 among its codes and describes requiredScopes', async () => {
    const t = await buildApp();
    const problem = (t.auth.openapi().components as unknown as { schemas: Record<string, { properties: Record<string, { enum?: string[]; type?: unknown }> }> }).schemas.GatehouseProblem;
    expect(problem.properties.code.enum).toContain('403.5');
    expect(problem.properties.requiredScopes).toMatchObject({ type: 'array', items: { type: 'string' } });
  });
});
