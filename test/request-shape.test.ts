import { execFileSync } from 'node:child_process';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore } from '../src';
import { prepareExchangeForNewProperties, prepareRequestForNewProperties } from '../src/middleware/request-shape';
import { ensureBuilt, ROOT } from './helpers/build';

/**
 * The shape steps (src/middleware/request-shape.ts) change only how V8 lays out the request
 * and response objects; what host code can observe of them must stay the same.
 * Its speed is measured in bench/ (the "Express floor" rows), not here.
 */
describe('request-shape step', () => {
  const descriptorsOf = (object: object) =>
    Reflect.ownKeys(object).map((key) => [key, Object.getOwnPropertyDescriptor(object, key)] as const);
  /** Each own property's key and attributes, in order (values change as Express routes a request). */
  const layoutOf = (descriptors: ReturnType<typeof descriptorsOf>) =>
    descriptors.map(([key, d]) => [String(key), ...(['enumerable', 'writable', 'configurable'] as const).filter((name) => d?.[name])].join(' '));

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

  it("leaves an Express-like request's `res` where it was: value, descriptor and place in the key order", () => {
    const response = { statusCode: 200 };
    const req: Record<string, unknown> = Object.create({ inherited: true });
    req.url = '/projects';
    req.res = response;
    req.next = () => undefined;
    req.baseUrl = '/v1';
    const before = descriptorsOf(req);

    prepareRequestForNewProperties(req);

    expect(descriptorsOf(req)).toEqual(before);
    expect(req.res).toBe(response);
    expect(Object.keys(req)).toEqual(['url', 'res', 'next', 'baseUrl']);
    expect(Object.getOwnPropertySymbols(req)).toEqual([]);
  });

  it('takes the symbol path when `res` is an accessor or not enumerable, and leaves it as it was', () => {
    const accessor: Record<string, unknown> = { url: '/a' };
    Object.defineProperty(accessor, 'res', { get: () => 'from a getter', enumerable: true, configurable: true });
    accessor.next = 1;
    const hidden: Record<string, unknown> = { url: '/b' };
    Object.defineProperty(hidden, 'res', { value: 'hidden', enumerable: false, writable: true, configurable: true });
    hidden.next = 1;
    for (const req of [accessor, hidden]) {
      const before = descriptorsOf(req);
      prepareRequestForNewProperties(req);
      expect(descriptorsOf(req)).toEqual(before);
    }
  });

  it("leaves an Express-like exchange's `req.res` and `res.req` where they were, and says the request moved", () => {
    const res: Record<string, unknown> = Object.create({ inherited: 'response' });
    res.statusCode = 200;
    const req: Record<string, unknown> = Object.create({ inherited: 'request' });
    req.url = '/projects';
    req.res = res;
    res.req = req;
    res.locals = Object.create(null);
    req.next = () => undefined;
    const beforeReq = descriptorsOf(req);
    const beforeRes = descriptorsOf(res);

    expect(prepareExchangeForNewProperties(req, res)).toBe(true);

    expect(descriptorsOf(req)).toEqual(beforeReq);
    expect(descriptorsOf(res)).toEqual(beforeRes);
    expect(Object.keys(req)).toEqual(['url', 'res', 'next']);
    expect(Object.keys(res)).toEqual(['statusCode', 'req', 'locals']);
    expect([...Object.getOwnPropertySymbols(req), ...Object.getOwnPropertySymbols(res)]).toEqual([]);
  });

  it('leaves a request without `res` and a response without `req` untouched, and says the request did not move', () => {
    const req: Record<string, unknown> = { url: '/projects' };
    const res: Record<string, unknown> = { statusCode: 200 };
    const frozenReq = Object.freeze({ url: '/frozen', res });
    const hiddenRes: Record<string, unknown> = {};
    Object.defineProperty(hiddenRes, 'req', { value: req, enumerable: false, writable: true, configurable: true });
    const before = [req, res, hiddenRes].map(descriptorsOf);

    expect(prepareExchangeForNewProperties(req, res)).toBe(false);
    expect(prepareExchangeForNewProperties(frozenReq, hiddenRes)).toBe(false);

    expect([req, res, hiddenRes].map(descriptorsOf)).toEqual(before);
    expect(Object.getOwnPropertyDescriptor(hiddenRes, 'req')?.enumerable).toBe(false);
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

  /**
   * An Express app that records the own properties of the request or the response before
   * `auth.authenticate()` and answers them as the host's route sees them, leaving out what
   * Gatehouse and Express's router add on the way (`user`, `authInfo`, `route`).
   */
  function layoutApp(apiKey: string, of: 'request' | 'response') {
    const auth = gatehouse({ store: new MemoryStore({ passwordCost: 10 }), apiKeys: { [apiKey]: { role: 'reader' } } });
    const app = express();
    const pick = (req: express.Request, res: express.Response): object => (of === 'request' ? req : res);
    let before: ReturnType<typeof descriptorsOf> = [];
    app.use((req, res, next) => {
      before = descriptorsOf(pick(req, res));
      next();
    });
    app.use(auth.authenticate());
    app.get('/layout', (req, res) => {
      const added = new Set<string | symbol>(['user', 'authInfo', 'route']);
      const after = descriptorsOf(pick(req, res)).filter(([key]) => !added.has(key));
      res.json({ before: layoutOf(before), after: layoutOf(after), crossReferences: req.res === res && res.req === req, user: req.user?.kind ?? null });
    });
    return app;
  }

  it.each([
    ['request', 'res enumerable writable configurable'],
    ['response', 'req enumerable writable configurable'],
  ] as const)('keeps every own property of a real Express %s, anonymous or authenticated, as the host saw it before Gatehouse, in its order', async (of, reference) => {
    const apiKey = `request-shape-key-${of}`;
    const app = layoutApp(apiKey, of);
    for (const [authorization, user] of [[undefined, null], [`ApiKey ${apiKey}`, 'apiKey']] as const) {
      const sent = request(app).get('/layout');
      const response = await (authorization ? sent.set('Authorization', authorization) : sent);
      expect(response.status).toBe(200);
      expect(response.body.before).toContain(reference);
      expect(response.body.after).toEqual(response.body.before);
      expect(response.body.crossReferences).toBe(true);
      expect(response.body.user).toBe(user);
    }
  });

  /**
   * What the step is for, read from V8 itself (`--allow-natives-syntax`, in a child process):
   * after it, an Express request is in dictionary mode, where added properties are hash-table
   * inserts; without it, each request has a hidden class of its own (a new one per property
   * added). Whether two dictionary-mode requests share a map is not asserted: V8 drops its
   * cache of those maps at a garbage collection, which may fall between two requests.
   */
  it('moves an Express request to dictionary mode, where without it every request builds hidden classes of its own (read from V8)', () => {
    ensureBuilt();
    const probe = `
      const express = require(${JSON.stringify(require.resolve('express'))});
      const http = require('node:http');
      const { prepareRequestForNewProperties } = require(${JSON.stringify(path.join(ROOT, 'dist', 'middleware', 'request-shape.js'))});
      const report = { shaped: [], plain: [] };
      let lastPlain = null;
      const app = express();
      app.use((req, res, next) => {
        const shaped = req.url === '/shaped';
        if (shaped) prepareRequestForNewProperties(req);
        req.user = { id: 'alice' };
        req.authInfo = { scheme: 'apiKey' };
        if (shaped) report.shaped.push({ fast: %HasFastProperties(req) });
        else {
          report.plain.push({ fast: %HasFastProperties(req), sameMapAsLast: lastPlain ? %HaveSameMap(lastPlain, req) : null });
          lastPlain = req;
        }
        next();
      });
      app.get(['/shaped', '/plain'], (req, res) => res.end('ok'));
      const server = http.createServer(app).listen(0, '127.0.0.1', async () => {
        const { port } = server.address();
        for (let i = 0; i < 3; i += 1) for (const kind of ['shaped', 'plain']) await fetch('http://127.0.0.1:' + port + '/' + kind).then((r) => r.text());
        server.close();
        console.log(JSON.stringify(report));
      });`;
    const report = JSON.parse(execFileSync(process.execPath, ['--allow-natives-syntax', '-e', probe], { encoding: 'utf8', timeout: 60_000 }));

    expect(report.shaped.map((entry: { fast: boolean }) => entry.fast)).toEqual([false, false, false]);
    // The problem the step solves: without it every request's hidden class is new.
    expect(report.plain.map((entry: { fast: boolean }) => entry.fast)).toEqual([true, true, true]);
    expect(report.plain.slice(1).map((entry: { sameMapAsLast: boolean }) => entry.sameMapAsLast)).toEqual([false, false]);
  });
  /**
   * The exchange step, end to end through `auth.authenticate()` and read from V8: the request
   * and the response of anonymous and authenticated requests alike are in dictionary mode in
   * the host's route. On a route Gatehouse does not guard, every response has a hidden class
   * of its own, which is what makes the megamorphic property accesses of Node's and Express's
   * response code miss V8's stub cache on every request (bench/profiling.md, round 15).
   */
  it('moves the request and the response of every request through authenticate() to dictionary mode (read from V8)', () => {
    ensureBuilt();
    const probe = `
      const express = require(${JSON.stringify(require.resolve('express'))});
      const http = require('node:http');
      const { gatehouse, MemoryStore } = require(${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))});
      const auth = gatehouse({ store: new MemoryStore({ passwordCost: 10 }), apiKeys: { 'request-shape-key-0004': { role: 'reader' } } });
      const report = { guarded: [], unguarded: [] };
      let lastUnguarded = null;
      const app = express();
      app.get('/unguarded', (req, res) => {
        report.unguarded.push({ fast: %HasFastProperties(res), sameMapAsLast: lastUnguarded ? %HaveSameMap(lastUnguarded, res) : null });
        lastUnguarded = res;
        res.end('ok');
      });
      app.use(auth.authenticate());
      app.get('/guarded', (req, res) => {
        report.guarded.push({ user: req.user ? req.user.kind : null, req: %HasFastProperties(req), res: %HasFastProperties(res) });
        res.end('ok');
      });
      const server = http.createServer(app).listen(0, '127.0.0.1', async () => {
        const base = 'http://127.0.0.1:' + server.address().port;
        for (let i = 0; i < 3; i += 1) {
          await fetch(base + '/guarded').then((r) => r.text());
          await fetch(base + '/guarded', { headers: { Authorization: 'ApiKey request-shape-key-0004' } }).then((r) => r.text());
          await fetch(base + '/unguarded').then((r) => r.text());
        }
        server.close();
        console.log(JSON.stringify(report));
      });`;
    const report = JSON.parse(execFileSync(process.execPath, ['--allow-natives-syntax', '-e', probe], { encoding: 'utf8', timeout: 60_000 }));

    expect(report.guarded).toEqual([null, 'apiKey', null, 'apiKey', null, 'apiKey'].map((user) => ({ user, req: false, res: false })));
    expect(report.unguarded.map((entry: { fast: boolean }) => entry.fast)).toEqual([true, true, true]);
    expect(report.unguarded.slice(1).map((entry: { sameMapAsLast: boolean }) => entry.sameMapAsLast)).toEqual([false, false]);
  });
});
