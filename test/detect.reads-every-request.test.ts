/**
 * A scheme whose credential no header announces (client certificates, say) declares
 * `readsEveryRequest`, and then no request skips detection. That is decided per instance,
 * over the schemes that are on: an app that leaves such a scheme off keeps the no-credential
 * fast path, which reads nothing. Reads are counted, not timed.
 */
import { detectCredentials, detectionConfig, detectionTable } from '../src/detect';
import type { SchemeDetection } from '../src/schemes/detection';
import { SCHEME_GROUPS, SCHEME_IDS, type SchemeId } from '../src/schemes/ids';
import { SCHEMES } from '../src/schemes/registry';

const NO_URL_CREDENTIALS = { urlKey: null, urlKeyNearMiss: false, queryApiKeys: [] };

/** The registry's schemes with every reader counted, the cookie scheme standing in for one that reads every request. */
function countedTable() {
  let reads = 0;
  const counted = (detection: SchemeDetection): SchemeDetection =>
    detection.read ? { ...detection, read: (input) => ((reads += 1), detection.read!(input)) } : detection;
  const table = detectionTable(
    SCHEME_IDS.map((id) => {
      const { detection } = SCHEMES[id];
      return { id, detection: counted(id === 'cookie' ? { read: () => null, readsEveryRequest: true } : detection) };
    }),
  );
  return { table, reads: () => reads };
}

const anonymous = (on: readonly SchemeId[]) => {
  const { table, reads } = countedTable();
  const config = detectionConfig(table, { precedence: [...SCHEME_GROUPS], on: new Set(on), cookieName: null });
  const presented = detectCredentials({ accept: 'application/json' }, NO_URL_CREDENTIALS, config);
  return { presented, reads: reads(), readsEveryRequest: config.readsEveryRequest };
};

describe('readsEveryRequest', () => {
  it('a scheme that reads every request and is on: an anonymous request runs every reader of a scheme that is on', () => {
    const result = anonymous(SCHEME_IDS);
    expect(result.readsEveryRequest).toBe(true);
    expect(result.presented).toEqual([]);
    expect(result.reads).toBe(3); // appUserUrl, apiKey (query), and the one that reads every request
  });

  it('the same scheme registered but off: an anonymous request reads nothing', () => {
    const result = anonymous(SCHEME_IDS.filter((id) => id !== 'cookie'));
    expect(result.readsEveryRequest).toBe(false);
    expect(result.presented).toEqual([]);
    expect(result.reads).toBe(0);
  });

  it('a reader of a scheme that is off never runs, even on a request that carries other credentials', () => {
    const { table, reads } = countedTable();
    const config = detectionConfig(table, { precedence: [...SCHEME_GROUPS], on: new Set<SchemeId>(['sessionToken']), cookieName: null });
    const presented = detectCredentials({ authorization: 'Bearer abc' }, NO_URL_CREDENTIALS, config);
    expect(presented).toEqual([{ scheme: 'sessionToken', credential: 'abc' }]);
    expect(reads()).toBe(0);
  });
});
