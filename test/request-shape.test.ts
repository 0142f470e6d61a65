import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore } from '../src';
import { prepareRequestForNewProperties } from '../src/middleware/request-shape';

/**
 * The request-shape step (src/middleware/request-shape.ts) changes only how V8 lays out
 * the request object; what host code can observe of the request must stay the same.
 * Its speed is measured in bench/ (the "Express floor" rows), not here.
 */
describe('request-shape step', () => {
  const descriptorsOf = (object: object) =>
    Reflect.ownKeys(object).map((key) => [key, Object.getOwnPropertyDescriptor(object, key)] as const);

  it('leaves every own property, its descriptor and the key order as they were, and adds none', () => {
    const tag = Symbol('host tag');
    const req: Record<string | symbol, unknown> = Object.create({ inherited: true });
    req.method = 'GET';
    req.url = '/projects';
    req[tag] = 'host value';
    Object.defineProperty(req, 'fixed', { value: 42, enumerable: false, writable: false, configurable: false });
    Object.defineProperty(req, 'computed', { get: () => 'from a getter', enumerable: true, configurable: true });
    const before = descriptorsOf(req);

    prepareRequestForNewProperties(req);

    expect(descriptorsOf(req)).toEqual(before);
    expect(Object.getPrototypeOf(req)).toEqual({ inherited: true });
    req.user = { id: 'alice' };
    expect(Object.keys(req).at(-1)).toBe('user');
    expect(JSON.stringify(req)).toBe('{"method":"GET","url":"/projects","computed":"from a getter","user":{"id":"alice"}}');
  });

  it('does nothing to an object that cannot take properties (no TypeError)', () => {
    const frozen = Object.freeze({ method: 'GET' });
    const sealed = Object.seal({ method: 'POST' });
    expect(() => prepareRequestForNewProperties(frozen)).not.toThrow();
    expect(() => prepareRequestForNewProperties(sealed)).not.toThrow();
    expect(Reflect.ownKeys(frozen)).toEqual(['method']);
    expect(Reflect.ownKeys(sealed)).toEqual(['method']);
  });

  it('leaves a real Express request with the host\'s properties plus req.user and req.authInfo only', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    const auth = gatehouse({ store, apiKeys: { 'request-shape-key-0001': { role: 'reader' } } });
    const app = express();
    app.use((req, _res, next) => {
      (req as unknown as Record<string, unknown>).hostField = 'set by the host before Gatehouse';
      next();
    });
    app.use(auth.authenticate());
    app.get('/whoami', auth.require(), (req, res) => {
      res.json({
        user: req.user,
        authInfo: req.authInfo,
        hostField: (req as unknown as Record<string, unknown>).hostField,
        keysAfterHostField: Object.keys(req).slice(Object.keys(req).indexOf('hostField')),
        symbols: Object.getOwnPropertySymbols(req).map(String),
      });
    });

    const response = await request(app).get('/whoami').set('Authorization', 'ApiKey request-shape-key-0001');

    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({ kind: 'apiKey', roles: ['reader'] });
    expect(response.body.authInfo).toEqual({ scheme: 'apiKey', tokenKind: 'apiKey' });
    expect(response.body.hostField).toBe('set by the host before Gatehouse');
    expect(response.body.keysAfterHostField).toEqual(expect.arrayContaining(['hostField', 'user', 'authInfo']));
    expect(response.body.keysAfterHostField.indexOf('user')).toBeGreaterThan(0);
    expect(response.body.symbols.filter((name: string) => name.includes('requestShape'))).toEqual([]);
  });
});
