/**
 * A refresh family begun by a sign-in through an identity provider keeps the provider session
 * recorded in the store for as long as the family lives: each rotation extends the record to
 * its successor's expiry, so a back-channel logout token that names only `sid` still finds a
 * family rotated past its first token's lifetime; and every token of the family carries the
 * session in its record.
 */
import { MemoryStore } from '../src';
import { guardStore } from '../src/store/guard';
import { hashSecret } from '../src/tokens/format';
import { RefreshTokens } from '../src/tokens/refresh-tokens';
import { realNow } from './helpers/clock';

const HOUR = 60 * 60 * 1000;
const MINUTE = 60 * 1000;
const session = { issuer: 'https://id.example.org', sid: 'provider-session-1' };

it('should extend the provider session record with every rotation, past the first token’s lifetime', async () => {
  const store = new MemoryStore({ passwordCost: 10 });
  const start = realNow();
  let now = start;
  const refreshTokens = new RefreshTokens({ store: guardStore(store), ttl: HOUR, now: () => now });
  const first = await refreshTokens.issue('actor-1', start, undefined, undefined, undefined, null, session);
  const actorsAt = (at: number) => store.findProviderSessionActors(session.issuer, session.sid, at);
  expect(await actorsAt(start + HOUR)).toEqual(['actor-1']);

  now = start + 50 * MINUTE;
  const second = await refreshTokens.rotate(first.refresh);
  expect((await store.findToken(hashSecret(second.refresh)))?.data).toMatchObject({ identityProvider: session });
  // The first token's life alone would have ended the record about an hour in; the successor's lasts.
  expect(await actorsAt(start + HOUR + 30 * MINUTE)).toEqual(['actor-1']);
  expect(await actorsAt(start + 50 * MINUTE + HOUR)).toEqual(['actor-1']);
  expect(await actorsAt(start + 50 * MINUTE + 2 * HOUR)).toEqual([]);
});

it('should record nothing for a family begun without a provider session, or by a provider that named no sid', async () => {
  const store = new MemoryStore({ passwordCost: 10 });
  const now = realNow();
  const refreshTokens = new RefreshTokens({ store: guardStore(store), ttl: HOUR, now: () => now });
  const plain = await refreshTokens.issue('actor-1', now);
  const withoutSid = await refreshTokens.issue('actor-1', now, undefined, undefined, undefined, null, { issuer: session.issuer, sid: null });
  expect((await store.findToken(hashSecret(plain.refresh)))?.data).not.toHaveProperty('identityProvider');
  expect((await store.findToken(hashSecret(withoutSid.refresh)))?.data).toMatchObject({ identityProvider: { issuer: session.issuer, sid: null } });
  expect(await store.findProviderSessionActors(session.issuer, session.sid, now)).toEqual([]);
});
