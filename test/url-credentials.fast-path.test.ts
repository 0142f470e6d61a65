import fc from 'fast-check';
import { takeCredentialsFromUrl, urlMayCarryCredentials, type UrlCredentialConfig } from '../src/url-credentials';

// URLs built from the pieces that matter to URL-borne credentials, so that generated
// cases often hold a key segment, a query, an escaped parameter name or several of these.
const piece = fc.constantFrom('/', '/key/', 'key', '/v1', '/projects', '?', '&', '=', 'apikey', 'apiKey', '%61pikey', 'api%4Bey', '+', '%zz', 'x');
const url = fc.array(piece, { maxLength: 10 }).map((parts) => `/${parts.join('')}`);
const config = fc.record<UrlCredentialConfig>({ appUserUrl: fc.boolean(), apiKeyQuery: fc.boolean() });

describe('the no-credential fast path for URLs', () => {
  it('is taken only for URLs from which the full scan takes nothing and which it leaves unchanged', () => {
    fc.assert(
      fc.property(url, config, (candidate, cfg) => {
        const taken = takeCredentialsFromUrl(candidate, cfg);
        const foundSomething = taken.urlKey !== null || taken.queryApiKeys.length > 0;
        if (foundSomething) expect(urlMayCarryCredentials(candidate, cfg)).toBe(true);
        if (!urlMayCarryCredentials(candidate, cfg)) {
          expect(taken).toEqual({ urlKey: null, queryApiKeys: [], url: candidate, redactedUrl: candidate });
        }
      }),
      { numRuns: 2000 },
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
