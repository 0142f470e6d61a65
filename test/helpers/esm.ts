import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * Runs one of the ESM-only tools (jose, the OpenAPI validator) in a child Node process: Jest's
 * CommonJS module system cannot load them. The child reads `input` as JSON on stdin and answers
 * JSON on stdout. Asynchronous on purpose: the child may call a server in this process.
 */
export function runEsmHelper<T>(script: string, input: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, script)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}: ${stderr}`));
      try {
        resolve(JSON.parse(stdout) as T);
      } catch (error) {
        reject(new Error(`${script} answered no JSON: ${stdout} ${stderr}`, { cause: error }));
      }
    });
    child.stdin.end(JSON.stringify(input));
  });
}
