import path from 'node:path';
import request from 'supertest';
import { ensureBuilt, ROOT } from '../helpers/build';

const LOGIN = '/api/v1/@apostrophecms/login/login';
const LOGOUT = '/api/v1/@apostrophecms/login/logout';
const KEY = 'myapikey1029384756';
const EDITOR = { username: 'editor', password: 'editor password 1234' };

/** examples/wire/apostrophe.js, black box, as ApostropheCMS's documentation states its authentication. */
describe('example: ApostropheCMS', () => {
  let app: import('express').Express;

  beforeAll(async () => {
    ensureBuilt();
    const { createApostropheApp } = require(path.join(ROOT, 'examples', 'wire', 'apostrophe.js'));
    ({ app } = await createApostropheApp());
  });

  it('"apiKeys … with a role": the key works as "Authorization: ApiKey …" and as "?apikey=" or "?apiKey="', async () => {
    const header = await request(app).get('/api/v1/article').set('Authorization', `ApiKey ${KEY}`);
    expect(header.status).toBe(200);
    expect(header.body.roles).toEqual(['admin']);
    expect((await request(app).get(`/api/v1/article?apikey=${KEY}`)).status).toBe(200);
    expect((await request(app).get(`/api/v1/article?apiKey=${KEY}`)).status).toBe(200);
    expect((await request(app).get('/api/v1/article?apikey=not-the-key-at-all-1234')).status).toBe(401);
  });

  it('"POST /api/v1/@apostrophecms/login/login … responds with { token }", a bearer token', async () => {
    const res = await request(app).post(LOGIN).send(EDITOR);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['token']);
    expect((await request(app).get('/api/v1/article').set('Authorization', `Bearer ${res.body.token}`)).status).toBe(200);
  });

  it("accepts the documented fetch's JSON body sent as application/x-www-form-urlencoded", async () => {
    const res = await request(app).post(LOGIN).set('Content-Type', 'application/x-www-form-urlencoded').send(JSON.stringify(EDITOR));
    expect(res.status).toBe(200);
    expect(typeof res.body.token).toBe('string');
  });

  it('"POST /api/v1/@apostrophecms/login/logout" with the bearer token ends it', async () => {
    const { token } = (await request(app).post(LOGIN).send(EDITOR)).body;
    const out = await request(app).post(LOGOUT).set('Authorization', `Bearer ${token}`);
    expect(out.status).toBe(200);
    expect(out.body).toEqual({});
    expect((await request(app).get('/api/v1/article').set('Authorization', `Bearer ${token}`)).status).toBe(401);
  });

  it('"session: true … a cookie rather than a token": the cookie alone, an empty body', async () => {
    const res = await request(app).post(LOGIN).set('X-Forwarded-Proto', 'https').send({ ...EDITOR, session: true });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    expect((await request(app).get('/api/v1/article').set('X-Forwarded-Proto', 'https').set('Cookie', cookie)).status).toBe(200);
  });
});
