/**
 * An `apiKeys` entry that starts like a digest line (`sha256:`, in any case) but is not one —
 * truncated, one character too many, not hex, `SHA256:` — was taken as a plaintext key: the
 * real key got 401 and the digest line itself worked as a key. It is refused at start-up,
 * saying what a digest line looks like.
 */
import request from 'supertest';
import { ApiKeyStrategy, apiKeyDigest, gatehouse, MemoryStore } from '../src';
import { buildApp } from './helpers/app';
import { thrownBy } from './helpers/thrown';

const KEY = 'reporting-key-5f2a9c1e7d';
const DIGEST = apiKeyDigest(KEY);
const HEX = DIGEST.slice('sha256:'.length);

const MALFORMED: Array<[label: string, entry: string]> = [
  ['truncated', DIGEST.slice(0, -1)],
  ['one character too many', `${DIGEST}0`],
  ['not hex', `sha256:${'g'.repeat(64)}`],
  ['upper-case prefix', `SHA256:${HEX}`],
  ['mixed-case prefix', `Sha256:${HEX}`],
  ['a pasted newline', `${DIGEST}\n`],
  ['empty digest', 'sha256:'],
];

describe('a malformed sha256: entry in apiKeys', () => {
  it.each(MALFORMED)('%s is refused at start-up, saying what a digest line looks like', (_label, entry) => {
    const error = thrownBy(() => gatehouse({ store: new MemoryStore(), apiKeys: { [entry]: { role: 'reader', label: 'reporting' } } }));
    expect(error).toMatchObject({ name: 'GatehouseConfigError', code: 'GATEHOUSE_INVALID_OPTION', option: 'apiKeys.*' });
    expect(error!.message).toContain('apiKeys entry #1 ("reporting")');
    expect(error!.message).toContain("'sha256:' followed by the 64 hex digits");
    // The entry is a secret or a digest of one: never echoed.
    if (entry.length > 27) expect(error!.message).not.toContain(entry.slice(7, 27));
  });

  it.each(MALFORMED)('%s is refused by ApiKeyStrategy too', (_label, entry) => {
    expect(thrownBy(() => new ApiKeyStrategy({ keys: { [entry]: { role: 'reader' } } }))).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option: 'apiKeys.*' });
  });

  it('a well-formed digest line still lets its key in, in either case of hex digits', async () => {
    for (const entry of [DIGEST, `sha256:${HEX.toUpperCase()}`]) {
      const t = await buildApp({ apiKeys: { [entry]: { roles: ['reader'] } } });
      expect((await request(t.app).get('/v1/projects').set('Authorization', `ApiKey ${KEY}`)).status).toBe(200);
      expect((await request(t.app).get('/v1/projects').set('Authorization', `ApiKey ${entry}`)).status).toBe(401);
    }
  });

  it('a plaintext key that merely contains sha256: later on is still a plaintext key', async () => {
    const plain = 'team-sha256:rotation-key';
    const t = await buildApp({ apiKeys: { [plain]: { roles: ['reader'] } } });
    expect((await request(t.app).get('/v1/projects').set('Authorization', `ApiKey ${plain}`)).status).toBe(200);
  });
});
