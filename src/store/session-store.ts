/**
 * express-session's store interface over the Gatehouse token store: each browser session
 * is a token record of kind `cookie`, kept under the SHA-256 of its session id (the id is
 * a bearer secret like any token), with the actor it belongs to. So `tokens.revokeAll`
 * ends an actor's browser sessions with everything else, on every instance.
 */
import session from 'express-session';
import { hashSecret } from '../tokens/format';
import type { CookieSessionState } from '../strategies/cookie-session-state';
import type { GuardedStore } from './guard';


declare module 'express-session' {
  interface SessionData {
    gatehouse?: CookieSessionState;
  }
}

type Callback<T = void> = (error?: unknown, value?: T) => void;

/** An express-session store on a Gatehouse token store. */
export class TokenSessionStore extends session.Store {
  constructor(
    private readonly store: GuardedStore,
    private readonly absoluteTimeout: number,
  ) {
    super();
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    this.store.findToken!(hashSecret(sid)).then(
      (record) => callback(undefined, record && record.kind === 'cookie' ? (record.data as session.SessionData) : null),
      callback,
    );
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    const state = data.gatehouse;
    const createdAt = state?.createdAt ?? Date.now();
    this.store.saveToken!({
      hash: hashSecret(sid),
      kind: 'cookie',
      actorId: state?.actorId ?? null,
      createdAt,
      expiresAt: createdAt + this.absoluteTimeout,
      lastUsedAt: state?.lastSeenAt ?? null,
      usedAt: null,
      label: null,
      roles: null,
      familyId: null,
      data: JSON.parse(JSON.stringify(data)),
    }).then(() => callback?.(), (error: unknown) => callback?.(error));
  }

  override destroy(sid: string, callback?: Callback): void {
    this.store.deleteToken!(hashSecret(sid)).then(() => callback?.(), (error: unknown) => callback?.(error));
  }

  /** Idle time is tracked in the session data itself; nothing to do on every read. */
  override touch(_sid: string, _data: session.SessionData, callback?: () => void): void {
    callback?.();
  }
}
