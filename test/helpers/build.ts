import { execFileSync } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

const { buildReason } = require(path.join(ROOT, 'scripts', 'bootstrap.js')) as { buildReason(): string | null };

/**
 * Builds dist/ if a test needs the package as users get it and dist/ is missing or older
 * than src/ (`npm test` builds before jest starts, so this is for `npx jest <file>`).
 */
export function ensureBuilt(): void {
  if (buildReason() === null) return;
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'pipe' });
}
