import { generateKeyPairSync } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type OpenApiFragment } from '../src';
import { buildApp } from './helpers/app';
import { runEsmHelper } from './helpers/esm';
import { JWT_OPTIONS } from './helpers/jwt';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const COOKIE = { secret: 'a-cookie-secret-of-at-least-32-bytes!!', name: 'app-session', secure: false };
const EVERYTHING = { jwt: { keys: [{ kid: 'ec-1', privateKey: ec.privateKey }], issuer: JWT_OPTIONS.issuer }, cookie: COOKIE };
const INFO = { title: 'Projects API', version: '1.0.0' };

const validate = (document: unknown) => runEsmHelper<{ valid: boolean; error?: string }>('openapi-validate.mjs', document);

/** Every method and path the fragment documents, with the names of the security schemes it uses. */
function operations(fragment: OpenApiFragment): Array<{ method: string; path: string; security: string[] }> {
  return Object.entries(fragment.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      method,
      path,
      security: ((operation as { security: Array<Record<string, string[]>> }).security ?? []).flatMap((requirement) => Object.keys(requirement)),
    })),
  );
}

describe('auth.openapi(): security schemes', () => {
  it('describes every scheme that is on, with its OpenAPI type and location', async () => {
    const { auth } = await buildApp(EVERYTHING);
    const { securitySchemes } = auth.openapi().components;
    expect(Object.keys(securitySchemes).sort()).toEqual(['apiKey', 'apiKeyQuery', 'appUserUrl', 'basic', 'cookie', 'jwt', 'sessionToken']);
    expect(securitySchemes.jwt).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(securitySchemes.sessionToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(securitySchemes.sessionToken).not.toHaveProperty('bearerFormat');
    expect(securitySchemes.basic).toMatchObject({ type: 'http', scheme: 'basic', description: expect.stringContaining('HTTPS only') });
    // The prefix cannot be expressed in an apiKey scheme, so the description says it plainly.
    expect(securitySchemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization', description: expect.stringContaining('`ApiKey <key>`') });
    expect(securitySchemes.apiKeyQuery).toMatchObject({ type: 'apiKey', in: 'query', name: 'apikey' });
    expect(securitySchemes.cookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'app-session' });
    expect(securitySchemes.appUserUrl).toMatchObject({ type: 'http', scheme: 'bearer', description: expect.stringContaining('/key/{key}') });
  });

  it('leaves out the schemes that are off, and the endpoints they need', async () => {
    const { auth } = await buildApp({ jwt: false, cookie: false, sessionToken: false, appUserUrl: false, basic: false });
    const fragment = auth.openapi();
    expect(Object.keys(fragment.components.securitySchemes).sort()).toEqual(['apiKey', 'apiKeyQuery']);
    expect(Object.keys(fragment.paths).sort()).toEqual(['/sessions/current', '/sessions/{token}']);
    expect((await validate({ openapi: '3.1.0', info: INFO, ...fragment })).valid).toBe(true);
  });

  it('an HMAC-only JWT setup has the JWT endpoints but no key set', async () => {
    const { auth } = await buildApp({ jwt: JWT_OPTIONS });
    const fragment = auth.openapi();
    expect(Object.keys(fragment.paths)).toEqual(expect.arrayContaining(['/jwt/authenticate', '/jwt/refresh', '/jwt/verify']));
    expect(Object.keys(fragment.paths).some((path) => path.includes('jwks'))).toBe(false);
  });

  it('every security requirement names a scheme the fragment defines', async () => {
    const { auth } = await buildApp(EVERYTHING);
    const fragment = auth.openapi();
    const used = new Set(operations(fragment).flatMap((operation) => operation.security));
    expect([...used].sort()).toEqual(Object.keys(fragment.components.securitySchemes).sort());
  });

  it('error responses are problem+json with the stable codes', async () => {
    const { auth } = await buildApp(EVERYTHING);
    const login = auth.openapi().paths['/sessions'].post as { responses: Record<string, { description: string; content: Record<string, unknown> }> };
    expect(Object.keys(login.responses).sort()).toEqual(['200', '400', '401', '403', '503']);
    expect(login.responses['403'].description).toMatch(/403\.2: .*403\.3: .*403\.4: /);
    expect(login.responses['401'].content).toEqual({ 'application/problem+json': { schema: { $ref: '#/components/schemas/GatehouseProblem' } } });
  });
});

describe('auth.openapi(): paths match the router', () => {
  it('with the same paths and mountPath, every documented endpoint is served (none answers 404)', async () => {
    const auth = gatehouse({ store: new MemoryStore({ passwordCost: 10 }), ...EVERYTHING });
    const paths = { sessions: '/auth/sessions', jwt: '/auth/jwt', jwks: '/auth/jwks.json' };
    const app = express();
    app.use('/v1', auth.routes({ paths }));
    const fragment = auth.openapi({ paths, mountPath: '/v1' });
    const documented = operations(fragment);
    expect(documented.map(({ method, path }) => `${method} ${path}`).sort()).toEqual([
      'delete /v1/auth/sessions/current',
      'delete /v1/auth/sessions/{token}',
      'get /v1/auth/jwks.json',
      'post /v1/auth/jwt/authenticate',
      'post /v1/auth/jwt/refresh',
      'post /v1/auth/jwt/verify',
      'post /v1/auth/sessions',
      'post /v1/auth/sessions/reauthenticate',
    ]);
    for (const { method, path } of documented) {
      const res = await request(app)[method as 'get' | 'post' | 'delete'](path.replace('{token}', 'gts_unknown')).send({});
      expect(`${method} ${path} → ${res.status}`).not.toMatch(/→ 404$/);
    }
    expect((await request(app).get('/v1/.well-known/jwks.json')).status).toBe(404);
  });

  it('documents POST {sessions}/password and the changeTicket of 403.3 when passwordChange is on, and the document validates', async () => {
    const auth = gatehouse({ store: new MemoryStore({ passwordCost: 10 }), passwordChange: {} });
    const app = express();
    app.use('/v1', auth.routes());
    const fragment = auth.openapi({ mountPath: '/v1' });
    expect(operations(fragment).map(({ method, path }) => `${method} ${path}`)).toContain('post /v1/sessions/password');
    expect((await request(app).post('/v1/sessions/password').send({})).status).toBe(400);
    expect(fragment.components.schemas.GatehouseProblem).toHaveProperty('properties.changeTicket');
    expect(await validate({ openapi: '3.1.0', info: INFO, ...fragment })).toEqual({ valid: true, openapi: '3.1.0' });
    const off = gatehouse({ store: new MemoryStore({ passwordCost: 10 }) }).openapi({ mountPath: '/v1' });
    expect(operations(off).map(({ method, path }) => `${method} ${path}`)).not.toContain('post /v1/sessions/password');
  });

  it.each([
    [{ paths: { jwt: 'jwt' } }, /auth\.openapi\(\): paths\.jwt must be a path such as '\/jwt'/],
    [{ paths: { jwks: '/../jwks.json' } }, /auth\.openapi\(\): paths\.jwks must be a path/],
    [{ mountPath: '/v1/' }, /auth\.openapi\(\): mountPath must be a path such as '\/v1'/],
    [{ mountPath: 'v1' }, /auth\.openapi\(\): mountPath must be a path/],
  ])('openapi(%j) throws a TypeError naming the option', async (options, message) => {
    const auth = gatehouse({ store: new MemoryStore(), ...EVERYTHING });
    expect(() => auth.openapi(options)).toThrow(TypeError);
    expect(() => auth.openapi(options)).toThrow(message);
  });
});

describe('auth.openapi(): validated against the OpenAPI 3.1 schema', () => {
  it('the fragment, given only openapi and info, is a valid OpenAPI 3.1 document', async () => {
    const { auth } = await buildApp(EVERYTHING);
    expect(await validate({ openapi: '3.1.0', info: INFO, ...auth.openapi({ mountPath: '/v1' }) })).toEqual({ valid: true, openapi: '3.1.0' });
  });

  it('merged into an app\'s own document, the whole document is valid', async () => {
    const { auth } = await buildApp(EVERYTHING);
    const { paths, components } = auth.openapi();
    const document = {
      openapi: '3.1.0',
      info: INFO,
      servers: [{ url: 'https://api.example.org/v1' }],
      // The API's own endpoints accept any scheme that is on; the auth endpoints set their own.
      security: Object.keys(components.securitySchemes).map((name) => ({ [name]: [] })),
      paths: {
        ...paths,
        '/projects': {
          get: {
            operationId: 'listProjects',
            responses: {
              '200': { description: 'Projects', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Project' } } } } },
              '401': { description: 'No or bad credential', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/GatehouseProblem' } } } },
            },
          },
        },
      },
      components: { ...components, schemas: { ...components.schemas, Project: { type: 'object', properties: { id: { type: 'string' } } } } },
    };
    expect(await validate(document)).toEqual({ valid: true, openapi: '3.1.0' });
  });

  it('with rateLimits, describes the 429 of a rate-limited API key as a response the API\'s operations reference, and the document validates', async () => {
    const { auth } = await buildApp({ ...EVERYTHING, rateLimits: { limits: [{ name: 'burst', limit: 100, window: '10s' }] } });
    const { paths, components } = auth.openapi();
    expect(Object.keys(components.responses!.GatehouseRateLimited.headers as object)).toEqual(['Retry-After', 'RateLimit-Policy', 'RateLimit']);
    expect((components.schemas.GatehouseProblem.properties as Record<string, unknown>).rateLimit).toBeDefined();
    expect((components.schemas.GatehouseProblem.properties as { code: { enum: string[] } }).code.enum).toEqual(expect.arrayContaining(['429.1', '429.2']));
    const document = {
      openapi: '3.1.0',
      info: INFO,
      paths: {
        ...paths,
        '/reports': { get: { security: [{ apiKey: [] }], responses: { '200': { description: 'Reports' }, '429': { $ref: '#/components/responses/GatehouseRateLimited' } } } },
      },
      components,
    };
    expect(await validate(document)).toEqual({ valid: true, openapi: '3.1.0' });
    // Without rateLimits there is no such response.
    expect((await buildApp(EVERYTHING)).auth.openapi().components.responses).toBeUndefined();
  });

  it('the validator does refuse a broken document (the control for the cases above)', async () => {
    const { auth } = await buildApp(EVERYTHING);
    const fragment = auth.openapi();
    const broken = { ...fragment, components: { ...fragment.components, securitySchemes: { ...fragment.components.securitySchemes, appUserUrl: { type: 'apiKey', in: 'path', name: 'key' } } } };
    const result = await validate({ openapi: '3.1.0', info: INFO, ...broken });
    expect(result.valid).toBe(false);
    expect(result.error).toMatch(/securitySchemes/);
  });
});
