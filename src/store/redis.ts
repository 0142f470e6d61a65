/**
 * `express-gatehouse/redis`: tokens, revocations and failed-attempt counters in Redis, shared by
 * every instance of an app (README, "Redis and PostgreSQL"). Users stay in the host's own store; combine the
 * two with `combineStores`.
 *
 * Layout under the key prefix (default `gatehouse:`):
 * - `token:<sha256 hex>` — a hash: `r` (the record as JSON, without the three fields
 *   below), `u` (usedAt), `l` (lastUsedAt), `i` (the credential id), `a` (actorId),
 *   `f` (familyId); it expires when the token does.
 * - `actor:<actorId>`, `family:<familyId>` — sets of token hashes, so deleting or listing
 *   all tokens of an actor, or deleting a refresh family, needs no SCAN.
 * - `id:<credential id>` — the token hash, for `findTokenById`; expires with the token.
 * - `revoked:<key>` — the revocation time, expiring with the revocation.
 * - `attempts:<key>` — a hash: `c` (count), `w` (window end), `k` (locked until).
 *
 * Every write that must be atomic is one Lua script, so two instances never interleave.
 * A Redis Cluster is not supported: a per-actor index and the tokens it lists live in
 * different hash slots. A single primary (optionally behind Sentinel) is.
 *
 * @module express-gatehouse/redis
 */
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { fail, knownOptions, type OptionNames } from '../config-error';
import { newCredentialId } from './credential-id';
import { ReadBatch } from './read-batch';
import type { AttemptPolicy, AttemptState, AttemptStore, RevocationStore, TokenRecord, TokenStore } from './types';

/**
 * ioredis options that make every store call settle quickly when Redis is down or stalled,
 * instead of queueing for ever. The store uses them for a client it creates itself; pass
 * the same to a client you create (and override any of them there to tune).
 *
 * Measured by `test/store.fail-fast-figures.test.ts` (a 3 s cut through a TCP proxy): while
 * Redis refuses connections a request answers 503.1 in about 100 ms, and 200 again about
 * 100 ms after Redis is back.
 *
 * - `commandTimeout: 1000` — a command (queued or sent) rejects after 1 s. This is the
 *   one that bounds a Redis that accepts connections but does not answer.
 * - `maxRetriesPerRequest: 0` — a command queued while disconnected is rejected at the
 *   next failed reconnection instead of after 20 (ioredis's default).
 * - `retryStrategy` — reconnect after 20, 40, … then every 100 ms (ioredis's default
 *   backs off to 2 s, which is how long queued commands and recovery then take).
 * - `connectTimeout: 2000` — a connection attempt that gets no answer is abandoned.
 *
 * `enableOfflineQueue: false` fails even faster while disconnected, but then calls made
 * before the first connection is ready fail too; await `client.connect()` (with
 * `lazyConnect: true`) before serving requests if you use it.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisStore, REDIS_FAIL_FAST_OPTIONS } from 'express-gatehouse/redis';
 * const client = new Redis(process.env.REDIS_URL!, REDIS_FAIL_FAST_OPTIONS);
 * const store = new RedisStore({ client });
 * ```
 */
export const REDIS_FAIL_FAST_OPTIONS: Readonly<Pick<RedisOptions, 'commandTimeout' | 'maxRetriesPerRequest' | 'connectTimeout' | 'retryStrategy'>> =
  Object.freeze({ commandTimeout: 1000, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: reconnectEvery100ms });

/** ioredis's reconnection delay: 20, 40, … then every 100 ms while Redis is away (its default grows to 2 s). */
function reconnectEvery100ms(attempt: number): number {
  return Math.min(attempt * 20, 100);
}

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /**
   * An ioredis client you own (you close it), or a URL / ioredis options from which the
   * store creates its own client with {@link REDIS_FAIL_FAST_OPTIONS} as defaults (closed
   * by `store.close()`). A client you pass must have `commandTimeout` set, or a stalled
   * Redis would hold requests for ever; the constructor refuses it otherwise. Required.
   * @example new RedisStore({ client: 'redis://127.0.0.1:6379' })
   * @example new RedisStore({ client: new Redis(url, { commandTimeout: 1000, maxRetriesPerRequest: 1 }) })
   * @example
   * ```ts
   * // A Sentinel-managed primary: ioredis asks the sentinels where it is, after a failover too.
   * new RedisStore({ client: new Redis({ sentinels: [{ host: 'sentinel-1', port: 26379 }], name: 'mymaster', ...REDIS_FAIL_FAST_OPTIONS }) })
   * ```
   */
  client: Redis | RedisOptions | string;
  /**
   * Prefix of every key the store writes (after the client's own `keyPrefix`, if any).
   * Default `'gatehouse:'`. Give each app (or test run) sharing a Redis its own.
   * @example new RedisStore({ client, keyPrefix: 'billing-api:auth:' })
   */
  keyPrefix?: string;
  /**
   * Clock for turning absolute expiry times into Redis TTLs. Default `Date.now`.
   * @example new RedisStore({ client, now: () => clock.now() })
   */
  now?: () => number;
}

/** The options of {@link RedisStore}; a compile error when it and {@link RedisStoreOptions} disagree. */
const OPTION_NAMES: OptionNames<RedisStoreOptions> = { client: true, keyPrefix: true, now: true };

/** A Lua script run by its SHA-1, falling back to EVAL when Redis does not have it cached. */
interface LuaScript {
  source: string;
  sha: string;
}

function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

// Index sets expire with their longest-lived token; each save also drops a few members
// whose token is gone, so an actor with a non-expiring token and many expired sessions
// does not grow a set for ever.
const INDEX_HELPERS = `
local function index_add(prefix, set_key, member, ttl)
  local set_ttl = redis.call('PTTL', set_key)
  redis.call('SADD', set_key, member)
  if not ttl then
    redis.call('PERSIST', set_key)
  elseif set_ttl == -2 or (set_ttl >= 0 and set_ttl < ttl) then
    redis.call('PEXPIRE', set_key, ttl)
  end
  for _, other in ipairs(redis.call('SRANDMEMBER', set_key, 3)) do
    if redis.call('EXISTS', prefix .. 'token:' .. other) == 0 then redis.call('SREM', set_key, other) end
  end
end
local function unindex(prefix, hash, actor_id, family_id)
  if actor_id then redis.call('SREM', prefix .. 'actor:' .. actor_id, hash) end
  if family_id then redis.call('SREM', prefix .. 'family:' .. family_id, hash) end
end
local function unindex_id(prefix, hash, id)
  if id and redis.call('GET', prefix .. 'id:' .. id) == hash then redis.call('DEL', prefix .. 'id:' .. id) end
end
local function index_id(prefix, hash, id, ttl)
  if ttl then redis.call('SET', prefix .. 'id:' .. id, hash, 'PX', ttl) else redis.call('SET', prefix .. 'id:' .. id, hash) end
end
`;

/**
 * KEYS: token key. ARGV: prefix, hash, json, actorId|'', familyId|'', usedAt|'', lastUsedAt|'',
 * ttl|''|'expired', id, '1' when the record brought that id ('' to keep the replaced record's),
 * 'existing'|'' (only replace a record that is still there: a session write-back must not
 * re-create a record that logout or revokeAll deleted meanwhile).
 */
const SAVE_TOKEN = lua(`${INDEX_HELPERS}
local prefix, hash = ARGV[1], ARGV[2]
if ARGV[11] == 'existing' and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local old = redis.call('HMGET', KEYS[1], 'a', 'f', 'i')
unindex(prefix, hash, old[1], old[2])
unindex_id(prefix, hash, old[3])
local id = ARGV[9]
if ARGV[10] == '' and old[3] then id = old[3] end
redis.call('DEL', KEYS[1])
if ARGV[8] == 'expired' then return 0 end
local ttl = tonumber(ARGV[8])
local fields = { 'r', ARGV[3] }
if ARGV[4] ~= '' then table.insert(fields, 'a'); table.insert(fields, ARGV[4]) end
if ARGV[5] ~= '' then table.insert(fields, 'f'); table.insert(fields, ARGV[5]) end
if ARGV[6] ~= '' then table.insert(fields, 'u'); table.insert(fields, ARGV[6]) end
if ARGV[7] ~= '' then table.insert(fields, 'l'); table.insert(fields, ARGV[7]) end
table.insert(fields, 'i'); table.insert(fields, id)
redis.call('HSET', KEYS[1], unpack(fields))
if ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
index_id(prefix, hash, id, ttl)
if ARGV[4] ~= '' then index_add(prefix, prefix .. 'actor:' .. ARGV[4], hash, ttl) end
if ARGV[5] ~= '' then index_add(prefix, prefix .. 'family:' .. ARGV[5], hash, ttl) end
return 1
`);

/** KEYS: token key. ARGV: prefix, hash. */
const DELETE_TOKEN = lua(`${INDEX_HELPERS}
local old = redis.call('HMGET', KEYS[1], 'a', 'f', 'i')
local removed = redis.call('DEL', KEYS[1])
unindex(ARGV[1], ARGV[2], old[1], old[2])
unindex_id(ARGV[1], ARGV[2], old[3])
return removed
`);

/** KEYS: index set. ARGV: prefix, field ('a' or 'f'), the actor or family id. */
const DELETE_INDEXED = lua(`${INDEX_HELPERS}
local prefix, field, owner = ARGV[1], ARGV[2], ARGV[3]
local removed = 0
for _, hash in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local token_key = prefix .. 'token:' .. hash
  local old = redis.call('HMGET', token_key, 'a', 'f', 'i')
  -- Only tokens that still belong to this owner: a re-saved hash has moved indexes.
  if (field == 'a' and old[1] == owner) or (field == 'f' and old[2] == owner) then
    redis.call('DEL', token_key)
    unindex(prefix, hash, old[1], old[2])
    unindex_id(prefix, hash, old[3])
    removed = removed + 1
  end
end
redis.call('DEL', KEYS[1])
return removed
`);

/** KEYS: token key. ARGV: usedAt. Resolves to the fields as they were before. */
const MARK_TOKEN_USED = lua(`
local before = redis.call('HMGET', KEYS[1], 'r', 'u', 'l', 'i')
if not before[1] then return false end
if not before[2] then redis.call('HSET', KEYS[1], 'u', ARGV[1]) end
return before
`);

/** KEYS: token key. ARGV: lastUsedAt. HSET alone would resurrect a deleted token without a TTL. */
const TOUCH_TOKEN = lua(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'l', ARGV[1]) end
return 0
`);

/** KEYS: actor index. ARGV: prefix, actorId. The actor's records as [r, u, l, i] (the index may hold strays). */
const LIST_TOKENS = lua(`
local prefix = ARGV[1]
local records = {}
for _, hash in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local fields = redis.call('HMGET', prefix .. 'token:' .. hash, 'r', 'u', 'l', 'i', 'a')
  if fields[1] and fields[5] == ARGV[2] then table.insert(records, { fields[1], fields[2], fields[3], fields[4] }) end
end
return records
`);

/**
 * KEYS: hash keys. ARGV: field names. `HMGET` of each key, one reply for a batch of lookups
 * (`ReadBatch`): one command instead of one per request.
 */
const HMGET_EACH = lua(`
local found = {}
for index, key in ipairs(KEYS) do found[index] = redis.call('HMGET', key, unpack(ARGV)) end
return found
`);

/** KEYS: id key. ARGV: prefix, id. The record as [r, u, l, i], or nil. */
const FIND_TOKEN_BY_ID = lua(`
local hash = redis.call('GET', KEYS[1])
if not hash then return false end
local fields = redis.call('HMGET', ARGV[1] .. 'token:' .. hash, 'r', 'u', 'l', 'i')
if not fields[1] or fields[4] ~= ARGV[2] then return false end
return fields
`);

/**
 * KEYS: token key. ARGV: prefix, hash, new id. Gives a record written before ids existed
 * an id (or resolves to the one it has); nil when the token is gone.
 */
const ASSIGN_ID = lua(`${INDEX_HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local id = redis.call('HGET', KEYS[1], 'i')
if id then return id end
redis.call('HSET', KEYS[1], 'i', ARGV[3])
local ttl = redis.call('PTTL', KEYS[1])
index_id(ARGV[1], ARGV[2], ARGV[3], ttl > 0 and ttl or nil)
return ARGV[3]
`);

/** KEYS: revocation key. ARGV: revokedAt, ttl. A later revocation of the same key wins. */
const SAVE_REVOCATION = lua(`
local current = redis.call('GET', KEYS[1])
if current and tonumber(current) > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

/**
 * KEYS: counter key. ARGV: now, maxAttempts, windowMs, lockMs. The same rules as
 * MemoryStore: the window starts at the first failure, the lock is set once when the
 * count reaches maxAttempts, and an elapsed window or lock starts a new count.
 */
const RECORD_FAILED_ATTEMPT = lua(`
local now, max_attempts = tonumber(ARGV[1]), tonumber(ARGV[2])
local window_ms, lock_ms = tonumber(ARGV[3]), tonumber(ARGV[4])
local stored = redis.call('HMGET', KEYS[1], 'c', 'w', 'k')
local count, window_ends_at, locked_until = tonumber(stored[1]), tonumber(stored[2]), tonumber(stored[3])
local over = (not count) or (locked_until and locked_until <= now) or ((not locked_until) and window_ends_at <= now)
if over then
  count, window_ends_at, locked_until = 0, now + window_ms, nil
end
count = count + 1
if count >= max_attempts and not locked_until then locked_until = now + lock_ms end
redis.call('HSET', KEYS[1], 'c', count, 'w', window_ends_at)
if locked_until then redis.call('HSET', KEYS[1], 'k', locked_until) else redis.call('HDEL', KEYS[1], 'k') end
-- The counter is useless once its window (or lock) is over; let Redis drop it then.
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((locked_until or window_ends_at) - now)))
return { tostring(count), locked_until and tostring(locked_until) or false }
`);

/** KEYS: counter key. Resolves to the count it had. */
const CLEAR_ATTEMPTS = lua(`
local count = redis.call('HGET', KEYS[1], 'c')
redis.call('DEL', KEYS[1])
return tonumber(count) or 0
`);

/** The record fields kept outside the JSON because scripts read or change them. */
type StoredRecordBody = Omit<TokenRecord, 'usedAt' | 'lastUsedAt' | 'id'>;

/**
 * Tokens, revocations and failed-attempt counters in Redis (ioredis 5), for apps that run
 * on more than one instance. Implements `TokenStore`, `RevocationStore` and `AttemptStore`;
 * pair it with the host's users through `combineStores`.
 *
 * Token records expire in Redis when the token does, so an expired token reads as unknown
 * (401.2) rather than expired (401.4). Revocations expire at their `expiresAt`, counters
 * when their window or lock is over. Every call is a single round trip.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisStore, REDIS_FAIL_FAST_OPTIONS } from 'express-gatehouse/redis';
 * import { combineStores } from 'express-gatehouse';
 *
 * const client = new Redis(process.env.REDIS_URL!, REDIS_FAIL_FAST_OPTIONS);
 * const store = combineStores({ credentials: myUsers, tokens: new RedisStore({ client }) });
 * ```
 */
export class RedisStore implements TokenStore, RevocationStore, AttemptStore {
  /** The ioredis client in use (yours, or the one the store created). */
  readonly client: Redis;
  private readonly ownsClient: boolean;
  /**
   * The reads every authenticated request makes (its token, its revocations, its lockout
   * counter), each batched: lookups made during one pass of the event loop go as one
   * command (`ReadBatch`, issue 20's store rows). Rows are the stored text, parsed per caller.
   */
  private readonly tokenReads = new ReadBatch<Array<string | null>>((keys) => this.hmgetEach(keys, ['r', 'u', 'l', 'i']));
  private readonly revocationReads = new ReadBatch<string | null>(async (keys) => {
    const values = await this.client.mget(keys);
    return new Map(keys.map((key, index) => [key, values[index]]));
  });
  private readonly attemptReads = new ReadBatch<Array<string | null>>((keys) => this.hmgetEach(keys, ['c', 'w', 'k']));
  private readonly prefix: string;
  /** The prefix as Redis sees it, for keys that scripts build themselves. */
  private readonly scriptPrefix: string;
  private readonly now: () => number;

  constructor(options: RedisStoreOptions) {
    const where = 'RedisStore';
    if (options === null || typeof options !== 'object') {
      fail('', "options must be an object such as { client: 'redis://127.0.0.1:6379' }.", { where });
    }
    knownOptions(options, OPTION_NAMES, '', { where });
    const { client, keyPrefix = 'gatehouse:', now = Date.now } = options;
    if (typeof keyPrefix !== 'string') {
      fail('keyPrefix', "keyPrefix must be a string; default 'gatehouse:'.", { where });
    }
    if (typeof now !== 'function') {
      fail('now', 'now must be a function returning milliseconds; default Date.now.', { where });
    }
    if (isRedisClient(client)) {
      if (client.isCluster) {
        fail('client', 'a Redis Cluster client is not supported (an actor index and its tokens live in different slots); use a single primary or Sentinel.', { where });
      }
      const timeout = client.options.commandTimeout;
      if (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout)) {
        fail(
          'client',
          'the client has no commandTimeout, so a stalled Redis would hold requests for ever; create it with { commandTimeout: 1000, maxRetriesPerRequest: 1 } (REDIS_FAIL_FAST_OPTIONS), or pass a URL or options and let the store create it.',
          { where },
        );
      }
      this.client = client;
      this.ownsClient = false;
    } else if (typeof client === 'string' || (client !== null && typeof client === 'object')) {
      this.client =
        typeof client === 'string'
          ? new Redis(client, { ...REDIS_FAIL_FAST_OPTIONS })
          : new Redis({ ...REDIS_FAIL_FAST_OPTIONS, ...client });
      this.ownsClient = true;
      // Outages surface as rejected store calls (503.1); without a listener ioredis would
      // also print every reconnection error to the console.
      this.client.on('error', () => {});
    } else {
      fail('client', "client is required: an ioredis client, ioredis options, or a URL such as 'redis://127.0.0.1:6379'.", { where, code: 'GATEHOUSE_MISSING_OPTION' });
    }
    this.prefix = keyPrefix;
    this.scriptPrefix = (this.client.options.keyPrefix ?? '') + keyPrefix;
    this.now = now;
  }

  // ---- TokenStore ----

  async saveToken(record: TokenRecord): Promise<void> {
    await this.writeToken(record, '');
  }

  async updateToken(record: TokenRecord): Promise<boolean> {
    return (await this.writeToken(record, 'existing')) === 1;
  }

  private async writeToken(record: TokenRecord, mode: '' | 'existing'): Promise<unknown> {
    const { usedAt, lastUsedAt, id, ...body } = record;
    const stored: StoredRecordBody = body;
    let ttl = '';
    if (record.expiresAt !== null) {
      const remaining = Math.ceil(record.expiresAt - this.now());
      // An already expired record is not kept: the interface lets findToken forget it.
      ttl = remaining > 0 ? String(remaining) : 'expired';
    }
    return this.runScript(SAVE_TOKEN, [this.tokenKey(record.hash)], [
      this.scriptPrefix,
      record.hash,
      JSON.stringify(stored),
      record.actorId ?? '',
      record.familyId ?? '',
      usedAt == null ? '' : String(usedAt),
      lastUsedAt == null ? '' : String(lastUsedAt),
      ttl,
      id ?? newCredentialId(),
      id ? '1' : '',
      mode,
    ]);
  }

  async findToken(hash: string): Promise<TokenRecord | null> {
    const key = this.tokenKey(hash);
    // Parsed per caller from the stored text: callers of one batch never share a record.
    const [body, usedAt, lastUsedAt, id] = (await this.tokenReads.read([key])).rows.get(key)!;
    return body === null ? null : toRecord(body, usedAt, lastUsedAt, id);
  }

  async deleteToken(hash: string): Promise<boolean> {
    const removed = await this.runScript(DELETE_TOKEN, [this.tokenKey(hash)], [this.scriptPrefix, hash]);
    return removed === 1;
  }

  async deleteTokensForActor(actorId: string): Promise<number> {
    return Number(await this.runScript(DELETE_INDEXED, [`${this.prefix}actor:${actorId}`], [this.scriptPrefix, 'a', actorId]));
  }

  async deleteTokenFamily(familyId: string): Promise<number> {
    return Number(await this.runScript(DELETE_INDEXED, [`${this.prefix}family:${familyId}`], [this.scriptPrefix, 'f', familyId]));
  }

  async markTokenUsed(hash: string, usedAt: number): Promise<TokenRecord | null> {
    const before = (await this.runScript(MARK_TOKEN_USED, [this.tokenKey(hash)], [String(usedAt)])) as Array<string | null> | null;
    return before === null ? null : toRecord(before[0] as string, before[1], before[2], before[3]);
  }

  async touchToken(hash: string, lastUsedAt: number): Promise<void> {
    await this.runScript(TOUCH_TOKEN, [this.tokenKey(hash)], [String(lastUsedAt)]);
  }

  async listTokens(actorId: string): Promise<TokenRecord[]> {
    const rows = (await this.runScript(LIST_TOKENS, [`${this.prefix}actor:${actorId}`], [this.scriptPrefix, actorId])) as StoredFields[];
    const records = rows.map(([body, usedAt, lastUsedAt, id]) => toRecord(body, usedAt, lastUsedAt, id));
    // Records saved before ids existed get one the first time they are listed.
    for (const record of records) {
      if (record.id) continue;
      const hash = record.hash;
      record.id = (await this.runScript(ASSIGN_ID, [this.tokenKey(hash)], [this.scriptPrefix, hash, newCredentialId()])) as string | null;
    }
    return records.filter((record) => record.id !== null);
  }

  async findTokenById(id: string): Promise<TokenRecord | null> {
    const fields = (await this.runScript(FIND_TOKEN_BY_ID, [`${this.prefix}id:${id}`], [this.scriptPrefix, id])) as StoredFields | null;
    return fields === null ? null : toRecord(fields[0], fields[1], fields[2], fields[3]);
  }

  // ---- RevocationStore ----

  async saveRevocation(key: string, revokedAt: number, expiresAt: number): Promise<void> {
    const remaining = Math.ceil(expiresAt - this.now());
    // Already over: the entry may be dropped after expiresAt, so it need not be written.
    if (remaining <= 0) return;
    await this.runScript(SAVE_REVOCATION, [`${this.prefix}revoked:${key}`], [String(revokedAt), String(remaining)]);
  }

  async findRevocations(keys: readonly string[]): Promise<Array<number | null>> {
    if (keys.length === 0) return [];
    const redisKeys = keys.map((key) => `${this.prefix}revoked:${key}`);
    const { rows } = await this.revocationReads.read(redisKeys);
    return redisKeys.map((key) => {
      const value = rows.get(key);
      return value === null || value === undefined ? null : Number(value);
    });
  }

  // ---- AttemptStore ----

  async readAttempts(key: string, now: number): Promise<AttemptState> {
    const redisKey = this.attemptsKey(key);
    const [count, windowEndsAt, lockedUntil] = (await this.attemptReads.read([redisKey])).rows.get(redisKey)!;
    if (count === null || windowEndsAt === null) return { count: 0, lockedUntil: null };
    const locked = lockedUntil === null ? null : Number(lockedUntil);
    const over = locked !== null ? locked <= now : Number(windowEndsAt) <= now;
    return over ? { count: 0, lockedUntil: null } : { count: Number(count), lockedUntil: locked };
  }

  async recordFailedAttempt(key: string, policy: AttemptPolicy, now: number): Promise<AttemptState> {
    const [count, lockedUntil] = (await this.runScript(RECORD_FAILED_ATTEMPT, [this.attemptsKey(key)], [
      String(now),
      String(policy.maxAttempts),
      String(policy.windowMs),
      String(policy.lockMs),
    ])) as [string, string | null];
    return { count: Number(count), lockedUntil: lockedUntil === null ? null : Number(lockedUntil) };
  }

  async clearAttempts(key: string): Promise<number> {
    return Number(await this.runScript(CLEAR_ATTEMPTS, [this.attemptsKey(key)], []));
  }

  // ---- lifecycle ----

  /** Closes the client if the store created it; a client you passed stays open (you own it). */
  async close(): Promise<void> {
    if (!this.ownsClient || this.client.status === 'end') return;
    // QUIT would wait in the offline queue behind commands that already timed out.
    if (this.client.status !== 'ready') {
      this.client.disconnect();
      return;
    }
    try {
      await this.client.quit();
    } catch {
      // quit fails when the connection is already gone; what matters is that it is closed.
      this.client.disconnect();
    }
  }

  private tokenKey(hash: string): string {
    return `${this.prefix}token:${hash}`;
  }

  private attemptsKey(key: string): string {
    return `${this.prefix}attempts:${key}`;
  }

  /** EVALSHA, and EVAL once when Redis lost its script cache (restart, SCRIPT FLUSH). */
  /**
   * `HMGET key ...fields` of every key of a batch: the command itself for one key, one
   * script call for several (`HMGET_EACH`).
   */
  private async hmgetEach(keys: string[], fields: string[]): Promise<ReadonlyMap<string, Array<string | null>>> {
    if (keys.length === 1) return new Map([[keys[0], await this.client.hmget(keys[0], ...fields)]]);
    const replies = (await this.runScript(HMGET_EACH, keys, fields)) as Array<Array<string | null>>;
    return new Map(keys.map((key, index) => [key, replies[index]]));
  }

  private async runScript(script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.client.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(script.source, keys.length, ...keys, ...args);
    }
  }
}

function isRedisClient(value: unknown): value is Redis {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Redis).evalsha === 'function' &&
    typeof (value as Redis).hmget === 'function' &&
    typeof (value as Redis).options === 'object'
  );
}

/** A token hash's `r`, `u`, `l` and `i` fields as a script returns them. */
type StoredFields = [string, string | null, string | null, string | null];

function toRecord(body: string, usedAt: string | null, lastUsedAt: string | null, id: string | null = null): TokenRecord {
  const record = JSON.parse(body) as TokenRecord;
  record.usedAt = usedAt === null ? null : Number(usedAt);
  record.lastUsedAt = lastUsedAt === null ? null : Number(lastUsedAt);
  record.id = id;
  return record;
}
