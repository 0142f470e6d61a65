/**
 * Fixtures for the password scenarios: a MemoryStore with cheap bcrypt, the password
 * parts wired as gatehouse() will wire them, and a tiny Express app that uses the Basic
 * strategy through a fresh Passport instance, as a host with its own passport would.
 */
import bcrypt from 'bcrypt';
import express, { type Express, type Response } from 'express';
import { Passport } from 'passport';
import { GatehouseError, isGatehouseError, problemDetails } from '../../src/errors';
import { PasswordHasher, type PasswordHasherOptions } from '../../src/passwords/hasher';
import { Lockout, type LockoutOptions } from '../../src/passwords/lockout';
import { PasswordCheck } from '../../src/passwords/password-check';
import { VerificationCache, type VerificationCacheOptions } from '../../src/passwords/verification-cache';
import { MemoryStore } from '../../src/store/memory';
import { HttpsBasicStrategy, type HttpsBasicStrategyOptions } from '../../src/schemes/basic/strategy';
import type { Actor } from '../../src/actor';
import { realNow } from './clock';

export const ALICE_LOGIN = 'alice@example.org';
export const ALICE_PASSWORD = 'correct horse battery';

/** A clock the test moves by hand. */
export interface TestClock {
  now: () => number;
  advance(ms: number): void;
}

export function testClock(start = realNow()): TestClock {
  let current = start;
  return { now: () => current, advance: (ms) => void (current += ms) };
}

export interface PasswordFixture {
  store: MemoryStore;
  hasher: PasswordHasher;
  lockout: Lockout;
  cache: VerificationCache;
  passwordCheck: PasswordCheck;
  clock: TestClock;
  alice: Actor;
}

export interface PasswordFixtureOptions {
  hasher?: PasswordHasherOptions;
  lockout?: LockoutOptions | false;
  cache?: VerificationCacheOptions;
  clock?: TestClock;
}

/** Store with alice (cost 10), hasher at cost 10, lockout and cache on the same clock. */
export async function passwordFixture(options: PasswordFixtureOptions = {}): Promise<PasswordFixture> {
  const clock = options.clock ?? testClock();
  const store = new MemoryStore({ passwordCost: 10 });
  const alice = await store.addUser({ login: ALICE_LOGIN, password: ALICE_PASSWORD, roles: ['admin'] });
  const hasher = new PasswordHasher({ cost: 10, ...options.hasher });
  const lockout = new Lockout({ store, options: options.lockout, now: clock.now });
  const cache = new VerificationCache({ ...options.cache, now: clock.now });
  const passwordCheck = new PasswordCheck({ store, hasher, lockout, cache, now: clock.now });
  return { store, hasher, lockout, cache, passwordCheck, clock, alice };
}

/** Renders an outcome the way the Gatehouse middleware will: problem+json, headers from the error. */
function sendProblem(res: Response, error: GatehouseError, strategy?: HttpsBasicStrategy): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  if (strategy?.challenge && error.status === 401) res.setHeader('WWW-Authenticate', strategy.challengeHeader);
  res.status(error.status).type('application/problem+json').send(JSON.stringify(problemDetails(error)));
}

export interface BasicApp {
  app: Express;
  strategy: HttpsBasicStrategy;
}

/**
 * `GET /me` behind `passport.authenticate('basic', { session: false }, callback)` on a
 * fresh Passport instance, and `GET /plain` behind passport's own rendering (no callback).
 */
export function basicApp(
  passwordCheck: PasswordCheck,
  options: { trustProxy?: boolean | number | string; strategy?: Omit<HttpsBasicStrategyOptions, 'passwordCheck'> } = {},
): BasicApp {
  const strategy = new HttpsBasicStrategy({ passwordCheck, ...options.strategy });
  const passport = new Passport();
  passport.use(strategy);
  const app = express();
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);
  app.get('/me', (req, res, next) => {
    passport.authenticate('basic', { session: false }, (error: unknown, user: Actor | false, challenge: unknown) => {
      if (error) return sendProblem(res, isGatehouseError(error) ? error : new GatehouseError('503.1'), strategy);
      if (!user) return sendProblem(res, isGatehouseError(challenge) ? challenge : new GatehouseError('401.2'), strategy);
      res.json({ user, secure: req.secure });
    })(req, res, next);
  });
  app.get('/plain', passport.authenticate('basic', { session: false }), (req, res) => {
    res.json({ user: req.user, authInfo: req.authInfo });
  });
  return { app, strategy };
}

/** `Basic base64(login:password)`, UTF-8 as RFC 7617 says. */
export function basicHeader(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`;
}

/** Counts bcrypt calls and how many run at once, by wrapping the real functions. */
export interface BcryptProbe {
  hashCalls: number;
  compareCalls: number;
  inFlight: number;
  maxInFlight: number;
  restore(): void;
}

type Compare = (data: string | Buffer, encrypted: string) => Promise<boolean>;
type Hash = (data: string | Buffer, saltOrRounds: string | number) => Promise<string>;

export function probeBcrypt(): BcryptProbe {
  const originalCompare = bcrypt.compare as unknown as Compare;
  const originalHash = bcrypt.hash as unknown as Hash;
  const probe: BcryptProbe = {
    hashCalls: 0,
    compareCalls: 0,
    inFlight: 0,
    maxInFlight: 0,
    restore: () => {
      compareSpy.mockRestore();
      hashSpy.mockRestore();
    },
  };
  const track = async <T>(operation: () => Promise<T>): Promise<T> => {
    probe.inFlight += 1;
    probe.maxInFlight = Math.max(probe.maxInFlight, probe.inFlight);
    try {
      return await operation();
    } finally {
      probe.inFlight -= 1;
    }
  };
  const compareSpy = jest.spyOn(bcrypt, 'compare').mockImplementation(((data: string | Buffer, encrypted: string) => {
    probe.compareCalls += 1;
    return track(() => originalCompare(data, encrypted));
  }) as never);
  const hashSpy = jest.spyOn(bcrypt, 'hash').mockImplementation(((data: string | Buffer, rounds: string | number) => {
    probe.hashCalls += 1;
    return track(() => originalHash(data, rounds));
  }) as never);
  return probe;
}
