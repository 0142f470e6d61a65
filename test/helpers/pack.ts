/**
 * The package as a user gets it: `npm pack` of the repository, installed from the tarball
 * into a new temporary project. Slow (tens of seconds), so a test file packs once.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt, ROOT } from './build';

/** Runs npm quietly and returns its stdout. */
export function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false', ...env },
  });
}

export interface PackedInstall {
  /** The temporary project the tarball is installed in. */
  project: string;
  /** The packed tarball. */
  tarball: string;
  /** Paths inside the tarball, as `npm pack --json` lists them. */
  files: string[];
  /** Removes the project and the tarball. */
  remove(): void;
}

/** Packs the repository and installs the tarball (with `dependencies`) into a new project. */
export function packAndInstall(dependencies: string[] = ['express@5']): PackedInstall {
  // dist/ is built beforehand and packed as it is: prepack's rebuild would empty dist/
  // under the other jest worker. `npm publish --dry-run` in .ci/run runs prepack itself.
  ensureBuilt();
  const packDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-pack-'));
  const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], ROOT));
  const tarball = path.join(packDir, packed[0].filename);
  const files: string[] = packed[0].files.map((file: { path: string }) => file.path);

  const project = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-consumer-'));
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, ...dependencies], project);
  return {
    project,
    tarball,
    files,
    remove() {
      rmSync(project, { recursive: true, force: true });
      rmSync(packDir, { recursive: true, force: true });
    },
  };
}
