/**
 * Stored hashes of another bcrypt cost than `passwords.cost` (cost raised after users were
 * created): a wrong password for a known login costs exactly the bcrypt work of an unknown
 * login's dummy check, and a successful login upgrades the stored hash when the store can.
 * Work is counted in bcrypt rounds (2^cost of each hash compared against), not wall time.
 */
import bcrypt from 'bcrypt';
import request from 'supertest';
import { MemoryStore } from '../src';
import { ALICE_PASSWORD, buildApp, type TestApp } from './helpers/app';

type Compare = (data: string | Buffer, encrypted: string) => Promise<boolean>;

/** Records the cost of every hash bcrypt.compare runs against. */
function countRounds() {
  const original = bcrypt.compare as unknown as Compare;
  const costs: number[] = [];
  const hashes: string[] = [];
  const spy = jest.spyOn(bcrypt, 'compare').mockImplementation(((data: string, encrypted: string) => {
    costs.push(bcrypt.getRounds(encrypted));
    hashes.push(encrypted);
    return original(data, encrypted);
  }) as never);
  return {
    costs,
    hashes,
    /** bcrypt rounds done since the last call, and the costs they ran at. */
    take(): { rounds: number; costs: number[] } {
      const taken = costs.splice(0);
      hashes.splice(0);
      return { rounds: taken.reduce((sum, cost) => sum + 2 ** cost, 0), costs: taken };
    },
    restore: () => spy.mockRestore(),
  };
}

const login = (t: TestApp, name: string, password: string) => request(t.app).post('/v1/sessions').send({ login: name, password });
const storedCost = async (t: TestApp) => bcrypt.getRounds((await t.store.findCredentials('alice@example.org'))!.passwordHash!);

describe('Stored hashes at another cost', () => {
  it('should spend the same bcrypt rounds on a wrong password for a cost-10 hash as on an unknown login at cost 12', async () => {
    const t = await buildApp({ passwords: { cost: 12 } }); // users stored at cost 10
    expect(await storedCost(t)).toBe(10);
    const probe = countRounds();
    try {
      await login(t, 'nobody@example.org', 'wrong'); // makes the dummy hash once
      probe.take();
      expect((await login(t, 'alice@example.org', 'wrong')).body.code).toBe('401.2');
      const known = probe.take();
      expect((await login(t, 'nobody@example.org', 'wrong')).body.code).toBe('401.2');
      const unknown = probe.take();
      expect(unknown).toEqual({ rounds: 2 ** 12, costs: [12] });
      expect(known.rounds).toBe(unknown.rounds);
      expect(known.costs[0]).toBe(10); // the real check ran against the stored hash
      expect(await storedCost(t)).toBe(10); // a wrong password upgrades nothing
    } finally {
      probe.restore();
    }
  });

  it('should upgrade the stored hash once, at the first successful login, and verify against it next time', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    const update = jest.spyOn(store, 'updatePasswordHash');
    const t = await buildApp({ passwords: { cost: 11 } }, store);
    const before = (await store.findCredentials('alice@example.org'))!.passwordHash!;
    const probe = countRounds();
    try {
      const first = await login(t, 'alice@example.org', ALICE_PASSWORD);
      expect(first.status).toBe(200);
      expect(update).toHaveBeenCalledTimes(1);
      expect(update).toHaveBeenCalledWith(t.alice.id, before, expect.stringMatching(/^\$2[aby]\$11\$/));
      const after = (await store.findCredentials('alice@example.org'))!.passwordHash!;
      expect(after).not.toBe(before);
      expect(bcrypt.getRounds(after)).toBe(11);
      expect(await bcrypt.compare(ALICE_PASSWORD, after)).toBe(true);

      probe.costs.splice(0);
      probe.hashes.splice(0);
      const second = await login(t, 'alice@example.org', ALICE_PASSWORD);
      expect(second.status).toBe(200);
      expect(probe.hashes).toEqual([after]);
      expect(update).toHaveBeenCalledTimes(1);
      // Wrong passwords now cost the configured rounds, with no top-up.
      probe.take();
      await login(t, 'alice@example.org', 'wrong');
      expect(probe.take()).toEqual({ rounds: 2 ** 11, costs: [11] });
    } finally {
      probe.restore();
    }
  });

  it('should leave hashes alone, and still log in, when the store cannot update them', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    // The same store seen without the optional method.
    const withoutUpdates = Object.assign(Object.create(store) as MemoryStore, { updatePasswordHash: undefined });
    const t = await buildApp({ passwords: { cost: 11 } }, withoutUpdates);
    const before = (await store.findCredentials('alice@example.org'))!.passwordHash;
    expect((await login(t, 'alice@example.org', ALICE_PASSWORD)).status).toBe(200);
    expect((await store.findCredentials('alice@example.org'))!.passwordHash).toBe(before);
  });

  it('should never replace a hash that changed since it was checked', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    const newHash = await bcrypt.hash('a brand new password', 10);
    // The password changes while the login that checked the old one is upgrading it.
    const original = store.updatePasswordHash.bind(store);
    const update = jest.spyOn(store, 'updatePasswordHash').mockImplementation(async (actorId, expected, fresh) => {
      await store.setPasswordHash(actorId, newHash);
      return original(actorId, expected, fresh);
    });
    const t = await buildApp({ passwords: { cost: 11 } }, store);
    expect((await login(t, 'alice@example.org', ALICE_PASSWORD)).status).toBe(200);
    expect(update).toHaveBeenCalledTimes(1);
    expect(await update.mock.results[0].value).toBe(false);
    expect((await store.findCredentials('alice@example.org'))!.passwordHash).toBe(newHash);
  });

  it('should still log in when the upgrade fails in the store', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    jest.spyOn(store, 'updatePasswordHash').mockRejectedValue(new Error('disk full'));
    const t = await buildApp({ passwords: { cost: 11 } }, store);
    const res = await login(t, 'alice@example.org', ALICE_PASSWORD);
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain('disk full');
    expect(await storedCost(t)).toBe(10);
  });
});

describe('Concurrent logins of one actor with an old-cost hash', () => {
  it('should rehash once, not once per connection', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    const update = jest.spyOn(store, 'updatePasswordHash');
    const t = await buildApp({ passwords: { cost: 11 } }, store);
    t.app.set('trust proxy', true);
    const hashSpy = jest.spyOn(bcrypt, 'hash');
    try {
      const header = `Basic ${Buffer.from(`alice@example.org:${ALICE_PASSWORD}`).toString('base64')}`;
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => request(t.app).get('/v1/projects').set('X-Forwarded-Proto', 'https').set('Authorization', header)),
      );
      expect(responses.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
      expect(update).toHaveBeenCalledTimes(1);
      expect(hashSpy.mock.calls.filter(([, rounds]) => rounds === 11)).toHaveLength(1);
      expect(await storedCost(t)).toBe(11);
    } finally {
      hashSpy.mockRestore();
    }
  });
});
