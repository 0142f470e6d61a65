/**
 * A client that disconnects while its password check waits in the bcrypt queue costs no
 * bcrypt: the check is dropped, the queue drains, nothing is counted towards the lockout,
 * and nothing is left rejecting unhandled.
 */
import bcrypt from 'bcrypt';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ALICE_PASSWORD, BOB_PASSWORD, buildApp, type TestApp } from './helpers/app';
import { JWT_OPTIONS } from './helpers/jwt';

type Compare = (data: string | Buffer, encrypted: string) => Promise<boolean>;

const settle = () => new Promise((resolve) => setImmediate(resolve));

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

/** Counts bcrypt.compare runs; holds the first one until `release()`. */
function countAndHoldFirst() {
  const original = bcrypt.compare as unknown as Compare;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const probe = { runs: 0, release: () => release(), restore: () => spy.mockRestore() };
  const spy = jest.spyOn(bcrypt, 'compare').mockImplementation(((data: string, encrypted: string) => {
    probe.runs += 1;
    return probe.runs === 1 ? released.then(() => original(data, encrypted)) : original(data, encrypted);
  }) as never);
  return probe;
}

/** Sends a request on its own connection and returns a function that drops that connection. */
function connectAndDrop(port: number, options: http.RequestOptions, body?: string): () => void {
  const req = http.request({ host: '127.0.0.1', port, agent: false, ...options });
  req.on('error', () => undefined); // the socket is ours to destroy
  req.end(body);
  return () => req.destroy();
}

describe('Abandoned password checks do not run', () => {
  let server: http.Server;
  let t: TestApp;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeEach(async () => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
    t = await buildApp({ passwords: { cost: 10, maxConcurrent: 1, maxQueue: 20 }, basic: { cache: false }, jwt: JWT_OPTIONS });
    t.app.set('trust proxy', 'loopback');
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    process.off('unhandledRejection', onUnhandled);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('should drop queued login, JWT and Basic checks whose clients left, and count nothing', async () => {
    const port = (server.address() as AddressInfo).port;
    const probe = countAndHoldFirst();
    try {
      const holder = request(server).post('/v1/sessions').send({ login: 'bob@example.org', password: BOB_PASSWORD }).then((res) => res);
      await until(() => t.auth.passwords.active === 1);

      const json = (body: object) => ({ method: 'POST', path: '/v1/sessions', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const drops: Array<() => void> = [];
      for (const password of ['wrong 1', 'wrong 2', ALICE_PASSWORD]) {
        const { body, ...options } = json({ login: 'alice@example.org', password });
        drops.push(connectAndDrop(port, options, body));
      }
      const { body: unknownBody, ...unknownOptions } = json({ login: 'nobody@example.org', password: 'wrong' });
      drops.push(connectAndDrop(port, unknownOptions, unknownBody));
      const { body: jwtBody, ...jwtOptions } = json({ login: 'alice@example.org', password: 'wrong 5' });
      drops.push(connectAndDrop(port, { ...jwtOptions, path: '/v1/jwt/authenticate' }, jwtBody));
      for (const password of ['wrong 3', 'wrong 4']) {
        drops.push(
          connectAndDrop(port, {
            method: 'GET',
            path: '/v1/projects',
            headers: { 'X-Forwarded-Proto': 'https', Authorization: `Basic ${Buffer.from(`alice@example.org:${password}`).toString('base64')}` },
          }),
        );
      }
      await until(() => t.auth.passwords.waiting === drops.length);
      for (const drop of drops) drop();
      await until(() => t.auth.passwords.waiting === 0);

      probe.release();
      expect((await holder).status).toBe(200);
      await settle();
      expect(probe.runs).toBe(1); // the holder's check only
      expect(t.auth.passwords.active).toBe(0);
      expect(t.auth.passwords.waiting).toBe(0);
      for (const key of ['alice@example.org', `actor:${t.alice.id}`, 'nobody@example.org']) {
        expect(await t.store.readAttempts(key, Date.now())).toEqual({ count: 0, lockedUntil: null });
      }
      const after = await request(server).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
      expect(after.status).toBe(200);
      expect(after.body.previousAccessFailedCount).toBe(0);
      expect(unhandled).toEqual([]);
    } finally {
      probe.release();
      probe.restore();
    }
  });

  it('should still run a queued check whose client waits, after dropped ones ahead of it', async () => {
    const port = (server.address() as AddressInfo).port;
    const probe = countAndHoldFirst();
    try {
      const holder = request(server).post('/v1/sessions').send({ login: 'bob@example.org', password: BOB_PASSWORD }).then((res) => res);
      await until(() => t.auth.passwords.active === 1);
      const body = JSON.stringify({ login: 'alice@example.org', password: 'wrong' });
      const drop = connectAndDrop(port, { method: 'POST', path: '/v1/sessions', headers: { 'Content-Type': 'application/json' } }, body);
      await until(() => t.auth.passwords.waiting === 1);
      const patient = request(server).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD }).then((res) => res);
      await until(() => t.auth.passwords.waiting === 2);
      drop();
      await until(() => t.auth.passwords.waiting === 1);
      probe.release();
      expect((await holder).status).toBe(200);
      const res = await patient;
      expect(res.status).toBe(200);
      expect(res.body.previousAccessFailedCount).toBe(0);
      expect(probe.runs).toBe(2);
      expect(unhandled).toEqual([]);
    } finally {
      probe.release();
      probe.restore();
    }
  });
});

describe('PasswordHasher with a signal', () => {
  it('should reject a queued check with the signal reason, without bcrypt or its beforeRun, and free its place', async () => {
    const { PasswordHasher } = await import('../src/passwords/hasher');
    const hasher = new PasswordHasher({ cost: 10, maxConcurrent: 1, maxQueue: 1 });
    const probe = countAndHoldFirst();
    try {
      const hash = await bcrypt.hash('secret', 10);
      const running = hasher.verify('secret', hash);
      await settle();
      const controller = new AbortController();
      const beforeRun = jest.fn(async () => undefined);
      const queued = hasher.verify('guess', hash, { signal: controller.signal, beforeRun });
      expect(hasher.waiting).toBe(1);
      controller.abort(new Error('gone'));
      await expect(queued).rejects.toThrow('gone');
      expect(hasher.waiting).toBe(0);
      // Its place is free again: another check may queue.
      const next = hasher.verify('secret', hash);
      expect(hasher.waiting).toBe(1);
      probe.release();
      await expect(running).resolves.toBe(true);
      await expect(next).resolves.toBe(true);
      expect(beforeRun).not.toHaveBeenCalled();
      expect(probe.runs).toBe(2);
      // An already aborted signal never queues.
      await expect(hasher.verifyDummy('x', { signal: controller.signal })).rejects.toThrow('gone');
    } finally {
      probe.release();
      probe.restore();
    }
  });
});

describe('A shared Basic check whose first client left', () => {
  it('should run again for a client still waiting on the same credentials', async () => {
    const { passwordFixture } = await import('./helpers/passwords');
    const { passwordCheck, hasher, alice } = await passwordFixture({ hasher: { maxConcurrent: 1, maxQueue: 10 } });
    const probe = countAndHoldFirst();
    try {
      const holder = hasher.verifyDummy('occupies the only slot');
      await settle();
      const leaving = new AbortController();
      const input = { login: 'alice@example.org', password: ALICE_PASSWORD, useCache: true };
      const first = passwordCheck.check({ ...input, signal: leaving.signal });
      const second = passwordCheck.check({ ...input, signal: new AbortController().signal });
      await until(() => hasher.waiting === 1); // one queued run, shared by both
      leaving.abort(new Error('first client left'));
      await expect(first).rejects.toThrow('first client left');
      probe.release();
      await holder;
      await expect(second).resolves.toMatchObject({ actor: alice, previousAccessFailedCount: 0 });
    } finally {
      probe.release();
      probe.restore();
    }
  });
});
