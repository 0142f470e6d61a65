/**
 * Fail closed: every store call goes through this guard, which turns a rejection, a
 * synchronous throw or a call that does not answer in time into GatehouseError 503.1.
 * The store's own error is kept as `cause` for the host's logs and never rendered.
 */
import { GatehouseError } from '../errors';
import { MemoryStore } from './memory';
import { STORE_METHODS } from './methods';
import type { GatehouseStore } from './types';

/** The store methods Gatehouse may call, guarded or absent. */
export type GuardedStore = Partial<GatehouseStore>;

/** The error every store failure becomes. */
export function storeUnavailable(cause: unknown): GatehouseError {
  return new GatehouseError('503.1', { cause });
}

/** Resolves as `operation` does, or rejects with 503.1 after `timeoutMs`. */
function withTimeout<T>(operation: Promise<T>, timeoutMs: number, method: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(storeUnavailable(new Error(`store.${method} did not answer within ${timeoutMs} ms`))), timeoutMs);
    operation.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(storeUnavailable(error));
      },
    );
  });
}

/**
 * A view of `store` whose every method fails closed. Methods the store lacks stay absent,
 * so callers can tell an unimplemented part from a failing one.
 */
export function guardStore(store: object, timeoutMs: number): GuardedStore {
  const guarded: Record<string, unknown> = {};
  // A MemoryStore answers from process memory and cannot hang on I/O, so it fails closed
  // without a timer per call. Only the class itself: a subclass may override methods with I/O.
  const inProcess = Object.getPrototypeOf(store) === MemoryStore.prototype;
  for (const method of STORE_METHODS) {
    const original = (store as Record<string, unknown>)[method];
    if (typeof original !== 'function') continue;
    guarded[method] = (...args: unknown[]) => {
      let result: unknown;
      try {
        result = (original as (...a: unknown[]) => unknown).apply(store, args);
      } catch (error) {
        return Promise.reject(storeUnavailable(error));
      }
      if (inProcess) return Promise.resolve(result).catch((error: unknown) => Promise.reject(storeUnavailable(error)));
      return withTimeout(Promise.resolve(result), timeoutMs, method);
    };
  }
  return guarded as GuardedStore;
}
