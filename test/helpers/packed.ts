import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt, ROOT } from './build';

const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } });

/**
 * Packs the built package into a new temp dir and returns the tarball's path. Packs with
 * `--ignore-scripts`: prepack's rebuild would empty dist/ under tests running in parallel.
 */
export function packTarball(): string {
  ensureBuilt();
  const packDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-pack-'));
  const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], ROOT));
  return path.join(packDir, packed[0].filename);
}

/**
 * A new project in a temp dir with the tarball installed as a user installs it, plus
 * `extra` packages (from npm's cache when it has them). Install scripts are skipped: the
 * projects are type-checked or run without bcrypt's native rebuild.
 */
export function installTarball(tarball: string, extra: string[], prefix = 'gatehouse-consumer-'): string {
  const project = mkdtempSync(path.join(os.tmpdir(), prefix));
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...extra], project);
  return project;
}
