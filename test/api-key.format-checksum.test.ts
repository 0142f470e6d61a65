/**
 * Store-issued API keys and `keygen` keys share one format — a configurable prefix, 43 random
 * base62 characters (256 bits) and a CRC32 checksum — so a mistyped key is refused (401.2)
 * without a store call, and a leaked key matches the published pattern.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type GatehouseStore } from '../src';
import { main } from '../src/cli/index';
import { apiKeyPattern, apiKeyShape, generateApiKey } from '../src/tokens/api-key-format';
import { thrownBy } from './helpers/thrown';

/** The store with every method call recorded by name. */
function counted(store: MemoryStore): { store: GatehouseStore; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(store, {
    get(target, name) {
      const value = Reflect.get(target, name, target) as unknown;
      if (typeof value !== 'function' || name === 'constructor') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

/** The key with one character of its random part changed, as a typo does. */
function mistyped(key: string, at = key.length - 10): string {
  const swapped = key[at] === 'a' ? 'b' : 'a';
  return key.slice(0, at) + swapped + key.slice(at + 1);
}

async function keygen(args: string[]): Promise<string> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const status = await main(['keygen', ...args], { stdin: new PassThrough(), stdout, stderr: new PassThrough(), env: {} });
  expect(status).toBe(0);
  return out;
}

describe('the API key format', () => {
  it('is the prefix, 43 random base62 characters and a 6-character checksum; every key is new', () => {
    const keys = Array.from({ length: 500 }, () => generateApiKey('sk_live_'));
    for (const key of keys) {
      expect(key).toMatch(/^sk_live_[0-9A-Za-z]{49}$/);
      expect(apiKeyShape(key)).toBe('wellFormed');
      expect(apiKeyShape(mistyped(key))).toBe('mistyped');
    }
    expect(new Set(keys).size).toBe(keys.length);
    expect(apiKeyShape(keys[0].slice(0, -1))).toBe('other');
  });

  it('publishes a pattern that finds a leaked key in text, and not inside a longer word', () => {
    const key = generateApiKey('sk_live_');
    const pattern = new RegExp(apiKeyPattern('sk_live_').source, 'g');
    expect(`config.env: API_KEY=${key}\n`.match(pattern)).toEqual([key]);
    expect(`xsk_live_${key.slice(8)}`.match(pattern)).toBeNull();
    expect(`${key}0`.match(pattern)).toBeNull();
    expect(apiKeyPattern().source).toBe('(?<![0-9A-Za-z_])gthkey_[0-9A-Za-z]{49}(?![0-9A-Za-z])');
  });

  it("the README's gitleaks rule and GitHub custom pattern find a key and nothing around it", () => {
    const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const key = generateApiKey('sk_live_');
    const text = `token: "${key}"\nx${key}\n${key}0\n`;
    const gitleaks = /regex = '''(.+)'''/.exec(readme)![1];
    expect(readme).toContain(`\`${apiKeyPattern('sk_live_').source}\``);
    expect([...text.matchAll(new RegExp(gitleaks, 'g'))].map((match) => match[1])).toEqual([key]);
    // GitHub's custom pattern: the secret format between "before" and "after" (\A, \z in RE2 are ^, $ here).
    const [, format, before, after] = /enter `([^`]+)` as the secret format, with `([^`]+)` before and\s+`([^`]+)` after/.exec(readme)!;
    const github = new RegExp(`(?:${before.replace('\\A', '^')})(${format})(?:${after.replace('\\z', '$')})`, 'gm');
    expect([...text.matchAll(github)].map((match) => match[1])).toEqual([key]);
  });
});

describe('a mistyped key is refused with no store round trip', () => {
  it('store-issued: a good key costs one lookup; one wrong character costs none and answers 401.2', async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    const bob = await users.addUser({ login: 'bob@example.org', password: 'irrelevant password' });
    const { store, calls } = counted(users);
    const auth = gatehouse({ store, apiKeyPolicy: { prefix: 'sk_live_' } });
    const app = express();
    app.use(auth.authenticate());
    app.get('/me', auth.require(), (req, res) => res.json({ id: req.user!.id }));

    const created = await auth.tokens.create({ actorId: bob.id, label: 'CI' });
    expect(created.key).toMatch(apiKeyPattern('sk_live_'));
    expect(created.start).toBe(created.key.slice(0, 12));

    calls.length = 0;
    const good = await request(app).get('/me').set('Authorization', `ApiKey ${created.key}`);
    expect(good.status).toBe(200);
    expect(calls.filter((name) => name === 'findToken')).toHaveLength(1);

    calls.length = 0;
    const typo = await request(app).get('/me').set('Authorization', `ApiKey ${mistyped(created.key)}`);
    expect(typo.status).toBe(401);
    expect(typo.body.code).toBe('401.2');
    expect(calls).toEqual([]);
    const query = await request(app).get(`/me?apikey=${mistyped(created.key, 12)}`);
    expect(query.status).toBe(401);
    expect(calls).toEqual([]);
  });

  it('keys printed by keygen --prefix go in the apiKeys map, get the same pre-check, and a mistyped one is refused at start-up', async () => {
    const printed = JSON.parse(await keygen(['--json', '--prefix', 'sk_live_', '--role', 'reporting', '--label', 'export'])) as { key: string; digest: string; entry: object };
    expect(printed.key).toMatch(apiKeyPattern('sk_live_'));
    const text = await keygen(['--prefix', 'acme_test_']);
    expect(text).toMatch(/^ {2}acme_test_[0-9A-Za-z]{49}$/m);

    const { store, calls } = counted(new MemoryStore({ passwordCost: 10 }));
    const auth = gatehouse({ store, apiKeys: { [printed.digest]: printed.entry, [generateApiKey('sk_live_')]: { role: 'other' } } });
    const app = express();
    app.use(auth.authenticate());
    app.get('/', auth.require({ roles: ['reporting'] }), (req, res) => res.json({ id: req.user!.id }));
    calls.length = 0;
    expect((await request(app).get('/').set('Authorization', `ApiKey ${printed.key}`)).body).toEqual({ id: 'export' });
    const typo = await request(app).get('/').set('Authorization', `ApiKey ${mistyped(printed.key)}`);
    expect([typo.status, typo.body.code]).toEqual([401, '401.2']);
    expect(calls).toEqual([]);

    // A plaintext key of this shape with a wrong checksum cannot be a key anyone was given.
    const error = thrownBy(() => gatehouse({ store, apiKeys: { [mistyped(generateApiKey('sk_live_'))]: { role: 'admin' } } }));
    expect(error).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option: 'apiKeys.*' });
    expect(error!.message).toContain('checksum');
  });

  it('keys issued before the format (gthk_…) keep working', async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    const bob = await users.addUser({ login: 'bob@example.org', password: 'irrelevant password' });
    const { generateToken, hashSecret } = await import('../src/tokens/format');
    const legacy = generateToken('apiKey');
    await users.saveToken({ hash: hashSecret(legacy), id: 'legacy-1', kind: 'apiKey', actorId: bob.id, createdAt: Date.now(), expiresAt: null });
    const auth = gatehouse({ store: users });
    const app = express();
    app.use(auth.authenticate());
    app.get('/me', auth.require(), (req, res) => res.json({ id: req.user!.id }));
    expect((await request(app).get('/me').set('Authorization', `ApiKey ${legacy}`)).body).toEqual({ id: bob.id });
    expect((await auth.tokens.list(bob.id))[0]).toMatchObject({ id: 'legacy-1', state: 'active' });
  });

  it('refuses a prefix that is not lower-case parts ending in "_" (option apiKeyPolicy.prefix)', () => {
    for (const prefix of ['SK_', 'sk', 'sk-live-', '_x_', 'a_b_c_d_e_f_']) {
      expect(thrownBy(() => gatehouse({ store: new MemoryStore(), apiKeyPolicy: { prefix } }))).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option: 'apiKeyPolicy.prefix' });
    }
  });
});
