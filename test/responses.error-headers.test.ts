/**
 * `responses.error` controls the problem's headers: it may leave out or set the problem's
 * own (`Retry-After`, `WWW-Authenticate`) and add plain ones, but never a header that carries
 * a credential or frames the body, never a line break, and never turns a refusal into a success.
 */
import request from 'supertest';
import type { ErrorResponse } from '../src';
import { ALICE_PASSWORD } from './helpers/app';
import { eventApp } from './helpers/events';

const ALICE = { login: 'alice@example.org', password: ALICE_PASSWORD };

async function lockAlice(t: Awaited<ReturnType<typeof eventApp>>): Promise<void> {
  for (let i = 0; i < 2; i += 1) await request(t.app).post('/v1/sessions').send({ ...ALICE, password: 'wrong' });
}

describe('responses.error headers', () => {
  it('should tell the shaper the problem\'s own headers, and leave out those it maps to null', async () => {
    const told: Array<Record<string, string>> = [];
    const t = await eventApp({
      lockout: { maxAttempts: 2 },
      responses: {
        error: (problem, { headers }) => {
          told.push({ ...headers });
          return { status: 401, body: { code: 401 }, headers: { 'Retry-After': null, 'WWW-Authenticate': null, 'X-Request-Outcome': 'refused' } };
        },
      },
    });
    await lockAlice(t);
    const locked = await request(t.app).post('/v1/sessions').send(ALICE);
    expect(locked.status).toBe(401);
    expect(locked.body).toEqual({ code: 401 });
    expect(told.at(-1)).toEqual({ 'Retry-After': expect.stringMatching(/^\d+$/) });
    expect(locked.headers['retry-after']).toBeUndefined();
    expect(locked.headers['www-authenticate']).toBeUndefined();
    expect(locked.headers['x-request-outcome']).toBe('refused');
    expect(locked.headers['cache-control']).toBe('no-store');
  });

  it('should keep the problem\'s headers the shaper does not name, and the challenges of a 401', async () => {
    const t = await eventApp({ lockout: { maxAttempts: 2 }, responses: { error: (problem) => ({ body: { code: problem.code }, headers: {} }) } });
    await lockAlice(t);
    const locked = await request(t.app).post('/v1/sessions').send(ALICE);
    expect(locked.status).toBe(403);
    expect(locked.headers['retry-after']).toMatch(/^\d+$/);
    const anonymous = await request(t.app).get('/v1/projects');
    expect(anonymous.headers['www-authenticate']).toContain('Bearer realm=');
  });

  it.each<[string, Record<string, string | null>]>([
    ['Set-Cookie', { 'Set-Cookie': 'session=attacker; Path=/' }],
    ['a lower-case set-cookie', { 'set-cookie': 'session=attacker' }],
    ['Authorization', { Authorization: 'Bearer x' }],
    ['Cache-Control', { 'Cache-Control': 'public, max-age=600' }],
    ['Content-Type', { 'Content-Type': 'text/html' }],
    ['a line break in a value', { 'X-Note': 'a\r\nSet-Cookie: session=attacker' }],
    ['a name that is not a token', { 'X Note': 'a' }],
  ])('should refuse %s: the plain problem is sent, and the failure reported', async (_what, headers) => {
    const t = await eventApp({ responses: { error: () => ({ status: 200, body: { ok: true }, headers }) as ErrorResponse } });
    const res = await request(t.app).get('/v1/projects');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.body).toMatchObject({ code: '401.1' });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-note']).toBeUndefined();
    expect(t.ofType('callback.error')).toEqual([expect.objectContaining({ callback: 'responses.error', code: '401.1', error: expect.any(TypeError) })]);
  });

  it('should never answer a success, whatever status the shaper picks', async () => {
    const t = await eventApp({ responses: { error: () => ({ status: 200, body: { ok: true }, headers: { 'X-Note': 'shaped' } }) } });
    const res = await request(t.app).get('/v1/projects');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ ok: true });
    expect(res.headers['x-note']).toBe('shaped');
  });
});
