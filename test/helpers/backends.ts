/**
 * The three stores Gatehouse ships, as interchangeable backends for scenario tests: the
 * users always come from a MemoryStore (the host's own user table), tokens, revocations and
 * counters from MemoryStore, RedisStore or PostgresStore. Also a pause to hold a request or a
 * store call at a chosen point, so races are played out in a fixed order.
 */
import { combineStores, MemoryStore, type GatehouseStore } from '../../src';
import { PostgresStore } from '../../src/store/postgres';
import { RedisStore } from '../../src/store/redis';
import { useMigratedSchema, useRedisPrefix } from './services';

export const BACKENDS = ['MemoryStore', 'RedisStore', 'PostgresStore'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Every method of a store object (own and inherited), bound to it: a plain object to wrap. */
export function bindAll<T extends object>(store: T): Record<string, (...args: unknown[]) => Promise<unknown>> {
  const bound: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (let proto: object | null = store; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const value = (store as Record<string, unknown>)[name];
      if (name !== 'constructor' && typeof value === 'function' && !(name in bound)) bound[name] = value.bind(store);
    }
  }
  return bound;
}

/**
 * Registers the connections the backends need (beforeAll/afterAll) and returns a factory:
 * `storeFor(name, users, wrap?)` gives the store a `gatehouse()` takes, `wrap` may replace
 * methods of the token side (to pause one, say).
 */
export function useBackends(label: string) {
  const redis = useRedisPrefix(label);
  const postgres = useMigratedSchema(`gh_${label.replace(/[^a-z0-9]/gi, '_')}`);
  return {
    storeFor(name: BackendName, users: MemoryStore, wrap: (tokens: ReturnType<typeof bindAll>) => ReturnType<typeof bindAll> = (t) => t): GatehouseStore {
      let backend: object;
      if (name === 'MemoryStore') backend = users;
      else if (name === 'RedisStore') backend = new RedisStore({ client: redis.client(), keyPrefix: redis.keyPrefix }); else backend = new PostgresStore({ pool: postgres.pool(), schema: postgres.schema });
      return combineStores({ credentials: users, tokens: wrap(bindAll(backend)) as never });
    },
  };
}

/** A point where a request or store call waits until released; `reached` resolves when it gets there. */
export interface Pause {
  reached: Promise<void>;
  release(): void;
  /** Called at the pause point: marks it reached and waits for release. */
  wait(): Promise<void>;
  /** Whether the next `wait` holds at all (a pause can be armed for one call only). */
  armed: boolean;
}

export function pause(): Pause {
  let markReached!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (markReached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const point: Pause = {
    reached,
    release,
    armed: true,
    async wait() {
      if (!point.armed) return;
      point.armed = false;
      markReached();
      await released;
    },
  };
  return point;
}

/**
 * A `wrap` for `storeFor` that holds the named token-store method, after it answered, at
 * whatever pause `current()` returns (none: no hold) — e.g. a refresh held after its token
 * was marked used, before its successor is saved.
 */
export function holdingAfter(method: string, current: () => Pause | null) {
  return (tokens: ReturnType<typeof bindAll>): ReturnType<typeof bindAll> => ({
    ...tokens,
    [method]: async (...args: unknown[]) => {
      const answer = await tokens[method](...args);
      await current()?.wait();
      return answer;
    },
  });
}
