/**
 * Lookups that arrive while the event loop handles one round of I/O, sent to the store as
 * one statement (`WHERE key = ANY($1)`) instead of one round trip each.
 *
 * Under load a server reads many requests from its sockets in one pass of the event loop;
 * each authenticated request then looks up its token, its revocations or its lockout
 * counter. Every round trip costs the client (pg's message writing and parsing, a pool
 * checkout, two system calls) and the database (a backend wake-up, a plan execution) about
 * as much as the lookup itself. Gathered until `setImmediate` — after the pass, so a
 * request alone waits for nothing but the end of the pass it arrived in — they cost one.
 *
 * Freshness is unchanged: a lookup is sent no earlier than it would have been alone, so a
 * revocation committed before a request arrived is seen by it (the next request after a
 * revocation is refused, on every instance). A failed statement fails every lookup in it.
 */

/** What a batched lookup resolves to. */
export interface BatchedRows<Row> {
  /** Rows found, by key; keys without a row are absent. Shared between the lookups of one batch: read, do not change. */
  rows: ReadonlyMap<string, Row>;
  /** True when another lookup of this batch asked for one of the same keys (copy before handing a row out). */
  shared: boolean;
}

interface Waiter<Row> {
  keys: readonly string[];
  resolve: (result: BatchedRows<Row>) => void;
  reject: (error: unknown) => void;
}

interface Batch<Row> {
  /** How many lookups asked for each key. */
  keys: Map<string, number>;
  waiters: Array<Waiter<Row>>;
}

/**
 * One batch at a time per statement: lookups join the open batch, which is sent once the
 * current pass of the event loop is over (or at `maxKeys` distinct keys).
 *
 * @example
 * ```ts
 * const tokens = new ReadBatch((hashes) => selectTokensByHash(hashes)); // one statement, rows by hash
 * const { rows } = await tokens.read([hash]);
 * ```
 */
export class ReadBatch<Row> {
  private open: Batch<Row> | null = null;

  /**
   * @param lookup - reads the rows of the given distinct keys in one statement.
   * @param maxKeys - distinct keys at which a batch is sent at once. Default 500.
   */
  constructor(
    private readonly lookup: (keys: string[]) => Promise<ReadonlyMap<string, Row>>,
    private readonly maxKeys = 500,
  ) {}

  /** The rows of `keys`, read with every other lookup of this pass of the event loop. */
  read(keys: readonly string[]): Promise<BatchedRows<Row>> {
    return new Promise((resolve, reject) => {
      let batch = this.open;
      if (batch === null) {
        batch = { keys: new Map(), waiters: [] };
        this.open = batch;
        const opened = batch;
        setImmediate(() => this.send(opened));
      }
      for (const key of keys) batch.keys.set(key, (batch.keys.get(key) ?? 0) + 1);
      batch.waiters.push({ keys, resolve, reject });
      if (batch.keys.size >= this.maxKeys) this.send(batch);
    });
  }

  private send(batch: Batch<Row>): void {
    if (this.open !== batch) return; // sent already (it reached maxKeys)
    this.open = null;
    let run: Promise<ReadonlyMap<string, Row>>;
    try {
      run = this.lookup([...batch.keys.keys()]);
    } catch (error) {
      run = Promise.reject(error);
    }
    run.then(
      (rows) => {
        for (const waiter of batch.waiters) {
          const shared = batch.waiters.length > 1 && waiter.keys.some((key) => batch.keys.get(key)! > 1);
          waiter.resolve({ rows, shared });
        }
      },
      (error: unknown) => {
        for (const waiter of batch.waiters) waiter.reject(error);
      },
    );
  }
}
