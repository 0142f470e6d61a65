/**
 * The guarded store: guarding twice times each call once, a MemoryStore is recognised by the
 * capability its class declares (no timer per call), and a subclass of it, which may add
 * I/O, is timed like any other store. Timers are counted, never waited for.
 */
import { MemoryStore, type GatehouseStore } from '../src';
import { guardStore } from '../src/store/guard';

afterEach(() => jest.useRealTimers());

/** Calls findActor through `guarded` and counts the timers that one call started. */
function timersStartedBy(guarded: Partial<GatehouseStore>): number {
  jest.useFakeTimers();
  void guarded.findActor!('u1').catch(() => undefined);
  const count = jest.getTimerCount();
  jest.clearAllTimers();
  return count;
}

const neverAnswering = (): Partial<GatehouseStore> => ({ findActor: () => new Promise(() => undefined) });

describe('guardStore', () => {
  it('returns a guarded store as it is: a store guarded by gatehouse() and again by a strategy is timed once per call', () => {
    const once = guardStore(neverAnswering(), 50);
    expect(guardStore(once, 1000)).toBe(once);
    expect(timersStartedBy(guardStore(once, 1000))).toBe(1);
  });

  it('a MemoryStore answers in process: no timer per call', () => {
    expect(timersStartedBy(guardStore(new MemoryStore({ passwordCost: 10 }), 50))).toBe(0);
  });

  it('a subclass of MemoryStore may add I/O, so each call is timed', () => {
    class WithIo extends MemoryStore {}
    expect(timersStartedBy(guardStore(new WithIo({ passwordCost: 10 }), 50))).toBe(1);
  });

  it('a hanging call fails closed with 503.1 when the timeout passes', async () => {
    jest.useFakeTimers();
    const call = guardStore(neverAnswering(), 50).findActor!('u1');
    jest.advanceTimersByTime(50);
    await expect(call).rejects.toMatchObject({ code: '503.1' });
  });

  it('a store timeout that is not a positive whole number of ms is a configuration error naming storeTimeout', () => {
    expect(() => guardStore(neverAnswering(), 0)).toThrow(expect.objectContaining({ option: 'storeTimeout' }));
  });
});
