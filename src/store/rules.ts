/**
 * The rules every shipped store keeps, written once: when a failed-attempt counter has
 * ended, which id a replaced token record keeps, which of two revocations of one key
 * stands, and who closes a store's connection. MemoryStore applies them as they are;
 * RedisStore and PostgresStore apply them in one Lua script or one SQL statement (so that
 * two instances never interleave), take their parameters from here, and the conformance
 * kit (`conformance.ts`) pins each rule on all three, so the restatements cannot drift.
 */
import { fail } from '../config-error';
import { newCredentialId } from './credential-id';
import type { AttemptPolicy, AttemptState, TokenRecord } from './types';

/** A failed-attempt counter as a store keeps it. */
export interface AttemptCounter {
  count: number;
  /** When the window opened by the counter's first failure closes (ms since the epoch). */
  windowEndsAt: number;
  /** Set once, when the count reaches `maxAttempts`; `null` until then. */
  lockedUntil: number | null;
}

/**
 * Whether a counter has ended at `now`: a locked counter when its lock has passed, an
 * unlocked one when its window has. An ended counter reads as no failures, and the next
 * failure starts a new count.
 */
export function attemptCounterOver(counter: Pick<AttemptCounter, 'windowEndsAt' | 'lockedUntil'>, now: number): boolean {
  return counter.lockedUntil !== null ? counter.lockedUntil <= now : counter.windowEndsAt <= now;
}

/** What `readAttempts` answers for a stored counter, or for none. */
export function attemptState(counter: AttemptCounter | null, now: number): AttemptState {
  if (counter === null || attemptCounterOver(counter, now)) return { count: 0, lockedUntil: null };
  return { count: counter.count, lockedUntil: counter.lockedUntil };
}

/**
 * The counter after one more failure: an ended (or absent) counter starts over with a window
 * from `now`; the lock is set once, when the count reaches `maxAttempts`, and not moved on by
 * later failures.
 */
export function afterFailedAttempt(counter: AttemptCounter | null, policy: AttemptPolicy, now: number): AttemptCounter {
  const current = counter === null || attemptCounterOver(counter, now) ? { count: 0, windowEndsAt: now + policy.windowMs, lockedUntil: null } : counter;
  const count = current.count + 1;
  const lockedUntil = current.lockedUntil ?? (count >= policy.maxAttempts ? now + policy.lockMs : null);
  return { count, windowEndsAt: current.windowEndsAt, lockedUntil };
}

/**
 * The id a saved token record is stored under, with whether it is the record's own. A record
 * that brings an id keeps it; one without keeps the id of the record it replaces (a session
 * write-back must not change the id `revokeById` knows it by), and a new record gets a new one.
 * Stores that replace in one statement pass `{ id, own }` and keep the old id there unless `own`.
 */
export function idOnReplace(record: Pick<TokenRecord, 'id'>, replaced?: { id?: string | null } | null): { id: string; own: boolean } {
  if (record.id != null) return { id: record.id, own: true };
  return { id: replaced?.id ?? newCredentialId(), own: false };
}

/**
 * Whether a revocation of a key replaces the one stored for it: the later revocation wins (a
 * second `revokeAll` moves "not before" on; an earlier one arriving late changes nothing), and
 * one of the same moment replaces it, refreshing its `expiresAt`.
 */
export function revocationReplaces(storedRevokedAt: number | null | undefined, revokedAt: number): boolean {
  return storedRevokedAt == null || storedRevokedAt <= revokedAt;
}

/** How a store over a connection recognises, checks and creates one (see {@link ownedConnection}). */
export interface ConnectionRules<Connection> {
  /** Who is asking, for the messages: `'RedisStore'`. */
  where: string;
  /** The option the connection is given in: `'client'`, `'pool'`. */
  option: string;
  isConnection(value: unknown): value is Connection;
  /** The connection's own time limit, which must be a positive finite number. */
  timeoutOf(connection: Connection): unknown;
  /** The message for a connection without one. */
  withoutTimeout: string;
  /** Creates the store's own connection, with fail-fast defaults, from a URL or options. */
  create(config: string | object): Connection;
  /** The message when nothing usable is given. */
  missing: string;
}

/**
 * Client ownership: a connection the host passes stays the host's (the store never closes it)
 * and must carry a time limit, or a stalled server would hold requests for ever; one the
 * store creates from a URL or options is the store's, closed by its `close()`.
 */
export function ownedConnection<Connection>(given: unknown, rules: ConnectionRules<Connection>): { connection: Connection; owned: boolean } {
  if (rules.isConnection(given)) {
    const timeout = rules.timeoutOf(given);
    if (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout)) fail(rules.option, rules.withoutTimeout, { where: rules.where });
    return { connection: given, owned: false };
  }
  if (typeof given === 'string' || (given !== null && typeof given === 'object')) return { connection: rules.create(given), owned: true };
  return fail(rules.option, rules.missing, { where: rules.where, code: 'GATEHOUSE_MISSING_OPTION' });
}

/**
 * Whether the counter `key` is `subject`'s own or one of its per-client counters
 * (`ip:<client>:<subject>`, as `lockout.by: 'login+ip'` writes them): what `clearAttemptsOf`
 * removes. A client part is an IP literal or percent-encoded, so it never holds `login:` or
 * `actor:`; a key whose middle does (`ip:<client>:login:x:actor:1`, the counter of a login
 * that ends like a subject) belongs to someone else.
 */
export function isCounterOf(key: string, subject: string): boolean {
  if (key === subject) return true;
  if (!key.startsWith('ip:') || key.length <= subject.length + 4 || !key.endsWith(`:${subject}`)) return false;
  const client = key.slice(3, key.length - subject.length - 1);
  return !client.includes('login:') && !client.includes('actor:');
}
