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
function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
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

/**
 * Packs the built package into a new temp dir. dist/ is built beforehand and packed as it is
 * (`--ignore-scripts`): prepack's rebuild would empty dist/ under the other jest worker.
 * `npm publish --dry-run` in .ci/run runs prepack itself.
 */
export function packTarball(): { tarball: string; files: string[] } {
  ensureBuilt();
  const packDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-pack-'));
  const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], ROOT));
  return { tarball: path.join(packDir, packed[0].filename), files: packed[0].files.map((file: { path: string }) => file.path) };
}

/**
 * A new project in a temp dir with the tarball installed as a user installs it, plus
 * `dependencies` (from npm's cache when it has them). `ignoreScripts` skips install scripts,
 * for projects that are only type-checked.
 */
export function installTarball(tarball: string, dependencies: string[], options: { ignoreScripts?: boolean; prefix?: string } = {}): string {
  const project = mkdtempSync(path.join(os.tmpdir(), options.prefix ?? 'gatehouse-consumer-'));
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', ...(options.ignoreScripts ? ['--ignore-scripts'] : []), tarball, ...dependencies], project);
  return project;
}

/** Packs the repository and installs the tarball (with `dependencies`) into a new project. */
export function packAndInstall(dependencies: string[] = ['express@5']): PackedInstall {
  const { tarball, files } = packTarball();
  const project = installTarball(tarball, dependencies);
  return {
    project,
    tarball,
    files,
    remove() {
      rmSync(project, { recursive: true, force: true });
      rmSync(path.dirname(tarball), { recursive: true, force: true });
    },
  };
}
