import request from 'supertest';
import { MemoryStore, type TokenRecord } from '../src';
import { COOKIE_SECRET, cookieApp, loginWithCookie, withCookie } from './helpers/cookie';

/** A MemoryStore that counts reads and writes of cookie-session records. */
class CountingStore extends MemoryStore {
  reads = 0;
  writes = 0;
  override async findToken(hash: string) {
    const record = await super.findToken(hash);
    if (record?.kind === 'cookie') this.reads += 1;
    return record;
  }
  override async updateToken(record: TokenRecord) {
    if (record.kind === 'cookie') this.writes += 1;
    return super.updateToken(record);
  }
}

/** Properties Gatehouse keeps on a request under its own symbols (the deferred session's state until it is settled). */
const gatehouseSymbols = (req: object) => Object.getOwnPropertySymbols(req).map(String).filter((name) => name.includes('gatehouse'));

/**
 * Issue 20's cookie rows: a cookie-authenticated request whose session changes nothing is
 * answered from one store read, without express-session's per-request work; express-session
 * runs only when the host reads `req.session`, from that same read, and what the host writes
 * there is kept. Refusals are what they were.
 */
describe('cookie sessions: the read path', () => {
  async function setup() {
    const store = new CountingStore({ passwordCost: 10 });
    const t = await cookieApp({}, store);
    t.app.get('/v1/visits', t.auth.require(), (req, res) => {
      const saved = req.session as unknown as { visits?: number };
      saved.visits = (saved.visits ?? 0) + 1;
      res.json({ visits: saved.visits, sessionID: req.sessionID });
    });
    // What express-session leaves on a request it ran for: the session object itself, and its wrapper of res.end.
    t.app.get('/v1/probe', t.auth.require(), (req, res) => {
      res.json({ sessionLoaded: typeof Object.getOwnPropertyDescriptor(req, 'session')?.value === 'object', endWrapped: Object.prototype.hasOwnProperty.call(res, 'end') });
    });
    const { cookie } = await loginWithCookie(t);
    store.reads = 0;
    store.writes = 0;
    return { t, store, cookie };
  }

  it('reads the session once and writes nothing when nothing changes', async () => {
    const { t, store, cookie } = await setup();
    for (let i = 0; i < 3; i += 1) {
      const res = await withCookie(request(t.app).get('/v1/projects'), cookie);
      expect(res.status).toBe(200);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect({ reads: store.reads, writes: store.writes }).toEqual({ reads: 3, writes: 0 });
    // express-session did not run: no session object was built and the response was not wrapped.
    expect((await withCookie(request(t.app).get('/v1/probe'), cookie)).body).toEqual({ sessionLoaded: false, endWrapped: false });
  });

  it("loads express-session from that one read when the host uses req.session, and keeps what it writes", async () => {
    const { t, store, cookie } = await setup();
    const first = await withCookie(request(t.app).get('/v1/visits'), cookie);
    const second = await withCookie(request(t.app).get('/v1/visits'), cookie);
    expect([first.status, first.body.visits, second.status, second.body.visits]).toEqual([200, 1, 200, 2]);
    expect(first.body.sessionID).toEqual(expect.any(String));
    expect(second.body.sessionID).toBe(first.body.sessionID);
    // One read a request; a write for each request that changed the session.
    expect({ reads: store.reads, writes: store.writes }).toEqual({ reads: 2, writes: 2 });
    // The Gatehouse state came through the host's writes intact: the session still works.
    expect((await withCookie(request(t.app).get('/v1/projects'), cookie)).status).toBe(200);
  });

  it('lets the host replace req.session before reading it, and gives every read the one session object', async () => {
    const { t, cookie } = await setup();
    t.app.get('/v1/replace', t.auth.require(), (req, res) => {
      const replacement = { replaced: true };
      (req as unknown as { session: unknown }).session = replacement;
      const descriptor = Object.getOwnPropertyDescriptor(req, 'session');
      res.json({ same: req.session === (replacement as unknown), plain: descriptor?.value === replacement && descriptor?.writable === true, leftOver: gatehouseSymbols(req) });
    });
    t.app.get('/v1/twice', t.auth.require(), (req, res) => {
      const first = req.session;
      res.json({ same: first === req.session, loaded: typeof Object.getOwnPropertyDescriptor(req, 'session')?.value === 'object', leftOver: gatehouseSymbols(req) });
    });
    expect((await withCookie(request(t.app).get('/v1/replace'), cookie)).body).toEqual({ same: true, plain: true, leftOver: [] });
    expect((await withCookie(request(t.app).get('/v1/twice'), cookie)).body).toEqual({ same: true, loaded: true, leftOver: [] });
    // Neither request ended the session.
    expect((await withCookie(request(t.app).get('/v1/projects'), cookie)).status).toBe(200);
  });

  it('refuses a cookie with a wrong signature or an unknown session (401.2), as before', async () => {
    const { t, cookie } = await setup();
    const [name, value] = cookie.split('=');
    const tampered = `${name}=${value.slice(0, -3)}${value.endsWith('abc') ? 'xyz' : 'abc'}`;
    expect((await withCookie(request(t.app).get('/v1/projects'), tampered)).body.code).toBe('401.2');
    const unsigned = `${name}=${encodeURIComponent(decodeURIComponent(value).replace(/^s:/, '').split('.')[0])}`;
    expect((await withCookie(request(t.app).get('/v1/projects'), unsigned)).body.code).toBe('401.2');
    await withCookie(request(t.app).delete('/v1/sessions/current'), cookie).expect(200);
    expect((await withCookie(request(t.app).get('/v1/projects'), cookie)).body.code).toBe('401.2');
  });

  it('accepts a cookie signed with an earlier secret while it is still listed', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    const before = await cookieApp({}, store);
    const { cookie } = await loginWithCookie(before);
    const rotated = await cookieApp({ cookie: { secret: ['a-newer-cookie-secret-of-at-least-32-chars', COOKIE_SECRET] } }, store);
    expect((await withCookie(request(rotated.app).get('/v1/projects'), cookie)).status).toBe(200);
    const dropped = await cookieApp({ cookie: { secret: 'a-newer-cookie-secret-of-at-least-32-chars' } }, store);
    expect((await withCookie(request(dropped.app).get('/v1/projects'), cookie)).body.code).toBe('401.2');
  });
});
