/**
 * A response shaper (`responses.login`, `.logout`, `.jwt`, `.error`, or `formatError`) that
 * throws, rejects or returns what cannot be sent never takes the process down and never
 * answers 500: Gatehouse sends its own body (same status, same code) and reports the failure
 * as a `host.callback.error` event — or, without `onEvent`, as one process warning.
 */
import request from 'supertest';
import type { ErrorResponse } from '../src';
import { ALICE_PASSWORD } from './helpers/app';
import { eventApp } from './helpers/events';

const ALICE = { login: 'alice@example.org', password: ALICE_PASSWORD };
const HTTPS = { 'X-Forwarded-Proto': 'https' };

class ShaperBroke extends Error {}

/** Every way a host's shaper can go wrong. */
const FAILURES: Array<[string, () => unknown]> = [
  ['throws', () => { throw new ShaperBroke('shaper bug'); }],
  ['returns a rejected promise', () => Promise.reject(new ShaperBroke('async shaper bug'))],
  ['returns a body JSON cannot send', () => ({ body: { n: BigInt(1) }, status: 401 })],
];

/** Collects unhandled rejections while `run` runs: there must be none. */
async function withoutUnhandledRejections(run: () => Promise<void>): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const listener = (reason: unknown) => void unhandled.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await run();
    // Give a rejected promise the turns it needs to be reported.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return unhandled;
}

describe('a response shaper that fails', () => {
  it.each(FAILURES)('should answer an unknown bearer token (async path) with the plain 401.2 when responses.error %s', async (_how, shaper) => {
    const t = await eventApp({ responses: { error: shaper as () => ErrorResponse } });
    const unhandled = await withoutUnhandledRejections(async () => {
      const res = await request(t.app).get('/v1/projects').set('Authorization', 'Bearer gths_nope');
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(res.body).toMatchObject({ status: 401, code: '401.2' });
      expect(res.headers['www-authenticate']).toContain('Bearer');
    });
    expect(unhandled).toEqual([]);
    expect(t.ofType('callback.error')).toEqual([
      expect.objectContaining({ callback: 'responses.error', code: '401.2', scheme: null, actorId: null, error: expect.anything() }),
    ]);
  });

  it('should answer the sync paths (no credential, require, login refusal) with their plain problem, never 500', async () => {
    const t = await eventApp({ formatError: () => { throw new ShaperBroke('formatError bug'); } });
    const anonymous = await request(t.app).get('/v1/projects');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('401.1');
    const wrong = await request(t.app).post('/v1/sessions').send({ ...ALICE, password: 'wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('401.2');
    const malformed = await request(t.app).post('/v1/sessions').send({ login: 'alice@example.org' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: '400.1', field: 'password' });
    expect(t.ofType('callback.error').map((event) => [event.callback, event.code])).toEqual([
      ['formatError', '401.1'],
      ['formatError', '401.2'],
      ['formatError', '400.1'],
    ]);
  });

  it.each(FAILURES)('should send Gatehouse\'s own login, logout and JWT bodies when those shapers fail (%s)', async (_how, shaper) => {
    const failing = shaper as () => never;
    const t = await eventApp({ responses: { login: failing, logout: failing, jwt: failing } });
    const unhandled = await withoutUnhandledRejections(async () => {
      const login = await request(t.app).post('/v1/sessions').send(ALICE);
      expect(login.status).toBe(200);
      expect(typeof login.body.token).toBe('string');
      expect(login.body.previousAccessFailedCount).toBe(0);
      const logout = await request(t.app).delete('/v1/sessions/current').set('Authorization', `Bearer ${login.body.token}`);
      expect(logout.status).toBe(200);
      expect(logout.body).toEqual({ success: true });
      const jwt = await request(t.app).post('/v1/jwt/authenticate').set(HTTPS).send(ALICE);
      expect(jwt.status).toBe(200);
      expect(Object.keys(jwt.body).sort()).toEqual(['access', 'accessExpiresAt', 'refresh', 'refreshExpiresAt']);
    });
    expect(unhandled).toEqual([]);
    expect(t.ofType('callback.error').map((event) => [event.callback, event.code, event.actorId])).toEqual([
      ['responses.login', null, t.alice.id],
      ['responses.logout', null, t.alice.id],
      ['responses.jwt', null, t.alice.id],
    ]);
    expect(t.ofType('store.error')).toEqual([]);
  });

  it('should warn once, without onEvent, and keep answering', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const t = await eventApp({ onEvent: undefined, formatError: () => { throw new ShaperBroke('formatError bug'); } });
      for (let i = 0; i < 3; i += 1) expect((await request(t.app).get('/v1/projects')).body.code).toBe('401.1');
      expect(warn.mock.calls).toEqual([[expect.stringContaining('formatError bug'), { code: 'GATEHOUSE_CALLBACK_FAILED' }]]);
    } finally {
      warn.mockRestore();
    }
  });
});
