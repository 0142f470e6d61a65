import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packAndInstall, type PackedInstall } from './helpers/pack';

/** Every file under `dir`, recursively. */
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

describe('npm pack output installs into an empty project', () => {
  let installed: PackedInstall;
  let packageDir: string;

  beforeAll(() => {
    installed = packAndInstall();
    packageDir = path.join(installed.project, 'node_modules', 'express-gatehouse');
  }, 240_000);

  afterAll(() => installed?.remove());

  it('ships dist/, and neither src/ nor test/', () => {
    expect(installed.files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);
    expect(installed.files).toContain('dist/index.js');
    expect(installed.files).toContain('dist/index.d.ts');
  });

  it('require("express-gatehouse") works', () => {
    const out = execFileSync(
      process.execPath,
      ['-e', "const g = require('express-gatehouse'); const auth = g.gatehouse({ store: new g.MemoryStore() }); console.log(typeof auth.authenticate, typeof g.GatehouseError)"],
      { cwd: installed.project, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('function function');
  });

  it('import { gatehouse } from "express-gatehouse" works and shares one module with require', () => {
    writeFileSync(
      path.join(installed.project, 'esm.mjs'),
      [
        "import { gatehouse, MemoryStore, GatehouseError } from 'express-gatehouse';",
        "import { createRequire } from 'node:module';",
        'const require = createRequire(import.meta.url);',
        "const auth = gatehouse({ store: new MemoryStore() });",
        "console.log(typeof auth.routes, GatehouseError === require('express-gatehouse').GatehouseError);",
      ].join('\n'),
    );
    const out = execFileSync(process.execPath, ['esm.mjs'], { cwd: installed.project, encoding: 'utf8' });
    expect(out.trim()).toBe('function true');
  });

  it('ships type declarations that a TypeScript consumer can use', () => {
    expect(readdirSync(path.join(packageDir, 'dist'))).toContain('index.d.ts');
  });

  it('ships the MIT LICENSE the license field names', () => {
    expect(installed.files).toContain('LICENSE');
    const license = readFileSync(path.join(packageDir, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 The Gatehouse authors\n/);
    expect(license).toContain('Permission is hereby granted, free of charge');
    expect(JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')).license).toBe('MIT');
  });

  it('names its repository', () => {
    const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
    expect(manifest.repository).toEqual({ type: 'git', url: 'git+https://github.com/express-gatehouse/express-gatehouse.git' });
  });

  it('every source map carries its sources or points at files the package ships', () => {
    const maps = walk(packageDir).filter((file) => file.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const unresolved: string[] = [];
    for (const file of maps) {
      const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[]; sourceRoot?: string };
      map.sources.forEach((source, index) => {
        if (typeof map.sourcesContent?.[index] === 'string') return;
        if (existsSync(path.resolve(path.dirname(file), map.sourceRoot ?? '', source))) return;
        unresolved.push(`${path.relative(packageDir, file)} → ${source}`);
      });
    }
    expect(unresolved).toEqual([]);
  });

  it('exports the SQL migrations: require.resolve("express-gatehouse/migrations/001_gatehouse.sql")', () => {
    const out = execFileSync(
      process.execPath,
      ['-e', "const f = require.resolve('express-gatehouse/migrations/001_gatehouse.sql'); console.log(f); console.log(require('fs').readFileSync(f, 'utf8'))"],
      { cwd: installed.project, encoding: 'utf8' },
    );
    const [resolved] = out.split('\n');
    expect(resolved).toBe(path.join(packageDir, 'migrations', '001_gatehouse.sql'));
    expect(out).toContain('CREATE TABLE IF NOT EXISTS gatehouse_tokens');
  });
});
