import fc from 'fast-check';
import { takeCredentialsFromUrl, urlMayCarryCredentials, type UrlCredentialConfig } from '../src/url-credentials';

// URLs built from the pieces that matter to URL-borne credentials, so that generated
// cases often hold a key segment, a query, an escaped parameter name or several of these.
// The near-miss spellings of /key/ are in the mix: other cases, escapes (single and double),
// dot segments, empty segments, backslashes and absolute-form targets.
const piece = fc.constantFrom(
  '/', '/key/', 'key', '/v1', '/projects', '?', '&', '=', 'apikey', 'apiKey', '%61pikey', 'api%4Bey', '+', '%zz', 'x',
  'KEY', 'Key', '%6Bey', '%6b%45%79', '%256B', '%2F', '%2f', '%5C', '\\', '.', '..', '/./', '/../', '%2e', '%2E%2E', 'k', 'ey',
);
const prefix = fc.constantFrom('/', '/', '/', 'http://h/', 'https://h:8443/');
const url = fc.tuple(prefix, fc.array(piece, { maxLength: 10 })).map(([start, parts]) => `${start}${parts.join('')}`);
const config = fc.record<UrlCredentialConfig>({ appUserUrl: fc.boolean(), apiKeyQuery: fc.boolean() });

/**
 * An independent lenient reader: undo up to three levels of escapes, read backslashes as
 * slashes, merge empty segments, and let WHATWG URL resolve dot segments. True when the
 * path it ends with starts /key/{something}/ (what a normalising proxy would forward).
 */
function readsAsKeyUrl(candidate: string): boolean {
  let path = candidate.split('?')[0].replace(/^[a-z]+:\/\/[^/]*/, '');
  for (let round = 0; round < 3; round += 1) path = path.replace(/%([0-7][0-9a-f])/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  path = path.replace(/[\\/]+/g, '/');
  let resolved: string;
  try {
    resolved = new URL(path.replace(/[?#%]/g, '_'), 'http://h').pathname;
  } catch {
    return false;
  }
  return /^\/key\/[^/]+\//i.test(resolved.replace(/\/+/g, '/'));
}

describe('the no-credential fast path for URLs', () => {
  it('is taken only for URLs from which the full scan takes nothing and which it leaves unchanged', () => {
    fc.assert(
      fc.property(url, config, (candidate, cfg) => {
        const taken = takeCredentialsFromUrl(candidate, cfg);
        const foundSomething = taken.urlKey !== null || taken.urlKeyNearMiss || taken.queryApiKeys.length > 0;
        if (foundSomething) expect(urlMayCarryCredentials(candidate, cfg)).toBe(true);
        if (!urlMayCarryCredentials(candidate, cfg)) {
          expect(taken).toEqual({ urlKey: null, urlKeyNearMiss: false, queryApiKeys: [], url: candidate, redactedUrl: candidate });
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('finds every URL that a lenient reader resolves to /key/{token}/…, and leaves no key in what it keeps', () => {
    fc.assert(
      fc.property(url, fc.stringMatching(/^[A-Za-z0-9_-]{8,12}$/), (candidate, token) => {
        const queryStart = candidate.includes('?') ? candidate.indexOf('?') : candidate.length;
        const withToken = `${candidate.slice(0, queryStart)}/${token}/forms${candidate.slice(queryStart)}`;
        const taken = takeCredentialsFromUrl(withToken, { appUserUrl: true, apiKeyQuery: true });
        if (readsAsKeyUrl(withToken)) {
          expect(urlMayCarryCredentials(withToken, { appUserUrl: true, apiKeyQuery: false })).toBe(true);
          expect(taken.urlKey !== null || taken.urlKeyNearMiss).toBe(true);
        }
        if (taken.urlKeyNearMiss) {
          expect(taken.url).not.toContain(token);
          expect(taken.redactedUrl).not.toContain(token);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('still finds an escaped query parameter name and a key segment', () => {
    const both = { appUserUrl: true, apiKeyQuery: true };
    expect(urlMayCarryCredentials('/v1/projects?%61pikey=k', both)).toBe(true);
    expect(takeCredentialsFromUrl('/v1/projects?%61pikey=k', both).queryApiKeys).toEqual(['k']);
    expect(urlMayCarryCredentials('/key/abc/projects', both)).toBe(true);
    expect(urlMayCarryCredentials('/v1/projects', both)).toBe(false);
    expect(urlMayCarryCredentials('/key/abc', { appUserUrl: false, apiKeyQuery: true })).toBe(false);
    expect(urlMayCarryCredentials('/v1?apikey=k', { appUserUrl: true, apiKeyQuery: false })).toBe(false);
  });
});
