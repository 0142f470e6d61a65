import { gatehouse, MemoryStore } from '../src';

const store = new MemoryStore({ passwordCost: 10 });
const secret = 'a-cookie-secret-of-at-least-32-characters';

describe('cookie options are validated at construction', () => {
  it.each([
    [{ secret: 'short' }, /cookie.secret must be a string of at least 32 characters/],
    [{ secret, sameSite: 'none' }, /allowSameSiteNone: true/],
    [{ secret, sameSite: 'auto' }, /sameSite must be 'lax' \(default\) or 'strict'/],
    [{ secret, secure: false, name: '__Host-x' }, /needs secure: true/],
    [{ secret, trustedOrigins: ['https://a.example/path'] }, /is not an origin/],
    [{ secret, idleTimeout: 10 }, /idleTimeout must be whole milliseconds/],
    [{ secret, idleTimeout: 7200000, absoluteTimeout: 3600000 }, /idleTimeout must not be longer than absoluteTimeout/],
    [{ secret, maxAge: 5 }, /maxAge is not an option/],
    [{ secret, store: {} }, /store must be an express-session Store/],
  ])('%j throws a TypeError naming the option', (cookie, message) => {
    expect(() => gatehouse({ store, cookie } as never)).toThrow(TypeError);
    expect(() => gatehouse({ store, cookie } as never)).toThrow(message);
  });

  it("accepts sameSite 'none' only when forced, and a strict cookie", () => {
    expect(() => gatehouse({ store, cookie: { secret, sameSite: 'none' as never, allowSameSiteNone: true } })).not.toThrow();
    expect(() => gatehouse({ store, cookie: { secret, sameSite: 'strict' } })).not.toThrow();
  });
});
