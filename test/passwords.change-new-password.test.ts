/**
 * What `POST /sessions/password` (the expired-password change) accepts as a new password:
 * at least `passwordPolicy.minLength` characters (default 8), what the host's
 * `passwordPolicy.validate` accepts (its reason is the 400.1 detail), and — without
 * `passwords.prehash` — no more than bcrypt's 72 bytes, refused as the client's mistake
 * (400.1 naming the field), never as a store outage.
 */
import request from 'supertest';
import { gatehouse, MemoryStore, type GatehouseOptions } from '../src';
import { buildApp, type TestApp } from './helpers/app';
import { realNow } from './helpers/clock';
import { eventApp } from './helpers/events';

const OLD = 'carol old password';
const PEPPER = 'a-pepper-of-at-least-thirty-two-bytes!!';

async function carolApp(options: Partial<GatehouseOptions> = {}): Promise<TestApp & { carolId: string }> {
  const store = new MemoryStore({ passwordCost: 10 });
  const carol = await store.addUser({ login: 'carol', password: OLD, passwordExpiresAt: 0 });
  const t = await buildApp({ passwordChange: {}, now: realNow, ...options }, store);
  return { ...t, carolId: carol.id };
}

async function change(t: TestApp, password: unknown): Promise<request.Response> {
  const { changeTicket } = (await request(t.app).post('/v1/sessions').send({ login: 'carol', password: OLD })).body;
  expect(typeof changeTicket).toBe('string');
  return request(t.app).post('/v1/sessions/password').send({ ticket: changeTicket, password });
}

describe('a new password set with a change ticket', () => {
  it.each(['a', '1234567', 'ｐａｓｓ'])('should refuse %p, shorter than the default minimum of 8 characters, with 400.1 naming the field', async (password) => {
    const t = await carolApp();
    const res = await change(t, password);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: '400.1', field: 'password', detail: 'password must be at least 8 characters.' });
    expect((await request(t.app).post('/v1/sessions').send({ login: 'carol', password: OLD })).body.code).toBe('403.3');
  });

  it('should count characters, not bytes or UTF-16 units, and take passwordPolicy.minLength', async () => {
    const t = await carolApp({ passwordPolicy: { minLength: 4 } });
    expect((await change(t, '🔑🔑🔑')).body).toMatchObject({ code: '400.1', detail: 'password must be at least 4 characters.' });
    expect((await change(t, '🔑🔑🔑🔑')).status).toBe(200);
  });

  it('should refuse with the reason passwordPolicy.validate gives, after the ticket is checked, and told the actor', async () => {
    const seen: Array<{ password: string; actorId: string }> = [];
    const t = await carolApp({
      passwordPolicy: {
        validate: async (password, { actor }) => {
          seen.push({ password, actorId: actor.id });
          return password.includes('carol') ? 'must not contain your login' : undefined;
        },
      },
    });
    const refused = await change(t, 'carol is great');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: '400.1', field: 'password', detail: 'password must not contain your login.' });
    expect((await change(t, 'a long fine passphrase')).status).toBe(200);
    expect(seen).toEqual([
      { password: 'carol is great', actorId: t.carolId },
      { password: 'a long fine passphrase', actorId: t.carolId },
    ]);
    const forged = await request(t.app).post('/v1/sessions/password').send({ ticket: 'eyJsIjoiY2Fyb2wifQ.AAAA', password: 'carol again and again' });
    expect(forged.body.code).toBe('401.2');
    expect(seen).toHaveLength(2);
  });

  it('should answer 503.1 and report callback.error (not store.error) when passwordPolicy.validate throws, and leave the password', async () => {
    const t = await eventApp({ passwordChange: {}, passwordPolicy: { validate: () => Promise.reject(new Error('breach API down')) } });
    await t.store.addUser({ login: 'carol', password: OLD, passwordExpiresAt: 0 });
    const res = await change(t, 'a long fine passphrase');
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('503.1');
    expect(t.ofType('store.error')).toEqual([]);
    expect(t.ofType('callback.error')).toEqual([expect.objectContaining({ callback: 'passwordPolicy.validate', code: '503.1', error: new Error('breach API down') })]);
    expect((await request(t.app).post('/v1/sessions').send({ login: 'carol', password: OLD })).body.code).toBe('403.3');
  });

  it('should refuse a password over 72 bytes with 400.1 naming the field, not 503.1 with store.error', async () => {
    const t = await eventApp({ passwordChange: {} });
    await t.store.addUser({ login: 'carol', password: OLD, passwordExpiresAt: 0 });
    const res = await change(t, 'é'.repeat(37));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: '400.1', field: 'password', detail: 'password must be at most 72 bytes in UTF-8.' });
    expect(t.ofType('store.error')).toEqual([]);
  });

  it('should take a password over 72 bytes when passwords.prehash is on', async () => {
    const t = await carolApp({ passwords: { cost: 10, prehash: { pepper: PEPPER } } });
    // The expired password was hashed without the pepper: set it again as the host would.
    await t.store.setPasswordHash(t.carolId, await t.auth.passwords.hash(OLD), 0);
    const long = 'é'.repeat(50);
    expect((await change(t, long)).status).toBe(200);
  });
});

describe('passwordPolicy is validated at construction', () => {
  const store = new MemoryStore({ passwordCost: 10 });
  it.each([
    [{ passwordPolicy: 'strict' }, /passwordPolicy must be an object/],
    [{ passwordPolicy: { minLength: 0 } }, /passwordPolicy.minLength must be an integer from 1 to 64/],
    [{ passwordPolicy: { minLength: 8.5 } }, /passwordPolicy.minLength must be an integer from 1 to 64/],
    [{ passwordPolicy: { validate: 'hibp' } }, /passwordPolicy.validate must be a function/],
    [{ passwordPolicy: { minLenght: 12 } }, /passwordPolicy.minLenght is not an option \(did you mean 'minLength'\?\)/],
  ])('%j throws a TypeError naming the option', (options, message) => {
    expect(() => gatehouse({ store, ...(options as object) } as never)).toThrow(TypeError);
    expect(() => gatehouse({ store, ...(options as object) } as never)).toThrow(message);
  });
});
