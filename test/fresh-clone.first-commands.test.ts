import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers/build';
import { expectPrintedCommandsToWork, startDemo, type RunningDemo } from './helpers/demo';

/**
 * What a newcomer does first: clone, then `npm start` and `npm test` with nothing
 * installed or built. Clones the committed HEAD of this repository (commit before running
 * it), so it proves what was committed, not the working tree. Slow: `npm ci` runs in the clone.
 */
describe('a fresh clone: npm start and npm test as the first commands', () => {
  let clone: string;
  let demo: RunningDemo | undefined;
  // A fresh shell's environment: nothing npm or jest set for this run leaks into the clone's.
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(npm_|INIT_CWD$|JEST_WORKER_ID$)/i.test(name)),
  );

  beforeAll(() => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-clone-'));
    clone = path.join(parent, 'gatehouse');
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone], { stdio: 'pipe' });
    expect(existsSync(path.join(clone, 'node_modules'))).toBe(false);
    expect(existsSync(path.join(clone, 'dist'))).toBe(false);
  }, 60_000);

  afterAll(() => {
    demo?.stop();
    if (clone) rmSync(path.dirname(clone), { recursive: true, force: true });
  });

  it('npm start installs, builds and starts the demo, whose printed curl commands work; then npm test -- <one file> passes', async () => {
    demo = await startDemo('npm', ['start'], { cwd: clone, env: { ...env, PORT: '0' } }, 200_000);
    expectPrintedCommandsToWork(demo.commands);
    demo.stop();
    demo = undefined;

    const run = spawnSync('npm', ['test', '--', 'test/tokens.format.test.ts'], { cwd: clone, env, encoding: 'utf8', timeout: 120_000 });
    const lines = run.stdout.trim().split('\n');
    expect({ status: run.status, last: lines[lines.length - 1] }).toEqual({ status: 0, last: expect.stringMatching(/^[1-9]\d* passed, 0 failed$/) });
  }, 330_000);
});
