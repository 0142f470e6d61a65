/**
 * `RedisStore`'s token operations on a Redis Cluster, where a token, its actor's index, its
 * family's index and its credential id are in different hash slots (`redis-keys.ts`) and no
 * one script can reach them all. Each operation is a short sequence of single-slot scripts,
 * ordered so that "revocation is final" holds whatever happens between two steps
 * (ARCHITECTURE.md, "Redis Cluster"):
 *
 * - **Indexes before the token.** A save adds the hash to its actor's and family's index
 *   before it writes the token, so every token that exists is listed where
 *   `deleteTokensForActor` and `deleteTokenFamily` look. A step that fails (or a save that
 *   never writes its token) leaves an index entry naming no token: tolerated, read past,
 *   and dropped when its score (the token's expiry) is reached.
 * - **The token is the credential.** Deleting one is one script on its own slot, and the
 *   deletion is done when that script is; unindexing afterwards is housekeeping.
 * - **Only what was deleted leaves an index.** An entry whose token does not exist (yet) stays:
 *   a save in flight may be about to write it.
 * - **Revocation marks first** (`tokens.revokeAll`'s "not before", a refresh family's
 *   revocation) stay as they are: a credential saved after a bulk delete read its index is
 *   caught by the check that follows every save made on a proof of identity.
 *
 * The authenticated request's own reads are single keys (the token, a counter) or one GET per
 * revocation key sent together: one round trip of latency, as on a single primary.
 */
import type { Cluster } from 'ioredis';
import { newCredentialId } from './credential-id';
import { CLUSTER_ASSIGN_ID, CLUSTER_DELETE_ID, CLUSTER_DELETE_TOKEN, CLUSTER_INDEX_ADD, CLUSTER_SAVE_TOKEN } from './redis-cluster-scripts';
import type { RedisKeys } from './redis-keys';
import type { LuaScript } from './redis-scripts';

/** What the store hands the cluster operations: its client, keys, scripts runner and clock. */
export interface ClusterContext {
  client: Cluster;
  keys: RedisKeys;
  run(script: LuaScript, keys: string[], args: string[]): Promise<unknown>;
  now(): number;
}

/** A token write: everything `RedisStore.writeToken` computed, in the store's terms. */
export interface ClusterTokenWrite {
  hash: string;
  json: string;
  actorId: string | null;
  familyId: string | null;
  usedAt: string;
  lastUsedAt: string;
  /** Remaining ms, '' (no expiry) or 'expired'. */
  ttl: string;
  /** The record's expiry, the index score ('+inf' for none). */
  expiresAt: number | null;
  id: string;
  ownId: boolean;
  mode: '' | 'existing';
}

type Owner = { field: 'a' | 'f'; id: string };

/** Token operations spanning slots, in the order the module comment argues. */
export class ClusterTokens {
  constructor(private readonly context: ClusterContext) {}

  /** Saves (or, in mode 'existing', replaces) a token; resolves to 1 when it was written. */
  async write(write: ClusterTokenWrite): Promise<number> {
    const { keys, run } = this.context;
    const score = write.expiresAt === null ? '+inf' : String(write.expiresAt);
    // A new token is indexed before it exists; a replaced one already is (and is re-indexed
    // below only if it changed owner).
    if (write.mode === '' && write.ttl !== 'expired') await this.index(write.hash, write.actorId, write.familyId, score);
    const [written, oldActor, oldFamily, oldId, id] = (await run(CLUSTER_SAVE_TOKEN, [keys.token(write.hash)], [
      write.json,
      write.actorId ?? '',
      write.familyId ?? '',
      write.usedAt,
      write.lastUsedAt,
      write.ttl,
      write.id,
      write.ownId ? '1' : '',
      write.mode,
    ])) as [number, string | null, string | null, string | null, string | null];
    if (written === 1 && write.mode === 'existing') {
      await this.index(write.hash, write.actorId !== oldActor ? write.actorId : null, write.familyId !== oldFamily ? write.familyId : null, score);
    }
    // The replaced record's entries it no longer has (all of them when nothing was written).
    const kept = written === 1;
    const housekeeping: Array<Promise<unknown>> = [];
    if (oldActor && (!kept || oldActor !== write.actorId)) housekeeping.push(this.context.client.zrem(keys.actorIndex(oldActor), write.hash));
    if (oldFamily && (!kept || oldFamily !== write.familyId)) housekeeping.push(this.context.client.zrem(keys.familyIndex(oldFamily), write.hash));
    if (oldId && (!kept || oldId !== id)) housekeeping.push(run(CLUSTER_DELETE_ID, [keys.credentialId(oldId)], [write.hash]));
    if (kept && id) housekeeping.push(this.setId(id, write.hash, write.ttl === '' ? null : Number(write.ttl)));
    await Promise.all(housekeeping);
    return written;
  }

  /** Deletes one token; resolves to true when it existed. */
  async delete(hash: string): Promise<boolean> {
    const [status, actorId, familyId, id] = (await this.context.run(CLUSTER_DELETE_TOKEN, [this.context.keys.token(hash)], [''])) as DeleteReply;
    if (status !== 1) return false;
    await this.unindex(hash, actorId, familyId, id);
    return true;
  }

  /** Deletes every token an index lists that still belongs to its owner; resolves to how many, and their hashes. */
  async deleteIndexed(owner: Owner): Promise<{ removed: number; deleted: string[] }> {
    const { client, keys, run } = this.context;
    const indexKey = owner.field === 'a' ? keys.actorIndex(owner.id) : keys.familyIndex(owner.id);
    const hashes = await client.zrange(indexKey, 0, -1);
    const replies = (await Promise.all(hashes.map((hash) => run(CLUSTER_DELETE_TOKEN, [keys.token(hash)], [owner.field, owner.id])))) as DeleteReply[];
    // Every token is gone now; what follows only tidies the other indexes.
    const leaving: string[] = [];
    const deleted: string[] = [];
    const housekeeping: Array<Promise<unknown>> = [];
    replies.forEach(([status, actorId, familyId, id], index) => {
      const hash = hashes[index];
      if (status === -1) return;
      leaving.push(hash);
      if (status !== 1) return;
      deleted.push(hash);
      housekeeping.push(this.unindex(hash, owner.field === 'a' ? null : actorId, owner.field === 'f' ? null : familyId, id));
    });
    if (leaving.length > 0) housekeeping.push(client.zrem(indexKey, ...leaving));
    await Promise.all(housekeeping);
    return { removed: deleted.length, deleted };
  }

  /** The fields [r, u, l, i] of every token of the actor its index lists. */
  async list(actorId: string): Promise<Array<[string, string | null, string | null, string | null]>> {
    const { client, keys } = this.context;
    const hashes = await client.zrange(keys.actorIndex(actorId), 0, -1);
    const rows = await Promise.all(hashes.map((hash) => client.hmget(keys.token(hash), 'r', 'u', 'l', 'i', 'a')));
    const found: Array<[string, string | null, string | null, string | null]> = [];
    for (const [body, usedAt, lastUsedAt, id, owner] of rows) {
      if (body !== null && owner === actorId) found.push([body, usedAt, lastUsedAt, id]);
    }
    return found;
  }

  /** Gives a token saved before ids existed an id; resolves to its id, or null when it is gone. */
  async assignId(hash: string): Promise<string | null> {
    const reply = (await this.context.run(CLUSTER_ASSIGN_ID, [this.context.keys.token(hash)], [newCredentialId()])) as [string, number] | null;
    if (reply === null) return null;
    const [id, ttl] = reply;
    await this.setId(id, hash, ttl > 0 ? ttl : null);
    return id;
  }

  /** The fields [r, u, l, i] of the token with this credential id, or null. */
  async findById(id: string): Promise<[string, string | null, string | null, string | null] | null> {
    const { client, keys } = this.context;
    const hash = await client.get(keys.credentialId(id));
    if (hash === null) return null;
    const fields = await client.hmget(keys.token(hash), 'r', 'u', 'l', 'i');
    return fields[0] === null || fields[3] !== id ? null : (fields as [string, string | null, string | null, string | null]);
  }

  private async index(hash: string, actorId: string | null, familyId: string | null, score: string): Promise<void> {
    const { keys, run } = this.context;
    const now = String(this.context.now());
    const adds: Array<Promise<unknown>> = [];
    if (actorId) adds.push(run(CLUSTER_INDEX_ADD, [keys.actorIndex(actorId)], [hash, score, now]));
    if (familyId) adds.push(run(CLUSTER_INDEX_ADD, [keys.familyIndex(familyId)], [hash, score, now]));
    await Promise.all(adds);
  }

  private async unindex(hash: string, actorId: string | null, familyId: string | null, id: string | null): Promise<void> {
    const { client, keys, run } = this.context;
    const steps: Array<Promise<unknown>> = [];
    if (actorId) steps.push(client.zrem(keys.actorIndex(actorId), hash));
    if (familyId) steps.push(client.zrem(keys.familyIndex(familyId), hash));
    if (id) steps.push(run(CLUSTER_DELETE_ID, [keys.credentialId(id)], [hash]));
    await Promise.all(steps);
  }

  private async setId(id: string, hash: string, ttl: number | null): Promise<void> {
    const key = this.context.keys.credentialId(id);
    await (ttl === null ? this.context.client.set(key, hash) : this.context.client.set(key, hash, 'PX', ttl));
  }
}

/** CLUSTER_DELETE_TOKEN's reply. */
type DeleteReply = [number, string | null, string | null, string | null];
