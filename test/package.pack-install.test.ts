import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packTarball } from './helpers/packed';

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } });

describe('npm pack output installs into an empty project', () => {
  let project: string;
  let tarball: string;

  beforeAll(() => {
    // Packed from the built dist/ without prepack's rebuild, which would empty dist/ under
    // the tests running beside this one (CI builds before testing).
    tarball = packTarball();
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .map((f) => f.replace(/^package\//, ''));
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');

    project = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-consumer-'));
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, 'express@5'], project);
  }, 240_000);

  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
    if (tarball) rmSync(path.dirname(tarball), { recursive: true, force: true });
  });

  it('require("express-gatehouse") works', () => {
    const out = execFileSync(
      process.execPath,
      ['-e', "const g = require('express-gatehouse'); const auth = g.gatehouse({ store: new g.MemoryStore() }); console.log(typeof auth.authenticate, typeof g.GatehouseError)"],
      { cwd: project, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('function function');
  });

  it('import { gatehouse } from "express-gatehouse" works and shares one module with require', () => {
    writeFileSync(
      path.join(project, 'esm.mjs'),
      [
        "import { gatehouse, MemoryStore, GatehouseError } from 'express-gatehouse';",
        "import { createRequire } from 'node:module';",
        'const require = createRequire(import.meta.url);',
        "const auth = gatehouse({ store: new MemoryStore() });",
        "console.log(typeof auth.routes, GatehouseError === require('express-gatehouse').GatehouseError);",
      ].join('\n'),
    );
    const out = execFileSync(process.execPath, ['esm.mjs'], { cwd: project, encoding: 'utf8' });
    expect(out.trim()).toBe('function true');
  });

  it('ships type declarations that a TypeScript consumer can use', () => {
    expect(readdirSync(path.join(project, 'node_modules', 'express-gatehouse', 'dist'))).toContain('index.d.ts');
  });
});
