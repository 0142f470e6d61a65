/**
 * Both ends of the peer ranges type-check for a TypeScript consumer, strict and without
 * skipLibCheck: the packed package installed beside Express 5 types and ioredis 5, and beside
 * Express 4 types and ioredis 6. ioredis 6's own declarations import `redis-errors`, which
 * ships no types; `@types/redis-errors` is the one package the README tells such a project
 * to add, and the ioredis 6 project installs exactly that. test/types/consumer.ts and
 * test/types/redis-client.ts are compiled as .cts and .mts under node16 resolution.
 */
import { copyFileSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers/build';
import { installTarball, packTarball } from './helpers/pack';
import { compile } from './helpers/tsc';

const FIXTURES = path.join(ROOT, 'test', 'types');
const COMMON = ['pg@8', '@types/pg@8', '@types/node@20'];

const PEER_SETS = [
  { name: 'Express 5 types and ioredis 5', install: ['express@5', '@types/express@5', 'ioredis@5', ...COMMON], majors: { ioredis: 5, '@types/express': 5 } },
  {
    name: 'Express 4 types and ioredis 6, with @types/redis-errors',
    install: ['express@4', '@types/express@4', 'ioredis@6', '@types/redis-errors@1', ...COMMON],
    majors: { ioredis: 6, '@types/express': 4 },
  },
];

describe('the packed package type-checks at both ends of its peer ranges', () => {
  let tarball: string;
  const projects: string[] = [];

  beforeAll(() => {
    tarball = packTarball().tarball;
  }, 120_000);

  afterAll(() => {
    for (const project of projects) rmSync(project, { recursive: true, force: true });
    if (tarball) rmSync(path.dirname(tarball), { recursive: true, force: true });
  });

  it.each(PEER_SETS)('$name: strict, without skipLibCheck, from require and import', ({ install, majors }) => {
    const project = installTarball(tarball, install, { ignoreScripts: true, prefix: 'gatehouse-peers-' });
    projects.push(project);
    for (const [name, major] of Object.entries(majors)) {
      const { version } = JSON.parse(readFileSync(path.join(project, 'node_modules', name, 'package.json'), 'utf8'));
      expect({ name, major: Number(version.split('.')[0]) }).toEqual({ name, major });
    }

    const dir = path.join(project, 'peers');
    cpSync(path.join(FIXTURES, 'node16'), dir, { recursive: true });
    const config = JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));
    expect(config.compilerOptions.strict).toBe(true);
    expect(config.compilerOptions.skipLibCheck).toBeUndefined();
    config.files = [];
    for (const fixture of ['consumer', 'redis-client']) {
      for (const extension of ['.cts', '.mts']) {
        copyFileSync(path.join(FIXTURES, `${fixture}.ts`), path.join(dir, `${fixture}${extension}`));
        config.files.push(`${fixture}${extension}`);
      }
    }
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config));

    const result = compile(dir);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  }, 300_000);

  it('the Redis fixture expects errors, so it could not pass by resolving to `any`', () => {
    const fixture = readFileSync(path.join(FIXTURES, 'redis-client.ts'), 'utf8');
    expect(fixture.split('\n').filter((line) => line.trim().startsWith('// @ts-expect-error')).length).toBeGreaterThanOrEqual(2);
  });
});
