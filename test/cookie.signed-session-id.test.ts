import fc from 'fast-check';
import cookieSignature from 'cookie-signature';
import { SignedSessionIds } from '../src/schemes/cookie/signed-session-id';

const SECRET = 'a-cookie-secret-of-at-least-32-characters';
const OLDER = 'an-older-cookie-secret-of-32-chars-or-more';
const signed = (sid: string, secret = SECRET) => `s:${cookieSignature.sign(sid, secret)}`;

/** express-session's own reading of a session cookie value: `s:` and a signature by any listed secret. */
function reference(value: string, secrets: readonly string[]): string | undefined {
  if (!value.startsWith('s:')) return undefined;
  for (const secret of secrets) {
    const sid = cookieSignature.unsign(value.slice(2), secret);
    if (sid !== false) return sid;
  }
  return undefined;
}

/**
 * Issue 20's cookie rows: a cookie's signature is checked once per distinct value, then
 * remembered by its digest; the answers are express-session's, first time or not.
 */
describe('SignedSessionIds', () => {
  afterEach(() => jest.restoreAllMocks());

  it('reads the session id and checks the signature of a value only the first time it is seen', () => {
    const ids = new SignedSessionIds([SECRET]);
    const unsign = jest.spyOn(cookieSignature, 'unsign');
    const value = signed('the-session-id');
    expect([ids.sessionIdOf(value), ids.sessionIdOf(value), ids.sessionIdOf(value)]).toEqual(['the-session-id', 'the-session-id', 'the-session-id']);
    expect(unsign).toHaveBeenCalledTimes(1);
  });

  it('refuses a tampered value even after the genuine one was remembered, and never remembers a refusal', () => {
    const ids = new SignedSessionIds([SECRET]);
    const value = signed('the-session-id');
    expect(ids.sessionIdOf(value)).toBe('the-session-id');
    const unsign = jest.spyOn(cookieSignature, 'unsign');
    const otherId = value.replace('the-session-id', 'the-session-ie');
    const otherSignature = `${value.slice(0, -2)}${value.endsWith('AA') ? 'AB' : 'AA'}`;
    for (const tampered of [otherId, otherSignature, `${value}x`, value.slice(0, -1), 's:the-session-id', 'the-session-id']) {
      expect(ids.sessionIdOf(tampered)).toBeUndefined();
      expect(ids.sessionIdOf(tampered)).toBeUndefined();
    }
    // Each signed-looking refusal was checked both times: nothing wrong was remembered.
    expect(unsign.mock.calls.length).toBe(10);
  });

  it('accepts a value signed by any listed secret, and refuses one whose secret is no longer listed', () => {
    const both = new SignedSessionIds([SECRET, OLDER]);
    expect(both.sessionIdOf(signed('sid-1', OLDER))).toBe('sid-1');
    expect(new SignedSessionIds([SECRET]).sessionIdOf(signed('sid-1', OLDER))).toBeUndefined();
  });

  it("gives express-session's answer for any value, secrets and order of reads", () => {
    const sid = fc.string({ minLength: 0, maxLength: 40 });
    const value = fc.oneof(
      sid.map((id) => signed(id)),
      sid.map((id) => signed(id, OLDER)),
      fc.tuple(sid, fc.string({ maxLength: 3 })).map(([id, junk]) => `${signed(id)}${junk}`),
      fc.tuple(sid, fc.nat(60)).map(([id, cut]) => signed(id).slice(0, cut)),
      fc.string({ maxLength: 60 }),
      fc.string({ maxLength: 60 }).map((text) => `s:${text}`),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 12 }), fc.boolean(), (values, withOlder) => {
        const secrets = withOlder ? [SECRET, OLDER] : [SECRET];
        const ids = new SignedSessionIds(secrets);
        // Every value twice, interleaved: the second answer may come from what was remembered.
        for (const v of [...values, ...values.reverse()]) expect(ids.sessionIdOf(v)).toBe(reference(v, secrets));
      }),
      { numRuns: 300 },
    );
  });

  it('remembers at most 10 000 values, forgetting the oldest first', () => {
    const ids = new SignedSessionIds([SECRET]);
    const first = signed('sid-0');
    ids.sessionIdOf(first);
    for (let i = 1; i <= 10_000; i += 1) ids.sessionIdOf(signed(`sid-${i}`));
    const unsign = jest.spyOn(cookieSignature, 'unsign');
    // The newest is still remembered; the first was pushed out and is checked again (and still right).
    expect(ids.sessionIdOf(signed('sid-10000'))).toBe('sid-10000');
    expect(unsign).toHaveBeenCalledTimes(0);
    expect(ids.sessionIdOf(first)).toBe('sid-0');
    expect(unsign).toHaveBeenCalledTimes(1);
  });
});
