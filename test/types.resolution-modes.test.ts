/**
 * The packed package type-checks for TypeScript consumers in every module resolution mode,
 * strict and without skipLibCheck, with no @types package they would not install anyway
 * (only express, pg and node's), and still does when an app has @types/passport too. Each
 * mode is a fixture project under test/types/<mode>/; test/types/consumer.ts is copied into
 * it (as .cts and .mts where the mode tells CommonJS and ESM apart) and compiled with this
 * repository's tsc.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers/build';
import { installTarball, packTarball } from './helpers/pack';
import { compile } from './helpers/tsc';

const FIXTURES = path.join(ROOT, 'test', 'types');

/** Mode → the consumer file names it compiles (the extension decides CJS or ESM under node16/nodenext). */
const MODES: Record<string, string[]> = {
  node10: ['consumer.ts'],
  node16: ['consumer.cts', 'consumer.mts'],
  nodenext: ['consumer.cts', 'consumer.mts'],
  bundler: ['consumer.ts'],
};

describe('the packed package type-checks in every module resolution mode', () => {
  let tarball: string;
  let project: string;

  beforeAll(() => {
    tarball = packTarball().tarball;
    project = installTarball(tarball, ['express@5', '@types/express@5', 'ioredis@5', 'pg@8', '@types/pg@8', '@types/node@20'], { ignoreScripts: true, prefix: 'gatehouse-types-' });
  }, 240_000);

  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
    if (tarball) rmSync(path.dirname(tarball), { recursive: true, force: true });
  });

  it('installs none of the @types packages the library uses only for its own build', () => {
    for (const name of ['passport', 'passport-strategy', 'passport-http', 'passport-jwt', 'passport-http-bearer', 'express-session']) {
      expect(existsSync(path.join(project, 'node_modules', '@types', name))).toBe(false);
    }
  });

  it.each(Object.keys(MODES))('compiles the consumer under %s resolution, strict, without skipLibCheck', (mode) => {
    const dir = path.join(project, mode);
    cpSync(path.join(FIXTURES, mode), dir, { recursive: true });
    for (const name of MODES[mode]) copyFileSync(path.join(FIXTURES, 'consumer.ts'), path.join(dir, name));
    const config = JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));
    expect(config.compilerOptions.strict).toBe(true);
    expect(config.compilerOptions.skipLibCheck).toBeUndefined();

    const result = compile(dir);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  }, 180_000);

  it('merges with @types/passport and @types/express-session when an app has them too', () => {
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '@types/passport@1', '@types/express-session@1'], {
      cwd: project,
      stdio: 'pipe',
    });
    const dir = path.join(project, 'with-passport-types');
    cpSync(path.join(FIXTURES, 'node16'), dir, { recursive: true });
    const config = JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));
    config.compilerOptions.types = ['node', 'passport', 'express-session'];
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config));
    for (const name of MODES.node16) copyFileSync(path.join(FIXTURES, 'consumer.ts'), path.join(dir, name));
    const result = compile(dir);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  }, 180_000);

  it('the consumer expects errors, so a fixture that resolved to `any` could not compile', () => {
    // tsc reports an unused `@ts-expect-error` as an error (TS2578): if the package's types
    // went missing or became `any`, these lines would stop being errors and fail the modes above.
    const consumer = readFileSync(path.join(FIXTURES, 'consumer.ts'), 'utf8');
    const directives = consumer.split('\n').filter((line) => line.trim().startsWith('// @ts-expect-error'));
    expect(directives.length).toBeGreaterThanOrEqual(4);
  });
});
