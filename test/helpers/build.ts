import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Builds dist/ once if a test needs the package as users get it and it is missing. `npm test`
 * rebuilds a stale dist/ before jest starts (scripts/bootstrap.js); rebuilding here could
 * empty dist/ under a test running in the other worker.
 */
export function ensureBuilt(): void {
  if (existsSync(path.join(ROOT, 'dist', 'index.js')) && existsSync(path.join(ROOT, 'dist', 'esm', 'index.mjs'))) return;
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'pipe' });
}
