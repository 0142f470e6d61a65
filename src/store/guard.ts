/**
 * Fail closed: every store call goes through this guard, which turns a rejection, a
 * synchronous throw or a call that does not answer in time into GatehouseError 503.1.
 * The store's own error is kept as `cause` for the host's logs and never rendered.
 *
 * A guarded store is a branded type only {@link guardStore} produces, so a part that talks
 * to a store (a strategy used alone included) cannot be handed an unguarded one: it either
 * takes a guarded store or guards the host's store itself. Guarding a guarded store returns
 * it as it is, so a store passed from `gatehouse()` to a strategy is not timed twice.
 */
import { durationOption } from '../config-error';
import { GatehouseError } from '../errors';
import { STORE_METHODS } from './methods';
import type { GatehouseStore } from './types';

/** How long a store call may take before it fails closed, when no `storeTimeout` is given. */
export const DEFAULT_STORE_TIMEOUT = 5000;

/** The runtime mark of a guarded view; not exported, so nothing but {@link guardStore} sets it. */
const GUARDED = Symbol('gatehouse.guardedStore');

/** The compile-time brand matching {@link GUARDED}. */
declare const guardedBrand: unique symbol;

/**
 * A store view made by the guard: the methods of `S` that Gatehouse calls, each failing
 * closed (503.1) on a rejection, a throw or no answer within the store timeout.
 */
export type Guarded<S> = Pick<S, Extract<keyof S, keyof GatehouseStore>> & {
  /** The brand: present only on what `guardStore` returned. */
  readonly [guardedBrand]: true;
};

/** The store methods Gatehouse may call, guarded or absent; only `guardStore` makes one. */
export type GuardedStore = Guarded<Partial<GatehouseStore>>;

/**
 * The capability a store class declares when its methods answer from process memory and so
 * cannot hang on I/O: its prototype holds itself under this symbol. Only the class that sets
 * it has it — a subclass's prototype inherits the parent's, which is not itself — since a
 * subclass may override methods with I/O.
 */
export const ANSWERS_IN_PROCESS = Symbol('gatehouse.answersInProcess');

/** The error every store failure becomes. */
function storeUnavailable(cause: unknown): GatehouseError {
  return new GatehouseError('503.1', { cause });
}

/** A rejection handler turning any store error into 503.1: one function for every call. */
function rejectAsUnavailable(error: unknown): Promise<never> {
  return Promise.reject(storeUnavailable(error));
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

/** Whether `store` declares {@link ANSWERS_IN_PROCESS} on its own class. */
function answersInProcess(store: object): boolean {
  const prototype = Object.getPrototypeOf(store) as Record<symbol, unknown> | null;
  return prototype !== null && prototype[ANSWERS_IN_PROCESS] === prototype;
}

/**
 * A view of `store` whose every method fails closed. Methods the store lacks stay absent,
 * so callers can tell an unimplemented part from a failing one. A store that is already a
 * guarded view is returned as it is, keeping the timeout it was guarded with.
 *
 * @param timeoutMs - milliseconds a call may take; checked as the `storeTimeout` option is.
 */
export function guardStore<S extends object>(store: S, timeoutMs: number = DEFAULT_STORE_TIMEOUT): Guarded<S> {
  if ((store as Record<symbol, unknown>)[GUARDED] === true) return store as unknown as Guarded<S>;
  durationOption(timeoutMs, 'storeTimeout', DEFAULT_STORE_TIMEOUT);
  const guarded: Record<string | symbol, unknown> = {};
  Object.defineProperty(guarded, GUARDED, { value: true });
  const inProcess = answersInProcess(store);
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
      if (inProcess) return Promise.resolve(result).catch(rejectAsUnavailable);
      return withTimeout(Promise.resolve(result), timeoutMs, method);
    };
  }
  return guarded as unknown as Guarded<S>;
}
