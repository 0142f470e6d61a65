/**
 * Which native app codes a back-channel logout refuses (`oidc/ended-provider-sessions.ts`,
 * pure): the logout records its provider session — or, with no `sid`, its subject — under a key
 * of its own among the revocations, with the logout token's `iat`, for as long as a code it
 * refuses may be traded; a code is refused when a logout of its session or subject was issued
 * by its making plus the clock skew allowed, never for a sign-in made after.
 */
import type { AppCode } from '../src/oidc/app-code';
import { APP_CODE_CLOCK_SKEW, APP_CODE_TTL } from '../src/oidc/app-code';
import { appCodeSessionEnded, endedProviderSessionEntry, endedProviderSessionKeysOf } from '../src/oidc/ended-provider-sessions';
import { LOGOUT_TOKEN_CLOCK_SKEW } from '../src/oidc/logout-token';

const ISSUER = 'https://idp.example.org';
const NOW = 1_700_000_000_000;

function code(sid: string | null, subject = 'alice', issuedAt = NOW): AppCode {
  return { id: 'c', provider: 'p', actorId: 'a', provenAt: issuedAt, amr: ['pwd'], identityProvider: { issuer: ISSUER, sid }, subject, credentials: 'token', codeChallenge: 'x'.repeat(43), issuedAt };
}

/** What `findRevocations` answers for the code's keys after the given entries were saved. */
function lookUp(appCode: AppCode, saved: Array<{ key: string; endedAt: number }>): Array<number | null> {
  return endedProviderSessionKeysOf(appCode).map((key) => saved.find((entry) => entry.key === key)?.endedAt ?? null);
}

describe('endedProviderSessionEntry', () => {
  it('should key a session by issuer and sid, and a subject apart from any session, with a prefix of its own and no NUL byte', () => {
    const bySid = endedProviderSessionEntry(ISSUER, { jti: 'j', iat: NOW, sub: null, sid: 'sub' }, NOW);
    const bySub = endedProviderSessionEntry(ISSUER, { jti: 'j', iat: NOW, sub: 'sub', sid: null }, NOW);
    expect(bySid.key).toBe(`oidc-ended-session:${JSON.stringify([ISSUER, 'sub'])}`);
    expect(bySub.key).toBe(`oidc-ended-session:${JSON.stringify([ISSUER, 'sub', 'sub'])}`);
    const withNul = endedProviderSessionEntry(ISSUER, { jti: 'j', iat: NOW, sub: null, sid: 'a\u0000b' }, NOW);
    expect(withNul.key).not.toContain('\u0000');
    // With both claims, only that session ends (not every session of the subject).
    expect(endedProviderSessionEntry(ISSUER, { jti: 'j', iat: NOW, sub: 'alice', sid: 's1' }, NOW).key).toBe(`oidc-ended-session:${JSON.stringify([ISSUER, 's1'])}`);
  });

  it("should keep the entry an app code's lifetime past now, and past the last sign-in it refuses when the provider's clock is ahead", () => {
    expect(endedProviderSessionEntry(ISSUER, { jti: 'j', iat: NOW - 60_000, sub: 'alice', sid: null }, NOW)).toMatchObject({ endedAt: NOW - 60_000, expiresAt: NOW + APP_CODE_TTL + APP_CODE_CLOCK_SKEW });
    const ahead = NOW + 120_000;
    expect(endedProviderSessionEntry(ISSUER, { jti: 'j', iat: ahead, sub: 'alice', sid: null }, NOW).expiresAt).toBe(ahead + LOGOUT_TOKEN_CLOCK_SKEW + APP_CODE_TTL + APP_CODE_CLOCK_SKEW);
  });
});

describe('appCodeSessionEnded', () => {
  const logoutOf = (claims: { sub: string; sid: string | null } | { sub: null; sid: string }, iat = NOW) => endedProviderSessionEntry(ISSUER, { jti: 'j', iat, ...claims }, NOW);

  it("should refuse a code of the ended session, or of the logged-out subject, and not another session's or subject's", () => {
    const ended = [logoutOf({ sub: null, sid: 's1' }), logoutOf({ sub: 'bob', sid: null })];
    expect(appCodeSessionEnded(code('s1'), lookUp(code('s1'), ended))).toBe(true);
    expect(appCodeSessionEnded(code('s2'), lookUp(code('s2'), ended))).toBe(false);
    expect(appCodeSessionEnded(code(null), lookUp(code(null), ended))).toBe(false);
    expect(appCodeSessionEnded(code('s2', 'bob'), lookUp(code('s2', 'bob'), ended))).toBe(true);
    expect(appCodeSessionEnded(code(null, 'bob'), lookUp(code(null, 'bob'), ended))).toBe(true);
    // A subject named "s1" is not the session s1.
    expect(appCodeSessionEnded(code('s3', 's1'), lookUp(code('s3', 's1'), ended))).toBe(false);
  });

  it("should refuse a code made by the logout token's iat plus the clock skew, and take one made later", () => {
    const iat = NOW;
    const ended = [logoutOf({ sub: null, sid: 's1' }, iat)];
    const made = (at: number) => code('s1', 'alice', at);
    expect(appCodeSessionEnded(made(iat - 1000), lookUp(made(iat - 1000), ended))).toBe(true);
    expect(appCodeSessionEnded(made(iat + LOGOUT_TOKEN_CLOCK_SKEW), lookUp(made(iat + LOGOUT_TOKEN_CLOCK_SKEW), ended))).toBe(true);
    expect(appCodeSessionEnded(made(iat + LOGOUT_TOKEN_CLOCK_SKEW + 1), lookUp(made(iat + LOGOUT_TOKEN_CLOCK_SKEW + 1), ended))).toBe(false);
  });

  it('should read only the subject for a code whose provider named no session', () => {
    expect(endedProviderSessionKeysOf(code(null))).toEqual([`oidc-ended-session:${JSON.stringify([ISSUER, 'sub', 'alice'])}`]);
    expect(endedProviderSessionKeysOf(code('s1'))).toHaveLength(2);
  });
});
