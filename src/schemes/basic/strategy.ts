/**
 * `basic`: `Authorization: Basic …`, accepted over HTTPS only (README, "Basic (HTTPS only)"; RFC 7617).
 *
 * Built on passport-http's `BasicStrategy` so hosts can `passport.use()` it, with what
 * that strategy gets wrong put right: it accepts Basic over plain HTTP, splits the
 * decoded credentials at every colon (so a password containing one is cut short),
 * decodes base64 leniently and as Latin-1-ish `toString()`, answers a malformed header
 * with a bare 400, and verifies through a callback with no lockout, no timing
 * equalisation and no bound on concurrent bcrypt work.
 */
import type { Request } from 'express';
import { BasicStrategyBase, type PassportStrategy } from '../passport-base';
import { GatehouseError } from '../../errors';
import { clientGoneSignal } from '../../passwords/client-gone';
import { isSecureRequest } from '../../request-secure';
import { fail, knownOptions, type OptionNames } from '../../config-error';
import { DEFAULT_AMR, proofInfo } from '../../authentication-proof';
import { hasControlCharacter } from '../../login';
import { basicChallenge, basicRealm, DEFAULT_REALM } from './options';
import { BASIC_DETECTION } from './detection';
import { readOwnAuthorization } from '../detection';
import { reportRejection } from '../outcome';
import { PasswordHasher, resolvePasswordOptions, type PasswordOptions } from '../../passwords/hasher';
import { Lockout, resolveLockoutOptions, type LockoutOptions } from '../../passwords/lockout';
import { PasswordCheck, type PasswordCheckInput } from '../../passwords/password-check';
import { resolveVerificationCacheOptions, VerificationCache, type VerificationCacheOptions } from '../../passwords/verification-cache';
import { guardStore, type Guarded } from '../../store/guard';
import { assertStoreHasMethods } from '../../store/methods';
import type { AttemptStore, CredentialStore } from '../../store/types';

/**
 * Options of {@link HttpsBasicStrategy}: a `store` (and the `passwords`, `lockout` and
 * `basic.cache` options as `gatehouse()` takes them), from which the strategy builds its own
 * {@link PasswordCheck}; or a ready `passwordCheck` to share with a login route.
 */
export interface HttpsBasicStrategyOptions {
  /**
   * Where logins are looked up (`findCredentials`, and `updatePasswordHash` when present) and,
   * unless `lockout: false`, failed attempts counted (`readAttempts`, `recordFailedAttempt`,
   * `clearAttempts`). Give this or `passwordCheck`.
   * @example new HttpsBasicStrategy({ store })
   */
  store?: Pick<CredentialStore, 'findCredentials'> & Partial<Pick<CredentialStore, 'updatePasswordHash'> & AttemptStore>;
  /**
   * bcrypt cost, concurrency cap, queue and pepper, as `gatehouse()`'s `passwords`. Default
   * `{ cost: 12, maxQueue: 100 }`. Only with `store`.
   * @example new HttpsBasicStrategy({ store, passwords: { cost: 12, prehash: { pepper } } })
   */
  passwords?: PasswordOptions;
  /**
   * Failed-attempt lockout, as `gatehouse()`'s `lockout`: after 5 failures within 15 minutes
   * the login is locked for 15 minutes (403.2). `false` turns it off. Only with `store`.
   * @example new HttpsBasicStrategy({ store, lockout: { maxAttempts: 10 } })
   */
  lockout?: LockoutOptions | false;
  /**
   * Remembered successful checks, as `gatehouse()`'s `basic.cache`. Default
   * `{ ttl: 60000, maxEntries: 10000 }`; `false` turns it off. Only with `store`.
   * @example new HttpsBasicStrategy({ store, cache: { ttl: 30_000 } })
   */
  cache?: VerificationCacheOptions | false;
  /**
   * Milliseconds clock for `req.authInfo.authTime` (Basic proves the password on every request,
   * so each request's proof is made now) and, with `store`, for the lockout, the cache and
   * password expiry. Default `Date.now`.
   * @example new HttpsBasicStrategy({ passwordCheck: check, now: () => clock.now() })
   */
  now?: () => number;
  /**
   * A store call that takes longer than this many milliseconds fails closed with 503.1, as
   * `gatehouse()`'s `storeTimeout` does. Default `5000`. A store `gatehouse()` already guards
   * keeps that instance's timeout. Only with `store`.
   * @example new HttpsBasicStrategy({ store, storeTimeout: 2000 })
   */
  storeTimeout?: number;
  /**
   * A login-and-password check built elsewhere, e.g. shared with the host's login route so
   * both count failures against one lockout and queue for one bcrypt pool. Give this or `store`.
   * @example new HttpsBasicStrategy({ passwordCheck: new PasswordCheck({ store, hasher: new PasswordHasher(), lockout: new Lockout({ store }) }) })
   */
  passwordCheck?: PasswordCheck;
  /**
   * Whether 401 answers carry `WWW-Authenticate: Basic …`. Default `false`: a browser
   * that sees the challenge pops up its own login dialog, which API clients never want;
   * turn it on for clients (Excel, Power BI) that only send credentials when challenged.
   * The strategy never writes headers itself; the middleware reads {@link HttpsBasicStrategy.challenge}.
   * @example new HttpsBasicStrategy({ passwordCheck, challenge: true, realm: 'Reports' })
   */
  challenge?: boolean;
  /**
   * The realm named in the challenge; no control characters (quotes and backslashes are
   * escaped). Checked as `gatehouse({ basic: { realm } })` checks it. Default `'api'`, the
   * default of `gatehouse()`'s top-level `realm`.
   * @example { realm: 'Example API' }
   */
  realm?: string;
}

/** The options of {@link HttpsBasicStrategy}; a compile error when it and {@link HttpsBasicStrategyOptions} disagree. */
const OPTION_NAMES: OptionNames<HttpsBasicStrategyOptions> = {
  store: true,
  passwords: true,
  lockout: true,
  cache: true,
  now: true,
  storeTimeout: true,
  passwordCheck: true,
  challenge: true,
  realm: true,
};

/** Standard base64 with correct padding (RFC 4648 §4); anything else is refused, not guessed at. */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Splits a Basic credential into login and password, or returns `null` when it is
 * malformed: not canonical base64, not UTF-8 (RFC 7617 `charset="UTF-8"`), without a
 * colon, with an empty login or password, or with a control character in either. The split is at the FIRST colon: a login
 * cannot contain one (RFC 7617 §2), a password can.
 *
 * @example
 * ```ts
 * decodeBasicCredentials(Buffer.from('alice:pa:ss').toString('base64')); // { login: 'alice', password: 'pa:ss' }
 * ```
 */
export function decodeBasicCredentials(encoded: string): { login: string; password: string } | null {
  if (encoded === '' || !STRICT_BASE64.test(encoded)) return null;
  const bytes = Buffer.from(encoded, 'base64');
  // Non-zero bits in the last character's padding decode the same as zeros; re-encoding catches them.
  if (bytes.toString('base64') !== encoded) return null;
  let decoded: string;
  try {
    decoded = STRICT_UTF8.decode(bytes);
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) return null;
  // RFC 7617 §2: neither part may hold a control character; refused before any store call.
  if (hasControlCharacter(decoded)) return null;
  return { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * What a Basic request gives {@link PasswordCheck.check}. `clientIp` and `signal` are worked out
 * only when the check reads them: `req.ip` only for a `login+ip` lockout (Express works it out
 * from the forwarding chain on every read), and the signal (an AbortController and a 'close'
 * listener) only once bcrypt may run, so never on a cache hit. They are getters of this class
 * rather than of an object literal: a literal with getters gets hidden classes of its own on
 * every request (counted with `npm run bench:instructions`, `bench/RESULTS.md` round 8: it cost
 * Basic a tenth of a bare request in allocation and garbage collection).
 */
class BasicCheckInput implements PasswordCheckInput {
  readonly useCache = true;
  private clientGone: AbortSignal | undefined | null = null;

  constructor(
    readonly login: string,
    readonly password: string,
    private readonly req: Request,
  ) {}

  get clientIp(): string | undefined {
    return this.req.ip;
  }

  get signal(): AbortSignal | undefined {
    if (this.clientGone === null) this.clientGone = clientGoneSignal(this.req.res);
    return this.clientGone;
  }
}

/**
 * Passport strategy for HTTP Basic over HTTPS, named `'basic'`.
 *
 * Outcomes: plain HTTP (`req.secure` false; Express sets it from `trust proxy`, so a
 * client's own `X-Forwarded-Proto` is never believed) → fail 401.3 before anything is
 * decoded; a missing, non-Basic or malformed header → fail 401.2; a wrong password or
 * unknown login → fail 401.2; locked → fail 403.2; expired password → fail 403.3;
 * bcrypt queue full → error 503.2; store failure → error 503.1 (cause kept). Never 500.
 * Success → `success(actor, { scheme: 'basic' })`.
 *
 * Used outside the Gatehouse middleware, a request without credentials fails (401.2)
 * rather than passing, as passport-http's strategy does: passing would let
 * `passport.authenticate('basic')` wave an anonymous request through.
 *
 * @example
 * ```ts
 * app.set('trust proxy', 1); // behind a TLS-terminating proxy
 * const basic = new HttpsBasicStrategy({ store, lockout: { maxAttempts: 10 } });
 * passport.use(basic);
 * app.get('/report.csv', passport.authenticate('basic', { session: false }), sendReport);
 * // The same check (one lockout counter, one bcrypt queue) for the host's own login route:
 * const { actor } = await basic.passwordCheck.check({ login, password, clientIp: req.ip });
 * ```
 */
export class HttpsBasicStrategy extends BasicStrategyBase {
  /** True when 401 answers should carry {@link HttpsBasicStrategy.challengeHeader}. */
  readonly challenge: boolean;
  /** The realm of the challenge. */
  readonly realm: string;
  /** `Basic realm="…", charset="UTF-8"` (RFC 7617), with the realm escaped as a quoted-string. */
  readonly challengeHeader: string;
  /**
   * The login-and-password check this strategy uses (the one given, or the one built from
   * `store`): a host's login route can call `check` on it to share the lockout and bcrypt queue.
   */
  readonly passwordCheck: PasswordCheck;
  private readonly now: () => number;

  constructor(options: HttpsBasicStrategyOptions) {
    if (options && typeof options === 'object') knownOptions(options, OPTION_NAMES, '', { where: 'HttpsBasicStrategy' });
    const passwordCheck = options?.passwordCheck ?? (options?.store ? passwordCheckFor(options) : null);
    if (!passwordCheck || typeof passwordCheck.check !== 'function') {
      fail('passwordCheck', 'pass { passwordCheck: new PasswordCheck(…) }, or { store } to build one from the passwords, lockout and cache options.', {
        where: 'HttpsBasicStrategy',
        code: 'GATEHOUSE_MISSING_OPTION',
      });
    }
    if (options.passwordCheck && (['store', 'passwords', 'lockout', 'cache', 'storeTimeout'] as const).some((name) => options[name] !== undefined)) {
      fail('passwordCheck', 'pass either { passwordCheck } or { store, passwords, lockout, cache, storeTimeout }, not both: a given passwordCheck already has its own.', {
        where: 'HttpsBasicStrategy',
        code: 'GATEHOUSE_CONFLICTING_OPTIONS',
      });
    }
    const challenge = basicChallenge(options.challenge, 'HttpsBasicStrategy');
    // CR/LF or other controls in a header value would let the realm split the response.
    const realm = basicRealm(options.realm, DEFAULT_REALM, 'HttpsBasicStrategy');
    // passport-http insists on a verify function; ours runs in authenticate().
    super({ realm }, () => undefined);
    this.name = 'basic';
    this.passwordCheck = passwordCheck;
    this.challenge = challenge;
    this.realm = realm;
    this.challengeHeader = `Basic realm="${realm.replace(/["\\]/g, '\\$&')}", charset="UTF-8"`;
    this.now = options.now ?? Date.now;
  }

  override authenticate(req: Request, options?: { credential?: string }): void {
    // passport calls this on a per-request copy augmented with success/fail/error/pass,
    // which @types/passport-http does not declare.
    const outcome = this as unknown as PassportStrategy;
    // Checked first: over plain HTTP the password has already crossed the network in the
    // clear, and decoding it would only invite logging or using it.
    if (!isSecureRequest(req)) return outcome.fail(new GatehouseError('401.3'), 401);

    let encoded = options?.credential;
    if (typeof encoded !== 'string') {
      // The one Authorization parser, a single pass: a regular expression with a run of
      // spaces on either side of the value backtracked quadratically on a padded header.
      const presented = readOwnAuthorization(req.headers?.authorization, BASIC_DETECTION);
      if (typeof presented !== 'string') return outcome.fail(new GatehouseError('401.2'), 401);
      encoded = presented;
    }
    const credentials = decodeBasicCredentials(encoded);
    if (!credentials) return outcome.fail(new GatehouseError('401.2'), 401);

    const input = new BasicCheckInput(credentials.login, credentials.password, req);
    this.passwordCheck.check(input).then(
      // The password was proven with this very request: a proof made now, by password.
      ({ actor }) => outcome.success(actor, { scheme: 'basic', ...proofInfo(this.now(), [...DEFAULT_AMR]) }),
      // 503.2 as is; anything else (the store, or a check dropped because the client left)
      // fails closed as 503.1, keeping the cause for logs.
      (error: unknown) => reportRejection(outcome, error),
    );
  }
}

/**
 * The check `gatehouse()` builds for login and Basic, from the same options: bcrypt with the
 * `passwords` options, lockout over the store unless `lockout: false`, a verification cache
 * unless `cache: false`. Each option is validated by the resolver `gatehouse()` uses.
 */
function passwordCheckFor(options: HttpsBasicStrategyOptions): PasswordCheck {
  const store = guardStore(options.store!, options.storeTimeout);
  const now = options.now ?? Date.now;
  const passwords = resolvePasswordOptions(options.passwords);
  const lockout = resolveLockoutOptions(options.lockout);
  const cache = resolveVerificationCacheOptions(options.cache);
  assertStoreHasMethods(store, lockout === false ? ['basic'] : ['basic', 'lockout']);
  return new PasswordCheck({
    store,
    hasher: new PasswordHasher({ ...passwords, now }),
    lockout: lockout === false ? false : new Lockout({ store: store as Guarded<AttemptStore>, options: lockout, now }),
    cache: cache === false ? undefined : new VerificationCache({ ...cache, now }),
    now,
  });
}
