import { readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore } from '../src/index';
import { DEFAULT_PRECEDENCE } from '../src/schemes/ids';
import { GROUP_OF_SCHEME, SCHEME_GROUPS, SCHEME_IDS } from '../src/schemes/ids';
import { DETECTION_TABLE, SCHEMES } from '../src/schemes/registry';

/**
 * The scheme ids are declared once (src/schemes/ids.ts) and every other list derives from
 * them. Each case here fails when a scheme is missing from one derived list: the registry,
 * detection, the precedence groups, `auth.require({ schemes })`, the README's tables.
 */
const README = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

/** The first column of the Markdown table that follows `heading`, back-quotes removed. */
function firstColumn(afterHeading: string): string[] {
  const start = README.indexOf(afterHeading);
  expect(start).toBeGreaterThanOrEqual(0);
  const lines = README.slice(start).split('\n');
  const table = lines.slice(lines.findIndex((line) => line.startsWith('|')));
  const rows = table.slice(0, table.findIndex((line) => !line.startsWith('|')));
  return rows.slice(2).map((row) => row.split('|')[1].trim().replace(/`/g, ''));
}

describe('one list of schemes, everything else derived from it', () => {
  it('the registry defines every scheme id, each under its own id', () => {
    expect(Object.keys(SCHEMES).sort()).toEqual([...SCHEME_IDS].sort());
    for (const id of SCHEME_IDS) expect(SCHEMES[id].id).toBe(id);
  });

  it('every scheme belongs to a precedence group, and every group has a scheme', () => {
    for (const id of SCHEME_IDS) expect(SCHEME_GROUPS).toContain(GROUP_OF_SCHEME[id]);
    for (const group of SCHEME_GROUPS) expect(SCHEME_IDS.some((id) => GROUP_OF_SCHEME[id] === group)).toBe(true);
    expect([...DEFAULT_PRECEDENCE]).toEqual([...SCHEME_GROUPS]);
  });

  it('detection reads every scheme', () => {
    const detected = new Set([...DETECTION_TABLE.byKeyword.values()].flatMap((entry) => entry.schemes.map((scheme) => scheme.id)));
    for (const reader of DETECTION_TABLE.readers) detected.add(reader.id);
    expect([...detected].sort()).toEqual([...SCHEME_IDS].sort());
  });

  it('auth.require({ schemes }) takes every scheme id and nothing else', () => {
    const auth = gatehouse({ store: new MemoryStore() });
    for (const id of SCHEME_IDS) expect(() => auth.require({ schemes: [id] })).not.toThrow();
    expect(() => auth.require({ schemes: ['mutualTls' as never] })).toThrow(/unknown scheme 'mutualTls'/);
  });

  it("the README's scheme table lists every scheme id, in order", () => {
    expect(firstColumn('## Schemes')).toEqual([...SCHEME_IDS]);
  });

  it("the README's own-Passport table names every scheme's strategy by its registered name", () => {
    const start = README.indexOf('## Using one strategy with your own Passport');
    const section = README.slice(start, README.indexOf('\n## ', start + 1));
    const names = section
      .split('\n')
      .filter((line) => /^\| `\w+Strategy`/.test(line))
      .map((line) => line.split('|')[2].trim().replace(/`/g, ''));
    expect(names.sort()).toEqual([...SCHEME_IDS].sort());
  });

  it('gatehouse() builds a strategy for every scheme the options turn on, and req.authInfo names it', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    const auth = gatehouse({
      store,
      apiKeys: { myapikey1029384756: { role: 'admin' } },
      jwt: { secret: 'a-jwt-secret-of-at-least-32-characters!' },
      cookie: { secret: 'a-cookie-secret-of-at-least-32-chars!!', secure: false },
      passwords: { cost: 10 },
    });
    const app = express();
    app.set('trust proxy', true);
    app.use(auth.routes());
    app.use(auth.authenticate());
    app.get('/whoami', auth.require({ actors: ['user', 'appUser', 'apiKey'] }), (req, res) => res.json({ scheme: req.authInfo!.scheme }));
    await store.addUser({ id: 'u1', login: 'alice', password: 'correct horse battery' });
    const session = (await auth.tokens.issue({ kind: 'session', actorId: 'u1' })).token;
    const appUser = (await auth.tokens.issue({ kind: 'appUser', actorId: 'u1' })).token;
    const jwt = (await request(app).post('/jwt/authenticate').send({ login: 'alice', password: 'correct horse battery' })).body.access;
    const login = await request(app).post('/sessions').send({ login: 'alice', password: 'correct horse battery', session: true });
    const cookie = login.headers['set-cookie'];
    const basic = Buffer.from('alice:correct horse battery').toString('base64');

    const seen: Record<string, string> = {};
    const ask = async (id: string, req: request.Test) => {
      seen[id] = (await req.expect(200)).body.scheme;
    };
    await ask('appUserUrl', request(app).get(`/key/${appUser}/whoami`));
    await ask('sessionToken', request(app).get('/whoami').set('Authorization', `Bearer ${session}`));
    await ask('jwt', request(app).get('/whoami').set('Authorization', `Bearer ${jwt}`));
    await ask('apiKey', request(app).get('/whoami').set('Authorization', 'ApiKey myapikey1029384756'));
    await ask('basic', request(app).get('/whoami').set('X-Forwarded-Proto', 'https').set('Authorization', `Basic ${basic}`));
    await ask('cookie', request(app).get('/whoami').set('Cookie', cookie));
    expect(Object.keys(seen).sort()).toEqual([...SCHEME_IDS].sort());
    for (const [id, scheme] of Object.entries(seen)) expect(scheme).toBe(id);
  });
});
