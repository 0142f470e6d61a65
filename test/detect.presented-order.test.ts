/**
 * What `detectCredentials` answers for the credentials a request presents: the one it
 * presents, as it is; several, by precedence group in the configured order and, within a
 * group, the Authorization header's before the readers' (URL key, query key, cookie); and a
 * credential of a group that is off is not presented at all, alone or beside others.
 */
import { detectCredentials, detectionConfig, detectionTable } from '../src/detect';
import { SCHEME_IDS, type SchemeGroup, type SchemeId } from '../src/schemes/ids';
import { SCHEMES } from '../src/schemes/registry';

const TABLE = detectionTable(SCHEME_IDS.map((id) => ({ id, detection: SCHEMES[id].detection })));
const NO_URL = { urlKey: null, urlKeyNearMiss: false, queryApiKeys: [] as string[] };
const COOKIE = 'gh.sid';
const SESSION_TOKEN = 'gts_' + 'a'.repeat(43);

function detect(precedence: SchemeGroup[], request: { authorization?: string; cookie?: string; urlKey?: string; queryApiKeys?: string[] }) {
  const config = detectionConfig(TABLE, { precedence, on: new Set<SchemeId>(SCHEME_IDS), cookieName: COOKIE });
  const headers = { ...(request.authorization ? { authorization: request.authorization } : {}), ...(request.cookie ? { cookie: request.cookie } : {}) };
  const url = { ...NO_URL, urlKey: request.urlKey ?? null, queryApiKeys: request.queryApiKeys ?? [] };
  return detectCredentials(headers, url, config).map((credential) => (credential.scheme === 'malformed' ? `malformed:${credential.group}` : credential.scheme));
}

describe('detectCredentials: what a request presents, in order', () => {
  it('one credential: presented as it is', () => {
    expect(detect(['bearer', 'cookie'], { authorization: `Bearer ${SESSION_TOKEN}` })).toEqual(['sessionToken']);
    expect(detect(['bearer', 'cookie'], { cookie: `${COOKIE}=s%3Aabc` })).toEqual(['cookie']);
  });

  it('several: by group in the configured order, whichever way round the order is', () => {
    const request = { authorization: `Bearer ${SESSION_TOKEN}`, cookie: `${COOKIE}=s%3Aabc`, urlKey: 'k'.repeat(20) };
    expect(detect(['appUserUrl', 'bearer', 'cookie'], request)).toEqual(['appUserUrl', 'sessionToken', 'cookie']);
    expect(detect(['cookie', 'bearer', 'appUserUrl'], request)).toEqual(['cookie', 'sessionToken', 'appUserUrl']);
  });

  it('within one group: the Authorization header first, then the query key', () => {
    expect(detect(['apiKey', 'bearer'], { authorization: 'ApiKey header-key-0123456789', queryApiKeys: ['query-key-0123456789'] })).toEqual(['apiKey', 'apiKey']);
  });

  it('a group that is off presents nothing: alone, and beside credentials of groups that are on', () => {
    // Only the cookie group on: an Authorization header belongs to no group that is on.
    expect(detect(['cookie'], { authorization: `Bearer ${SESSION_TOKEN}` })).toEqual([]);
    expect(detect(['cookie'], { authorization: `Bearer ${SESSION_TOKEN}`, cookie: `${COOKIE}=s%3Aabc` })).toEqual(['cookie']);
    expect(detect(['bearer'], { cookie: `${COOKIE}=s%3Aabc`, urlKey: 'k'.repeat(20) })).toEqual([]);
  });

  it('an Authorization header no enabled scheme accepts is presented as malformed, in the first header group that is on (bearer, apiKey, basic)', () => {
    expect(detect(['cookie', 'basic', 'bearer'], { authorization: 'Digest abc' })).toEqual(['malformed:bearer']);
    expect(detect(['cookie', 'basic'], { authorization: 'Digest abc' })).toEqual(['malformed:basic']);
  });
});
