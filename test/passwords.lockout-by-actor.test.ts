/**
 * A host whose `findCredentials` folds accents and width (MySQL's `*_ai_ci` collations,
 * NFKC matching) maps many spellings to one user. Failures count against the actor the
 * store resolved, so no spelling escapes the lock; unknown logins keep their own counter.
 */
import request from 'supertest';
import { MemoryStore } from '../src';
import type { CredentialRecord } from '../src/store/types';
import { BOB_PASSWORD, buildApp, type TestApp } from './helpers/app';

/** Decomposes, drops combining marks and folds width: `bób`, `bòb` and `ｂｏｂ` all become `bob`. */
function fold(login: string): string {
  return login.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

class FoldingStore extends MemoryStore {
  override async findCredentials(login: string): Promise<CredentialRecord | null> {
    return super.findCredentials(fold(login));
  }
}

const SPELLINGS = ['bób@example.org', 'bòb@example.org', 'ｂｏｂ@example.org', 'BÖB@example.org', 'bôb@example.org'];
const ALL_SPELLINGS = [...SPELLINGS, 'bob@example.org'];

async function foldingApp(options: Parameters<typeof buildApp>[0] = {}, store = new FoldingStore({ passwordCost: 10 })): Promise<TestApp> {
  const t = await buildApp(options, store);
  t.app.set('trust proxy', true);
  return t;
}

const login = (t: TestApp, loginName: string, password: string, ip = '198.51.100.1') =>
  request(t.app).post('/v1/sessions').set('X-Forwarded-For', ip).send({ login: loginName, password });
const basic = (t: TestApp, loginName: string, password: string, ip = '198.51.100.1') =>
  request(t.app)
    .get('/v1/projects')
    .set('X-Forwarded-Proto', 'https')
    .set('X-Forwarded-For', ip)
    .set('Authorization', `Basic ${Buffer.from(`${loginName}:${password}`, 'utf8').toString('base64')}`);

describe('Lockout counts against the actor the store resolved', () => {
  it('should lock every spelling of a login after failures spread over five spellings, through login and Basic', async () => {
    const t = await foldingApp();
    for (const spelling of SPELLINGS) {
      const res = await login(t, spelling, 'wrong password');
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('401.2');
    }
    for (const spelling of ALL_SPELLINGS) {
      const viaLogin = await login(t, spelling, BOB_PASSWORD);
      expect(viaLogin.status).toBe(403);
      expect(viaLogin.body).toMatchObject({ code: '403.2', maxRetriesExceeded: true });
      expect(viaLogin.body.lockoutTimeRemaining).toBeGreaterThan(0);
      expect(viaLogin.body.token).toBeUndefined();
      const viaBasic = await basic(t, spelling, BOB_PASSWORD);
      expect(viaBasic.status).toBe(403);
      expect(viaBasic.body.code).toBe('403.2');
    }
    // One counter, keyed by the actor; none per spelling.
    const now = Date.now();
    expect(await t.store.readAttempts(`actor:${t.bob.id}`, now)).toMatchObject({ count: 5 });
    for (const spelling of SPELLINGS) {
      expect(await t.store.readAttempts(spelling.normalize('NFC').toLowerCase(), now)).toEqual({ count: 0, lockedUntil: null });
    }
  });

  it('should lock through Basic failures too, and leave other users alone', async () => {
    const t = await foldingApp({ lockout: { maxAttempts: 3 } });
    for (const spelling of SPELLINGS.slice(0, 3)) expect((await basic(t, spelling, 'wrong')).status).toBe(401);
    expect((await login(t, 'bob@example.org', BOB_PASSWORD)).body.code).toBe('403.2');
    expect((await login(t, 'alice@example.org', 'correct horse battery')).status).toBe(200);
  });

  it('should report and clear failures made under other spellings on success', async () => {
    const t = await foldingApp();
    await login(t, 'bób@example.org', 'wrong');
    await login(t, 'ｂｏｂ@example.org', 'wrong');
    const res = await login(t, 'bob@example.org', BOB_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.previousAccessFailedCount).toBe(2);
    expect(await t.store.readAttempts(`actor:${t.bob.id}`, Date.now())).toEqual({ count: 0, lockedUntil: null });
  });

  it("should count per actor and address with lockout.by 'login+ip'", async () => {
    const t = await foldingApp({ lockout: { by: 'login+ip' } });
    for (const spelling of SPELLINGS) await login(t, spelling, 'wrong', '203.0.113.9');
    for (const spelling of ALL_SPELLINGS) {
      expect((await login(t, spelling, BOB_PASSWORD, '203.0.113.9')).body.code).toBe('403.2');
      expect((await basic(t, spelling, BOB_PASSWORD, '203.0.113.9')).body.code).toBe('403.2');
    }
    const elsewhere = await login(t, 'bòb@example.org', BOB_PASSWORD, '2001:db8::1');
    expect(elsewhere.status).toBe(200);
    expect(await t.store.readAttempts(`ip:203.0.113.9:actor:${t.bob.id}`, Date.now())).toMatchObject({ count: 5 });
  });

  it('should keep counting unknown logins per login', async () => {
    const t = await foldingApp({ lockout: { maxAttempts: 2 } });
    await login(t, 'nobody@example.org', 'wrong');
    await login(t, 'nobody@example.org', 'wrong');
    expect((await login(t, 'nobody@example.org', 'wrong')).body.code).toBe('403.2');
    expect((await login(t, 'nobody2@example.org', 'wrong')).body.code).toBe('401.2');
    expect(await t.store.readAttempts('nobody@example.org', Date.now())).toMatchObject({ count: 2 });
  });

  it('should make the same store calls, in the same order, for a known and an unknown login', async () => {
    const store = new FoldingStore({ passwordCost: 10 });
    const calls: string[] = [];
    // Spied before gatehouse() takes the methods, so every call it makes is seen.
    for (const method of ['findCredentials', 'readAttempts', 'recordFailedAttempt', 'clearAttempts', 'findActor'] as const) {
      const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
      jest.spyOn(store, method).mockImplementation(((...args: unknown[]) => {
        calls.push(method);
        return original(...args);
      }) as never);
    }
    const t = await foldingApp({}, store);
    calls.splice(0);
    await login(t, 'bób@example.org', 'wrong');
    const known = calls.splice(0);
    await login(t, 'nobody@example.org', 'wrong');
    const unknown = calls.splice(0);
    expect(known).toEqual(['findCredentials', 'readAttempts', 'recordFailedAttempt']);
    expect(unknown).toEqual(known);
  });
});

describe('Lockout.keyForActor', () => {
  it('should key by the actor id, percent-encoded, and by address with login+ip', async () => {
    const { Lockout } = await import('../src/passwords/lockout');
    const store = { readAttempts: jest.fn(), recordFailedAttempt: jest.fn(), clearAttempts: jest.fn() };
    expect(new Lockout({ store }).keyForActor('42')).toBe('actor:42');
    expect(new Lockout({ store }).keyForActor('a:login:b')).toBe('actor:a%3Alogin%3Ab');
    const perIp = new Lockout({ store, options: { by: 'login+ip' } });
    expect(perIp.keyForActor('42', '2001:db8::1')).toBe('ip:2001:db8:0:0::/64:actor:42');
    expect(perIp.keyForActor('42')).toBe('ip:unknown:actor:42');
  });
});
