import request from 'supertest';
import { buildApp } from './helpers/app';
import { forge, JWT_OPTIONS, localClaims } from './helpers/jwt';
import { realNow } from './helpers/clock';

/** A token verified once is remembered, but never past its exp and never past a revocation. */
describe('JWT verified-token cache', () => {
  it('a remembered token still expires (401.4), still honours logout and a removed actor', async () => {
    let now = realNow();
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => now });
    const nowSeconds = Math.floor(now / 1000);
    const get = (token: string) => request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`);

    const expiring = forge(localClaims(t.alice.id, nowSeconds, { exp: nowSeconds + 60 }));
    expect((await get(expiring)).status).toBe(200);
    expect((await get(expiring)).status).toBe(200); // from the cache
    now += 66_000; // past exp and the 5 s tolerance
    expect((await get(expiring)).body.code).toBe('401.4');

    const later = Math.floor(now / 1000);
    const loggedOut = forge(localClaims(t.alice.id, later));
    expect((await get(loggedOut)).status).toBe(200);
    expect((await request(t.app).delete('/v1/sessions/current').set('Authorization', `Bearer ${loggedOut}`)).status).toBe(200);
    expect((await get(loggedOut)).body.code).toBe('401.2');

    const bobs = forge(localClaims(t.bob.id, later));
    expect((await get(bobs)).status).toBe(200);
    await t.store.removeUser(t.bob.id);
    expect((await get(bobs)).body.code).toBe('401.2');
  });

  it('a token differing by one character is verified afresh and refused', async () => {
    const now = realNow();
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => now });
    const token = forge(localClaims(t.alice.id, Math.floor(now / 1000)));
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    const tampered = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${tampered}`)).body.code).toBe('401.2');
  });

  it('a remembered signature under another header or payload is verified afresh and refused', async () => {
    const now = realNow();
    const t = await buildApp({ jwt: JWT_OPTIONS, now: () => now });
    const get = (token: string) => request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`);
    const token = forge(localClaims(t.alice.id, Math.floor(now / 1000)));
    expect((await get(token)).status).toBe(200); // now remembered, by its signature
    const [header, payload, signature] = token.split('.');
    const bobsPayload = forge(localClaims(t.bob.id, Math.floor(now / 1000))).split('.')[1];
    expect((await get(`${header}.${bobsPayload}.${signature}`)).body.code).toBe('401.2');
    // The same length as the remembered token, one character of the payload changed.
    const middle = Math.floor(payload.length / 2);
    const changed = `${payload.slice(0, middle)}${payload[middle] === 'x' ? 'y' : 'x'}${payload.slice(middle + 1)}`;
    expect((await get(`${header}.${changed}.${signature}`)).body.code).toBe('401.2');
    expect((await get(`${header}.${payload}.${signature}`)).status).toBe(200);
  });
});
