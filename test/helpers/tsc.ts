/**
 * This repository's tsc run on a fixture project, as the type tests of the packed package
 * compile their consumers.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './build';

const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Compiles the project in `dir` (its tsconfig.json); returns tsc's exit status and output. */
export function compile(dir: string): { status: number; output: string } {
  try {
    execFileSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { encoding: 'utf8', stdio: 'pipe' });
    return { status: 0, output: '' };
  } catch (error) {
    const failure = error as { status: number; stdout: string; stderr: string };
    return { status: failure.status, output: `${failure.stdout}${failure.stderr}` };
  }
}
