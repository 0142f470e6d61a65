/**
 * An app with every scheme on (cookie, JWT, Basic behind a TLS proxy on loopback) whose
 * audit events are collected, on a clock the test moves, over a store that can be told
 * to fail like a database that went away.
 */
import type { AuditEvent, AuditEventType, GatehouseOptions } from '../../src';
import { MemoryStore } from '../../src';
import { cookieApp } from './cookie';
import { JWT_OPTIONS } from './jwt';
import type { TestApp } from './app';
import { realNow } from './clock';

/** What the failing store throws: the object a host's logger must receive. */
export class StoreDown extends Error {
  constructor(method: string) {
    super(`connect ECONNREFUSED 10.0.0.5:5432 (${method})`);
    this.name = 'StoreDown';
  }
}

/** A MemoryStore whose every method rejects while `down` is true, or never answers while it is `'hang'`. */
class FailingStore extends MemoryStore {
  down: boolean | 'hang' = false;
  /** The errors thrown, in order. */
  readonly thrown: StoreDown[] = [];
  constructor() {
    super({ passwordCost: 10 });
    const methods = ['findCredentials', 'findActor', 'saveToken', 'findToken', 'deleteToken', 'deleteTokensForActor', 'markTokenUsed', 'readAttempts', 'recordFailedAttempt', 'clearAttempts', 'saveRevocation', 'findRevocations'] as const;
    for (const method of methods) {
      const original = (this as unknown as Record<string, (...a: unknown[]) => unknown>)[method].bind(this);
      (this as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        if (!this.down) return original(...args);
        if (this.down === 'hang') return new Promise(() => undefined);
        const error = new StoreDown(method);
        this.thrown.push(error);
        return Promise.reject(error);
      };
    }
  }
}

export interface EventApp extends TestApp {
  events: AuditEvent[];
  clock: { now: () => number; advance(ms: number): void };
  store: FailingStore;
  /** The events of one type, in order. */
  ofType<T extends AuditEventType>(type: T): Extract<AuditEvent, { type: T }>[];
}

/** Every scheme on, events collected. */
export async function eventApp(options: Partial<GatehouseOptions> = {}): Promise<EventApp> {
  let current = realNow();
  const clock = { now: () => current, advance: (ms: number) => void (current += ms) };
  const events: AuditEvent[] = [];
  const store = new FailingStore();
  const t = await cookieApp(
    // No reuse interval: the scenarios replay a rotated refresh token at once, as theft.
    { jwt: { ...JWT_OPTIONS, refreshReuseInterval: 0 }, passwords: { cost: 10 }, now: clock.now, onEvent: (event) => void events.push(event), ...options },
    store,
  );
  const ofType = <T extends AuditEventType>(type: T) => events.filter((event): event is Extract<AuditEvent, { type: T }> => event.type === type);
  return { ...t, store, events, clock, ofType };
}
