/**
 * A refresh retried while a deploy is half done. During step 2 of the README's key rotation
 * some instances list the keys as [new, old] and others still as [old, new]. A rotation on
 * one and its retry on the other, within the reuse interval, must agree on the successor, so
 * the client's session goes on — refresh tokens are "not affected at all" by the roll.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { JwtKey, JwtOptions } from '../src';
import { BACKENDS, useBackends } from './helpers/backends';
import { JWT_OPTIONS } from './helpers/jwt';
import { refreshOn, twoInstances, useAccess } from './helpers/refresh-instances';

const backends = useBackends('refresh-key-roll');
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

const withKeys = (keys: JwtKey[]): JwtOptions => ({ keys, issuer: JWT_OPTIONS.issuer, audience: JWT_OPTIONS.audience, refreshReuseInterval: 30_000 });

/** [instance A's keys (not yet moved), instance B's keys (new key moved first)]. */
const ROLLS: Array<[string, JwtKey[], JwtKey[]]> = [
  [
    'HMAC secrets',
    [{ kid: 'old', secret: 'the-old-hmac-secret-of-32-bytes-or-more' }, { kid: 'new', secret: 'the-new-hmac-secret-of-32-bytes-or-more', alg: 'HS512' }],
    [{ kid: 'new', secret: 'the-new-hmac-secret-of-32-bytes-or-more', alg: 'HS512' }, { kid: 'old', secret: 'the-old-hmac-secret-of-32-bytes-or-more' }],
  ],
  [
    'key pairs, the second key verify-only (as in the README)',
    [{ kid: 'ec-old', privateKey: ec.privateKey }, { kid: 'rs-new', publicKey: rsa.publicKey }],
    [{ kid: 'rs-new', privateKey: rsa.privateKey }, { kid: 'ec-old', publicKey: ec.publicKey }],
  ],
];

describe.each(BACKENDS)('a refresh retried across a signing-key roll, two instances over one %s', (backend) => {
  // Each roll both ways: rotated where the new key already signs and retried where it does not, and back.
  const CASES = ROLLS.flatMap(([name, keysOfA, keysOfB]) => [[name, 'b', 'a', keysOfA, keysOfB], [name, 'a', 'b', keysOfA, keysOfB]] as const);

  it.each(CASES)('with %s: rotated on %s, retried on %s 100 ms later, the same successor and the family goes on', async (_name, first, then, keysOfA, keysOfB) => {
    const t = await twoInstances(backends, backend, { jwt: [withKeys(keysOfA), withKeys(keysOfB)] });
    const rotated = await refreshOn(t[first], t.tokens.refresh);
    expect(rotated.status).toBe(200);
    t.advance(100);

    const retry = await refreshOn(t[then], t.tokens.refresh);
    expect([retry.status, retry.body.code]).toEqual([200, undefined]);
    expect(retry.body.refresh).toBe(rotated.body.refresh);
    // Both answers' access tokens work on both instances: the family was not ended.
    for (const access of [rotated.body.access, retry.body.access]) {
      for (const target of [t.a, t.b]) expect((await useAccess(target, access)).status).toBe(200);
    }
    expect(await t.liveRefreshTokens()).toHaveLength(1);
    // And the successor rotates on either instance.
    const next = await refreshOn(t[then], retry.body.refresh);
    expect(next.status).toBe(200);
    expect((await refreshOn(t[first], next.body.refresh)).status).toBe(200);
  });

  it('a retry after the interval still ends the family, whatever the key order', async () => {
    const [, keysOfA, keysOfB] = ROLLS[0];
    const t = await twoInstances(backends, backend, { jwt: [withKeys(keysOfA), withKeys(keysOfB)] });
    const rotated = await refreshOn(t.b, t.tokens.refresh);
    expect(rotated.status).toBe(200);
    t.advance(30_000);
    expect((await refreshOn(t.a, t.tokens.refresh)).body.code).toBe('401.2');
    expect((await refreshOn(t.b, rotated.body.refresh)).body.code).toBe('401.2');
    expect((await useAccess(t.a, rotated.body.access)).body.code).toBe('401.2');
    expect(await t.liveRefreshTokens()).toEqual([]);
  });
});

describe.each(BACKENDS)('instances whose reuse intervals differ (an option change half deployed), over one %s', (backend) => {
  it('a token issued with retries off has a random successor: its retry elsewhere is refused with 401.2, and the family goes on', async () => {
    const off = { ...JWT_OPTIONS, refreshReuseInterval: 0 };
    const on = { ...JWT_OPTIONS, refreshReuseInterval: 30_000 };
    const t = await twoInstances(backends, backend, { jwt: [off, on] });
    const rotated = await refreshOn(t.a, t.tokens.refresh);
    expect(rotated.status).toBe(200);
    t.advance(100);
    const retry = await refreshOn(t.b, t.tokens.refresh);
    expect([retry.status, retry.body.code]).toEqual([401, '401.2']);
    expect((await useAccess(t.b, rotated.body.access)).status).toBe(200);
    expect((await refreshOn(t.b, rotated.body.refresh)).status).toBe(200);
  });
});
