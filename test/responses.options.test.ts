import request from 'supertest';
import { gatehouse, MemoryStore, type ErrorResponseContext } from '../src';
import { ALICE_PASSWORD, BOB_PASSWORD, buildApp } from './helpers/app';
import { JWT_OPTIONS } from './helpers/jwt';

const ALICE = { email: 'alice@example.org', password: ALICE_PASSWORD };

describe('responses.login, responses.logout and responses.jwt shape success bodies', () => {
  it("should send ODK Central's login body { createdAt, expiresAt, token } when responses.login returns it", async () => {
    const seen: unknown[] = [];
    const t = await buildApp({
      responses: {
        login: (body, context) => {
          seen.push(context.actor.id);
          return { createdAt: body.createdAt, expiresAt: body.expiresAt, token: body.token };
        },
      },
    });
    const res = await request(t.app).post('/v1/sessions').send(ALICE);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'expiresAt', 'token']);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(seen).toEqual([t.alice.id]);
    const me = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${res.body.token}`);
    expect(me.status).toBe(200);
  });

  it('should send ODK Central\'s logout body { message: "Success" } when responses.logout returns it', async () => {
    const t = await buildApp({ responses: { logout: (body) => ({ message: body.success ? 'Success' : 'Failure' }) } });
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    const res = await request(t.app).delete('/v1/sessions/current').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Success' });
    const other = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    const byToken = await request(t.app).delete(`/v1/sessions/${other.token}`).set('Authorization', `Bearer ${other.token}`);
    expect(byToken.body).toEqual({ message: 'Success' });
  });

  it('should shape the JWT authenticate and refresh bodies with responses.jwt, given the endpoint', async () => {
    const endpoints: string[] = [];
    const t = await buildApp({
      jwt: JWT_OPTIONS,
      responses: {
        jwt: (body, context) => {
          endpoints.push(context.endpoint);
          return { token: body.access, refresh: body.refresh };
        },
      },
    });
    const res = await request(t.app).post('/v1/jwt/authenticate').send(ALICE);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['refresh', 'token']);
    const refreshed = await request(t.app).post('/v1/jwt/refresh').send({ refresh: res.body.refresh });
    expect(refreshed.status).toBe(200);
    expect(Object.keys(refreshed.body).sort()).toEqual(['refresh', 'token']);
    expect(endpoints).toEqual(['authenticate', 'refresh']);
  });
});

describe('responses.challenges chooses the WWW-Authenticate challenges of a 401', () => {
  it('should send no WWW-Authenticate at all with challenges: [] (ODK Central never challenges)', async () => {
    const t = await buildApp({ responses: { challenges: [] } });
    const missing = await request(t.app).get('/v1/projects');
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('401.1');
    expect(missing.headers['www-authenticate']).toBeUndefined();
    const wrong = await request(t.app).get('/v1/projects').set('Authorization', 'Bearer nope');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBeUndefined();
  });

  it("should send only SIERA's Basic challenge with challenges: ['basic']", async () => {
    const t = await buildApp({ realm: 'SIERA', responses: { challenges: ['basic'] } });
    const res = await request(t.app).get('/v1/projects');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="SIERA", charset="UTF-8"');
  });

  it('should keep the Bearer challenge by default', async () => {
    const t = await buildApp();
    const res = await request(t.app).get('/v1/projects');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
  });
});

describe('responses.error renders failures with a status, a content type and context', () => {
  it('should answer a locked login as ODK Central\'s plain 401 while lockout stays on', async () => {
    const t = await buildApp({
      lockout: { maxAttempts: 2 },
      responses: {
        error: (problem) =>
          problem.code === '403.2'
            ? { status: 401, body: { code: '401.2', message: 'Could not authenticate with the provided credentials.' } }
            : { body: { code: problem.code, message: problem.detail } },
      },
    });
    for (let i = 0; i < 3; i++) await request(t.app).post('/v1/sessions').send({ email: 'bob@example.org', password: 'wrong' });
    const locked = await request(t.app).post('/v1/sessions').send({ email: 'bob@example.org', password: BOB_PASSWORD });
    expect(locked.status).toBe(401);
    expect(locked.body).toEqual({ code: '401.2', message: 'Could not authenticate with the provided credentials.' });
    expect(locked.headers['content-type']).toMatch(/^application\/json/);
    expect(locked.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('should keep application/problem+json when asked, and let the body stay RFC 7807 (SIERA)', async () => {
    const t = await buildApp({ responses: { error: (problem) => ({ contentType: 'application/problem+json', body: { ...problem, instance: '/v1' } }) } });
    const res = await request(t.app).get('/v1/projects');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.body).toMatchObject({ code: '401.1', instance: '/v1', status: 401 });
  });

  it('should tell responses.error which actor a 403.3 and a 403.2 are about, never rendering it by itself', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    const carol = await store.addUser({ login: 'carol', password: 'carol password', passwordExpiresAt: 0 });
    const contexts: ErrorResponseContext[] = [];
    const t = await buildApp(
      {
        lockout: { maxAttempts: 1 },
        responses: {
          error: (problem, context) => {
            contexts.push(context);
            return { body: problem };
          },
        },
      },
      store,
    );
    const expired = await request(t.app).post('/v1/sessions').send({ login: 'carol', password: 'carol password' });
    expect(expired.status).toBe(403);
    expect(expired.body.code).toBe('403.3');
    expect(JSON.stringify(expired.body)).not.toContain(carol.id);
    expect(contexts[0]!.actor?.id).toBe(carol.id);
    for (let i = 0; i < 3; i++) await request(t.app).post('/v1/sessions').send({ login: 'carol', password: 'wrong' });
    const locked = contexts.find((context) => context.problem.code === '403.2');
    expect(locked?.actor?.id).toBe(carol.id);
    expect(contexts.find((context) => context.problem.code === '401.2')?.actor).toBeNull();
  });

  it('should give formatError the same context as its third argument, the body sent as application/json', async () => {
    const seen: Array<string | null> = [];
    const t = await buildApp({
      formatError: (problem, _req, context) => {
        seen.push(context.actor?.id ?? null);
        return { code: problem.code };
      },
    });
    const { token } = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'personal' });
    const res = await request(t.app).get('/v1/admin').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ code: '403.1' });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(seen).toEqual([t.bob.id]);
  });

  it("should keep the problem's own status when responses.error returns one outside 400–599", async () => {
    const t = await buildApp({ responses: { error: () => ({ status: 200, body: { ok: true } }) } });
    const res = await request(t.app).get('/v1/projects');
    expect(res.status).toBe(401);
  });
});

describe('responses.maxRetriesExceeded', () => {
  it("should send SIERA's integer 1 on a locked login with maxRetriesExceeded: 'integer'", async () => {
    const t = await buildApp({ lockout: { maxAttempts: 1 }, responses: { maxRetriesExceeded: 'integer' } });
    for (let i = 0; i < 2; i++) await request(t.app).post('/v1/sessions').send({ email: 'bob@example.org', password: 'wrong' });
    const locked = await request(t.app).post('/v1/sessions').send({ email: 'bob@example.org', password: BOB_PASSWORD });
    expect(locked.status).toBe(403);
    expect(locked.body.code).toBe('403.2');
    expect(locked.body.maxRetriesExceeded).toBe(1);
  });

  it('should send true by default', async () => {
    const t = await buildApp({ lockout: { maxAttempts: 1 } });
    for (let i = 0; i < 2; i++) await request(t.app).post('/v1/sessions').send({ email: 'bob@example.org', password: 'wrong' });
    const locked = await request(t.app).post('/v1/sessions').send({ email: 'bob@example.org', password: BOB_PASSWORD });
    expect(locked.body.maxRetriesExceeded).toBe(true);
  });
});

describe('responses is validated at construction', () => {
  const store = new MemoryStore({ passwordCost: 10 });
  it.each([
    [{ responses: 'odk' }, /responses must be an object/],
    [{ responses: { login: 'odk' } }, /responses.login must be a function/],
    [{ responses: { logout: {} } }, /responses.logout must be a function/],
    [{ responses: { jwt: 1 } }, /responses.jwt must be a function/],
    [{ responses: { error: 'x' } }, /responses.error must be a function/],
    [{ responses: { challenges: 'none' } }, /responses.challenges must be an array/],
    [{ responses: { challenges: ['digest'] } }, /responses.challenges: unknown scheme "digest"/],
    [{ responses: { maxRetriesExceeded: 'number' } }, /responses.maxRetriesExceeded must be 'boolean' or 'integer'/],
    [{ responses: { logon: () => ({}) } }, /responses\.logon is not an option \(did you mean 'login'\?\)/],
    [{ responses: { error: () => ({}) }, formatError: () => ({}) }, /give responses.error or formatError, not both/],
    [{ responses: { challenges: [] }, basic: { challenge: true } }, /basic.challenge: true conflicts with responses.challenges/],
  ])('%j throws a TypeError naming the option', (options, message) => {
    expect(() => gatehouse({ store, ...(options as object) } as never)).toThrow(TypeError);
    expect(() => gatehouse({ store, ...(options as object) } as never)).toThrow(message);
  });
});
