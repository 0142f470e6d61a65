/**
 * `?apikey[]=<key>` (and `apikey[0]=`, `apiKey[x]=`, brackets escaped or not) is a presented
 * API key: Express 4's query parser (qs) reads it as `req.query.apikey`, so a host or a logger
 * would see the key there. It is taken off `req.url`, `req.query` and `req.originalUrl` like
 * `?apikey=`, and refused with 401.2 as a malformed key (a list or an object is no key; it
 * never authenticates, even when the key inside is valid), on Express 4 and Express 5.
 */
import express from 'express';
import express4 from 'express4';
import request from 'supertest';
import { gatehouse, MemoryStore } from '../src';

const KEY = 'bracket-query-key-0001';

const FORMS: Array<[string, (key: string) => string]> = [
  ['apikey[]=', (key) => `apikey[]=${key}`],
  ['apikey[0]=', (key) => `apikey[0]=${key}`],
  ['apiKey[x]=', (key) => `apiKey[x]=${key}`],
  ['apikey%5B%5D= (brackets escaped)', (key) => `apikey%5B%5D=${key}`],
  ['apiKey%5bx%5d= (lower-case escapes)', (key) => `apiKey%5bx%5d=${key}`],
  ['apikey[a][b]=', (key) => `apikey[a][b]=${key}`],
];

function appOn(make: () => express.Express) {
  const auth = gatehouse({ store: new MemoryStore({ passwordCost: 10 }), apiKeys: { [KEY]: { role: 'reader' } } });
  const app = make();
  const seen: Array<{ url: string; originalUrl: string; query: unknown }> = [];
  // A request logger: what it prints once the response is finished.
  app.use((req, res, next) => {
    res.on('finish', () => seen.push({ url: req.url, originalUrl: req.originalUrl, query: JSON.parse(JSON.stringify(req.query ?? {})) }));
    next();
  });
  app.use('/v1', auth.authenticate());
  app.get('/v1/forms', (req, res) => res.json({ user: req.user ?? null }));
  return { app, seen };
}

describe.each([
  ['Express 5', express as unknown as () => express.Express],
  ['Express 4', express4 as unknown as () => express.Express],
])('?apikey[…] on %s', (_name, make) => {
  it.each(FORMS)('%s: refused with 401.2, and the key is in no URL or query the app or its logger sees', async (_form, query) => {
    const { app, seen } = appOn(make);
    const res = await request(app).get(`/v1/forms?x=1&${query(KEY)}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(seen).toHaveLength(1);
    expect(JSON.stringify(seen[0])).not.toContain(KEY);
    expect(seen[0].originalUrl).toMatch(/REDACTED/);
    expect(JSON.stringify(res.body)).not.toContain(KEY);
  });

  it('a plain ?apikey= still authenticates, and ?apikeys= or ?xapikey[]= are not keys', async () => {
    const { app } = appOn(make);
    expect((await request(app).get(`/v1/forms?apikey=${KEY}`)).body.user).toMatchObject({ kind: 'apiKey' });
    for (const other of ['apikeys=1', 'xapikey[]=1', 'apikeyx[]=1']) {
      const res = await request(app).get(`/v1/forms?${other}`);
      expect(res.status).toBe(200);
      expect(res.body.user).toBeNull();
    }
  });
});
