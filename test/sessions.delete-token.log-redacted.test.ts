/**
 * `DELETE /sessions/<token>` carries a credential in its path. Express decodes the path
 * parameter, so any percent-encoding of the token (one character escaped, every character,
 * upper- or lower-case hex) ends that token; the URL a request logger prints at response
 * time (`req.originalUrl`, as morgan reads it) must then hold no form of it that decodes to
 * the token — the segment is redacted as it was sent, whatever its encoding.
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore } from '../src';
import { ALICE_PASSWORD } from './helpers/app';

async function loggedApp() {
  const store = new MemoryStore({ passwordCost: 10 });
  await store.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD, roles: ['admin'] });
  const auth = gatehouse({ store });
  const logged: string[] = [];
  const app = express();
  // What morgan does: read req.originalUrl once the response is finished.
  app.use((req, res, next) => {
    res.on('finish', () => logged.push(req.originalUrl));
    next();
  });
  app.use('/v1', auth.routes());
  const login = async () => (await request(app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD })).body.token as string;
  return { app, logged, login };
}

const escape = (char: string, lowerCase = false) => {
  const hex = `%${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
  return lowerCase ? hex.toLowerCase() : hex.toUpperCase();
};

const ENCODINGS: Array<[string, (token: string) => string]> = [
  ['as it is', (token) => token],
  ['its first character escaped', (token) => escape(token[0]) + token.slice(1)],
  ['its underscore escaped, upper-case hex', (token) => token.replace('_', '%5F')],
  ['its underscore escaped, lower-case hex', (token) => token.replace('_', '%5f')],
  ['one character in the middle escaped', (token) => token.slice(0, 20) + escape(token[20]) + token.slice(21)],
  ['every character escaped, upper-case hex', (token) => [...token].map((char) => escape(char)).join('')],
  ['every character escaped, lower-case hex', (token) => [...token].map((char) => escape(char, true)).join('')],
];

/** Every form of `text` that decoding once or twice gives. */
function decodings(text: string): string[] {
  const once = decodeURIComponent(text);
  return [text, once, decodeURIComponent(once)];
}

describe('DELETE /sessions/:token keeps every encoding of the token out of the access log', () => {
  it.each(ENCODINGS)('the token %s: ended, and redacted in req.originalUrl', async (_label, encode) => {
    const { app, logged, login } = await loggedApp();
    const caller = await login();
    const token = await login();
    const res = await request(app).delete(`/v1/sessions/${encode(token)}?trace=1`).set('Authorization', `Bearer ${caller}`);
    expect(res.status).toBe(200);
    // The token ended: it no longer logs out.
    expect((await request(app).delete('/v1/sessions/current').set('Authorization', `Bearer ${token}`)).status).toBe(401);
    const line = logged[logged.length - 2];
    expect(line).toBe('/v1/sessions/REDACTED?trace=1');
    for (const form of decodings(line)) expect(form).not.toContain(token);
  });

  it('redacts a token escaped twice as sent, though it is refused (403.1: not a token once decoded)', async () => {
    const { app, logged, login } = await loggedApp();
    const caller = await login();
    const token = await login();
    const twice = `%25${escape(token[0]).slice(1)}${token.slice(1)}`;
    const res = await request(app).delete(`/v1/sessions/${twice}`).set('Authorization', `Bearer ${caller}`);
    expect(res.body.code).toBe('403.1');
    const line = logged[logged.length - 1];
    expect(line).toBe('/v1/sessions/REDACTED');
    for (const form of decodings(line)) expect(form).not.toContain(token);
  });
});
