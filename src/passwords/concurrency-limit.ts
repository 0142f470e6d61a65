/**
 * A first-in, first-out gate that lets at most `maxConcurrent` tasks run at once and
 * holds at most `maxQueue` more; beyond that it refuses at once instead of queueing
 * without bound. Internal to the password hasher (not exported from the package).
 */

/** Sizes of a {@link ConcurrencyLimit}. */
export interface ConcurrencyLimitOptions {
  /** Tasks allowed to run at the same time; a positive integer. */
  maxConcurrent: number;
  /** Tasks allowed to wait; `0` refuses whatever cannot start at once. */
  maxQueue: number;
}

interface Waiting {
  start: () => void;
  prev: Waiting | null;
  next: Waiting | null;
}

/**
 * Runs async tasks with bounded concurrency and a bounded FIFO queue.
 *
 * @example
 * ```ts
 * const limit = new ConcurrencyLimit({ maxConcurrent: 2, maxQueue: 100 });
 * const result = await limit.run(() => bcrypt.compare(password, hash), () => new Error('busy'));
 * ```
 */
export class ConcurrencyLimit {
  private readonly maxConcurrent: number;
  private readonly maxQueue: number;
  private running = 0;
  private queued = 0;
  // A doubly linked list rather than an array: O(1) dequeue (Array#shift is O(n)) and O(1)
  // removal of a waiter whose request was abandoned.
  private head: Waiting | null = null;
  private tail: Waiting | null = null;

  constructor(options: ConcurrencyLimitOptions) {
    this.maxConcurrent = options.maxConcurrent;
    this.maxQueue = options.maxQueue;
  }

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting now. */
  get waiting(): number {
    return this.queued;
  }

  /**
   * Runs `task` when a slot is free. When none is free and the queue is full, rejects
   * with `refuse()` without calling `task`. When `signal` aborts before the task has
   * started, the task is dropped — it never runs — and the promise rejects with the
   * signal's reason; its place in the queue is freed at once.
   */
  run<T>(task: () => Promise<T>, refuse: () => Error, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.running < this.maxConcurrent) return this.start(task);
    if (this.queued >= this.maxQueue) return Promise.reject(refuse());
    return new Promise<T>((resolve, reject) => {
      const waiting: Waiting = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.start(task).then(resolve, reject);
        },
        prev: null,
        next: null,
      };
      const onAbort = () => {
        // Unlinked at once, so a connect-and-drop flood cannot grow the queue past its bound.
        this.unlink(waiting);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.enqueue(waiting);
    });
  }

  private start<T>(task: () => Promise<T>): Promise<T> {
    this.running += 1;
    let outcome: Promise<T>;
    try {
      outcome = task();
    } catch (error) {
      outcome = Promise.reject(error);
    }
    return outcome.finally(() => {
      this.running -= 1;
      this.startNext();
    });
  }

  private enqueue(waiting: Waiting): void {
    waiting.prev = this.tail;
    if (this.tail) this.tail.next = waiting;
    else this.head = waiting;
    this.tail = waiting;
    this.queued += 1;
  }

  private unlink(waiting: Waiting): void {
    if (waiting.prev) waiting.prev.next = waiting.next;
    else this.head = waiting.next;
    if (waiting.next) waiting.next.prev = waiting.prev;
    else this.tail = waiting.prev;
    waiting.prev = waiting.next = null;
    this.queued -= 1;
  }

  private startNext(): void {
    const waiting = this.head;
    if (!waiting || this.running >= this.maxConcurrent) return;
    this.unlink(waiting);
    waiting.start();
  }
}
