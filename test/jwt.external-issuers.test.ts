import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import type { Actor } from '../src';
import { buildApp } from './helpers/app';
import { forge } from './helpers/jwt';
import { JwksServer } from './helpers/jwks-server';
import { realNow } from './helpers/clock';

const NOW = realNow();
const now = Math.floor(NOW / 1000);
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test';
const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const actorFromClaims = (claims: Record<string, unknown>): Actor => ({
  id: String(claims.sub),
  kind: 'user',
  roles: Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as string[]) : [],
});

describe('external issuers via JWKS (Cognito-shaped)', () => {
  const jwks = new JwksServer();
  const first = rsa();
  const second = ec();
  beforeAll(async () => {
    await jwks.start();
    jwks.keys = [{ kid: 'rsa-1', key: first.publicKey }];
  });
  afterAll(() => jwks.stop());

  const appFor = () =>
    buildApp({
      now: () => NOW,
      jwt: { issuers: [{ issuer: ISSUER, jwksUri: jwks.url, algorithms: ['RS256', 'ES256'], tokenUse: 'access', clientId: 'client-abc', actorFromClaims }] },
    });
  const cognitoClaims = (extra: Record<string, unknown> = {}) => ({
    sub: 'c0gn1t0-user',
    iss: ISSUER,
    iat: now,
    exp: now + 3600,
    token_use: 'access',
    client_id: 'client-abc',
    'cognito:groups': ['admin'],
    jti: `j-${Math.random()}`,
    ...extra,
  });

  it('accepts a Cognito access token (client_id, token_use, no aud) and maps claims to the actor', async () => {
    const t = await appFor();
    const token = forge(cognitoClaims(), first.privateKey, 'RS256', { kid: 'rsa-1' });
    const res = await request(t.app).get('/v1/admin').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: 'c0gn1t0-user', kind: 'user', roles: ['admin'] });
  });

  it.each([
    ['an ID token where access is required', { token_use: 'id' }],
    ['another app client', { client_id: 'client-evil' }],
    ['no exp', { exp: undefined }],
  ])('refuses %s', async (_name, extra) => {
    const t = await appFor();
    const token = forge(cognitoClaims(extra), first.privateKey, 'RS256', { kid: 'rsa-1' });
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).body.code).toBe('401.2');
  });

  it('picks up a rotated key: an unknown kid refetches the key set once', async () => {
    const t = await appFor();
    const token = forge(cognitoClaims(), second.privateKey, 'ES256', { kid: 'ec-2' });
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).body.code).toBe('401.2');
    jwks.keys = [...jwks.keys, { kid: 'ec-2', key: second.publicKey }];
    const before = jwks.requests;
    const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(jwks.requests).toBeGreaterThan(before);
    const again = jwks.requests;
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect(jwks.requests).toBe(again); // cached
  });

  it('refuses a token signed by an unknown key under a known kid, and an algorithm the issuer does not allow', async () => {
    const t = await appFor();
    const stranger = rsa();
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${forge(cognitoClaims(), stranger.privateKey, 'RS256', { kid: 'rsa-1' })}`)).body.code).toBe('401.2');
    const hs = forge(cognitoClaims(), 'a-secret-that-is-at-least-32-bytes-long', 'HS256', { kid: 'rsa-1' });
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${hs}`)).body.code).toBe('401.2');
  });

  it('fails closed with 503.1 when the issuer key endpoint is unreachable', async () => {
    const t = await buildApp({
      now: () => NOW,
      jwt: { issuers: [{ issuer: ISSUER, jwksUri: 'http://127.0.0.1:1/jwks.json', algorithms: ['RS256'], actorFromClaims }] },
    });
    const token = forge(cognitoClaims(), first.privateKey, 'RS256', { kid: 'rsa-1' });
    const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('503.1');
  });
});
