/**
 * The names of `RedisStore`'s keys, in its two layouts, and the one rule that decides which
 * keys share a Redis Cluster hash slot (ARCHITECTURE.md, "Redis Cluster").
 *
 * - **single** (a single primary, or one behind Sentinel): the names the store has always
 *   used, `<prefix>token:<hash>`, `<prefix>actor:<actorId>`, … Scripts build the keys they
 *   reach from the prefix, so one script can touch an index and every token it lists.
 * - **cluster** (an ioredis `Cluster` client): `<prefix><kind>:{<tag>}`. Redis hashes only the
 *   part between the first `{` and the next `}` (the hash tag), so every key made by
 *   {@link slotKey} from the same value lands in the same slot, whatever its kind:
 *   `token:{<hash>}` and any other per-token state keyed by the same hash, `actor:{<id>}` and
 *   any other per-actor state. A script only ever touches keys of one tag.
 *
 * New keys (rate-limit counters, per-actor or per-token state) are made with {@link slotKey}
 * in the cluster layout: keys that one script must update together take the same value.
 */
import { sha256 } from '../sha256';

/** Which layout a store writes: chosen by the client it is given (a `Cluster` client: `cluster`). */
export type RedisLayout = 'single' | 'cluster';

/** The keys of one store: its prefix and layout applied. */
export interface RedisKeys {
  readonly layout: RedisLayout;
  /** A token record (a hash), by the token's SHA-256. */
  token(hash: string): string;
  /** The actor's tokens: a set (single) or a sorted set scored by expiry (cluster). */
  actorIndex(actorId: string): string;
  /** A family's tokens (a refresh family, or one login's session token and cookie). */
  familyIndex(familyId: string): string;
  /** A credential id's token hash, for `findTokenById`. */
  credentialId(id: string): string;
  /** A revocation entry ("not before", a jti, a family, a host-stored session). */
  revoked(key: string): string;
  /** A failed-attempt counter. */
  attempts(key: string): string;
  /** The actor's second factors (a hash: factor id → the record as JSON); in the actor's slot on a cluster. */
  secondFactors(actorId: string): string;
  /** The actor's recovery-code hashes (a set); in the actor's slot on a cluster. */
  recoveryCodes(actorId: string): string;
  /** One entry of the actor's used-code window (a used TOTP step, a spent challenge ticket); in the actor's slot on a cluster. */
  oneTimeUse(actorId: string, key: string): string;
  /** An identity's link to its actor (a string holding the link as JSON), by the identity's member ({@link identityMember}). */
  identity(member: string): string;
  /** The actor's linked identities: a set of members. On a cluster in the actor's slot; a link in its own. */
  actorIdentities(actorId: string): string;
  /** A provider session's actors (a sorted set: actor id → until when), by the session's member ({@link identityMember} of issuer and sid); one key, one slot. */
  providerSession(member: string): string;
  /**
   * The base of a rate-limit counter's keys (`<base>:<name>:<window start>`) for a counter
   * subject (`key:<hash>`, `actor:<id>`, `static:<label>`). In the cluster layout a key's
   * counters are tagged by the token hash, so they share the token record's slot, and an
   * actor's by its id (the actor index's slot): one script per subject.
   */
  limitCounters(subject: string): string;
}

/** The name of an identity (issuer, subject), or of a provider session (issuer, sid), in keys and index sets: unambiguous whatever either contains. */
export function identityMember(issuer: string, subject: string): string {
  return Buffer.from(JSON.stringify([issuer, subject])).toString('base64url');
}

/**
 * The hash tag of a value: `{value}`, or `{#<sha256 hex>}` for a value Redis would not take
 * whole as a tag (empty, with a brace, or already starting with `#`), so that distinct values
 * always give distinct tags and a value never splits its key's tag.
 */
export function hashTag(value: string): string {
  const plain = value !== '' && !value.startsWith('#') && !value.includes('{') && !value.includes('}');
  return `{${plain ? value : `#${sha256(value, 'hex')}`}}`;
}

/**
 * A cluster-layout key: `<prefix><kind>:{<tag of value>}`. Every key made from the same
 * `value` is in the same hash slot, so one script may update all of them. The prefix must
 * hold no brace (the store refuses one), or its own tag would decide the slot.
 *
 * @example slotKey('gatehouse:', 'token', hash) // 'gatehouse:token:{3f1e…}'
 */
export function slotKey(prefix: string, kind: string, value: string): string {
  return `${prefix}${kind}:${hashTag(value)}`;
}

/** The store's keys under `prefix` in `layout`. */
export function redisKeys(prefix: string, layout: RedisLayout): RedisKeys {
  const key =
    layout === 'cluster' ? (kind: string, value: string) => slotKey(prefix, kind, value) : (kind: string, value: string) => `${prefix}${kind}:${value}`;
  return {
    layout,
    token: (hash) => key('token', hash),
    actorIndex: (actorId) => key('actor', actorId),
    familyIndex: (familyId) => key('family', familyId),
    credentialId: (id) => key('id', id),
    revoked: (revocationKey) => key('revoked', revocationKey),
    attempts: (attemptKey) => key('attempts', attemptKey),
    secondFactors: (actorId) => key('2fa:factors', actorId),
    recoveryCodes: (actorId) => key('2fa:recovery', actorId),
    // The actor's tag comes first, so whatever `key` holds after it cannot move the slot.
    oneTimeUse: (actorId, useKey) =>
      layout === 'cluster' ? `${slotKey(prefix, '2fa:used', actorId)}:${useKey}` : `${prefix}2fa:used:${encodeURIComponent(actorId)}:${useKey}`,
    identity: (member) => key('identity', member),
    actorIdentities: (actorId) => key('identities', actorId),
    providerSession: (member) => key('oidc-session', member),
    limitCounters: (subject) => (layout === 'cluster' ? slotKey(prefix, 'limit', slotValueOfSubject(subject)) : `${prefix}limit:${subject}`),
  };
}

/** The value a counter subject is tagged by: the token hash of `key:<hash>`, the id of `actor:<id>`, else the whole subject. */
function slotValueOfSubject(subject: string): string {
  if (subject.startsWith('key:')) return subject.slice('key:'.length);
  if (subject.startsWith('actor:')) return subject.slice('actor:'.length);
  return subject;
}
