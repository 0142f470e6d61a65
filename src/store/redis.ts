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
 * - `2fa:factors:<actorId>` — a hash of the actor's second factors (id → record as JSON);
 *   `2fa:recovery:<actorId>` — a set of its recovery-code hashes; `2fa:used:<actorId>:<key>` —
 *   one entry of its used-code window, expiring with it. On a cluster each is in the actor's
 *   slot (`2fa:factors:{<actorId>}`, …).
 * - `identity:<member>` — an identity's link to its actor (JSON); `identities:<actorId>` — a set
 *   of the actor's identity members (`redis-keys.ts`, `identityMember`).
 * - `oidc-session:<member>` — a sorted set of the actors with credentials from a provider
 *   session (issuer, sid), each scored by until when; it expires with its last entry.
 *
 * Every write that must be atomic is one Lua script, so two instances never interleave.
 *
 * Over an ioredis `Cluster` client the store writes the cluster layout instead
 * (`redis-keys.ts`): every key carries a hash tag (`token:{<hash>}`, `actor:{<actorId>}`, …),
 * indexes are sorted sets scored by expiry, and operations that span slots run as ordered
 * single-slot steps (`redis-cluster-tokens.ts`; ARCHITECTURE.md, "Redis Cluster"). A single
 * primary (optionally behind Sentinel) keeps the layout above, so its existing data stays valid.
 *
 * @module express-gatehouse/redis
 */
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { fail, knownOptions, type OptionNames } from '../config-error';
import { newCredentialId } from './credential-id';
import { consumeGroupOf, PassBatches, type ConsumeCall, type ConsumeGroup } from './pass-batch';
import { ReadBatch } from './read-batch';
import { ClusterTokens } from './redis-cluster-tokens';
import { CLUSTER_LINK_IDENTITY, CLUSTER_UNLINK_IDENTITY } from './redis-cluster-scripts';
import { identityMember, redisKeys, type RedisKeys } from './redis-keys';
import {
  ASSIGN_ID,
  CLEAR_ATTEMPTS,
  CONSUME_LIMITS,
  REFUND_LIMITS,
  DELETE_INDEXED,
  DELETE_TOKEN,
  FIND_TOKENS_AND_CONSUME,
  FIND_TOKEN_BY_ID,
  HMGET_EACH,
  LINK_IDENTITY,
  LIST_TOKENS,
  MARK_TOKEN_USED,
  RECORD_FAILED_ATTEMPT,
  SAVE_PROVIDER_SESSION,
  SAVE_REVOCATION,
  SAVE_TOKEN,
  TOUCH_TOKEN,
  UNLINK_IDENTITY,
  type LuaScript,
} from './redis-scripts';
import { attemptState, idOnReplace, isCounterOf, ownedConnection } from './rules';
import { counterWindowsAt, countersOfRecord, limitsOfData, outcomeFromAnswer as parseOutcome, readCounterStates, recordIsCounted, type CounterState, type LimitCounter, type LimitOutcome, type MonthWindow, type TokenLimitPlan } from '../rate-limits/policy';
import type { AttemptPolicy, AttemptState, AttemptStore, IdentityLink, IdentityStore, ProviderSessionLink, RevocationStore, CountedToken, SecondFactorRecord, SecondFactorStore, TokenRecord, TokenStore } from './types';

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
   * @example
   * ```ts
   * // A Redis Cluster (the cluster key layout; ioredis follows MOVED and ASK).
   * new RedisStore({ client: new Cluster([{ host: 'redis-1', port: 6379 }], { redisOptions: REDIS_FAIL_FAST_OPTIONS }) })
   * ```
   */
  client: Redis | Cluster | RedisOptions | string;
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
  /**
   * Waits, after each write that ends a credential (`deleteToken`, `deleteTokensForActor`,
   * `deleteTokenFamily`, `saveRevocation`), until `replicas` replicas of the primary that took
   * it have acknowledged it (Redis `WAIT`), for up to `timeoutMs`; fewer acknowledgements fail
   * the call (503.1: the revocation is on the primary, but not yet where a failover would find
   * it). Without it a failover can lose a revocation the old primary acknowledged just before
   * it died, and the credential works again (README, "More than one instance"). Costs one
   * replication round trip per revocation write; reads and logins are unaffected.
   * `timeoutMs` must be below the client's `commandTimeout`.
   * Default: none (no `WAIT`).
   * @example new RedisStore({ client, waitForReplicas: { replicas: 1, timeoutMs: 500 } })
   */
  waitForReplicas?: WaitForReplicasOptions;
}

/** How many replicas must acknowledge a revocation write, and how long to wait for them ({@link RedisStoreOptions.waitForReplicas}). */
export interface WaitForReplicasOptions {
  /**
   * Replicas that must have the write: a positive integer, at most the replicas each primary has. Required.
   * @example { replicas: 1, timeoutMs: 500 }
   */
  replicas: number;
  /**
   * How long to wait for them, in ms: a positive integer (Redis's 0, "for ever", is refused). Required.
   * @example { replicas: 1, timeoutMs: 500 }
   */
  timeoutMs: number;
}

/** The options of {@link RedisStore}; a compile error when it and {@link RedisStoreOptions} disagree. */
const OPTION_NAMES: OptionNames<RedisStoreOptions> = { client: true, keyPrefix: true, now: true, waitForReplicas: true };
const WAIT_OPTION_NAMES: OptionNames<WaitForReplicasOptions> = { replicas: true, timeoutMs: true };

/** The record fields kept outside the JSON because scripts read or change them. */
type StoredRecordBody = Omit<TokenRecord, 'usedAt' | 'lastUsedAt' | 'id'>;

/**
 * Tokens, revocations and failed-attempt counters in Redis (ioredis 5), for apps that run
 * on more than one instance. Implements `TokenStore`, `RevocationStore` and `AttemptStore`;
 * pair it with the host's users through `combineStores`.
 *
 * Token records expire in Redis when the token does, so an expired token reads as unknown
 * (401.2) rather than expired (401.4). Revocations expire at their `expiresAt`, counters
 * when their window or lock is over. Every call is a single round trip; over a Redis Cluster
 * client, the calls whose keys span slots (saving a token, deleting or listing an actor's or
 * a family's tokens, finding one by id) take two or three, in the order ARCHITECTURE.md
 * ("Redis Cluster") argues, and an authenticated request's reads still take one.
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
export class RedisStore implements TokenStore, RevocationStore, AttemptStore, SecondFactorStore, IdentityStore {
  /** The ioredis client in use (yours, or the one the store created): a `Cluster` client selects the cluster layout. */
  readonly client: Redis | Cluster;
  private readonly ownsClient: boolean;
  /**
   * The reads every authenticated request makes (its token, its revocations, its lockout
   * counter), each batched: lookups made during one pass of the event loop go as one
   * command (`ReadBatch`; the Redis rows of `bench/RESULTS.md`). Rows are the stored text, parsed per caller.
   */
  private readonly tokenReads = new ReadBatch<Array<string | null>>((keys) => this.hmgetEach(keys, ['r', 'u', 'l', 'i']));
  private readonly revocationReads = new ReadBatch<string | null>(async (keys) => {
    // On a cluster the keys are in different slots: one GET each, sent together.
    const values = this.cluster ? await Promise.all(keys.map((key) => this.client.get(key))) : await this.client.mget(keys);
    return new Map(keys.map((key, index) => [key, values[index]]));
  });
  private readonly attemptReads = new ReadBatch<Array<string | null>>((keys) => this.hmgetEach(keys, ['c', 'w', 'k']));
  /** Open batches of `findTokenAndConsume` (single primary), by plan and month: one script per pass. */
  private readonly consumeBatches = new PassBatches<ConsumeGroup, ConsumeCall, CountedToken | null>((group, calls) => this.sendConsumeBatch(group, calls));
  private readonly keys: RedisKeys;
  /** The token operations spanning slots, on a Redis Cluster; null on a single primary. */
  private readonly cluster: ClusterTokens | null;
  private readonly waitFor: WaitForReplicasOptions | null;
  /** The prefix as Redis sees it, for keys that scripts build themselves. */
  private readonly scriptPrefix: string;
  private readonly now: () => number;

  constructor(options: RedisStoreOptions) {
    const where = 'RedisStore';
    if (options === null || typeof options !== 'object') {
      fail('', "options must be an object such as { client: 'redis://127.0.0.1:6379' }.", { where });
    }
    knownOptions(options, OPTION_NAMES, '', { where });
    const { client, keyPrefix = 'gatehouse:', now = Date.now, waitForReplicas } = options;
    if (typeof keyPrefix !== 'string') {
      fail('keyPrefix', "keyPrefix must be a string; default 'gatehouse:'.", { where });
    }
    if (typeof now !== 'function') {
      fail('now', 'now must be a function returning milliseconds; default Date.now.', { where });
    }
    const { connection, owned } = ownedConnection<Redis | Cluster>(client, {
      where: 'RedisStore',
      option: 'client',
      isConnection: isRedisClient,
      timeoutOf: (given) => (isCluster(given) ? given.options.redisOptions?.commandTimeout : given.options.commandTimeout),
      withoutTimeout:
        'the client has no commandTimeout, so a stalled Redis would hold requests for ever; create it with { commandTimeout: 1000, maxRetriesPerRequest: 1 } (REDIS_FAIL_FAST_OPTIONS), or pass a URL or options and let the store create it.',
      create: (config) => {
        const created = typeof config === 'string' ? new Redis(config, { ...REDIS_FAIL_FAST_OPTIONS }) : new Redis({ ...REDIS_FAIL_FAST_OPTIONS, ...config });
        // Outages surface as rejected store calls (503.1); without a listener ioredis would
        // also print every reconnection error to the console.
        created.on('error', () => {});
        return created;
      },
      missing: "client is required: an ioredis client, ioredis options, or a URL such as 'redis://127.0.0.1:6379'.",
    });
    this.client = connection;
    this.ownsClient = owned;
    this.scriptPrefix = (this.client.options.keyPrefix ?? '') + keyPrefix;
    if (isCluster(connection) && /[{}]/.test(this.scriptPrefix)) {
      // The prefix's own hash tag would put every key in one slot, and split nothing.
      fail('keyPrefix', `with a Redis Cluster client the key prefix (${JSON.stringify(this.scriptPrefix)}, with the client's own) must hold no '{' or '}': the store tags each key itself.`, { where });
    }
    if (isCluster(connection) && (connection.options.scaleReads ?? 'master') !== 'master') {
      // A replica lags its primary: a token read there could still be there after its logout.
      fail('client', "the Redis Cluster client reads from replicas (scaleReads); a replica may not have a logout yet, and a revoked token would be accepted there. Leave scaleReads at 'master' (its default).", { where });
    }
    this.keys = redisKeys(keyPrefix, isCluster(connection) ? 'cluster' : 'single');
    this.waitFor = waitForReplicasOption(waitForReplicas, where);
    const commandTimeout = isCluster(connection) ? connection.options.redisOptions?.commandTimeout : connection.options.commandTimeout;
    if (this.waitFor && typeof commandTimeout === 'number' && this.waitFor.timeoutMs >= commandTimeout) {
      // WAIT would be cut off by the client first, with a "Command timed out" that names nothing.
      fail('waitForReplicas.timeoutMs', `waitForReplicas.timeoutMs (${this.waitFor.timeoutMs}) must be below the client's commandTimeout (${commandTimeout}).`, { where });
    }
    this.now = now;
    this.cluster = isCluster(connection)
      ? new ClusterTokens({ client: connection, keys: this.keys, now: () => this.now(), run: (script, keys, args) => this.runScript(script, keys, args) })
      : null;
  }

  // ---- TokenStore ----

  async saveToken(record: TokenRecord): Promise<void> {
    await this.writeToken(record, '');
  }

  async updateToken(record: TokenRecord): Promise<boolean> {
    return (await this.writeToken(record, 'existing')) === 1;
  }

  private async writeToken(record: TokenRecord, mode: '' | 'existing'): Promise<unknown> {
    const { usedAt, lastUsedAt, id: _ownId, ...body } = record;
    const stored: StoredRecordBody = body;
    let ttl = '';
    if (record.expiresAt !== null) {
      const remaining = Math.ceil(record.expiresAt - this.now());
      // An already expired record is not kept: the interface lets findToken forget it.
      ttl = remaining > 0 ? String(remaining) : 'expired';
    }
    if (this.cluster) {
      const { id, own } = idOnReplace(record);
      return this.cluster.write({
        hash: record.hash,
        json: JSON.stringify(stored),
        actorId: record.actorId ?? null,
        familyId: record.familyId ?? null,
        usedAt: usedAt == null ? '' : String(usedAt),
        lastUsedAt: lastUsedAt == null ? '' : String(lastUsedAt),
        ttl,
        expiresAt: record.expiresAt,
        id,
        ownId: own,
        mode,
      });
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
      // The script keeps the replaced record's id unless the record brings its own (rules.ts).
      ...idArguments(record),
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
    const key = this.tokenKey(hash);
    const removed = this.cluster ? await this.cluster.delete(hash) : (await this.runScript(DELETE_TOKEN, [key], [this.scriptPrefix, hash])) === 1;
    if (removed) await this.replicated([key]);
    return removed;
  }

  async deleteTokensForActor(actorId: string): Promise<number> {
    return this.deleteIndexed('a', actorId, this.keys.actorIndex(actorId));
  }

  async deleteTokenFamily(familyId: string): Promise<number> {
    return this.deleteIndexed('f', familyId, this.keys.familyIndex(familyId));
  }

  private async deleteIndexed(field: 'a' | 'f', owner: string, indexKey: string): Promise<number> {
    if (this.cluster) {
      const { removed, deleted } = await this.cluster.deleteIndexed({ field, id: owner });
      await this.replicated(deleted.map((hash) => this.tokenKey(hash)));
      return removed;
    }
    const removed = Number(await this.runScript(DELETE_INDEXED, [indexKey], [this.scriptPrefix, field, owner]));
    if (removed > 0) await this.replicated([indexKey]);
    return removed;
  }

  async markTokenUsed(hash: string, usedAt: number): Promise<TokenRecord | null> {
    const before = (await this.runScript(MARK_TOKEN_USED, [this.tokenKey(hash)], [String(usedAt)])) as Array<string | null> | null;
    return before === null ? null : toRecord(before[0] as string, before[1], before[2], before[3]);
  }

  async touchToken(hash: string, lastUsedAt: number): Promise<void> {
    await this.runScript(TOUCH_TOKEN, [this.tokenKey(hash)], [String(lastUsedAt)]);
  }

  async listTokens(actorId: string): Promise<TokenRecord[]> {
    const rows = this.cluster
      ? await this.cluster.list(actorId)
      : ((await this.runScript(LIST_TOKENS, [this.keys.actorIndex(actorId)], [this.scriptPrefix, actorId])) as StoredFields[]);
    const records = rows.map(([body, usedAt, lastUsedAt, id]) => toRecord(body, usedAt, lastUsedAt, id));
    // Records saved before ids existed get one the first time they are listed.
    for (const record of records) {
      if (record.id) continue;
      const hash = record.hash;
      record.id = this.cluster
        ? await this.cluster.assignId(hash)
        : ((await this.runScript(ASSIGN_ID, [this.tokenKey(hash)], [this.scriptPrefix, hash, newCredentialId()])) as string | null);
    }
    return records.filter((record) => record.id !== null);
  }

  async findTokenById(id: string): Promise<TokenRecord | null> {
    const fields = this.cluster
      ? await this.cluster.findById(id)
      : ((await this.runScript(FIND_TOKEN_BY_ID, [this.keys.credentialId(id)], [this.scriptPrefix, id])) as StoredFields | null);
    return fields === null ? null : toRecord(fields[0], fields[1], fields[2], fields[3]);
  }

  // ---- rate limits ----

  async consumeLimits(counters: readonly LimitCounter[], cost: number, now: number, month: MonthWindow): Promise<LimitOutcome> {
    if (this.cluster) return this.consumeLimitsInSlots(counters, cost, now, month);
    return this.consumeInOneScript([], counters, cost, now, month);
  }

  /** One `CONSUME_LIMITS` call: all-or-nothing over `counters`, which are all in the slot of `keys` (cluster) or anywhere (single primary). */
  private async consumeInOneScript(keys: string[], counters: readonly LimitCounter[], cost: number, now: number, month: MonthWindow): Promise<LimitOutcome> {
    const answer = (await this.runScript(CONSUME_LIMITS, keys, [
      this.scriptPrefix,
      JSON.stringify(counters),
      String(cost),
      String(Math.round(now)),
      String(month.start),
      String(month.end),
    ])) as string;
    return parseOutcome(answer);
  }

  /**
   * `consumeLimits` over a Redis Cluster, where a key's counters and its actor's are in
   * different slots (`RedisKeys.limitCounters`): one script per subject, in the order given
   * (the key's first), each atomic for its counters. When a later subject refuses, what the
   * earlier ones counted is taken back (`REFUND_LIMITS`) and the rest are only read (cost 0),
   * so a refused request ends up counted in none; between the two calls a concurrent request
   * may see the earlier count and be refused (it errs on the side of refusing, never over a limit).
   */
  private async consumeLimitsInSlots(counters: readonly LimitCounter[], cost: number, now: number, month: MonthWindow): Promise<LimitOutcome> {
    // Grouped by slot key (the route ioredis sends the script by); the script builds keys with the client's own prefix too.
    const groups = new Map<string, LimitCounter[]>();
    for (const counter of counters) {
      const route = this.keys.limitCounters(counter.subject);
      groups.set(route, [...(groups.get(route) ?? []), counter]);
    }
    const clientPrefix = this.client.options.keyPrefix ?? '';
    const states: LimitOutcome['counters'] = [];
    const counted: Array<{ route: string; keys: string[]; states: LimitOutcome['counters'] }> = [];
    let allowed = true;
    for (const [route, group] of groups) {
      const base = clientPrefix + route;
      const outcome = await this.consumeInOneScript([route], group.map((counter) => ({ ...counter, base })), allowed ? cost : 0, now, month);
      if (allowed && !outcome.allowed) allowed = false;
      else if (allowed) counted.push({ route, keys: outcome.counters.map((state) => `${base}:${state.name}:${state.start}`), states: outcome.counters });
      states.push(...outcome.counters);
    }
    if (!allowed && cost > 0) {
      for (const { route, keys, states: taken } of counted) {
        await this.runScript(REFUND_LIMITS, [route], [String(cost), ...keys]);
        for (const state of taken) state.used -= cost;
      }
    }
    return { allowed, counters: states };
  }

  /**
   * The counters' keys read with GET (no script, no write), named as `CONSUME_LIMITS` names
   * them: `RedisKeys.limitCounters(subject)` + `:<name>:<window start>` (the client adds its
   * own prefix, as the script's base includes it). One MGET; over a cluster, whose keys are in
   * several slots, one GET each, sent together.
   */
  async readLimits(counters: readonly LimitCounter[], now: number, month: MonthWindow): Promise<CounterState[]> {
    const windows = counterWindowsAt(counters, Math.round(now), month);
    if (windows.length === 0) return [];
    const keys = windows.map(({ counter, start }) => `${this.keys.limitCounters(counter.subject)}:${counter.name}:${start}`);
    const values = this.cluster ? await Promise.all(keys.map((key) => this.client.get(key))) : await this.client.mget(keys);
    return readCounterStates(windows, (_window, index) => Number(values[index] ?? 0));
  }

  async findTokenAndConsume(hash: string, plan: TokenLimitPlan, now: number): Promise<CountedToken | null> {
    if (this.cluster) {
      // Over a cluster the key's counters share its record's slot but its actor's do not: the
      // record is read, then counted (consumeLimitsInSlots), two or three round trips.
      const record = await this.findToken(hash);
      if (record === null) return null;
      const counts = record.hash === hash && recordIsCounted(record, plan, now);
      return { record, outcome: counts ? await this.consumeLimits(countersOfRecord(plan, hash, record.actorId!, limitsOfData(record.data)), plan.cost, now, plan.month) : null };
    }
    const { key, group } = consumeGroupOf(plan);
    return this.consumeBatches.add(key, group, { hash, cost: plan.cost, now: Math.round(now) });
  }

  /** One script for the rate-limited key checks of one pass that share a plan and month, decided in the order made. */
  private async sendConsumeBatch(group: ConsumeGroup, calls: ConsumeCall[]): Promise<Array<CountedToken | null>> {
    const keys = new Array<string>(calls.length);
    const args = [this.scriptPrefix, group.planJson, String(group.month.start), String(group.month.end)];
    calls.forEach((call, index) => {
      keys[index] = this.tokenKey(call.hash);
      args.push(call.hash, String(call.cost), String(call.now));
    });
    const answers = (await this.runScript(FIND_TOKENS_AND_CONSUME, keys, args)) as Array<[string, string | null, string | null, string | null, string | null] | null>;
    return answers.map((found) => (found === null ? null : { record: toRecord(found[0], found[1], found[2], found[3]), outcome: found[4] === null ? null : parseOutcome(found[4]) }));
  }

  // ---- RevocationStore ----

  async saveRevocation(key: string, revokedAt: number, expiresAt: number): Promise<void> {
    const remaining = Math.ceil(expiresAt - this.now());
    // Already over: the entry may be dropped after expiresAt, so it need not be written.
    if (remaining <= 0) return;
    const redisKey = this.keys.revoked(key);
    await this.runScript(SAVE_REVOCATION, [redisKey], [String(revokedAt), String(remaining)]);
    await this.replicated([redisKey]);
  }

  async findRevocations(keys: readonly string[]): Promise<Array<number | null>> {
    if (keys.length === 0) return [];
    const stored = keys.map((key) => this.keys.revoked(key));
    const { rows } = await this.revocationReads.read(stored);
    return stored.map((key) => {
      const value = rows.get(key);
      return value === null || value === undefined ? null : Number(value);
    });
  }

  // ---- provider sessions (TokenStore, optional) ----

  async saveProviderSession(session: ProviderSessionLink): Promise<void> {
    const key = this.keys.providerSession(identityMember(session.issuer, session.sid));
    await this.runScript(SAVE_PROVIDER_SESSION, [key], [session.actorId, String(Math.ceil(session.expiresAt)), String(Math.floor(this.now()))]);
    await this.replicated([key]);
  }

  async findProviderSessionActors(issuer: string, sid: string, now: number): Promise<string[]> {
    return this.client.zrangebyscore(this.keys.providerSession(identityMember(issuer, sid)), `(${now}`, '+inf');
  }

  // ---- IdentityStore ----

  async findIdentity(issuer: string, subject: string): Promise<IdentityLink | null> {
    const stored = await this.client.get(this.keys.identity(identityMember(issuer, subject)));
    return stored === null ? null : (JSON.parse(stored) as IdentityLink);
  }

  async linkIdentity(link: IdentityLink): Promise<IdentityLink> {
    const member = identityMember(link.issuer, link.subject);
    const body = JSON.stringify({ issuer: link.issuer, subject: link.subject, actorId: link.actorId, linkedAt: link.linkedAt });
    const identityKey = this.keys.identity(member);
    const indexKey = this.keys.actorIdentities(link.actorId);
    if (!this.cluster) return JSON.parse((await this.runScript(LINK_IDENTITY, [identityKey, indexKey], [body, member])) as string) as IdentityLink;
    // On a cluster the link and the actor's index are in different slots: the index entry
    // first, so a link is never left out of its actor's list (a member whose link another
    // actor holds is dropped again, and listIdentities ignores it meanwhile).
    await this.client.sadd(indexKey, member);
    const held = JSON.parse((await this.runScript(CLUSTER_LINK_IDENTITY, [identityKey], [body])) as string) as IdentityLink;
    if (held.actorId !== link.actorId) await this.client.srem(indexKey, member);
    return held;
  }

  async unlinkIdentity(issuer: string, subject: string, actorId: string): Promise<boolean> {
    const member = identityMember(issuer, subject);
    const identityKey = this.keys.identity(member);
    const indexKey = this.keys.actorIdentities(actorId);
    if (!this.cluster) return Number(await this.runScript(UNLINK_IDENTITY, [identityKey, indexKey], [actorId, member])) === 1;
    // The link goes first (it alone decides a sign-in), then its member in the actor's index.
    const removed = Number(await this.runScript(CLUSTER_UNLINK_IDENTITY, [identityKey], [actorId])) === 1;
    if (removed) await this.client.srem(indexKey, member);
    return removed;
  }

  async listIdentities(actorId: string): Promise<IdentityLink[]> {
    const members = await this.client.smembers(this.keys.actorIdentities(actorId));
    if (members.length === 0) return [];
    const keys = members.map((member) => this.keys.identity(member));
    // On a cluster the links are in different slots: one GET each, sent together.
    const stored = this.cluster ? await Promise.all(keys.map((key) => this.client.get(key))) : await this.client.mget(keys);
    return stored.flatMap((body) => {
      const link = body === null ? null : (JSON.parse(body) as IdentityLink);
      return link && link.actorId === actorId ? [link] : [];
    });
  }

  // ---- AttemptStore ----

  async readAttempts(key: string, now: number): Promise<AttemptState> {
    const redisKey = this.attemptsKey(key);
    const [count, windowEndsAt, lockedUntil] = (await this.attemptReads.read([redisKey])).rows.get(redisKey)!;
    const stored = count === null || windowEndsAt === null
      ? null
      : { count: Number(count), windowEndsAt: Number(windowEndsAt), lockedUntil: lockedUntil === null ? null : Number(lockedUntil) };
    return attemptState(stored, now);
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

  async clearAttemptsOf(subject: string): Promise<number> {
    // An administrator's call: the per-client counters are found with SCAN (which never blocks
    // the server), matched by isCounterOf (rules.ts) again, and cleared one by one.
    // SCAN neither adds the client's own keyPrefix to the pattern nor takes it off the keys.
    // On a cluster a counter is `<prefix>attempts:{<key>}` and SCAN reaches one node only, so
    // every primary is scanned (a key Redis would not take whole as a tag, one with a brace,
    // is stored under its digest: such a subject's per-client counters cannot be found).
    const cluster = isCluster(this.client) ? this.client : null;
    const base = cluster ? `${this.scriptPrefix}attempts:{` : `${this.client.options.keyPrefix ?? ''}${this.attemptsKey('')}`;
    const end = cluster ? '}' : '';
    const pattern = `${escapeGlob(base)}ip:*:${escapeGlob(subject)}${end}`;
    const keys = new Set<string>([subject]);
    for (const node of cluster ? cluster.nodes('master') : [this.client]) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        for (const redisKey of found) {
          const key = redisKey.slice(base.length, redisKey.length - end.length);
          if (isCounterOf(key, subject)) keys.add(key);
        }
      } while (cursor !== '0');
    }
    let cleared = 0;
    for (const key of keys) cleared += await this.clearAttempts(key);
    return cleared;
  }

  // ---- SecondFactorStore ----
  // An actor's factors are one hash (field: factor id, value: the record as JSON), its
  // recovery codes one set; neither expires. The used-code window is one key per use, set
  // with NX and a TTL, so the first SET of two (on any instance) wins and Redis drops it after.

  async findSecondFactors(actorId: string): Promise<SecondFactorRecord[]> {
    const fields = await this.client.hgetall(this.factorsKey(actorId));
    return Object.values(fields).map((json) => JSON.parse(json) as SecondFactorRecord);
  }

  async saveSecondFactor(record: SecondFactorRecord): Promise<void> {
    const { actorId, id, kind, secret, createdAt, confirmedAt } = record;
    await this.client.hset(this.factorsKey(actorId), id, JSON.stringify({ actorId, id, kind, secret, createdAt, confirmedAt }));
  }

  async deleteSecondFactor(actorId: string, id: string): Promise<boolean> {
    return (await this.client.hdel(this.factorsKey(actorId), id)) === 1;
  }

  async saveRecoveryCodes(actorId: string, hashes: readonly string[]): Promise<void> {
    const key = this.recoveryKey(actorId);
    const transaction = this.client.multi().del(key);
    if (hashes.length > 0) transaction.sadd(key, ...hashes);
    const replies = await transaction.exec();
    const failed = replies?.find(([error]) => error);
    if (!replies || failed) throw failed?.[0] ?? new Error('RedisStore.saveRecoveryCodes: the transaction was discarded');
  }

  async consumeRecoveryCode(actorId: string, hash: string): Promise<boolean> {
    return (await this.client.srem(this.recoveryKey(actorId), hash)) === 1;
  }

  async countRecoveryCodes(actorId: string): Promise<number> {
    return this.client.scard(this.recoveryKey(actorId));
  }

  async markOneTimeUse(actorId: string, key: string, expiresAt: number, now: number): Promise<boolean> {
    const remaining = Math.ceil(expiresAt - now);
    // Already over: nothing to keep, and nothing kept can refuse it.
    if (remaining <= 0) return (await this.client.exists(this.oneTimeKey(actorId, key))) === 0;
    return (await this.client.set(this.oneTimeKey(actorId, key), '1', 'PX', remaining, 'NX')) === 'OK';
  }

  private factorsKey(actorId: string): string {
    return this.keys.secondFactors(actorId);
  }

  private recoveryKey(actorId: string): string {
    return this.keys.recoveryCodes(actorId);
  }

  private oneTimeKey(actorId: string, key: string): string {
    return this.keys.oneTimeUse(actorId, key);
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
    return this.keys.token(hash);
  }

  private attemptsKey(key: string): string {
    return this.keys.attempts(key);
  }

  /**
   * With `waitForReplicas`: resolves once the primaries that took these keys' writes have
   * that many replicas acknowledging them (`WAIT`, sent after the write on the connection that
   * carried it), or rejects. One `WAIT` per key on a cluster, where the keys' primaries differ.
   */
  private async replicated(keys: readonly string[]): Promise<void> {
    const wait = this.waitFor;
    if (!wait || keys.length === 0) return;
    const targets = this.cluster ? keys : keys.slice(0, 1);
    await Promise.all(
      targets.map(async (key) => {
        // A pipeline goes to the node of its key's slot; WAIT, keyless, goes with it.
        const replies = await this.client.pipeline().exists(key).wait(wait.replicas, wait.timeoutMs).exec();
        const [error, acknowledged] = replies?.[1] ?? [new Error('no reply to WAIT'), 0];
        if (error) throw error;
        if (Number(acknowledged) < wait.replicas) {
          throw new Error(`RedisStore: the revocation write reached ${String(acknowledged)} of ${wait.replicas} replicas within ${wait.timeoutMs} ms (waitForReplicas)`);
        }
      }),
    );
  }

  /**
   * `HMGET key ...fields` of every key of a batch: the command itself for one key, one
   * script call for several (`HMGET_EACH`); on a cluster, where the keys are in different
   * slots, one HMGET each, sent together.
   */
  private async hmgetEach(keys: string[], fields: string[]): Promise<ReadonlyMap<string, Array<string | null>>> {
    if (keys.length === 1) return new Map([[keys[0], await this.client.hmget(keys[0], ...fields)]]);
    if (this.cluster) return new Map(await Promise.all(keys.map(async (key) => [key, await this.client.hmget(key, ...fields)] as const)));
    const replies = (await this.runScript(HMGET_EACH, keys, fields)) as Array<Array<string | null>>;
    return new Map(keys.map((key, index) => [key, replies[index]]));
  }

  /** EVALSHA, and EVAL once when Redis lost its script cache (restart, SCRIPT FLUSH). */
  private async runScript(script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.client.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(script.source, keys.length, ...keys, ...args);
    }
  }
}

function isCluster(client: Redis | Cluster): client is Cluster {
  return client.isCluster === true;
}

/** The `waitForReplicas` option, checked: null when not given. */
function waitForReplicasOption(value: unknown, where: string): WaitForReplicasOptions | null {
  if (value === undefined) return null;
  const example = 'waitForReplicas must be an object such as { replicas: 1, timeoutMs: 500 }';
  if (value === null || typeof value !== 'object') fail('waitForReplicas', `${example}.`, { where });
  knownOptions(value, WAIT_OPTION_NAMES, 'waitForReplicas', { where });
  const { replicas, timeoutMs } = value as Partial<WaitForReplicasOptions>;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 1) {
    fail('waitForReplicas.replicas', `${example}; replicas must be a positive integer.`, { where });
  }
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1) {
    fail('waitForReplicas.timeoutMs', `${example}; timeoutMs must be a positive integer of ms (Redis's 0 would wait for ever).`, { where });
  }
  return { replicas, timeoutMs };
}

function isRedisClient(value: unknown): value is Redis | Cluster {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Redis).evalsha === 'function' &&
    typeof (value as Redis).hmget === 'function' &&
    typeof (value as Redis).options === 'object'
  );
}

/** SAVE_TOKEN's id arguments: the id to store, and `'1'` when it is the record's own (else the script keeps the replaced record's). */
function idArguments(record: TokenRecord): [string, string] {
  const { id, own } = idOnReplace(record);
  return [id, own ? '1' : ''];
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

/** Every key of one node matching `pattern`, by SCAN (which never blocks the server). */
async function scanAll(node: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
