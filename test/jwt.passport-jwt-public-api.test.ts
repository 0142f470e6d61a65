/**
 * `JwtStrategy` uses passport-jwt through its public API only: its constructor options and
 * `authenticate`, run as passport runs a strategy. Writing its private fields (`_verifOpts`,
 * `_secretOrKeyProvider`, `_jwtFromRequest`, `_verify`, `_passReqToCallback`) would break on
 * any passport-jwt release that renames them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Strategy as PassportJwtStrategy } from 'passport-jwt';
import { JwtStrategy, MemoryStore } from '../src';
import { forge, JWT_OPTIONS, localClaims } from './helpers/jwt';

describe('JwtStrategy and passport-jwt', () => {
  it('writes no private field of passport-jwt anywhere in the source', () => {
    const source = readFileSync(join(__dirname, '../src/schemes/jwt/strategy.ts'), 'utf8');
    expect(source.match(/\b_(verifOpts|secretOrKeyProvider|jwtFromRequest|verify|passReqToCallback)\b/g)).toBeNull();
  });

  it('is still a passport-jwt Strategy, leaving the fields passport-jwt set untouched per request', async () => {
    const strategy = new JwtStrategy({ jwt: JWT_OPTIONS, store: new MemoryStore() });
    expect(strategy).toBeInstanceOf(PassportJwtStrategy);
    const before = { ...(strategy as unknown as Record<string, unknown>) };
    const attempt = Object.create(strategy) as JwtStrategy & Record<string, unknown>;
    let outcome = '';
    const reported = new Promise<void>((resolve) => {
      Object.assign(attempt, { fail: () => ((outcome = 'fail'), resolve()), success: () => ((outcome = 'success'), resolve()), error: () => ((outcome = 'error'), resolve()) });
    });
    attempt.authenticate({ headers: { authorization: `Bearer ${forge(localClaims('u-1', Math.floor(Date.now() / 1000)), 'a-different-secret-that-is-32-bytes-long')}` } } as never);
    await reported;
    expect(outcome).toBe('fail');
    expect(Object.keys(attempt).filter((key) => key.startsWith('_'))).toEqual([]);
    expect({ ...(strategy as unknown as Record<string, unknown>) }).toEqual(before);
  });
});
