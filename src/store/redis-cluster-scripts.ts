/**
 * The Lua scripts of `RedisStore` on a Redis Cluster. Each touches the keys of one hash tag
 * only (`redis-keys.ts`), so it runs on the node that owns that slot; an operation that spans
 * tags is a sequence of these in the order `redis-cluster-tokens.ts` argues.
 */
import { lua } from './redis-scripts';

/**
 * KEYS: token key. ARGV: json, actorId|'', familyId|'', usedAt|'', lastUsedAt|'',
 * ttl|''|'expired', id, '1' when the record brought that id, 'existing'|''.
 * Resolves to { written 1|0, the replaced record's a, f, i, the id written }.
 */
export const CLUSTER_SAVE_TOKEN = lua(`
if ARGV[9] == 'existing' and redis.call('EXISTS', KEYS[1]) == 0 then return { 0 } end
local old = redis.call('HMGET', KEYS[1], 'a', 'f', 'i')
local id = ARGV[7]
if ARGV[8] == '' and old[3] then id = old[3] end
redis.call('DEL', KEYS[1])
if ARGV[6] == 'expired' then return { 0, old[1], old[2], old[3], false } end
local fields = { 'r', ARGV[1], 'i', id }
if ARGV[2] ~= '' then table.insert(fields, 'a'); table.insert(fields, ARGV[2]) end
if ARGV[3] ~= '' then table.insert(fields, 'f'); table.insert(fields, ARGV[3]) end
if ARGV[4] ~= '' then table.insert(fields, 'u'); table.insert(fields, ARGV[4]) end
if ARGV[5] ~= '' then table.insert(fields, 'l'); table.insert(fields, ARGV[5]) end
redis.call('HSET', KEYS[1], unpack(fields))
if ARGV[6] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[6]) end
return { 1, old[1], old[2], old[3], id }
`);

/**
 * KEYS: index (a sorted set of token hashes scored by expiry). ARGV: hash, its expiry in ms
 * or '+inf', now. Adds the hash, drops members whose token has expired, and lets the index
 * expire with its longest-lived member.
 */
export const CLUSTER_INDEX_ADD = lua(`
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if not last[2] then return 0 end
if last[2] == 'inf' then
  redis.call('PERSIST', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil(tonumber(last[2]) - tonumber(ARGV[3]))))
end
return 1
`);

/**
 * KEYS: token key. ARGV: '' (any owner), or 'a'/'f' and the actor or family the token must
 * still belong to. Resolves to { 1 deleted | 0 there but another owner's | -1 absent, a, f, i }.
 */
export const CLUSTER_DELETE_TOKEN = lua(`
local old = redis.call('HMGET', KEYS[1], 'a', 'f', 'i')
if redis.call('EXISTS', KEYS[1]) == 0 then return { -1 } end
if (ARGV[1] == 'a' and old[1] ~= ARGV[2]) or (ARGV[1] == 'f' and old[2] ~= ARGV[2]) then return { 0 } end
redis.call('DEL', KEYS[1])
return { 1, old[1], old[2], old[3] }
`);

/** KEYS: id key. ARGV: hash. Deletes the key only while it still names that token. */
export const CLUSTER_DELETE_ID = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * KEYS: token key. ARGV: new id. Gives a record written before ids existed an id.
 * Resolves to { id, its remaining ttl or -1 } (the id kept or given), or nil when the token is gone.
 */
export const CLUSTER_ASSIGN_ID = lua(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local id = redis.call('HGET', KEYS[1], 'i')
if not id then
  id = ARGV[1]
  redis.call('HSET', KEYS[1], 'i', id)
end
return { id, redis.call('PTTL', KEYS[1]) }
`);
