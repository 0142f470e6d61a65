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
import { BasicStrategyBase, type PassportStrategy } from './passport-base';
import { GatehouseError, isGatehouseError } from '../errors';
import { clientGoneSignal } from '../passwords/client-gone';
import type { PasswordCheck } from '../passwords/password-check';

/** Options of {@link HttpsBasicStrategy}. */
export interface HttpsBasicStrategyOptions {
  /** The shared login-and-password check (lockout, bcrypt queue, verification cache). */
  passwordCheck: PasswordCheck;
  /**
   * Whether 401 answers carry `WWW-Authenticate: Basic …`. Default `false`: a browser
   * that sees the challenge pops up its own login dialog, which API clients never want;
   * turn it on for clients (Excel, Power BI) that only send credentials when challenged.
   * The strategy never writes headers itself; the middleware reads {@link HttpsBasicStrategy.challenge}.
   * @example new HttpsBasicStrategy({ passwordCheck, challenge: true, realm: 'Reports' })
   */
  challenge?: boolean;
  /**
   * The realm named in the challenge; printable characters only. Default `'API'`.
   * @example { realm: 'Example API' }
   */
  realm?: string;
}

/** Standard base64 with correct padding (RFC 4648 §4); anything else is refused, not guessed at. */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** `Basic` (any case), whitespace, the token68 and optional trailing whitespace. */
const BASIC_HEADER = /^basic[ \t]+([^ \t]*)[ \t]*$/i;
const DEFAULT_REALM = 'API';
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Splits a Basic credential into login and password, or returns `null` when it is
 * malformed: not canonical base64, not UTF-8 (RFC 7617 `charset="UTF-8"`), without a
 * colon, or with an empty login or password. The split is at the FIRST colon: a login
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
  return { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
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
 * passport.use(new HttpsBasicStrategy({ passwordCheck }));
 * app.get('/report.csv', passport.authenticate('basic', { session: false }), sendReport);
 * ```
 */
export class HttpsBasicStrategy extends BasicStrategyBase {
  /** True when 401 answers should carry {@link HttpsBasicStrategy.challengeHeader}. */
  readonly challenge: boolean;
  /** The realm of the challenge. */
  readonly realm: string;
  /** `Basic realm="…", charset="UTF-8"` (RFC 7617), with the realm escaped as a quoted-string. */
  readonly challengeHeader: string;
  private readonly passwordCheck: PasswordCheck;

  constructor(options: HttpsBasicStrategyOptions) {
    if (!options?.passwordCheck || typeof options.passwordCheck.check !== 'function') {
      throw new TypeError('HttpsBasicStrategy: pass { passwordCheck: new PasswordCheck(…) }.');
    }
    if (options.challenge !== undefined && typeof options.challenge !== 'boolean') {
      throw new TypeError('basic.challenge must be true or false; default false.');
    }
    const realm = options.realm ?? DEFAULT_REALM;
    // CR/LF or other controls in a header value would let the realm split the response.
    if (typeof realm !== 'string' || realm === '' || /[\u0000-\u001f\u007f]/.test(realm)) {
      throw new TypeError(`basic.realm must be a non-empty string without control characters; default '${DEFAULT_REALM}'.`);
    }
    // passport-http insists on a verify function; ours runs in authenticate().
    super({ realm }, () => undefined);
    this.name = 'basic';
    this.passwordCheck = options.passwordCheck;
    this.challenge = options.challenge ?? false;
    this.realm = realm;
    this.challengeHeader = `Basic realm="${realm.replace(/["\\]/g, '\\$&')}", charset="UTF-8"`;
  }

  override authenticate(req: Request, options?: { credential?: string }): void {
    // passport calls this on a per-request copy augmented with success/fail/error/pass,
    // which @types/passport-http does not declare.
    const outcome = this as unknown as PassportStrategy;
    // Checked first: over plain HTTP the password has already crossed the network in the
    // clear, and decoding it would only invite logging or using it.
    if (req.secure !== true) return outcome.fail(new GatehouseError('401.3'), 401);

    let encoded = options?.credential;
    if (typeof encoded !== 'string') {
      const header = req.headers?.authorization;
      const match = typeof header === 'string' ? BASIC_HEADER.exec(header) : null;
      if (!match) return outcome.fail(new GatehouseError('401.2'), 401);
      encoded = match[1];
    }
    const credentials = decodeBasicCredentials(encoded);
    if (!credentials) return outcome.fail(new GatehouseError('401.2'), 401);

    // The signal (an AbortController and a 'close' listener) only matters while bcrypt may
    // run, so it is made when the check first asks for it: never on a cache hit.
    const res = req.res;
    let signal: AbortSignal | undefined | null = null;
    const input = {
      login: credentials.login,
      password: credentials.password,
      clientIp: req.ip,
      useCache: true,
      get signal(): AbortSignal | undefined {
        if (signal === null) signal = clientGoneSignal(res);
        return signal;
      },
    };
    this.passwordCheck.check(input).then(
      ({ actor }) => outcome.success(actor, { scheme: 'basic' }),
      (error: unknown) => {
        if (isGatehouseError(error) && (error.status === 401 || error.status === 403)) return outcome.fail(error, error.status);
        // 503.2 as is; anything else (the store, or a check dropped because the client left)
        // fails closed as 503.1, keeping the cause for logs.
        outcome.error(isGatehouseError(error) ? error : new GatehouseError('503.1', { cause: error }));
      },
    );
  }
}
