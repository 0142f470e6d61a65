/**
 * fast-check arbitraries for the fuzz run: random and malformed requests that carry the
 * issued credentials in every place a credential can travel — headers (repeated, in odd
 * cases and schemes), `/key/{token}` in every near-miss form, query keys, cookies, JSON and
 * form bodies — next to forged, mangled, oversized and invalid-UTF-8 values.
 *
 * Issued secrets are put only where a credential goes (or into `DELETE /sessions/:token`):
 * a secret the request itself puts in an ordinary path or query parameter is the app's to
 * see, and would make the checks report the app's echo as a leak.
 */
import fc from 'fast-check';
import type { IssuedCredentials } from './server';
import { LOGINS } from './server';

/** One request as the client will send it. */
export interface FuzzRequest {
  secure: boolean;
  method: string;
  /** The request target exactly as written on the request line. */
  target: string;
  /** In order; names may repeat. Values are latin1 strings (bytes ≥ 0x80 are not UTF-8). */
  headers: Array<[string, string]>;
  body: Buffer | null;
  /** Send over a plain socket, byte for byte (Node's client would refuse or normalise it). */
  raw: boolean;
  /** Line ending of the head when raw (a bare LF is malformed). */
  lineEnding: '\r\n' | '\n';
  /** A malformed header line added as is when raw. */
  oddLine: string | null;
}

/** Bytes that are not UTF-8 (lone continuation bytes, an overlong form, a truncated sequence), as latin1. */
const INVALID_UTF8 = ['\xff', '\xc0\xaf', '\xe2\x82', '\x80abc', '\xed\xa0\x80', 'a\xfe\xfeb'];

/** encodeURIComponent, or every byte escaped for strings it refuses (lone surrogates). */
function percentEncoded(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return Buffer.from(value, 'latin1').toString('hex').replace(/../g, '%$&');
  }
}

const BASE64URL = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];

function base64url(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...BASE64URL), minLength, maxLength });
}

function pick<T>(values: readonly T[]): fc.Arbitrary<T> {
  return fc.constantFrom(...values);
}

export function fuzzRequests(credentials: IssuedCredentials, ports: { http: number; https: number }): fc.Arbitrary<FuzzRequest> {
  const { bearer } = credentials;
  const validTokens = [bearer.session, bearer.personal, bearer.appUser, bearer.storeApiKey, credentials.jwtAccess];
  const validKeys = [credentials.configApiKey, bearer.storeApiKey];

  /** A credential-looking value: a valid one, a mangled one, a forged one, or junk. */
  const manglings: Array<(secret: string) => string> = [
    (secret) => `${secret}x`,
    (secret) => secret.slice(0, -1),
    (secret) => secret.toUpperCase(),
    (secret) => `${secret.slice(0, 10)}${secret.slice(11)}`,
    (secret) => ` ${secret}`,
    (secret) => `${secret}\t`,
    (secret) => `${secret},${secret}`,
  ];
  const mangled = fc.tuple(pick([...validTokens, ...validKeys, credentials.jwtRefresh]), pick(manglings)).map(([secret, mangle]) => mangle(secret));
  const junk = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 24 }),
    // Token-shaped and JWS-shaped forgeries (fc.stringMatching would cost more than the request).
    fc.tuple(pick(['gths_', 'gtha_', 'gthp_', 'gthk_', 'gthr_', 'gthx_']), base64url(20, 50)).map(([prefix, rest]) => prefix + rest),
    fc.tuple(base64url(4, 40), base64url(4, 60), base64url(0, 40)).map((segments) => segments.join('.')),
    pick(INVALID_UTF8),
    pick(['', ' ', '%', '%zz', '%E0%A4%A', '\u0000', '..', 'null', '[]', '{}']),
    pick([2_000, 9_000, 17_000]).map((length) => 'A'.repeat(length)),
  );
  const credentialValue = fc.oneof(
    { arbitrary: pick(validTokens), weight: 4 },
    { arbitrary: pick(validKeys), weight: 2 },
    { arbitrary: mangled, weight: 2 },
    { arbitrary: junk, weight: 3 },
  );
  const urlSafe = percentEncoded;

  // ---- the URL -------------------------------------------------------------------------
  const nearMiss = pick<(token: string) => string>([
    (t) => `//key/${t}`,
    (t) => `/KEY/${t}`,
    (t) => `/Key/${t}`,
    (t) => `/%6Bey/${t}`,
    (t) => `/%6b%65%79/${t}`,
    (t) => `/%256Bey/${t}`,
    (t) => `/./key/${t}`,
    (t) => `/%2e/key/${t}`,
    (t) => `/../key/${t}`,
    (t) => `/forms/../key/${t}`,
    (t) => `/../v1/key/${t}`,
    (t) => `/%2Fkey%2F${t}`,
    (t) => `/key%2F${t}`,
    (t) => `/%5Ckey/${t}`,
  ]);
  const keyForm = fc.oneof(
    pick<(token: string) => string>([(t) => `/key/${t}`, (t) => `/key/${t.replace(/[A-Za-z]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)}`]),
    nearMiss,
  );
  const rest = pick(['', '/', '/forms', '/projects', '/echo', '/public', '/nothing', '/sessions', '/sessions/current', '/forms/1/submissions', '/jwt/verify']);
  // Under the mount point only: Gatehouse never sees a request outside it (the host's own
  // 404 handler does), so a key in `/?apikey=` there is the host's to scrub.
  const plainPath = pick(['/v1/public', '/v1/projects', '/v1/forms', '/v1/admin', '/v1/echo', '/v1/nothing', '/V1/projects', '/v1/sessions', '/v1/sessions/current', '/v1/jwt/authenticate', '/v1/jwt/refresh', '/v1/jwt/verify', '/v1/forms/7/submissions', '/v1', '/v1/', '/v1/key', '/v1/keys/1']);
  const keyPath = fc.tuple(pick(['/v1', '/V1']), keyForm, credentialValue, rest).map(([mount, form, token, after]) => `${mount}${form(urlSafe(token))}${after}`);
  const queryParam = fc.oneof(
    fc.tuple(pick(['apikey', 'apiKey', '%61pikey', 'api%4Bey']), credentialValue).map(([name, value]) => `${name}=${urlSafe(value)}`),
    pick(['apikey', 'apiKey=', 'page=2', 'q=%zz', 'x=%E0%A4%A', 'a=1&&b', '=', '&', 'sort=name', 'q=' + 'x'.repeat(3000)]),
  );
  const query = fc.option(fc.array(queryParam, { minLength: 1, maxLength: 3 }).map((params) => `?${params.join('&')}`), { nil: '' });
  const path = fc.oneof({ arbitrary: keyPath, weight: 4 }, { arbitrary: plainPath, weight: 3 });
  const absolute = pick([`http://127.0.0.1:${ports.http}`, 'http://evil.example', 'https://127.0.0.1']);
  const target = fc.oneof(
    { arbitrary: fc.tuple(path, query).map(([p, q]) => p + q), weight: 9 },
    { arbitrary: fc.tuple(absolute, path, query).map(([a, p, q]) => a + p + q), weight: 1 },
  );

  // ---- headers ---------------------------------------------------------------------------
  const basicValue = fc.oneof(
    fc.constant(credentials.basic),
    fc.tuple(pick([...LOGINS, 'mallory@example.org', '']), pick([...credentials.passwords, 'wrong', '', 'p'.repeat(100)])).map(([login, password]) =>
      Buffer.from(`${login}:${password}`).toString('base64'),
    ),
    junk,
  );
  const authorizationName = pick(['Authorization', 'authorization', 'AUTHORIZATION']);
  const authorization = fc.oneof(
    fc.tuple(authorizationName, pick(['Bearer', 'bearer', 'BEARER', 'ApiKey', 'apikey', 'Digest', 'Token', '']), credentialValue).map(
      ([name, scheme, value]): [string, string] => [name, scheme === '' ? value : `${scheme} ${value}`],
    ),
    fc.tuple(authorizationName, pick(['Basic', 'basic']), basicValue).map(([name, scheme, value]): [string, string] => [name, `${scheme} ${value}`]),
  );
  const sessionCookieValue = fc.oneof(
    fc.constant(credentials.cookie),
    junk.map((value) => `__Host-gatehouse=${value}`),
    fc.constant(`__Host-gatehouse=${credentials.cookie.slice(credentials.cookie.indexOf('=') + 1, -3)}AAA`),
  );
  const cookie = fc
    .tuple(sessionCookieValue, fc.option(pick(['theme=dark', 'a=b; c=d', '__Host-gatehouse=', 'connect.sid=s%3Axyz']), { nil: null }))
    .map(([session, other]): [string, string] => ['Cookie', other ? `${other}; ${session}` : session]);
  const other: fc.Arbitrary<[string, string]> = fc.oneof(
    pick<[string, string]>([
      ['X-Forwarded-Proto', 'https'],
      ['Origin', 'https://evil.example'],
      ['Origin', 'https://127.0.0.1'],
      ['Sec-Fetch-Site', 'cross-site'],
      ['Sec-Fetch-Site', 'same-origin'],
      ['Accept', 'application/json'],
      ['X-Authorization', 'Bearer x'],
    ]),
    fc.tuple(fc.constant('X-CSRF-Token'), fc.oneof(fc.constant(credentials.csrf), junk)).map((pair): [string, string] => pair),
    fc.tuple(fc.constantFrom('X-Junk', 'Referer', 'User-Agent'), junk).map((pair): [string, string] => pair),
  );
  const header = fc.oneof({ arbitrary: authorization, weight: 5 }, { arbitrary: cookie, weight: 2 }, { arbitrary: other, weight: 2 });
  const headers = fc.oneof(
    { arbitrary: fc.array(header, { maxLength: 4 }), weight: 8 },
    // Repeated Authorization headers, valid and not.
    { arbitrary: fc.array(authorization, { minLength: 2, maxLength: 3 }), weight: 2 },
  );

  // ---- bodies ----------------------------------------------------------------------------
  const loginValue = fc.oneof(pick<unknown>([...LOGINS, 'ALICE@example.org', ' alice@example.org', 'mallory@example.org']), pick<unknown>([null, 7, [], {}, true, 'x'.repeat(2000)]));
  const passwordValue = fc.oneof(pick<unknown>([...credentials.passwords, 'wrong password']), pick<unknown>([null, 7, [], { $ne: '' }, '', 'p'.repeat(200)]), junk);
  const fields = fc.record(
    {
      login: loginValue,
      email: loginValue,
      password: passwordValue,
      session: pick<unknown>([true, 'true', false, 'yes', 1]),
      refresh: fc.oneof(fc.constant<unknown>(credentials.jwtRefresh), credentialValue, pick<unknown>([null, 5])),
      token: fc.oneof(credentialValue, pick<unknown>([null, 5])),
    },
    { requiredKeys: [] },
  );
  const json = fields.map((object) => ({ type: 'application/json', body: Buffer.from(JSON.stringify(object), 'utf8') }));
  const form = fields.map((object) => ({
    type: 'application/x-www-form-urlencoded',
    body: Buffer.from(
      Object.entries(object)
        .map(([name, value]) => `${name}=${percentEncoded(typeof value === 'string' ? value : JSON.stringify(value))}`)
        .join('&'),
    ),
  }));
  const malformedBody = fc.oneof(
    pick(['{"login":', '{"login":"a","password":', 'null', '[]', '"str"', '{"__proto__":{"admin":true}}', 'login=a&login=b&password=x', '%zz=%E0%A4%A']).map((text) => Buffer.from(text)),
    pick(INVALID_UTF8).map((bytes) => Buffer.from(`{"login":"alice@example.org","password":"${bytes}"}`, 'latin1')),
    pick([20_000, 120_000]).map((depth) => Buffer.from('['.repeat(depth) + ']'.repeat(depth))),
    pick([150_000]).map((length) => Buffer.from(JSON.stringify({ login: 'a'.repeat(length), password: 'x' }))),
  );
  const contentType = pick(['application/json', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'text/plain', 'application/json;;;', '']);
  const body = fc.oneof(
    { arbitrary: fc.oneof(json, form), weight: 3 },
    { arbitrary: fc.tuple(contentType, malformedBody).map(([type, bytes]) => ({ type, body: bytes })), weight: 1 },
  );

  // ---- the whole request -----------------------------------------------------------------
  // DELETE goes only to the logout endpoints, with disposable tokens (below): ending the
  // long-lived credentials would leave the rest of the run without valid ones.
  const method = pick(['GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'PUT', 'PATCH', 'HEAD', 'OPTIONS']);
  const oddLine = pick(['Authorization', 'Authorization : Bearer x', ' folded: continuation', 'X-Bad\u0001: y', 'Content-Length: -1', 'Content-Length: 1, 2', 'Transfer-Encoding: gzip', `Authorization: Bearer ${credentials.jwtAccess}\r\n Bearer x`]);
  const base = fc.record({
    secure: fc.boolean(),
    method,
    target,
    headers,
    withBody: fc.boolean(),
    body,
    // About one request in twelve goes over a plain socket with a raw oddity or two.
    rawExtras: fc.oneof(
      { arbitrary: fc.constant(null), weight: 11 },
      { arbitrary: fc.tuple(pick<'\r\n' | '\n'>(['\r\n', '\n']), fc.option(oddLine, { nil: null })), weight: 1 },
    ),
  });
  // The logout endpoints are where disposable tokens go, in the header or in the path.
  const logout = fc.tuple(fc.boolean(), pick(credentials.disposable), fc.boolean(), fc.boolean()).map(([secure, token, inPath, withPrefix]): FuzzRequest => ({
    secure,
    method: 'DELETE',
    target: inPath ? `/v1/sessions/${withPrefix ? token : urlSafe(token)}` : '/v1/sessions/current',
    headers: inPath ? [['Authorization', `Bearer ${credentials.bearer.session}`]] : [['Authorization', `Bearer ${token}`]],
    body: null,
    raw: false,
    lineEnding: '\r\n',
    oddLine: null,
  }));
  const request = base.map(({ secure, method: verb, target: requestTarget, headers: list, withBody, body: payload, rawExtras }): FuzzRequest => {
    const sendBody = withBody && verb !== 'GET' && verb !== 'HEAD';
    const headerList = [...list];
    if (sendBody && payload.type !== '') headerList.push(['Content-Type', payload.type]);
    return {
      secure,
      method: verb,
      target: requestTarget,
      headers: headerList,
      body: sendBody ? payload.body : null,
      raw: rawExtras !== null,
      lineEnding: rawExtras ? rawExtras[0] : '\r\n',
      oddLine: rawExtras ? rawExtras[1] : null,
    };
  });
  return fc.oneof({ arbitrary: request, weight: 30 }, { arbitrary: logout, weight: 1 });
}
