/**
 * Calls that arrive during one pass of the event loop, sent to the store together once the
 * pass is over: the rate-limited key checks (`findTokenAndConsume`) of PostgresStore and
 * RedisStore, one statement or script for all the checks of a pass that share a plan. As
 * with `ReadBatch`, a call alone waits for nothing but the end of the pass it was made in;
 * the store answers each call in the order it was made, and a failed send fails every call
 * in it.
 */
import type { MonthWindow, TokenLimitPlan } from '../rate-limits/policy';

interface Pending<Call, Result> {
  call: Call;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

interface Batch<Group, Call, Result> {
  group: Group;
  pending: Array<Pending<Call, Result>>;
}

/**
 * Open batches by group key: calls with the same key join one batch, sent after the pass.
 *
 * @example
 * ```ts
 * const checks = new PassBatches((plan, calls) => runOneStatement(plan, calls)); // one answer per call, in order
 * const found = await checks.add(planKey, plan, { hash, cost, now });
 * ```
 */
export class PassBatches<Group, Call, Result> {
  private readonly open = new Map<string, Batch<Group, Call, Result>>();

  /** @param send - answers the calls of one batch, one result per call in the order given. */
  constructor(private readonly send: (group: Group, calls: Call[]) => Promise<readonly Result[]>) {}

  /** Adds `call` to the open batch of `key` (opening one for `group` when there is none). */
  add(key: string, group: Group, call: Call): Promise<Result> {
    return new Promise((resolve, reject) => {
      let batch = this.open.get(key);
      if (batch === undefined) {
        batch = { group, pending: [] };
        this.open.set(key, batch);
        const opened = batch;
        setImmediate(() => {
          this.open.delete(key);
          this.flush(opened);
        });
      }
      batch.pending.push({ call, resolve, reject });
    });
  }

  private flush(batch: Batch<Group, Call, Result>): void {
    let sent: Promise<readonly Result[]>;
    try {
      sent = this.send(
        batch.group,
        batch.pending.map((pending) => pending.call),
      );
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (results) => batch.pending.forEach((pending, index) => pending.resolve(results[index])),
      (error: unknown) => {
        for (const pending of batch.pending) pending.reject(error);
      },
    );
  }
}

/** What the `findTokenAndConsume` calls of one batch share: the plan's JSON and its month. */
export interface ConsumeGroup {
  planJson: string;
  month: MonthWindow;
}

/** One `findTokenAndConsume` call of a batch. */
export interface ConsumeCall {
  hash: string;
  cost: number;
  now: number;
}

/** The JSON of the plan parts a store's statement or script reads, made once per plan object (the limiter hands one plan to many checks). */
const planJsons = new WeakMap<TokenLimitPlan, string>();

/** The batch a `findTokenAndConsume` call of `plan` joins: checks of the same plan and month go together. */
export function consumeGroupOf(plan: TokenLimitPlan): { key: string; group: ConsumeGroup } {
  let planJson = planJsons.get(plan);
  if (planJson === undefined) {
    planJson = JSON.stringify({ kind: plan.kind, defaults: plan.defaults, perActor: plan.perActor });
    planJsons.set(plan, planJson);
  }
  return { key: `${planJson}\u0000${plan.month.start}`, group: { planJson, month: plan.month } };
}
