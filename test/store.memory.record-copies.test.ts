import { MemoryStore } from '../src';
import { monthWindow } from '../src/rate-limits/policy';
import type { TokenRecord } from '../src/store/types';
import { realNow } from './helpers/clock';

/**
 * MemoryStore hands out copies: what a caller gets (or saved) can be changed without changing
 * what is stored. `data` is copied in plain JavaScript for JSON values (issue 29: structuredClone
 * was the largest part of a rate-limited key's check) and by structuredClone for anything else.
 */
function record(data: unknown): TokenRecord {
  return { hash: `copies-${Math.random()}`, kind: 'apiKey', actorId: 'copies-actor', createdAt: realNow(), expiresAt: null, data };
}

describe('MemoryStore record copies', () => {
  it('should give every caller a deep copy of data, equal to what was saved, that it may change', async () => {
    const store = new MemoryStore();
    // An own "__proto__" key, as JSON.parse makes one, must stay a plain property.
    const data = JSON.parse('{"apiKey":{"start":"gthkey_AbCd","limits":[{"name":"burst","limit":5,"window":60000,"quota":false}],"metadata":{"plan":"pro","tags":["a",null,3]}},"__proto__":{"x":1}}') as Record<string, unknown>;
    const saved = record(data);
    await store.saveToken(saved);
    (data.apiKey as { metadata: { tags: unknown[] } }).metadata.tags.push('changed after save');

    const first = await store.findToken(saved.hash);
    const second = await store.findToken(saved.hash);
    const expected = JSON.parse('{"apiKey":{"start":"gthkey_AbCd","limits":[{"name":"burst","limit":5,"window":60000,"quota":false}],"metadata":{"plan":"pro","tags":["a",null,3]}},"__proto__":{"x":1}}') as unknown;
    expect(first?.data).toEqual(expected);
    expect(Object.getPrototypeOf(first?.data)).toBe(Object.prototype);
    expect(Object.keys(first?.data as object)).toEqual(['apiKey', '__proto__']);
    expect(first?.data).not.toBe(second?.data);

    ((first?.data as { apiKey: { limits: Array<{ limit: number }> } }).apiKey.limits[0]).limit = 1000;
    const counted = await store.findTokenAndConsume(saved.hash, { kind: 'apiKey', cost: 1, defaults: [], perActor: [], month: monthWindow(realNow()) }, realNow());
    expect(counted?.outcome?.counters.map((c) => [c.name, c.limit])).toEqual([['burst', 5]]);
    expect(counted?.record.data).toEqual(expected);
  });

  it('should copy values that are not JSON (a Date, a Map) as structuredClone does', async () => {
    const store = new MemoryStore();
    const when = new Date(realNow());
    const saved = record({ when, seen: new Map([['a', 1]]), nested: { list: [when] } });
    await store.saveToken(saved);
    const found = (await store.findToken(saved.hash))?.data as { when: Date; seen: Map<string, number>; nested: { list: Date[] } };
    // Of another realm under jest (structuredClone is the host's), so not `instanceof Date` here.
    expect(Object.prototype.toString.call(found.when)).toBe('[object Date]');
    expect(found.when.getTime()).toBe(when.getTime());
    expect(found.when).not.toBe(when);
    expect(found.seen.get('a')).toBe(1);
    expect(found.nested.list[0].getTime()).toBe(when.getTime());
  });
});
