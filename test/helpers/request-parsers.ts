/**
 * Every parser of request input, for the linear-time test (`test/parsing.linear-time.test.ts`),
 * with the text around the part an attacker controls and the shapes that cost a backtracking
 * regular expression or a rescanning loop the most. Loaded in a child process by
 * `work-growth-child.js`, so it holds only data and pure calls.
 */
import { parse as parseCookieHeader } from 'cookie';
import type { Request } from 'express';
import { detectCredentials, detectionConfig, detectionTable, hasRepeatedAuthorization } from '../../src/detect';
import { crossOriginRequestOf, isCrossOriginAllowed } from '../../src/cross-origin';
import { readLoginBody } from '../../src/routes/login-body';
import { decodeBasicCredentials, HttpsBasicStrategy } from '../../src/schemes/basic/strategy';
import { hasCookie } from '../../src/schemes/cookie/detection';
import { readOwnAuthorization, splitAuthorization } from '../../src/schemes/detection';
import { API_KEY_DETECTION } from '../../src/schemes/api-key/detection';
import { SCHEMES } from '../../src/schemes/registry';
import { SCHEME_GROUPS, SCHEME_IDS } from '../../src/schemes/ids';
import { isNearMissKeyPath, redactPathSegment, takeCredentialsFromUrl, urlMayCarryCredentials } from '../../src/url-credentials';
import { forwardedProtoIsHttps } from '../../src/request-secure';
import { parseTokenKind } from '../../src/tokens/format';
import { PasswordCheck } from '../../src/passwords/password-check';
import { PasswordHasher } from '../../src/passwords/hasher';
import { MemoryStore } from '../../src/store/memory';

/** Input sizes: n, 2n and 4n characters. */
export const SIZES = [12_500, 25_000, 50_000] as const;
/** Linear work grows 2× and 4× over {@link SIZES}, quadratic work 4× and 16×: each bound sits a factor of 2 from linear at 4n. */
export const MAX_GROWTH = { twice: 4, fourTimes: 8 } as const;

/** `filler` repeated to `size` characters, between `before` and `after`. */
function padded(before: string, filler: string, size: number, after = ''): string {
  return before + filler.repeat(Math.ceil(size / filler.length)).slice(0, size) + after;
}

/** Fillers that cost a backtracking or rescanning parser the most. */
const FILLERS: ReadonlyArray<[name: string, filler: string, tail: string]> = [
  ['spaces', ' ', ''],
  ['tabs', '\t', ''],
  ['spaces and tabs', ' \t', ''],
  ['spaces, then a word and a space', ' ', 'a b'],
  ['letters', 'a', ''],
  ['letters then a bad character', 'QUFB', '!'],
  ['equals signs', '=', ''],
  ['commas', ',', ''],
  ['commas and spaces', ', ', ''],
  ['semicolons', ';', ''],
  ['semicolons and spaces', '; ', ''],
  ['colons', ':', ''],
  ['dots', 'a.', ''],
  ['slashes and dots', '/.', ''],
  ['percent signs', '%', ''],
  ['escapes', '%25', ''],
  ['ampersands', '&', ''],
];

const secureRequest = (headers: Record<string, string>) => ({ secure: true, headers }) as unknown as Request;

/** Runs a standalone Passport strategy on a request; refusals of a malformed header are synchronous. */
function runStrategy(strategy: object, req: Request): void {
  const outcome = Object.assign(Object.create(strategy) as { authenticate(req: Request): void }, {
    success() {},
    fail() {},
    error() {},
    pass() {},
  });
  outcome.authenticate(req);
}

const basic = new HttpsBasicStrategy({
  passwordCheck: new PasswordCheck({ store: new MemoryStore({ passwordCost: 10 }), hasher: new PasswordHasher({ cost: 10 }), lockout: false }),
});

const everyScheme = detectionConfig(detectionTable(SCHEME_IDS.map((id) => ({ id, detection: SCHEMES[id].detection }))), {
  precedence: SCHEME_GROUPS,
  on: new Set(SCHEME_IDS),
  cookieName: '__Host-gatehouse',
});
const noUrlCredentials = { urlKey: null, urlKeyNearMiss: false, queryApiKeys: [] };
const urlConfig = { appUserUrl: true, apiKeyQuery: true };

/** Raw header lists are built once per input, outside what is measured. */
const rawHeaderLists = new Map<string, string[]>();
function rawHeadersOf(value: string): string[] {
  let list = rawHeaderLists.get(value);
  if (!list) {
    list = value.split('').flatMap((char) => [char === ' ' ? 'authorization' : 'x-a', char]);
    rawHeaderLists.set(value, list);
  }
  return list;
}

/** A parser of request input and the text around the part an attacker controls. */
export interface RequestParser {
  name: string;
  parse(input: string): unknown;
  around: Array<[before: string, after: string]>;
}

export const REQUEST_PARSERS: RequestParser[] = [
  { name: 'splitAuthorization (every Authorization scheme)', parse: splitAuthorization, around: [['Basic', ''], ['Bearer ', 'x'], ['', '']] },
  {
    name: 'detectCredentials, Authorization header (bearer JWS and opaque, ApiKey, Basic)',
    parse: (authorization) => detectCredentials({ authorization }, noUrlCredentials, everyScheme),
    around: [['Bearer a', ''], ['Bearer ', '.x'], ['ApiKey ', ''], ['Basic ', 'a']],
  },
  {
    name: 'detectCredentials, Cookie header',
    parse: (cookie) => detectCredentials({ cookie }, noUrlCredentials, everyScheme),
    around: [['', ''], ['a=b;', ' __Host-gatehouse'], ['__Host-gatehouse', '']],
  },
  { name: 'hasCookie (cookie detection)', parse: (header) => hasCookie(header, '__Host-gatehouse'), around: [['', ''], ['x', '=1'], [' ', '__Host-gatehouse=']] },
  { name: "cookie's parse (the cookie scheme's read of its session id)", parse: (header) => parseCookieHeader(header), around: [['', ''], ['a', '=1'], ['a=', '']] },
  {
    name: 'HttpsBasicStrategy used alone (header and credentials)',
    parse: (authorization) => runStrategy(basic, secureRequest({ authorization })),
    around: [['Basic ', ''], ['basic\t', 'x'], ['Basic ', 'QUFBOkJCQg==']],
  },
  { name: 'decodeBasicCredentials', parse: decodeBasicCredentials, around: [['', ''], ['QUFB', '='], ['', 'QUFBOkJCQg==']] },
  {
    name: 'readOwnAuthorization (ApiKey, SessionToken and JWT strategies used alone)',
    parse: (header) => readOwnAuthorization(header, API_KEY_DETECTION),
    around: [['ApiKey ', ''], ['ApiKey', 'x']],
  },
  {
    name: 'Origin, Host and Sec-Fetch-Site (cross-origin check)',
    parse: (value) =>
      isCrossOriginAllowed(crossOriginRequestOf('POST', { origin: `https://${value}`, host: value, 'sec-fetch-site': value }), {
        trustedOrigins: new Set(['https://example.org']),
        sessionCsrfToken: undefined,
      }),
    around: [['', ''], ['a', '.example.org']],
  },
  {
    name: 'takeCredentialsFromUrl (app-user URLs and ?apikey=)',
    parse: (url) => takeCredentialsFromUrl(url, urlConfig),
    around: [['/key/', '/x'], ['/', '/key/x'], ['/x?', 'apikey=x'], ['/x?apikey=', '&'], ['/x?apikey[', ']=x'], ['http://host', '/key/x']],
  },
  { name: 'isNearMissKeyPath', parse: isNearMissKeyPath, around: [['/', 'key/x'], ['/%', ''], ['/x/', '../key/x']] },
  { name: 'urlMayCarryCredentials', parse: (url) => urlMayCarryCredentials(url, urlConfig), around: [['/x', ''], ['x', '']] },
  {
    name: 'readLoginBody (login and password fields)',
    parse: (value) => {
      try {
        return readLoginBody({ login: value.slice(0, 300), password: value });
      } catch (error) {
        return error;
      }
    },
    around: [['', ''], ['a', 'b']],
  },
  { name: 'parseTokenKind (DELETE /sessions/:token)', parse: parseTokenKind, around: [['gths_', ''], ['', '']] },
  {
    name: 'redactPathSegment (DELETE /sessions/:token in the access log)',
    parse: (url) => redactPathSegment(url, 'gths_abc'),
    around: [['/v1/sessions/', ''], ['/', '/gths_abc?x'], ['/gths_ab', '/%67ths_abc']],
  },
  { name: 'forwardedProtoIsHttps (X-Forwarded-Proto behind a trusted proxy)', parse: forwardedProtoIsHttps, around: [['https', ''], ['https,', 'https'], ['', '']] },
  { name: 'hasRepeatedAuthorization (raw header list)', parse: (value) => hasRepeatedAuthorization(rawHeadersOf(value)), around: [['', '']] },
];

/** One input shape of one parser: its label and how to build an input of a given size. */
export interface InputShape {
  parser: string;
  shape: string;
  make(size: number): string;
}

/** Every parser with every filler around every one of its contexts. */
export function inputShapes(): InputShape[] {
  return REQUEST_PARSERS.flatMap(({ name, around }) =>
    around.flatMap(([before, after]) =>
      FILLERS.map(([shape, filler, tail]) => ({
        parser: name,
        shape: `${JSON.stringify(before)} + ${shape} + ${JSON.stringify(tail + after)}`,
        make: (size: number) => padded(before, filler, size, tail + after),
      })),
    ),
  );
}
