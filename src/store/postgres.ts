/**
 * `express-gatehouse/postgres`: tokens, revocations and failed-attempt counters in PostgreSQL,
 * shared by every instance of an app (README, "Redis and PostgreSQL"). Users stay in the host's own tables;
 * combine the two with `combineStores`.
 *
 * The tables come from the numbered files in `migrations/` (shipped in the package): run
 * `migrate(pool)` at start-up, which applies each one once and records it in
 * `gatehouse_migrations`, or apply them in order with your own migration tool. Expired
 * rows stay until `sweepExpired()` removes them; lookups still work in between, since
 * callers check `expiresAt` themselves.
 *
 * @module express-gatehouse/postgres
 */
import { createHash } from 'node:crypto';
import { Pool, type PoolConfig, type QueryConfig, type QueryResultRow } from 'pg';
import { fail, knownOptions, type OptionNames } from '../config-error';
import { checkSchema, migrate, type MigrateResult } from './postgres-migrations';
import { copyData } from './copy-data';
import { consumeGroupOf, PassBatches, type ConsumeCall, type ConsumeGroup } from './pass-batch';
import { ReadBatch } from './read-batch';
import { attemptState, idOnReplace, ownedConnection } from './rules';
import { counterWindowsAt, outcomeFromAnswer, readCounterStates, type CounterState, type LimitCounter, type LimitOutcome, type MonthWindow, type TokenLimitPlan } from '../rate-limits/policy';
import type { AttemptPolicy, AttemptState, AttemptStore, IdentityLink, IdentityStore, ProviderSessionLink, RevocationStore, CountedToken, SecondFactorRecord, SecondFactorStore, StoredTokenKind, TokenRecord, TokenStore } from './types';

// The migration runner is part of this entry point (`express-gatehouse/postgres`).
export { migrate, MIGRATIONS_DIR, type MigrateOptions, type MigrateResult } from './postgres-migrations';

/**
 * pg pool options that make every store call settle within a few seconds when PostgreSQL
 * is down, stalled or the pool is exhausted. The store uses them for a pool it creates
 * itself; pass at least `connectionTimeoutMillis` to a pool you create.
 *
 * - `connectionTimeoutMillis: 2000` — waiting for a pooled connection (or for a new one
 *   to be established) gives up after 2 s. pg's default, 0, waits for ever.
 * - `statement_timeout: 1500` — the server cancels a statement (a lock wait included)
 *   after 1.5 s. Without it, a statement the client gave up on keeps waiting on the
 *   server and may still apply later (a refresh token marked used after the caller saw
 *   an error). It applies to every query on the pool, so set it on a pool of your own
 *   for Gatehouse if the app runs long queries.
 * - `query_timeout: 2000` — client-side limit per query, for a server that does not
 *   answer at all. The store applies its own `queryTimeoutMs` per query anyway.
 *
 * @example
 * ```ts
 * import { Pool } from 'pg';
 * import { PostgresStore, POSTGRES_FAIL_FAST_OPTIONS } from 'express-gatehouse/postgres';
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL, ...POSTGRES_FAIL_FAST_OPTIONS });
 * const store = new PostgresStore({ pool });
 * ```
 */
export const POSTGRES_FAIL_FAST_OPTIONS: Readonly<Pick<PoolConfig, 'connectionTimeoutMillis' | 'statement_timeout' | 'query_timeout'>> =
  Object.freeze({ connectionTimeoutMillis: 2000, statement_timeout: 1500, query_timeout: 2000 });

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /**
   * A pg `Pool` you own (you end it), or a connection string / pool config from which the
   * store creates its own pool with {@link POSTGRES_FAIL_FAST_OPTIONS} as defaults (ended by
   * `store.close()`). A pool you pass must have `connectionTimeoutMillis` set, or an
   * exhausted pool or unreachable server would hold requests for ever; the constructor
   * refuses it otherwise. Required.
   * @example new PostgresStore({ pool: process.env.DATABASE_URL! })
   * @example new PostgresStore({ pool: new Pool({ connectionString, connectionTimeoutMillis: 2000 }) })
   */
  pool: Pool | PoolConfig | string;
  /**
   * Schema holding the tables (created by `migrate` if missing). Default: none, so the
   * names resolve through the connection's `search_path` (usually `public`), exactly as
   * when the SQL file is run by hand. Letters, digits and `_` only.
   * @example new PostgresStore({ pool, schema: 'auth' })
   */
  schema?: string;
  /**
   * Client-side limit per query, in milliseconds. Default `2000`.
   * @example new PostgresStore({ pool, queryTimeoutMs: 500 })
   */
  queryTimeoutMs?: number;
  /**
   * Send each statement as a named prepared statement, parsed and planned once per
   * connection instead of on every call (the PostgreSQL bench rows went from 0.24–0.39 to
   * 0.44–0.51 of bare Express: `bench/RESULTS.md`, round 4). Default `true`. Set `false`
   * behind a connection pooler in transaction mode that does not keep prepared statements
   * per client (PgBouncer before 1.21, or with `max_prepared_statements = 0`).
   * @example new PostgresStore({ pool, preparedStatements: false })
   */
  preparedStatements?: boolean;
  /**
   * Clock for `sweepExpired()` without an argument. Default `Date.now`.
   * @example new PostgresStore({ pool, now: () => clock.now() })
   */
  now?: () => number;
}

/** The options of {@link PostgresStore}; a compile error when they and {@link PostgresStoreOptions} disagree. */
const OPTION_NAMES: OptionNames<PostgresStoreOptions> = { pool: true, schema: true, queryTimeoutMs: true, now: true, preparedStatements: true };

/** How many rows `sweepExpired` removed, per table. */
export interface SweepResult {
  /** Token records whose `expiresAt` had passed. */
  tokens: number;
  /** Revocations past their `expiresAt`. */
  revocations: number;
  /** Counters whose window or lock was over. */
  attempts: number;
  /** Entries of the used-code window (second factors) past their `expiresAt`. */
  oneTimeUses: number;
  /** Rate-limit counters whose window was over. */
  limits: number;
  /** Provider-session entries (`saveProviderSession`) past their `expiresAt`. */
  providerSessions: number;
}

/**
 * The token columns, named rather than `*`: a prepared `SELECT *` fails ("cached plan must
 * not change result type") on connections that prepared it before a migration added a column.
 */
const TOKEN_COLUMNS = 'hash, id, kind, actor_id, family_id, created_at, expires_at, last_used_at, used_at, label, roles, data';

/** A failed-attempt counter as stored. */
interface AttemptRow extends QueryResultRow {
  count: number;
  window_ends_at: string;
  locked_until: string | null;
}

interface TokenRow extends QueryResultRow {
  hash: string;
  id: string;
  kind: string;
  actor_id: string | null;
  family_id: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  used_at: string | null;
  label: string | null;
  roles: string[] | null;
  data: unknown;
}

/**
 * Tokens, revocations and failed-attempt counters in PostgreSQL (pg 8), for apps that run
 * on more than one instance. Implements `TokenStore`, `RevocationStore` and `AttemptStore`;
 * pair it with the host's users through `combineStores`. Every call is one statement.
 *
 * @example
 * ```ts
 * import { Pool } from 'pg';
 * import { PostgresStore, migrate } from 'express-gatehouse/postgres';
 * import { combineStores } from 'express-gatehouse';
 *
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 2000 });
 * await migrate(pool);
 * const tokens = new PostgresStore({ pool });
 * const store = combineStores({ credentials: myUsers, tokens });
 * setInterval(() => tokens.sweepExpired().catch(reportError), 60 * 60 * 1000).unref();
 * ```
 */
export class PostgresStore implements TokenStore, RevocationStore, AttemptStore, SecondFactorStore, IdentityStore {
  /** The pg pool in use (yours, or the one the store created). */
  readonly pool: Pool;
  /** The schema given in the options, if any. */
  readonly schema: string | undefined;
  private readonly ownsPool: boolean;
  private readonly queryTimeoutMs: number;
  private readonly preparedStatements: boolean;
  /** Statement names by text: every statement of a store is fixed text, so a few dozen at most. */
  private readonly statementNames = new Map<string, string>();
  private readonly now: () => number;
  private readonly tokens: string;
  private readonly revocations: string;
  private readonly identities: string;
  private readonly providerSessions: string;
  private readonly attempts: string;
  private readonly secondFactors: string;
  private readonly recoveryCodes: string;
  private readonly oneTimeUses: string;
  private readonly limits: string;
  private readonly consumeFunction: string;
  private readonly findAndConsumeFunction: string;
  /** Open batches of `findTokenAndConsume`, by plan and month. */
  private readonly consumeBatches = new PassBatches<ConsumeGroup, ConsumeCall, CountedToken | null>((group, calls) => this.sendConsumeBatch(group, calls));
  /**
   * The reads every authenticated request makes (its token, its revocations, its lockout
   * counter), each batched: lookups made during one pass of the event loop go as one
   * statement (`ReadBatch`; the PostgreSQL rows of `bench/RESULTS.md`).
   */
  private readonly tokenReads: ReadBatch<TokenRow>;
  private readonly revocationReads: ReadBatch<number>;
  private readonly attemptReads: ReadBatch<AttemptRow>;

  constructor(options: PostgresStoreOptions) {
    const where = 'PostgresStore';
    if (options === null || typeof options !== 'object') {
      fail('', 'options must be an object such as { pool: process.env.DATABASE_URL }.', { where });
    }
    knownOptions(options, OPTION_NAMES, '', { where });
    const { pool, queryTimeoutMs = 2000, now = Date.now, preparedStatements = true } = options;
    this.schema = checkSchema(options.schema, where);
    if (!Number.isInteger(queryTimeoutMs) || queryTimeoutMs <= 0) {
      fail('queryTimeoutMs', 'queryTimeoutMs must be a positive integer (milliseconds); default 2000.', { where });
    }
    if (typeof now !== 'function') {
      fail('now', 'now must be a function returning milliseconds; default Date.now.', { where });
    }
    if (typeof preparedStatements !== 'boolean') {
      fail('preparedStatements', 'preparedStatements must be true or false; default true.', { where });
    }
    const { connection, owned } = ownedConnection<Pool>(pool, {
      where,
      option: 'pool',
      isConnection: isPool,
      timeoutOf: (given) => given.options.connectionTimeoutMillis,
      withoutTimeout:
        'the pool has no connectionTimeoutMillis, so an exhausted pool or unreachable server would hold requests for ever; create it with { connectionTimeoutMillis: 2000 } (POSTGRES_FAIL_FAST_OPTIONS), or pass a connection string and let the store create it.',
      create: (config) => {
        const created = new Pool(typeof config === 'string' ? { connectionString: config, ...POSTGRES_FAIL_FAST_OPTIONS } : { ...POSTGRES_FAIL_FAST_OPTIONS, ...config });
        // An idle connection that breaks emits 'error' on the pool, which would crash the
        // process without a listener; the next query simply gets a fresh connection.
        created.on('error', () => {});
        return created;
      },
      missing: 'pool is required: a pg Pool, pool options, or a connection string.',
    });
    this.pool = connection;
    this.ownsPool = owned;
    this.queryTimeoutMs = queryTimeoutMs;
    this.preparedStatements = preparedStatements;
    this.now = now;
    const qualify = (table: string): string => (this.schema === undefined ? table : `"${this.schema}".${table}`);
    this.tokens = qualify('gatehouse_tokens');
    this.revocations = qualify('gatehouse_revocations');
    this.identities = qualify('gatehouse_identities');
    this.providerSessions = qualify('gatehouse_provider_sessions');
    this.attempts = qualify('gatehouse_attempts');
    this.secondFactors = qualify('gatehouse_second_factors');
    this.recoveryCodes = qualify('gatehouse_recovery_codes');
    this.oneTimeUses = qualify('gatehouse_one_time_uses');
    this.limits = qualify('gatehouse_limits');
    this.consumeFunction = qualify('gatehouse_consume_limits');
    this.findAndConsumeFunction = qualify('gatehouse_find_tokens_and_consume');
    this.tokenReads = new ReadBatch(async (hashes) => {
      const { rows } = await this.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM ${this.tokens} WHERE hash = ANY($1::text[])`, [hashes]);
      return new Map(rows.map((row) => [row.hash, row]));
    });
    this.revocationReads = new ReadBatch(async (keys) => {
      const { rows } = await this.query<{ key: string; revoked_at: string }>(`SELECT key, revoked_at FROM ${this.revocations} WHERE key = ANY($1::text[])`, [keys]);
      return new Map(rows.map((row) => [row.key, Number(row.revoked_at)]));
    });
    this.attemptReads = new ReadBatch<AttemptRow>(async (keys) => {
      const { rows } = await this.query<AttemptRow & { key: string }>(`SELECT key, count, window_ends_at, locked_until FROM ${this.attempts} WHERE key = ANY($1::text[])`, [keys]);
      return new Map(rows.map((row) => [row.key, row]));
    });
  }

  /** Runs {@link migrate} on this store's pool and schema. */
  async migrate(): Promise<MigrateResult> {
    return migrate(this.pool, { schema: this.schema });
  }

  // ---- TokenStore ----

  async saveToken(record: TokenRecord): Promise<void> {
    await this.query(
      `INSERT INTO ${this.tokens} AS token
         (hash, kind, actor_id, family_id, created_at, expires_at, last_used_at, used_at, label, roles, data, id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], $11::jsonb, $12)
       ON CONFLICT (hash) DO UPDATE SET
         id = CASE WHEN $13::boolean THEN EXCLUDED.id ELSE token.id END,
         kind = EXCLUDED.kind, actor_id = EXCLUDED.actor_id, family_id = EXCLUDED.family_id,
         created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
         last_used_at = EXCLUDED.last_used_at, used_at = EXCLUDED.used_at,
         label = EXCLUDED.label, roles = EXCLUDED.roles, data = EXCLUDED.data`,
      tokenParameters(record),
    );
  }

  async updateToken(record: TokenRecord): Promise<boolean> {
    // A plain UPDATE: a row that a concurrent DELETE removed stays removed.
    const { rowCount } = await this.query(
      `UPDATE ${this.tokens} SET
         kind = $2, actor_id = $3, family_id = $4, created_at = $5, expires_at = $6,
         last_used_at = $7, used_at = $8, label = $9, roles = $10::text[], data = $11::jsonb,
         id = CASE WHEN $13::boolean THEN $12 ELSE id END
       WHERE hash = $1`,
      tokenParameters(record),
    );
    return rowCount === 1;
  }

  async findToken(hash: string): Promise<TokenRecord | null> {
    const { rows, shared } = await this.tokenReads.read([hash]);
    const row = rows.get(hash);
    if (row === undefined) return null;
    const record = toRecord(row);
    // Two lookups of one token in a batch share its row: each gets a record of its own.
    return shared ? { ...record, roles: record.roles && [...record.roles], data: copyData(record.data) } : record;
  }

  async deleteToken(hash: string): Promise<boolean> {
    const { rowCount } = await this.query(`DELETE FROM ${this.tokens} WHERE hash = $1`, [hash]);
    return rowCount === 1;
  }

  async deleteTokensForActor(actorId: string): Promise<number> {
    const { rowCount } = await this.query(`DELETE FROM ${this.tokens} WHERE actor_id = $1`, [actorId]);
    return rowCount ?? 0;
  }

  async deleteTokenFamily(familyId: string): Promise<number> {
    const { rowCount } = await this.query(`DELETE FROM ${this.tokens} WHERE family_id = $1`, [familyId]);
    return rowCount ?? 0;
  }

  async markTokenUsed(hash: string, usedAt: number): Promise<TokenRecord | null> {
    // `previous` is materialised once, under a row lock, before `marked` can join it: a
    // concurrent caller waits for the lock, then reads the row with used_at already set.
    const { rows } = await this.query<TokenRow>(
      `WITH previous AS (SELECT ${TOKEN_COLUMNS} FROM ${this.tokens} WHERE hash = $1 FOR UPDATE),
       marked AS (
         UPDATE ${this.tokens} AS token SET used_at = $2
         FROM previous WHERE token.hash = previous.hash AND previous.used_at IS NULL
       )
       SELECT ${TOKEN_COLUMNS} FROM previous`,
      [hash, wholeMs(usedAt)],
    );
    return rows.length === 0 ? null : toRecord(rows[0]);
  }

  async touchToken(hash: string, lastUsedAt: number): Promise<void> {
    await this.query(`UPDATE ${this.tokens} SET last_used_at = $2 WHERE hash = $1`, [hash, wholeMs(lastUsedAt)]);
  }

  async listTokens(actorId: string): Promise<TokenRecord[]> {
    const { rows } = await this.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM ${this.tokens} WHERE actor_id = $1`, [actorId]);
    return rows.map(toRecord);
  }

  async findTokenById(id: string): Promise<TokenRecord | null> {
    const { rows } = await this.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM ${this.tokens} WHERE id = $1`, [id]);
    return rows.length === 0 ? null : toRecord(rows[0]);
  }

  // ---- provider sessions (TokenStore, optional; migration 006) ----

  async saveProviderSession(session: ProviderSessionLink): Promise<void> {
    // A later expiry of the same actor extends its row; an earlier one leaves it.
    await this.query(
      `INSERT INTO ${this.providerSessions} AS entry (issuer, sid, actor_id, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (issuer, sid, actor_id) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE entry.expires_at < EXCLUDED.expires_at`,
      [session.issuer, session.sid, session.actorId, Math.ceil(session.expiresAt)],
    );
  }

  async findProviderSessionActors(issuer: string, sid: string, now: number): Promise<string[]> {
    const { rows } = await this.query<{ actor_id: string }>(`SELECT actor_id FROM ${this.providerSessions} WHERE issuer = $1 AND sid = $2 AND expires_at > $3`, [issuer, sid, Math.floor(now)]);
    return rows.map((row) => row.actor_id);
  }

  // ---- IdentityStore (migration 003) ----

  async findIdentity(issuer: string, subject: string): Promise<IdentityLink | null> {
    const { rows } = await this.query<IdentityRow>(`SELECT issuer, subject, actor_id, linked_at FROM ${this.identities} WHERE issuer = $1 AND subject = $2`, [issuer, subject]);
    return rows.length === 0 ? null : toIdentity(rows[0]);
  }

  async linkIdentity(link: IdentityLink): Promise<IdentityLink> {
    // One statement: the row inserted, or the one that was there (DO UPDATE with no change
    // returns it, where DO NOTHING would return none).
    const { rows } = await this.query<IdentityRow>(
      `INSERT INTO ${this.identities} AS identity (issuer, subject, actor_id, linked_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (issuer, subject) DO UPDATE SET issuer = identity.issuer
       RETURNING issuer, subject, actor_id, linked_at`,
      [link.issuer, link.subject, link.actorId, wholeMs(link.linkedAt)],
    );
    return toIdentity(rows[0]);
  }

  async unlinkIdentity(issuer: string, subject: string, actorId: string): Promise<boolean> {
    const { rowCount } = await this.query(`DELETE FROM ${this.identities} WHERE issuer = $1 AND subject = $2 AND actor_id = $3`, [issuer, subject, actorId]);
    return rowCount === 1;
  }

  async listIdentities(actorId: string): Promise<IdentityLink[]> {
    const { rows } = await this.query<IdentityRow>(`SELECT issuer, subject, actor_id, linked_at FROM ${this.identities} WHERE actor_id = $1`, [actorId]);
    return rows.map(toIdentity);
  }

  // ---- rate limits ----

  async consumeLimits(counters: readonly LimitCounter[], cost: number, now: number, month: MonthWindow): Promise<LimitOutcome> {
    // One statement: the function (migration 005) locks the counters in key order, checks, adds.
    const { rows } = await this.query<{ outcome: string }>(
      `SELECT ${this.consumeFunction}($1::jsonb, $2::bigint, $3::bigint, $4::bigint, $5::bigint)::text AS outcome`,
      [JSON.stringify(counters), cost, wholeMs(now), month.start, month.end],
    );
    return outcomeFromAnswer(rows[0].outcome);
  }

  /** A plain read of the counters' rows (no lock, no row made): what the counting function would find. */
  async readLimits(counters: readonly LimitCounter[], now: number, month: MonthWindow): Promise<CounterState[]> {
    const windows = counterWindowsAt(counters, wholeMs(now), month);
    if (windows.length === 0) return [];
    const { rows } = await this.query<{ key: string; used: string }>(`SELECT key, used FROM ${this.limits} WHERE key = ANY($1::text[])`, [windows.map((window) => window.key)]);
    const used = new Map(rows.map((row) => [row.key, Number(row.used)]));
    return readCounterStates(windows, (window) => used.get(window.key) ?? 0);
  }

  /**
   * One statement for every check made during one pass of the event loop with the same plan
   * (a hot key under load: one transaction for the batch instead of one each, each counter
   * read and written once), each counted in turn as if alone.
   */
  findTokenAndConsume(hash: string, plan: TokenLimitPlan, now: number): Promise<CountedToken | null> {
    const { key, group } = consumeGroupOf(plan);
    return this.consumeBatches.add(key, group, { hash, cost: plan.cost, now: wholeMs(now) });
  }

  private async sendConsumeBatch(group: ConsumeGroup, calls: ConsumeCall[]): Promise<Array<CountedToken | null>> {
    const { rows } = await this.query<{ n: number; token_record: Record<string, unknown>; outcome: string | null }>(
      `SELECT n, token_record, outcome::text AS outcome FROM ${this.findAndConsumeFunction}($1::text[], $2::jsonb, $3::bigint[], $4::bigint[], $5::bigint, $6::bigint)`,
      [calls.map((call) => call.hash), group.planJson, calls.map((call) => call.cost), calls.map((call) => call.now), group.month.start, group.month.end],
    );
    const found = new Map(rows.map((row) => [row.n, row]));
    return calls.map((_, index) => {
      const row = found.get(index + 1);
      return row === undefined ? null : { record: toRecord(row.token_record as unknown as TokenRow), outcome: row.outcome === null ? null : outcomeFromAnswer(row.outcome) };
    });
  }

  // ---- RevocationStore ----

  async saveRevocation(key: string, revokedAt: number, expiresAt: number): Promise<void> {
    // A later revocation of the same key wins (`revocationReplaces` of rules.ts, in SQL).
    await this.query(
      `INSERT INTO ${this.revocations} AS revocation (key, revoked_at, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET revoked_at = EXCLUDED.revoked_at, expires_at = EXCLUDED.expires_at
       WHERE revocation.revoked_at <= EXCLUDED.revoked_at`,
      [key, wholeMs(revokedAt), wholeMs(expiresAt)],
    );
  }

  async findRevocations(keys: readonly string[]): Promise<Array<number | null>> {
    if (keys.length === 0) return [];
    const { rows } = await this.revocationReads.read(keys);
    return keys.map((key) => rows.get(key) ?? null);
  }

  // ---- AttemptStore ----

  async readAttempts(key: string, now: number): Promise<AttemptState> {
    const row = (await this.attemptReads.read([key])).rows.get(key);
    const stored = row === undefined
      ? null
      : { count: row.count, windowEndsAt: Number(row.window_ends_at), lockedUntil: row.locked_until === null ? null : Number(row.locked_until) };
    return attemptState(stored, now);
  }

  async recordFailedAttempt(key: string, policy: AttemptPolicy, now: number): Promise<AttemptState> {
    // One statement, so concurrent failures serialise on the row: the window starts at the
    // first failure, the lock is set once at maxAttempts, and an elapsed window or lock
    // (`over`) starts a new count: `afterFailedAttempt` and `attemptCounterOver` of rules.ts,
    // in SQL; the conformance kit checks every answer against them.
    const over = `(CASE WHEN counter.locked_until IS NOT NULL THEN counter.locked_until <= $2::bigint
                        ELSE counter.window_ends_at <= $2::bigint END)`;
    const { rows } = await this.query<{ count: number; locked_until: string | null }>(
      `INSERT INTO ${this.attempts} AS counter (key, count, window_ends_at, locked_until)
       VALUES ($1, 1, $2::bigint + $4::bigint, CASE WHEN 1 >= $3::integer THEN $2::bigint + $5::bigint END)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN ${over} THEN 1 ELSE counter.count + 1 END,
         window_ends_at = CASE WHEN ${over} THEN EXCLUDED.window_ends_at ELSE counter.window_ends_at END,
         locked_until = CASE
           WHEN ${over} THEN EXCLUDED.locked_until
           WHEN counter.locked_until IS NULL AND counter.count + 1 >= $3::integer THEN $2::bigint + $5::bigint
           ELSE counter.locked_until END
       RETURNING count, locked_until`,
      [key, wholeMs(now), policy.maxAttempts, wholeMs(policy.windowMs), wholeMs(policy.lockMs)],
    );
    return { count: rows[0].count, lockedUntil: rows[0].locked_until === null ? null : Number(rows[0].locked_until) };
  }

  async clearAttemptsOf(subject: string): Promise<number> {
    // isCounterOf (rules.ts) in SQL; an administrator's call, so a scan of the counters is fine.
    const { rows } = await this.query<{ count: number }>(
      `DELETE FROM ${this.attempts} WHERE key = $1 OR (starts_with(key, 'ip:') AND char_length(key) > char_length($1) + 4 AND right(key, char_length($1) + 1) = ':' || $1
         AND strpos(substr(key, 4, char_length(key) - char_length($1) - 4), 'login:') = 0 AND strpos(substr(key, 4, char_length(key) - char_length($1) - 4), 'actor:') = 0)
       RETURNING count`,
      [subject],
    );
    return rows.reduce((sum, row) => sum + Number(row.count), 0);
  }

  async clearAttempts(key: string): Promise<number> {
    const { rows } = await this.query<{ count: number }>(`DELETE FROM ${this.attempts} WHERE key = $1 RETURNING count`, [key]);
    return rows.length === 0 ? 0 : rows[0].count;
  }

  // ---- maintenance ----

  // ---- SecondFactorStore ----

  async findSecondFactors(actorId: string): Promise<SecondFactorRecord[]> {
    const { rows } = await this.query<{ id: string; kind: string; secret: string; created_at: string; confirmed_at: string | null }>(
      `SELECT id, kind, secret, created_at, confirmed_at FROM ${this.secondFactors} WHERE actor_id = $1`,
      [actorId],
    );
    return rows.map((row) => ({ actorId, id: row.id, kind: row.kind, secret: row.secret, createdAt: Number(row.created_at), confirmedAt: optionalNumber(row.confirmed_at) }));
  }

  async saveSecondFactor(record: SecondFactorRecord): Promise<void> {
    await this.query(
      `INSERT INTO ${this.secondFactors} (actor_id, id, kind, secret, created_at, confirmed_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (actor_id, id) DO UPDATE SET kind = EXCLUDED.kind, secret = EXCLUDED.secret, created_at = EXCLUDED.created_at, confirmed_at = EXCLUDED.confirmed_at`,
      [record.actorId, record.id, record.kind, record.secret, wholeMs(record.createdAt), optionalMs(record.confirmedAt)],
    );
  }

  async deleteSecondFactor(actorId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.query(`DELETE FROM ${this.secondFactors} WHERE actor_id = $1 AND id = $2`, [actorId, id]);
    return (rowCount ?? 0) > 0;
  }

  async saveRecoveryCodes(actorId: string, hashes: readonly string[]): Promise<void> {
    // One statement, so a reader sees the old codes or the new ones, never a mix.
    await this.query(
      `WITH removed AS (DELETE FROM ${this.recoveryCodes} WHERE actor_id = $1)
       INSERT INTO ${this.recoveryCodes} (actor_id, hash) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
      [actorId, [...hashes]],
    );
  }

  async consumeRecoveryCode(actorId: string, hash: string): Promise<boolean> {
    const { rowCount } = await this.query(`DELETE FROM ${this.recoveryCodes} WHERE actor_id = $1 AND hash = $2`, [actorId, hash]);
    return (rowCount ?? 0) > 0;
  }

  async countRecoveryCodes(actorId: string): Promise<number> {
    const { rows } = await this.query<{ count: string }>(`SELECT count(*) AS count FROM ${this.recoveryCodes} WHERE actor_id = $1`, [actorId]);
    return Number(rows[0].count);
  }

  async markOneTimeUse(actorId: string, key: string, expiresAt: number, now: number): Promise<boolean> {
    // The row's lock makes this a compare-and-set: of two inserts, the second waits and then
    // updates only when the first's use is over.
    const { rowCount } = await this.query(
      `INSERT INTO ${this.oneTimeUses} AS used (actor_id, key, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (actor_id, key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE used.expires_at <= $4`,
      [actorId, key, wholeMs(expiresAt), wholeMs(now)],
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * Deletes tokens whose `expiresAt` has passed, revocations and provider-session entries past their `expiresAt`, and
   * counters (failed attempts, rate limits) whose window or lock is over, in one statement. Call it periodically (an
   * hourly timer on one instance, or a cron job); until then expired rows only take space.
   * Pass an earlier `now` to keep expired tokens a while longer (so they still answer
   * 401.4 "expired" instead of 401.2).
   *
   * @param now - Default: the store's clock.
   * @example
   * ```ts
   * const { tokens } = await store.sweepExpired();
   * await store.sweepExpired(Date.now() - 24 * 60 * 60 * 1000); // keep a day of expired tokens
   * ```
   */
  async sweepExpired(now: number = this.now()): Promise<SweepResult> {
    const { rows } = await this.query<{ tokens: string; revocations: string; attempts: string; used: string; limits: string; sessions: string }>(
      `WITH tokens AS (DELETE FROM ${this.tokens} WHERE expires_at <= $1 RETURNING 1),
       revocations AS (DELETE FROM ${this.revocations} WHERE expires_at <= $1 RETURNING 1),
       attempts AS (
         DELETE FROM ${this.attempts}
         WHERE CASE WHEN locked_until IS NOT NULL THEN locked_until <= $1 ELSE window_ends_at <= $1 END
         RETURNING 1
       ),
       used AS (DELETE FROM ${this.oneTimeUses} WHERE expires_at <= $1 RETURNING 1),
       limits AS (DELETE FROM ${this.limits} WHERE expires_at <= $1 RETURNING 1),
       sessions AS (DELETE FROM ${this.providerSessions} WHERE expires_at <= $1 RETURNING 1)
       SELECT (SELECT count(*) FROM used) AS used, (SELECT count(*) FROM tokens) AS tokens, (SELECT count(*) FROM revocations) AS revocations,
              (SELECT count(*) FROM attempts) AS attempts, (SELECT count(*) FROM limits) AS limits, (SELECT count(*) FROM sessions) AS sessions`,
      [wholeMs(now)],
    );
    return {
      tokens: Number(rows[0].tokens),
      revocations: Number(rows[0].revocations),
      attempts: Number(rows[0].attempts),
      oneTimeUses: Number(rows[0].used),
      limits: Number(rows[0].limits),
      providerSessions: Number(rows[0].sessions),
    };
  }

  /** Ends the pool if the store created it; a pool you passed stays open (you own it). */
  async close(): Promise<void> {
    if (this.ownsPool && !this.pool.ended) await this.pool.end();
  }

  private query<Row extends QueryResultRow = QueryResultRow>(text: string, values: unknown[]) {
    // pg reads query_timeout from the query config too; it bounds a stalled server.
    const config: QueryConfig & { query_timeout: number } = { text, values, query_timeout: this.queryTimeoutMs };
    if (this.preparedStatements) config.name = this.statementName(text);
    return this.pool.query<Row>(config);
  }

  /**
   * A name derived from the statement's text: pg prepares it once per connection and
   * refuses one name for two texts, so two stores (schemas) on one pool get two names.
   */
  private statementName(text: string): string {
    let name = this.statementNames.get(text);
    if (name === undefined) {
      name = `gatehouse_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      this.statementNames.set(text, name);
    }
    return name;
  }
}

function isPool(value: unknown): value is Pool {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Pool).query === 'function' &&
    typeof (value as Pool).connect === 'function' &&
    typeof (value as Pool).options === 'object'
  );
}

/** bigint columns take whole milliseconds; a fractional clock would be a 22P02 error, so round. */
function wholeMs(value: number): number {
  return Math.round(value);
}

function optionalMs(value: number | null | undefined): number | null {
  return value == null ? null : Math.round(value);
}

function optionalNumber(value: string | null): number | null {
  return value === null ? null : Number(value);
}

function toRecord(row: TokenRow): TokenRecord {
  return {
    hash: row.hash,
    id: row.id,
    kind: row.kind as StoredTokenKind,
    actorId: row.actor_id,
    createdAt: Number(row.created_at),
    expiresAt: optionalNumber(row.expires_at),
    lastUsedAt: optionalNumber(row.last_used_at),
    usedAt: optionalNumber(row.used_at),
    label: row.label,
    roles: row.roles,
    familyId: row.family_id,
    data: row.data,
  };
}

/** The id to store and whether it is the record's own, as `idOnReplace` decides them. */
function idParameters(record: TokenRecord): [string, boolean] {
  const { id, own } = idOnReplace(record);
  return [id, own];
}

/** The column values of a token record, in the order of the token statements' parameters. */
function tokenParameters(record: TokenRecord): unknown[] {
  return [
    record.hash,
    record.kind,
    record.actorId,
    record.familyId ?? null,
    wholeMs(record.createdAt),
    optionalMs(record.expiresAt),
    optionalMs(record.lastUsedAt),
    optionalMs(record.usedAt),
    record.label ?? null,
    record.roles ?? null,
    // Serialised here: pg would turn a top-level array into a PostgreSQL array.
    record.data === undefined ? null : JSON.stringify(record.data),
    // $12 and $13: the statements keep the replaced record's id unless the record brings its own (rules.ts).
    ...idParameters(record),
  ];
}

/** A row of `gatehouse_identities`. */
interface IdentityRow {
  issuer: string;
  subject: string;
  actor_id: string;
  linked_at: string;
}

function toIdentity(row: IdentityRow): IdentityLink {
  return { issuer: row.issuer, subject: row.subject, actorId: row.actor_id, linkedAt: Number(row.linked_at) };
}
