/**
 * The Lua scripts of `RedisStore`: every write that must be atomic (and the batched reads)
 * is one script, so two instances never interleave. Where a script applies a store rule
 * (`rules.ts`: when a counter has ended, the id kept on replace, the later revocation
 * winning), the TypeScript side passes the parameters and the conformance kit pins the rule.
 */
import { createHash } from 'node:crypto';

/** A Lua script run by its SHA-1, falling back to EVAL when Redis does not have it cached. */
export interface LuaScript {
  source: string;
  sha: string;
}

/** A script and its SHA-1. */
export function lua(source: string): LuaScript {
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
export const SAVE_TOKEN = lua(`${INDEX_HELPERS}
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
export const DELETE_TOKEN = lua(`${INDEX_HELPERS}
local old = redis.call('HMGET', KEYS[1], 'a', 'f', 'i')
local removed = redis.call('DEL', KEYS[1])
unindex(ARGV[1], ARGV[2], old[1], old[2])
unindex_id(ARGV[1], ARGV[2], old[3])
return removed
`);

/** KEYS: index set. ARGV: prefix, field ('a' or 'f'), the actor or family id. */
export const DELETE_INDEXED = lua(`${INDEX_HELPERS}
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
export const MARK_TOKEN_USED = lua(`
local before = redis.call('HMGET', KEYS[1], 'r', 'u', 'l', 'i')
if not before[1] then return false end
if not before[2] then redis.call('HSET', KEYS[1], 'u', ARGV[1]) end
return before
`);

/** KEYS: token key. ARGV: lastUsedAt. HSET alone would resurrect a deleted token without a TTL. */
export const TOUCH_TOKEN = lua(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'l', ARGV[1]) end
return 0
`);

/** KEYS: actor index. ARGV: prefix, actorId. The actor's records as [r, u, l, i] (the index may hold strays). */
export const LIST_TOKENS = lua(`
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
export const HMGET_EACH = lua(`
local found = {}
for index, key in ipairs(KEYS) do found[index] = redis.call('HMGET', key, unpack(ARGV)) end
return found
`);

/** KEYS: id key. ARGV: prefix, id. The record as [r, u, l, i], or nil. */
export const FIND_TOKEN_BY_ID = lua(`
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
export const ASSIGN_ID = lua(`${INDEX_HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local id = redis.call('HGET', KEYS[1], 'i')
if id then return id end
redis.call('HSET', KEYS[1], 'i', ARGV[3])
local ttl = redis.call('PTTL', KEYS[1])
index_id(ARGV[1], ARGV[2], ARGV[3], ttl > 0 and ttl or nil)
return ARGV[3]
`);

/** KEYS: revocation key. ARGV: revokedAt, ttl. A later revocation of the same key wins (`revocationReplaces` of `rules.ts`). */
export const SAVE_REVOCATION = lua(`
local current = redis.call('GET', KEYS[1])
if current and tonumber(current) > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

/**
 * KEYS: a provider session's sorted set (actor id → until when). ARGV: actorId, expiresAt, now.
 * A later expiry of the actor extends its entry, an earlier one leaves it; entries over at `now`
 * are dropped, and the set expires with its longest-lived entry.
 */
export const SAVE_PROVIDER_SESSION = lua(`
local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not current or tonumber(current) < tonumber(ARGV[2]) then redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if #last == 0 then return 0 end
redis.call('PEXPIRE', KEYS[1], string.format('%d', math.ceil(tonumber(last[2]) - tonumber(ARGV[3]))))
return 1
`);

/**
 * KEYS: counter key. ARGV: now, maxAttempts, windowMs, lockMs. `afterFailedAttempt` of
 * `rules.ts`, in one script: the window starts at the first failure, the lock is set once
 * when the count reaches maxAttempts, and an ended counter (`attemptCounterOver`) starts a
 * new count. The conformance kit checks every answer against the TypeScript rule.
 */
export const RECORD_FAILED_ATTEMPT = lua(`
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
export const CLEAR_ATTEMPTS = lua(`
local count = redis.call('HGET', KEYS[1], 'c')
redis.call('DEL', KEYS[1])
return tonumber(count) or 0
`);

/**
 * KEYS: identity key, the actor's identity index. ARGV: the link as JSON, the identity's
 * member in the index. Links unless the identity is linked already (to anyone); returns the
 * link that holds.
 */
export const LINK_IDENTITY = lua(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('SADD', KEYS[2], ARGV[2])
  return ARGV[1]
end
return redis.call('GET', KEYS[1])
`);

/**
 * KEYS: identity key, the actor's identity index. ARGV: the actor id, the identity's member
 * in the index. Removes the link when it points at that actor; returns 1 when it did.
 */
export const UNLINK_IDENTITY = lua(`
local current = redis.call('GET', KEYS[1])
if not current or cjson.decode(current).actorId ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
return 1
`);

/**
 * `consumeCounters` of `rate-limits/policy.ts` in Lua: one key per counter and window
 * (`limit:<subject>:<name>:<window start>`), expiring a second after its window ends. Every
 * counter is read first; only when all have room is the cost added to each. Answers the
 * outcome as JSON (`{ allowed, counters: [[name, limit, quota, start, resetsAt, used], …] }`).
 */
const CONSUME_HELPERS = `
local function consume(prefix, counters, cost, now, month_start, month_end)
  local states = {}
  local allowed = true
  for index, counter in ipairs(counters) do
    local start, finish
    if counter.window == 'month' then
      start, finish = month_start, month_end
    else
      start = math.floor(now / counter.window) * counter.window
      finish = start + counter.window
    end
    local base = counter.base or (prefix .. 'limit:' .. counter.subject)
    local key = base .. ':' .. counter.name .. ':' .. string.format('%.0f', start)
    local used = tonumber(redis.call('GET', key)) or 0
    states[index] = { key = key, counter = counter, start = start, finish = finish, used = used }
    if used + cost > counter.limit then allowed = false end
  end
  local answer = {}
  for index, state in ipairs(states) do
    if allowed and cost > 0 then
      state.used = redis.call('INCRBY', state.key, cost)
      -- Only a counter this call created needs its expiry (one command less on every other request).
      if state.used == cost then redis.call('PEXPIRE', state.key, math.max(1, state.finish - now + 1000)) end
    end
    answer[index] = { state.counter.name, state.counter.limit, state.counter.quota and 1 or 0, state.start, state.finish, state.used }
  end
  return cjson.encode({ allowed = allowed, counters = answer })
end
`;

/**
 * KEYS: none on a single primary; on a cluster, one key of the counters' slot (every counter
 * given then has a `base` in that slot, `RedisKeys.limitCounters`). ARGV: prefix, counters
 * (JSON `LimitCounter[]`, each optionally with its key `base`), cost, now, month start, month end.
 */
export const CONSUME_LIMITS = lua(`${CONSUME_HELPERS}
return consume(ARGV[1], cjson.decode(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]))
`);

/**
 * KEYS: the token key of each check. ARGV: prefix, plan (JSON: kind, defaults, perActor),
 * month start, month end, then hash, cost and now of each check. `findToken` and
 * `consumeLimits` in one script, for every rate-limited key check of one pass of the event
 * loop, decided in the order given (each as if alone): per check, [r, u, l, i, outcome JSON
 * or nil], or nil when there is no record. Counts only a record of the plan's kind, with an
 * actor, not expired at `now`, not a disabled or expired API key (`recordIsCounted`), in its
 * own limits (`data.apiKey.limits`) or the plan's defaults, and in the actor's shared limits.
 */
export const FIND_TOKENS_AND_CONSUME = lua(`${CONSUME_HELPERS}
-- A hot key fills a batch with one token key: its record is read and decoded, and its
-- counters listed, once (nothing this script does changes a record).
local read_key, fields, record, counters
local function find_and_consume(prefix, token_key, hash, plan, cost, now, month_start, month_end)
  if token_key ~= read_key then
    read_key = token_key
    fields = redis.call('HMGET', token_key, 'r', 'u', 'l', 'i', 'a')
    record = fields[1] and cjson.decode(fields[1])
    counters = nil
  end
  if not fields[1] then return false end
  local expires = record.expiresAt
  local outcome = false
  local usable = true
  if type(record.data) == 'table' and type(record.data.apiKey) == 'table' then
    local details = record.data.apiKey
    if type(details.disabledAt) == 'number' then usable = false end
    if type(details.expiresAt) == 'number' and details.expiresAt <= now then usable = false end
  end
  if usable and record.kind == plan.kind and fields[5] and (expires == nil or expires == cjson.null or expires > now) then
    if not counters then
      local limits = plan.defaults
      if type(record.data) == 'table' and type(record.data.apiKey) == 'table' and type(record.data.apiKey.limits) == 'table' then limits = record.data.apiKey.limits end
      counters = {}
      for _, limit in ipairs(limits) do
        table.insert(counters, { name = limit.name, limit = limit.limit, window = limit.window, quota = limit.quota, subject = 'key:' .. hash })
      end
      for _, limit in ipairs(plan.perActor) do
        table.insert(counters, { name = limit.name, limit = limit.limit, window = limit.window, quota = limit.quota, subject = 'actor:' .. fields[5] })
      end
    end
    outcome = consume(prefix, counters, cost, now, month_start, month_end)
  end
  return { fields[1], fields[2], fields[3], fields[4], outcome }
end
local plan = cjson.decode(ARGV[2])
local month_start, month_end = tonumber(ARGV[3]), tonumber(ARGV[4])
local answers = {}
for call = 1, #KEYS do
  local at = 4 + (call - 1) * 3
  answers[call] = find_and_consume(ARGV[1], KEYS[call], ARGV[at + 1], plan, tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3]), month_start, month_end)
end
return answers
`);

/**
 * KEYS: one key of the counters' slot (cluster). ARGV: cost, then the counter keys (all in that
 * slot). Takes back `cost` from each: a cluster's consume across slots refused by a later slot
 * undoes what an earlier slot had counted, so a refused request ends up counted in none.
 */
export const REFUND_LIMITS = lua(`
local cost = tonumber(ARGV[1])
for i = 2, #ARGV do
  if redis.call('EXISTS', ARGV[i]) == 1 then redis.call('DECRBY', ARGV[i], cost) end
end
return 1
`);
