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
  // A linked list rather than Array#shift, which is O(n) per dequeue on a long queue.
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
   * with `refuse()` without calling `task`.
   */
  run<T>(task: () => Promise<T>, refuse: () => Error): Promise<T> {
    if (this.running < this.maxConcurrent) return this.start(task);
    if (this.queued >= this.maxQueue) return Promise.reject(refuse());
    return new Promise<T>((resolve, reject) => {
      this.enqueue({
        start: () => {
          this.start(task).then(resolve, reject);
        },
        next: null,
      });
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
    if (this.tail) this.tail.next = waiting;
    else this.head = waiting;
    this.tail = waiting;
    this.queued += 1;
  }

  private startNext(): void {
    const waiting = this.head;
    if (!waiting || this.running >= this.maxConcurrent) return;
    this.head = waiting.next;
    if (!this.head) this.tail = null;
    this.queued -= 1;
    waiting.start();
  }
}
