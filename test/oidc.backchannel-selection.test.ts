/**
 * Which listed credentials a back-channel logout ends (`credentialsToEnd`, pure): those that
 * record the ended provider session — its issuer and, when the logout token names one, its
 * `sid` — wherever their kind keeps it, each refresh family once, in the order listed; and
 * only those created by the logout token's `iat` plus the clock-skew allowance, never a
 * sign-in made after.
 */
import { credentialsToEnd } from '../src/oidc/backchannel-selection';
import { LOGOUT_TOKEN_CLOCK_SKEW } from '../src/oidc/logout-token';
import type { StoredTokenKind, TokenRecord } from '../src/store/types';

const ISSUER = 'https://idp.example.org';
const OTHER_ISSUER = 'https://other-idp.example.org';
/** The logout tokens' `iat` (ms): every record below is created at 0, long before, unless a test says otherwise. */
const ISSUED_AT = 1_700_000_000_000;

let sequence = 0;

/** A stored credential of `kind` from the provider session (`issuer`, `sid`), kept where that kind keeps it; `session: null` for one from no provider. */
function record(kind: StoredTokenKind, session: { issuer: unknown; sid?: unknown } | null, familyId: string | null = null): TokenRecord {
  sequence += 1;
  const identityProvider = session ?? undefined;
  const data = kind === 'cookie' ? { gatehouse: { identityProvider } } : { identityProvider };
  return { hash: `hash-${sequence}`, id: `id-${sequence}`, kind, actorId: 'alice', createdAt: 0, expiresAt: null, familyId, data };
}

const hashes = (records: TokenRecord[]) => records.map((chosen) => chosen.hash);

describe('credentialsToEnd', () => {
  it('should choose the cookie session, the session token and the refresh token of the ended session, in the order listed', () => {
    const listed = [record('cookie', { issuer: ISSUER, sid: 's1' }), record('session', { issuer: ISSUER, sid: 's1' }), record('refresh', { issuer: ISSUER, sid: 's1' }, 'family-1')];
    expect(hashes(credentialsToEnd(listed, { issuer: ISSUER, sid: 's1', issuedAt: ISSUED_AT }))).toEqual(hashes(listed));
  });

  it("should leave another session's credentials, another provider's, and those from no provider", () => {
    const ended = record('session', { issuer: ISSUER, sid: 's1' });
    const listed = [
      record('session', { issuer: ISSUER, sid: 's2' }),
      record('cookie', { issuer: ISSUER, sid: null }),
      record('session', { issuer: OTHER_ISSUER, sid: 's1' }),
      record('session', null),
      record('personal', null),
      ended,
    ];
    expect(hashes(credentialsToEnd(listed, { issuer: ISSUER, sid: 's1', issuedAt: ISSUED_AT }))).toEqual([ended.hash]);
  });

  it('should choose every session of the subject at that provider when the logout token names no sid', () => {
    const ofIssuer = [record('session', { issuer: ISSUER, sid: 's1' }), record('cookie', { issuer: ISSUER, sid: 's2' }), record('refresh', { issuer: ISSUER }, 'family-1')];
    const listed = [...ofIssuer, record('session', { issuer: OTHER_ISSUER, sid: 's1' }), record('session', null)];
    expect(hashes(credentialsToEnd(listed, { issuer: ISSUER, sid: null, issuedAt: ISSUED_AT }))).toEqual(hashes(ofIssuer));
  });

  it('should choose a refresh family once, by its first token listed, and each family of the session', () => {
    const first = record('refresh', { issuer: ISSUER, sid: 's1' }, 'family-1');
    const rotated = record('refresh', { issuer: ISSUER, sid: 's1' }, 'family-1');
    const another = record('refresh', { issuer: ISSUER, sid: 's1' }, 'family-2');
    expect(hashes(credentialsToEnd([first, rotated, another, rotated], { issuer: ISSUER, sid: 's1', issuedAt: ISSUED_AT }))).toEqual([first.hash, another.hash]);
  });

  it("should choose both credentials of one login (a session token and a cookie sharing the login's family)", () => {
    const listed = [record('session', { issuer: ISSUER, sid: 's1' }, 'login-1'), record('cookie', { issuer: ISSUER, sid: 's1' }, 'login-1')];
    expect(hashes(credentialsToEnd(listed, { issuer: ISSUER, sid: 's1', issuedAt: ISSUED_AT }))).toEqual(hashes(listed));
  });

  it('should not take a provider session kept where the kind does not keep it, nor one without an issuer', () => {
    const misplaced: TokenRecord = { ...record('cookie', null), data: { identityProvider: { issuer: ISSUER, sid: 's1' } } };
    const appUser = record('appUser', { issuer: ISSUER, sid: 's1' });
    const withoutIssuer = record('session', { issuer: 42, sid: 's1' });
    expect(credentialsToEnd([misplaced, appUser, withoutIssuer], { issuer: ISSUER, sid: 's1', issuedAt: ISSUED_AT })).toEqual([]);
  });

  describe('the bound: created by iat plus the clock-skew allowance', () => {
    const bound = ISSUED_AT + LOGOUT_TOKEN_CLOCK_SKEW;
    const createdAt = (at: number): TokenRecord => ({ ...record('session', { issuer: ISSUER, sid: 's1' }), createdAt: at });

    it('should choose a credential created one ms before the bound, and one created exactly at it', () => {
      const listed = [createdAt(bound - 1), createdAt(bound)];
      expect(hashes(credentialsToEnd(listed, { issuer: ISSUER, sid: 's1', issuedAt: ISSUED_AT }))).toEqual(hashes(listed));
    });

    it('should choose a credential created after iat but within the allowance (a provider clock behind ours)', () => {
      const listed = [createdAt(ISSUED_AT + 1)];
      expect(hashes(credentialsToEnd(listed, { issuer: ISSUER, sid: 's1', issuedAt: ISSUED_AT }))).toEqual(hashes(listed));
    });

    it('should leave a credential created one ms after the bound: a sign-in made since, by sid or by subject', () => {
      const before = createdAt(bound);
      const after = createdAt(bound + 1);
      expect(hashes(credentialsToEnd([before, after], { issuer: ISSUER, sid: 's1', issuedAt: ISSUED_AT }))).toEqual([before.hash]);
      expect(hashes(credentialsToEnd([after, before], { issuer: ISSUER, sid: null, issuedAt: ISSUED_AT }))).toEqual([before.hash]);
    });

    it('should judge a refresh family by each token listed: a family chosen by an older token listed later still is', () => {
      const rotatedAfter: TokenRecord = { ...record('refresh', { issuer: ISSUER, sid: 's1' }, 'family-1'), createdAt: bound + 1 };
      const first: TokenRecord = { ...record('refresh', { issuer: ISSUER, sid: 's1' }, 'family-1'), createdAt: bound - 1 };
      expect(hashes(credentialsToEnd([rotatedAfter, first], { issuer: ISSUER, sid: 's1', issuedAt: ISSUED_AT }))).toEqual([first.hash]);
    });
  });

  it('should choose nothing from nothing listed', () => {
    expect(credentialsToEnd([], { issuer: ISSUER, sid: null, issuedAt: ISSUED_AT })).toEqual([]);
  });
});
