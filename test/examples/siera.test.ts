import path from 'node:path';
import request from 'supertest';
import { ensureBuilt, ROOT } from '../helpers/build';
import { realNow } from '../helpers/clock';

const LOGIN = '/api/v1/authentication/login';
const ANALYST = { username: 'analyst', password: 'analyst password 1234' };
const T0 = realNow();

/** examples/wire/siera.js, black box, as SIERA's documentation states its authentication. */
describe('example: SIERA', () => {
  let app: import('express').Express;
  const clock = { now: T0 };

  beforeAll(async () => {
    ensureBuilt();
    const { createSieraApp } = require(path.join(ROOT, 'examples', 'wire', 'siera.js'));
    ({ app } = await createSieraApp({ now: () => clock.now }));
  });

  it('"POST /api/v1/authentication/login returns token, expiration, lockoutTimeRemaining, maxRetriesExceeded, previousAccessFailedCount"', async () => {
    const res = await request(app).post(LOGIN).send(ANALYST);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['expiration', 'lockoutTimeRemaining', 'maxRetriesExceeded', 'previousAccessFailedCount', 'token']);
    expect(res.body).toMatchObject({ lockoutTimeRemaining: 0, maxRetriesExceeded: 0, previousAccessFailedCount: 0 });
    expect((await request(app).get('/api/v1/indicators').set('Authorization', `Bearer ${res.body.token}`)).status).toBe(200);
  });

  it('"errors are RFC 7807 problem details" (application/problem+json)', async () => {
    const res = await request(app).post(LOGIN).send({ username: 'analyst', password: 'wrong' });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized', code: '401.2' });
  });

  it('"HTTPS Basic … for Excel and Power BI" with a "WWW-Authenticate: Basic" challenge', async () => {
    const challenge = await request(app).get('/api/v1/indicators').set('X-Forwarded-Proto', 'https');
    expect(challenge.status).toBe(401);
    expect(challenge.headers['www-authenticate']).toBe('Basic realm="SIERA", charset="UTF-8"');
    const basic = `Basic ${Buffer.from('analyst:analyst password 1234').toString('base64')}`;
    expect((await request(app).get('/api/v1/indicators').set('X-Forwarded-Proto', 'https').set('Authorization', basic)).status).toBe(200);
    expect((await request(app).get('/api/v1/indicators').set('Authorization', basic)).status).toBe(401);
  });

  it('"an expired password answers 403 Expired with a token in detail" that sets a new password', async () => {
    const expired = await request(app).post(LOGIN).send({ username: 'expired', password: 'expired password 1234' });
    expect(expired.status).toBe(403);
    expect(expired.body).toMatchObject({ title: 'Expired', code: '403.3' });
    expect(expired.body).not.toHaveProperty('changeTicket');
    const change = await request(app).post('/api/v1/authentication/password').send({ ticket: expired.body.detail, password: 'a new password 5678' });
    expect(change.status).toBe(200);
    clock.now += 1;
    const login = await request(app).post(LOGIN).send({ username: 'expired', password: 'a new password 5678' });
    expect(login.status).toBe(200);
  });

  it('"after 5 failed attempts the account is locked": 403 with lockoutTimeRemaining and maxRetriesExceeded as an integer', async () => {
    for (let i = 0; i < 6; i++) await request(app).post(LOGIN).send({ username: 'analyst', password: 'wrong' });
    const locked = await request(app).post(LOGIN).send(ANALYST);
    expect(locked.status).toBe(403);
    expect(locked.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(locked.body).toMatchObject({ code: '403.2', maxRetriesExceeded: 1 });
    expect(locked.body.lockoutTimeRemaining).toBeGreaterThan(0);
  });
});
