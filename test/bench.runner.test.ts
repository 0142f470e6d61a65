import path from 'node:path';
import { ensureBuilt, ROOT } from './helpers/build';

/**
 * The benchmark harness itself works: servers start in their own processes, autocannon
 * drives them, and every row comes back with numbers and a ratio. No timing is asserted
 * here; speed is measured by `npm run bench`, never in tests.
 */
describe('bench harness', () => {
  it('measures bare Express and an API-key row and reports finite numbers, server CPU per request and paired ratios', async () => {
    ensureBuilt();
    const { runBench } = require(path.join(ROOT, 'bench', 'harness.js'));
    const { ROWS } = require(path.join(ROOT, 'bench', 'rows.js'));
    const rows = ROWS.filter((row: { id: string }) => row.id === 'bare' || row.id === 'apiKey');
    const results = await runBench({ rows, settings: { connections: 4, warmupSeconds: 1, seconds: 1, repetitions: 1 } });
    expect(results.baseline.ratio).toBe(1);
    expect(results.rows).toHaveLength(1);
    const [apiKey] = results.rows;
    expect(apiKey.id).toBe('apiKey');
    for (const value of [results.baseline.requestsPerSecond, apiKey.requestsPerSecond, apiKey.ratio, apiKey.cpuMicrosPerRequest, results.baseline.cpuMicrosPerRequest]) {
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeGreaterThan(0);
    }
    // autocannon counts latency in whole milliseconds: with 4 connections p99 may be 0 ms.
    expect(Number.isInteger(apiKey.p99Ms)).toBe(true);
    expect(apiKey.p99Ms).toBeGreaterThanOrEqual(0);
    expect(apiKey.non2xx).toBe(0);
    expect(typeof apiKey.pass).toBe('boolean');
    // One pair of windows: its one ratio is the median, lowest and highest.
    expect(apiKey.ratioRange).toEqual([apiKey.ratio, apiKey.ratio]);
    expect(apiKey.ratios).toEqual([apiKey.ratio]);
    // A confidence interval needs at least 6 pairs.
    expect(apiKey.ratioInterval).toBeNull();
  }, 60_000);
});
