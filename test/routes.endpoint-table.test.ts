/**
 * Each endpoint is declared once, in the endpoint table (`src/routes/endpoints.ts`): what
 * `auth.routes()` mounts is what `auth.openapi()` describes, whatever the options, and an
 * endpoint added to the table is served — the router's fast filter included — with no
 * other edit.
 */
import { generateKeyPairSync } from 'node:crypto';
import express, { type Router } from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type GatehouseOptions, type OpenApiFragment } from '../src';
import { createGatehouse } from '../src/gatehouse';
import type { Endpoint } from '../src/routes/endpoint';
import { ENDPOINTS } from '../src/routes/endpoints';
import { JWT_OPTIONS } from './helpers/jwt';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const COOKIE = { secret: 'a-cookie-secret-of-at-least-32-bytes!!', secure: false };
const ASYMMETRIC_JWT = { keys: [{ kid: 'ec-1', privateKey: ec.privateKey }], issuer: JWT_OPTIONS.issuer };

/** The (method, path) pairs a router has mounted, read from its stack, in OpenAPI's path form. */
function mountedPairs(router: Router, mountPath: string): string[] {
  const stack = (router as unknown as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> }).stack;
  return stack
    .flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).filter((m) => m !== '_all').map((method) => `${method} ${mountPath}${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`) : []))
    .sort();
}

/** The (method, path) pairs an OpenAPI fragment documents. */
function documentedPairs(fragment: OpenApiFragment): string[] {
  return Object.entries(fragment.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`))
    .sort();
}

const OPTION_SETS: Array<[string, Partial<GatehouseOptions>]> = [
  ['defaults', {}],
  ['cookie, asked', { cookie: COOKIE }],
  ["cookie, login.credentials 'cookie'", { cookie: COOKIE, login: { credentials: 'cookie' } }],
  ["cookie, login.credentials 'token+cookie'", { cookie: COOKIE, login: { credentials: 'token+cookie' } }],
  ["login.credentials 'none'", { login: { credentials: 'none' } }],
  ['session tokens off, cookie on', { sessionToken: false, cookie: COOKIE, login: { credentials: 'cookie' } }],
  ['HMAC jwt', { jwt: JWT_OPTIONS }],
  ['asymmetric jwt (key set published)', { jwt: ASYMMETRIC_JWT }],
  ['everything, with passwordChange', { jwt: ASYMMETRIC_JWT, cookie: COOKIE, passwordChange: {} }],
  ['api keys only', { sessionToken: false, appUserUrl: false, basic: false, apiKeys: { myapikey1029384756: { role: 'admin' } } }],
];

const ROUTE_OPTIONS: Array<[string, { paths?: Record<string, string>; logoutMethod?: 'DELETE' | 'POST' }]> = [
  ['default paths', {}],
  ['custom paths', { paths: { sessions: '/auth/sessions', jwt: '/auth/jwt', jwks: '/auth/jwks.json' } }],
  ['login and logout moved, POST logout', { paths: { login: '/api/v1/@apostrophecms/login/login', logout: '/api/v1/@apostrophecms/login/logout' }, logoutMethod: 'POST' }],
  ['logout on the login path, DELETE', { paths: { logout: '/sessions' } }],
];

describe('the endpoint table: what routes() mounts is what openapi() describes', () => {
  const cells = OPTION_SETS.flatMap(([name, options]) => ROUTE_OPTIONS.map(([routeName, routeOptions]) => [name, routeName, options, routeOptions] as const));
  it.each(cells)('%s, %s', (_name, _routeName, options, routeOptions) => {
    const auth = gatehouse({ store: new MemoryStore({ passwordCost: 10 }), ...options });
    const mounted = mountedPairs(auth.routes(routeOptions), '/v1');
    expect(mounted.length).toBeGreaterThan(0);
    expect(documentedPairs(auth.openapi({ ...routeOptions, mountPath: '/v1' }))).toEqual(mounted);
  });

  it('serves the login path and the documented jwks only when they are on (the control: the matrix sees a difference)', () => {
    const pairs = (options: Partial<GatehouseOptions>) => mountedPairs(gatehouse({ store: new MemoryStore(), ...options }).routes(), '');
    expect(pairs({ jwt: ASYMMETRIC_JWT })).toContain('get /.well-known/jwks.json');
    expect(pairs({ jwt: JWT_OPTIONS })).not.toContain('get /.well-known/jwks.json');
    expect(pairs({})).toContain('post /sessions');
    expect(pairs({ login: { credentials: 'none' } })).not.toContain('post /sessions');
  });
});

describe('an endpoint added to the table', () => {
  /** A test-only GET endpoint: its table entry is all there is of it. */
  const WHOAMI: Endpoint = {
    id: 'testWhoAmI',
    method: () => 'GET',
    path: (paths) => `${paths.sessions}/whoami`,
    mounted: ({ schemes }) => schemes.has('sessionToken'),
    handler: (context) => async (req, res, next) => {
      try {
        const resolution = await context.authenticator.resolve(req, res);
        res.status(200).json({ actor: resolution.type === 'authenticated' ? resolution.actor.id : null });
      } catch (error) {
        next(error);
      }
    },
    openapi: ({ anyCredential }) => ({ operationId: 'testWhoAmI', summary: 'Who am I', security: anyCredential, responses: { '200': { description: 'The actor.' } } }),
  };

  it('is served through the fast filter, mounted and described, with no edit outside its entry', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    const alice = await store.addUser({ login: 'alice@example.org', password: 'correct horse battery' });
    const auth = createGatehouse({ store }, [...ENDPOINTS, WHOAMI]);
    const { token } = await auth.tokens.issue({ actorId: alice.id, kind: 'session' });
    const app = express();
    app.use('/v1', auth.routes({ paths: { sessions: '/auth' } }));
    app.use('/v1', auth.authenticate());
    app.get('/v1/auth/whoami', (_req, res) => res.status(418).json({ reached: 'the app' }));

    const res = await request(app).get('/v1/auth/whoami').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ actor: alice.id });
    expect(documentedPairs(auth.openapi({ paths: { sessions: '/auth' }, mountPath: '/v1' }))).toContain('get /v1/auth/whoami');
    // Without the entry the same request never reaches the router: the app answers it.
    const plain = gatehouse({ store });
    const control = express();
    control.use('/v1', plain.routes({ paths: { sessions: '/auth' } }));
    control.get('/v1/auth/whoami', (_req, res) => res.status(418).json({ reached: 'the app' }));
    expect((await request(control).get('/v1/auth/whoami')).status).toBe(418);
  });

  it('is neither mounted nor described when its condition is off', () => {
    const auth = createGatehouse({ store: new MemoryStore(), sessionToken: false }, [...ENDPOINTS, WHOAMI]);
    expect(mountedPairs(auth.routes(), '')).not.toContain('get /sessions/whoami');
    expect(documentedPairs(auth.openapi())).not.toContain('get /sessions/whoami');
  });
});
