/**
 * Route params stay typed behind `auth.require()`: test/types/route-params/routes.ts is
 * compiled with this repository's tsc against the built declarations, once with Express 5's
 * types and once with Express 4's (`@types/express4`), strict and with
 * noUncheckedIndexedAccess. Its `@ts-expect-error` lines make a fallback to
 * `ParamsDictionary` a compile error (TS2578, unused directive) in both.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureBuilt, ROOT } from './helpers/build';

const FIXTURE = path.join(ROOT, 'test', 'types', 'route-params');
const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Compiles one project; answers its error lines and the files it read (`--listFiles`). */
function compile(config: string): { errors: string[]; files: string[] } {
  let output: string;
  try {
    output = execFileSync(process.execPath, [tsc, '-p', path.join(FIXTURE, config), '--pretty', 'false', '--listFiles'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const failure = error as { stdout: string; stderr: string };
    output = `${failure.stdout}${failure.stderr}`;
  }
  const lines = output.split('\n').filter(Boolean);
  return { errors: lines.filter((line) => / error TS\d+/.test(line)), files: lines.filter((line) => !/ error TS\d+/.test(line)) };
}

describe('route params behind auth.require()', () => {
  beforeAll(() => ensureBuilt());

  it.each([
    ['Express 5', 'tsconfig.express5.json', '/node_modules/@types/express/index.d.ts', '/node_modules/@types/express4/index.d.ts'],
    ['Express 4', 'tsconfig.express4.json', '/node_modules/@types/express4/index.d.ts', '/node_modules/@types/express/index.d.ts'],
  ])('are inferred from the path with %s types', (_name, config, expressTypes, otherTypes) => {
    const { errors, files } = compile(config);
    expect(errors).toEqual([]);
    // The project read the Express major it is named for, and not the other one.
    expect(files.some((file) => file.endsWith(expressTypes))).toBe(true);
    expect(files.some((file) => file.endsWith(otherTypes))).toBe(false);
    expect(files.some((file) => file.endsWith('/dist/middleware/require.d.ts'))).toBe(true);
  }, 120_000);

  it('the fixture expects errors, so params typed as any or as a dictionary could not compile', () => {
    const fixture = readFileSync(path.join(FIXTURE, 'routes.ts'), 'utf8');
    const directives = fixture.split('\n').filter((line) => line.trim().startsWith('// @ts-expect-error'));
    expect(directives.length).toBeGreaterThanOrEqual(5);
    expect(JSON.parse(readFileSync(path.join(FIXTURE, 'tsconfig.express5.json'), 'utf8')).compilerOptions).toMatchObject({ strict: true, noUncheckedIndexedAccess: true });
  });
});
