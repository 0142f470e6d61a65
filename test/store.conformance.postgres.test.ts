import { Pool } from 'pg';
import { describeStoreConformance } from '../src/store/conformance';
import { PostgresStore } from '../src/store/postgres';
import { realNow } from './helpers/clock';
import { monthWindow } from '../src/rate-limits/policy';
import { useMigratedSchema } from './helpers/services';

// Each run and jest worker gets its own schema, dropped afterwards.
const { schema, pool } = useMigratedSchema('gatehouse_test_conformance');

describeStoreConformance('PostgresStore', () => new PostgresStore({ pool: pool(), schema }), { parts: ['tokens', 'revocations', 'attempts', 'secondFactors', 'identities', 'limits', 'providerSessions'] });

describe('PostgresStore sweepExpired', () => {
  it('should remove expired tokens, revocations, counters and provider-session entries, and nothing else', async () => {
    const now = realNow();
    const store = new PostgresStore({ pool: pool(), schema, now: () => now });
    await pool().query(`TRUNCATE "${schema}".gatehouse_tokens, "${schema}".gatehouse_revocations, "${schema}".gatehouse_attempts, "${schema}".gatehouse_limits, "${schema}".gatehouse_provider_sessions`);
    const token = (hash: string, expiresAt: number | null) => ({ hash, kind: 'session' as const, actorId: 'sweep-actor', createdAt: now - 1000, expiresAt });
    await store.saveToken(token('expired', now - 1));
    await store.saveToken(token('expires-now', now));
    await store.saveToken(token('valid', now + 1));
    await store.saveToken(token('forever', null));
    await store.saveRevocation('old-jti', now - 5000, now - 1);
    await store.saveRevocation('live-jti', now - 5000, now + 60_000);
    const policy = { maxAttempts: 2, windowMs: 10_000, lockMs: 60_000 };
    await store.recordFailedAttempt('window-over', policy, now - 10_000);
    await store.recordFailedAttempt('window-open', policy, now - 5_000);
    await store.recordFailedAttempt('locked', policy, now - 30_000);
    await store.recordFailedAttempt('locked', policy, now - 30_000);
    const limit = (subject: string) => [{ subject, name: 'burst', limit: 5, window: 10_000, quota: false }];
    await store.consumeLimits(limit('key:over'), 1, now - 20_000, monthWindow(now)); // its window ended at least 10 s ago
    await store.consumeLimits(limit('key:open'), 1, now, monthWindow(now));
    await store.saveProviderSession({ issuer: 'https://id.example.org', sid: 'ended', actorId: 'sweep-actor', expiresAt: now });
    await store.saveProviderSession({ issuer: 'https://id.example.org', sid: 'live', actorId: 'sweep-actor', expiresAt: now + 20_000 });

    expect(await store.sweepExpired()).toEqual({ tokens: 2, revocations: 1, attempts: 1, oneTimeUses: 0, limits: 1, providerSessions: 1 });

    expect(await store.findToken('expired')).toBeNull();
    expect(await store.findToken('expires-now')).toBeNull();
    expect(await store.findToken('valid')).not.toBeNull();
    expect(await store.findToken('forever')).not.toBeNull();
    expect(await store.findRevocations(['old-jti', 'live-jti'])).toEqual([null, now - 5000]);
    expect(await store.readAttempts('window-open', now)).toEqual({ count: 1, lockedUntil: null });
    expect(await store.readAttempts('locked', now)).toEqual({ count: 2, lockedUntil: now + 30_000 });
    expect(await store.findProviderSessionActors('https://id.example.org', 'live', now)).toEqual(['sweep-actor']);
    expect(await store.sweepExpired(now + 31_000)).toEqual({ tokens: 1, revocations: 0, attempts: 2, oneTimeUses: 0, limits: 1, providerSessions: 1 });
  });

  it('should refuse a pool without connectionTimeoutMillis, naming the option', () => {
    const unbounded = new Pool({ connectionString: 'postgres://127.0.0.1:1/none' });
    expect(() => new PostgresStore({ pool: unbounded })).toThrow(/connectionTimeoutMillis/);
    return unbounded.end();
  });

  it('should refuse a schema name that is not a plain identifier', () => {
    expect(() => new PostgresStore({ pool: pool(), schema: 'auth"; DROP TABLE x; --' })).toThrow(/schema must be a name/);
  });
});
