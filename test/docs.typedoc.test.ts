/**
 * `npm run docs` (TypeDoc) builds the API reference with no warning, and warnings are errors:
 * every item of the public surface is documented (`validation.notDocumented`), every link
 * resolves, modules are named by their import paths, and the landing page is the README.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers/build';

const typedoc = path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');

describe('the API reference (npm run docs)', () => {
  let out: string;
  let result: { status: number; output: string };

  beforeAll(() => {
    out = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-docs-'));
    try {
      const output = execFileSync(process.execPath, [typedoc, '--out', path.join(out, 'html'), '--json', path.join(out, 'api.json')], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: 'pipe',
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      });
      result = { status: 0, output };
    } catch (error) {
      const failure = error as { status: number; stdout: string; stderr: string };
      result = { status: failure.status, output: `${failure.stdout}${failure.stderr}` };
    }
  }, 180_000);

  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('requires documentation of the public surface and treats every warning as an error', () => {
    const config = JSON.parse(readFileSync(path.join(ROOT, 'typedoc.json'), 'utf8'));
    expect(config.validation.notDocumented).toBe(true);
    expect(config.treatWarningsAsErrors).toBe(true);
    expect(config.treatValidationWarningsAsErrors).toBe(true);
    expect(config.intentionallyNotDocumented).toBeUndefined();
  });

  it('builds with no warning: no undocumented item, no broken link', () => {
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('names each module by the import path users write', () => {
    const project = JSON.parse(readFileSync(path.join(out, 'api.json'), 'utf8'));
    const names = (project.children as Array<{ name: string }>).map((child) => child.name).sort();
    expect(names).toEqual(['express-gatehouse', 'express-gatehouse/postgres', 'express-gatehouse/redis', 'express-gatehouse/testing']);
  });

  it('lands on the README', () => {
    const landing = readFileSync(path.join(out, 'html', 'index.html'), 'utf8');
    const readmeTitle = readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n')[0].replace(/^#\s*/, '');
    expect(landing).toContain(readmeTitle);
    expect(landing).toContain('Writing your own store');
  });
});
