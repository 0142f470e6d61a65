/**
 * A 503.2 (bcrypt queue full) says nothing about the password: it must never count
 * towards the lockout. Only a password that bcrypt checked and found wrong counts.
 */
import bcrypt from 'bcrypt';
import request from 'supertest';
import { ALICE_PASSWORD, BOB_PASSWORD, buildApp, type TestApp } from './helpers/app';

type Compare = (data: string | Buffer, encrypted: string) => Promise<boolean>;

/** Holds the first bcrypt.compare until `release()`; later ones run as usual. */
function holdFirstCompare() {
  const original = bcrypt.compare as unknown as Compare;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  const spy = jest.spyOn(bcrypt, 'compare').mockImplementation(((data: string, encrypted: string) => {
    if (held) return original(data, encrypted);
    held = true;
    return released.then(() => original(data, encrypted));
  }) as never);
  return { release, restore: () => spy.mockRestore() };
}

async function whenBusy(t: TestApp): Promise<void> {
  while (t.auth.passwords.active < 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('A full bcrypt queue is not a failed password', () => {
  it.each([
    [
      'POST /sessions',
      (t: TestApp) => request(t.app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD }),
      (_t: TestApp) => ({ previousAccessFailedCount: 0 }),
    ],
    [
      'Basic',
      (t: TestApp) =>
        request(t.app)
          .get('/v1/projects')
          .set('X-Forwarded-Proto', 'https')
          .set('Authorization', `Basic ${Buffer.from(`alice@example.org:${ALICE_PASSWORD}`).toString('base64')}`),
      (t: TestApp) => ({ user: { id: t.alice.id } }),
    ],
  ])('should let the sixth correct login in after five 503.2 answers (%s)', async (_name, correctLogin, successBody) => {
    // No verification cache, so every Basic request reaches bcrypt.
    const t = await buildApp({ passwords: { cost: 10, maxConcurrent: 1, maxQueue: 0 }, basic: { cache: false } });
    t.app.set('trust proxy', true);
    const hold = holdFirstCompare();
    try {
      const holder = request(t.app).post('/v1/sessions').send({ login: 'bob@example.org', password: BOB_PASSWORD }).then((res) => res);
      await whenBusy(t);
      for (let i = 0; i < 5; i += 1) {
        const refused = await correctLogin(t);
        expect(refused.status).toBe(503);
        expect(refused.body.code).toBe('503.2');
        expect(refused.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      }
      expect(await t.store.readAttempts('alice@example.org', Date.now())).toEqual({ count: 0, lockedUntil: null });
      expect(await t.store.readAttempts(`actor:${t.alice.id}`, Date.now())).toEqual({ count: 0, lockedUntil: null });
      hold.release();
      expect((await holder).status).toBe(200);
      const sixth = await correctLogin(t);
      expect(sixth.status).toBe(200);
      expect(sixth.body).toMatchObject(successBody(t));
    } finally {
      hold.restore();
    }
  });

  it('should still count a checked wrong password', async () => {
    const t = await buildApp({ passwords: { cost: 10 }, lockout: { maxAttempts: 2 } });
    for (let i = 0; i < 2; i += 1) {
      expect((await request(t.app).post('/v1/sessions').send({ login: 'alice@example.org', password: 'wrong' })).body.code).toBe('401.2');
    }
    const locked = await request(t.app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
    expect(locked.status).toBe(403);
    expect(locked.body.code).toBe('403.2');
  });
});
