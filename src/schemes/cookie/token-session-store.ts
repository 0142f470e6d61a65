/**
 * express-session's store interface over the Gatehouse token store: each browser session
 * is a token record of kind `cookie`, kept under the SHA-256 of its session id (the id is
 * a bearer secret like any token), with the actor it belongs to. So `tokens.revokeAll`
 * ends an actor's browser sessions with everything else, on every instance.
 */
import session from 'express-session';
import { hashSecret } from '../../tokens/format';
import type { CookieSessionState } from './session-state';
import type { GuardedStore } from '../../store/guard';


declare module 'express-session' {
  interface SessionData {
    gatehouse?: CookieSessionState;
  }
}

type Callback<T = void> = (error?: unknown, value?: T) => void;

/**
 * An express-session store on a Gatehouse token store. A record is created only for a
 * session that {@link TokenSessionStore.expectNew} announced (a login); every other write
 * is a write-back by express-session at the end of a response, and only updates a record
 * that still exists. So a request that loaded the session before logout or `revokeAll`
 * cannot bring it back when it finishes (express-session saves whatever it loaded).
 */
export class TokenSessionStore extends session.Store {
  /** Session ids (hashed) whose next `set` may create the record. */
  private readonly creatable = new Set<string>();
  /** Sessions read already for a request, by id, while express-session loads them (`answeringGetsWith`). */
  private readonly preloaded = new Map<string, session.SessionData>();

  constructor(
    private readonly store: GuardedStore,
    private readonly absoluteTimeout: number,
  ) {
    super();
  }

  /** Lets the next `set` of this session id create its record (called at login, once). */
  expectNew(sid: string): void {
    this.creatable.add(hashSecret(sid));
  }

  /**
   * Runs `load` with every `get` of `sid` answered by `data` synchronously, without a store
   * read: express-session, run when a host first reads `req.session`, then loads the session
   * Gatehouse read for the request already, within that read.
   */
  answeringGetsWith<T>(sid: string, data: session.SessionData, load: () => T): T {
    this.preloaded.set(sid, data);
    try {
      return load();
    } finally {
      this.preloaded.delete(sid);
    }
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    const preloaded = this.preloaded.get(sid);
    if (preloaded !== undefined) return callback(undefined, preloaded);
    this.store.findToken!(hashSecret(sid)).then(
      (record) => callback(undefined, record && record.kind === 'cookie' ? (record.data as session.SessionData) : null),
      callback,
    );
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    const hash = hashSecret(sid);
    const state = data.gatehouse;
    const createdAt = state?.createdAt ?? Date.now();
    const record = {
      hash,
      kind: 'cookie' as const,
      actorId: state?.actorId ?? null,
      createdAt,
      expiresAt: Math.min(createdAt + this.absoluteTimeout, state?.endsAt ?? Infinity),
      lastUsedAt: state?.lastSeenAt ?? null,
      usedAt: null,
      label: null,
      roles: null,
      // One login, one session: the login's token shares this family (`login.credentials: 'token+cookie'`).
      familyId: state?.loginId ?? null,
      data: JSON.parse(JSON.stringify(data)),
    };
    const write = this.creatable.delete(hash) ? this.store.saveToken!(record) : this.store.updateToken!(record);
    write.then(() => callback?.(), (error: unknown) => callback?.(error));
  }

  override destroy(sid: string, callback?: Callback): void {
    const hash = hashSecret(sid);
    this.creatable.delete(hash);
    this.store.deleteToken!(hash).then(() => callback?.(), (error: unknown) => callback?.(error));
  }

  // No `touch`: idle time is tracked in the session data itself. express-session calls a
  // store's touch at the end of every response whose session did not change, hashing the
  // session once more to decide it and splitting the response into two writes around the
  // call; without one it simply ends the response.
}
