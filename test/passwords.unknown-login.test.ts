import request from 'supertest';
import { GatehouseError } from '../src/errors';
import { PasswordCheck } from '../src/passwords/password-check';
import { PasswordHasher } from '../src/passwords/hasher';
import { Lockout } from '../src/passwords/lockout';
import type { CredentialStore, AttemptStore } from '../src/store/types';
import { ALICE_LOGIN, basicApp, basicHeader, passwordFixture, probeBcrypt } from './helpers/passwords';

async function failure(check: Promise<unknown>): Promise<GatehouseError> {
  return check.then(
    () => {
      throw new Error('expected the check to fail');
    },
    (error: GatehouseError) => error,
  );
}

describe('An unknown login looks exactly like a wrong password', () => {
  it('should answer the same 401.2 after the same bcrypt work', async () => {
    const { passwordCheck, store } = await passwordFixture();
    await store.addUser({ login: 'tablet-7', kind: 'appUser' }); // no password at all
    const probe = probeBcrypt();
    try {
      const wrongPassword = await failure(passwordCheck.check({ login: ALICE_LOGIN, password: 'wrong' }));
      const afterWrong = probe.compareCalls;
      const unknownLogin = await failure(passwordCheck.check({ login: 'nobody@example.org', password: 'wrong' }));
      const afterUnknown = probe.compareCalls;
      const noPassword = await failure(passwordCheck.check({ login: 'tablet-7', password: 'wrong' }));
      expect(afterWrong).toBe(1);
      expect(afterUnknown - afterWrong).toBe(1);
      expect(probe.compareCalls - afterUnknown).toBe(1);
      for (const error of [unknownLogin, noPassword]) {
        expect(error).toMatchObject({ code: wrongPassword.code, message: wrongPassword.message, extensions: {}, headers: {} });
      }
    } finally {
      probe.restore();
    }
  });

  it('should give Basic clients identical bodies for both', async () => {
    const { passwordCheck } = await passwordFixture();
    const { app } = basicApp(passwordCheck, { trustProxy: true });
    const get = (login: string) =>
      request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader(login, 'wrong'));
    const [known, unknown] = [await get(ALICE_LOGIN), await get('nobody@example.org')];
    expect(known.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(known.body);
  });

  it('should refuse an empty login or password without a hash or a counter', async () => {
    const { passwordCheck, store } = await passwordFixture();
    const spy = jest.spyOn(store, 'recordFailedAttempt');
    await expect(passwordCheck.check({ login: '  ', password: 'x' })).rejects.toMatchObject({ code: '401.2' });
    await expect(passwordCheck.check({ login: ALICE_LOGIN, password: '' })).rejects.toMatchObject({ code: '401.2' });
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('A failing store', () => {
  function brokenStore(broken: 'findCredentials' | 'readAttempts' | 'recordFailedAttempt'): CredentialStore & AttemptStore {
    const outage = new Error('connect ECONNREFUSED 10.0.0.5:5432');
    const fail = () => Promise.reject(outage);
    return {
      findCredentials: broken === 'findCredentials' ? fail : async () => null,
      findActor: async () => null,
      readAttempts: broken === 'readAttempts' ? fail : async () => ({ count: 0, lockedUntil: null }),
      recordFailedAttempt: broken === 'recordFailedAttempt' ? fail : async () => ({ count: 1, lockedUntil: null }),
      clearAttempts: async () => 0,
    };
  }

  it.each(['findCredentials', 'readAttempts', 'recordFailedAttempt'] as const)(
    'should pass a %s rejection on unchanged',
    async (broken) => {
      const store = brokenStore(broken);
      const check = new PasswordCheck({ store, hasher: new PasswordHasher({ cost: 10 }), lockout: new Lockout({ store }) });
      await expect(check.check({ login: 'alice', password: 'pw' })).rejects.toThrow('connect ECONNREFUSED 10.0.0.5:5432');
    },
  );

  it('should make Basic fail closed with 503.1, never a 200 or a 500', async () => {
    const store = brokenStore('readAttempts');
    const check = new PasswordCheck({ store, hasher: new PasswordHasher({ cost: 10 }), lockout: new Lockout({ store }) });
    const { app } = basicApp(check, { trustProxy: true });
    const res = await request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader('alice', 'pw'));
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('503.1');
    expect(JSON.stringify(res.body)).not.toContain('ECONNREFUSED');
  });
});
