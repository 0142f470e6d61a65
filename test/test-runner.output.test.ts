/**
 * `npm test` (scripts/test.js) as a reader sees it: jest's report, then one closing
 * "N passed, N failed" line whose counts are jest's own, and no line of the runner's
 * plumbing (jest's --outputFile used to print "Test results written to: <a relative path
 * to a file then deleted>").
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './helpers/build';

function runTests(args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'JEST_WORKER_ID'));
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'test.js'), ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 170_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, lines: run.stdout.trim().split('\n') };
}

describe('the npm test runner (scripts/test.js)', () => {
  it('ends with the counts jest reports, and prints no path of its own', () => {
    const run = runTests(['test/tokens.format.test.ts', '--maxWorkers=1']);
    const jestSummary = /^Tests:\s+(\d+) passed, (\d+) total$/m.exec(run.stderr);
    expect(jestSummary).not.toBeNull();
    expect({ status: run.status, last: run.lines.at(-1) }).toEqual({ status: 0, last: `${jestSummary![1]} passed, 0 failed` });
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/written to|gatehouse-jest-/i);
  }, 180_000);

  it('counts a run in which no test passed as a failure', () => {
    const run = runTests(['test/tokens.format.test.ts', '--maxWorkers=1', '--testNamePattern=^no test has this name$', '--passWithNoTests']);
    expect({ status: run.status, last: run.lines.at(-1) }).toEqual({ status: 1, last: '0 passed, 0 failed' });
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/written to|gatehouse-jest-/i);
  }, 180_000);
});

describe('the shifted-clock runner (scripts/test-shifted-clock.js)', () => {
  it('picks the files where the test clock meets a real store: the conformance kit and store-backed files that inject a clock', () => {
    const listed = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'test-shifted-clock.js'), '--list'], { cwd: ROOT, encoding: 'utf8' });
    const files = listed.stdout.trim().split('\n');
    expect(listed.status).toBe(0);
    // The kit on every engine, and a clock injected directly (`now:`) or through a helper.
    const clockMeetsStore = [
      'test/store.conformance.redis.test.ts',
      'test/store.conformance.postgres.test.ts',
      'test/store.conformance.redis-cluster.test.ts',
      'test/store.conformance.sentinel.test.ts',
      'test/store.conformance.pgbouncer.test.ts',
      'test/revocation.cookie-write-back.test.ts',
      'test/revocation.token-and-cookie.test.ts',
      'test/second-factor.totp-login.test.ts',
    ];
    for (const file of clockMeetsStore) expect(files).toContain(file);
    // Store-backed, about transport alone (no clock of their own).
    for (const file of ['test/store.redis-cluster-failover.test.ts', 'test/ioredis6.compat.test.ts', 'test/readme.code-blocks.test.ts', 'test/cli.installed-bin.test.ts']) {
      expect(files).not.toContain(file);
    }
    // A clock, MemoryStore only; no store at all.
    for (const file of ['test/cookie.lifetimes.test.ts', 'test/tokens.format.test.ts', 'test/express4.compat.test.ts', 'test/types.peer-ranges.test.ts']) expect(files).not.toContain(file);
  });
});
