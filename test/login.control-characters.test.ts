/**
 * A login or password holding a control character (NUL and the other C0 controls, DEL) is
 * refused before any store call: PostgreSQL cannot store or compare a NUL in text, so such a
 * login used to reach the failed-attempt counter, fail there, and answer 503.1 with a
 * `store.error` event — a false outage alarm anyone could raise. (bcrypt also stops at a NUL,
 * so `pass\0anything` would check as `pass`.) The login endpoints answer 400.1 naming the
 * field, as for any malformed field; Basic answers 401.2, as for any malformed credentials.
 * Neither says anything about the account: the check reads the input alone.
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type AuditEvent } from '../src';
import { ALICE_PASSWORD } from './helpers/app';
import { useBackends } from './helpers/backends';

const backends = useBackends('login_control_chars');

async function appOverPostgres() {
  const users = new MemoryStore({ passwordCost: 10 });
  await users.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD, roles: ['admin'] });
  const events: AuditEvent[] = [];
  const auth = gatehouse({
    store: backends.storeFor('PostgresStore', users),
    jwt: { secret: 'a-jwt-secret-of-at-least-thirty-two-bytes!', issuer: 'https://api.example.org', audience: 'api' },
    onEvent: (event) => void events.push(event),
  });
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/me', (req, res) => res.json({ user: req.user ?? null }));
  return { app, events };
}

const CONTROLS: Array<[string, string]> = [
  ['NUL', '\u0000'],
  ['SOH', '\u0001'],
  ['a line feed', '\n'],
  ['a tab', '\t'],
  ['US', '\u001f'],
  ['DEL', '\u007f'],
];

const storeErrors = (events: AuditEvent[]) => events.filter((event) => event.type === 'store.error');

describe('control characters in a login or password are refused before the store is asked', () => {
  it.each(CONTROLS)('POST /sessions with %s in the login: 400.1 naming it, no 503, no store.error', async (_name, control) => {
    const { app, events } = await appOverPostgres();
    const res = await request(app).post('/v1/sessions').send({ login: `alice${control}@example.org`, password: ALICE_PASSWORD });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: '400.1', field: 'login' });
    expect(storeErrors(events)).toEqual([]);
  });

  it.each(CONTROLS)('POST /sessions with %s in the password: 400.1 naming it', async (_name, control) => {
    const { app, events } = await appOverPostgres();
    const res = await request(app).post('/v1/sessions').send({ login: 'alice@example.org', password: `${ALICE_PASSWORD}${control}x` });
    expect(res.body).toMatchObject({ code: '400.1', field: 'password' });
    expect(JSON.stringify(res.body)).not.toContain(ALICE_PASSWORD);
    expect(storeErrors(events)).toEqual([]);
  });

  it('names the field the login came in (email, username) and covers POST /jwt/authenticate and a form body', async () => {
    const { app, events } = await appOverPostgres();
    const email = await request(app).post('/v1/sessions').send({ email: 'alice\u0000@example.org', password: ALICE_PASSWORD });
    expect(email.body).toMatchObject({ code: '400.1', field: 'email' });
    const jwt = await request(app).post('/v1/jwt/authenticate').send({ username: 'alice\u0000', password: ALICE_PASSWORD });
    expect(jwt.body).toMatchObject({ code: '400.1', field: 'username' });
    const form = await request(app).post('/v1/sessions').type('form').send(`login=alice%00%40example.org&password=${encodeURIComponent(ALICE_PASSWORD)}`);
    expect(form.body).toMatchObject({ code: '400.1', field: 'login' });
    expect(storeErrors(events)).toEqual([]);
  });

  it.each(CONTROLS)('Basic with %s in the login or the password: 401.2, no 503, no store.error', async (_name, control) => {
    const { app, events } = await appOverPostgres();
    for (const pair of [`alice${control}@example.org:${ALICE_PASSWORD}`, `alice@example.org:${ALICE_PASSWORD}${control}`]) {
      const res = await request(app)
        .get('/v1/me')
        .set('X-Forwarded-Proto', 'https')
        .set('Authorization', `Basic ${Buffer.from(pair).toString('base64')}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('401.2');
    }
    expect(storeErrors(events)).toEqual([]);
  });

  it('still logs alice in over the same store, and a C1 control or other Unicode is no control here', async () => {
    const { app } = await appOverPostgres();
    expect((await request(app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD })).status).toBe(200);
    const unknown = await request(app).post('/v1/sessions').send({ login: 'ali\u0085ce\u00e9@example.org', password: ALICE_PASSWORD });
    expect(unknown.body.code).toBe('401.2');
  });
});
