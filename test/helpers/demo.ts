/**
 * The demo `npm start` runs (examples/demo-server.js): start it, read the commands it
 * prints, and check that each answers as the demo says. Shared by the demo test and the
 * fresh-clone test.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** The last command the demo prints; once it is out, the demo is listening. */
const LAST_LINE = /^curl -s -X DELETE \S+\/sessions\/current -H "Authorization: Bearer \$TOKEN"$/m;

export interface RunningDemo {
  child: ChildProcess;
  /** Everything the demo printed to stdout. */
  output: string;
  /** The shell commands it printed after "Try:", in order (comments left out). */
  commands: string[];
  /** Stops the demo and anything its command started (npm, sh). */
  stop(): void;
}

/** Spawns `command` (in its own process group) and resolves once the demo has printed its commands. */
export function startDemo(command: string, args: string[], options: SpawnOptions, timeoutMs: number): Promise<RunningDemo> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    let stdout = '';
    let all = '';
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`the demo did not print its commands within ${timeoutMs} ms:\n${all}`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      all += chunk;
      if (LAST_LINE.test(stdout)) {
        clearTimeout(timer);
        const printed = stdout.slice(stdout.indexOf('Try:\n') + 'Try:\n'.length).split('\n');
        resolve({ child, output: stdout, commands: printed.filter((line) => line !== '' && !line.startsWith('#')), stop });
      }
    });
    child.stderr!.on('data', (chunk) => (all += chunk));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code}:\n${all}`));
    });
  });
}

function sh(command: string, env: Record<string, string> = {}): string {
  return execFileSync('sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
}

/** Runs the demo's printed commands in order and checks each answer; throws on the first wrong one. */
export function expectPrintedCommandsToWork(commands: string[]): void {
  expect(commands).toHaveLength(9);
  const [publicRoute, login, apiKeyHeader, apiKeyQuery, appUserUrl, anonymous, keepToken, useToken, logout] = commands;
  expect(JSON.parse(sh(publicRoute))).toEqual({ hello: 'anonymous' });

  const session = JSON.parse(sh(login));
  expect(session.token).toMatch(/^gths_/);
  expect(session.previousAccessFailedCount).toBe(0);

  expect(JSON.parse(sh(apiKeyHeader))).toMatchObject({ scheme: 'apiKey', actor: { kind: 'apiKey', roles: ['reader'] } });
  expect(JSON.parse(sh(apiKeyQuery))).toMatchObject({ scheme: 'apiKey' });
  expect(JSON.parse(sh(appUserUrl))).toMatchObject({ forms: ['household-survey'] });
  expect(JSON.parse(sh(anonymous))).toMatchObject({ code: '401.1', status: 401 });

  // The TOKEN=$(…) line, run as printed, leaves a session token in TOKEN.
  expect(keepToken).toMatch(/^TOKEN=\$\(/);
  const token = sh(`${keepToken}\nprintf %s "$TOKEN"`);
  expect(token).toMatch(/^gths_/);
  const env = { TOKEN: token };
  expect(JSON.parse(sh(useToken, env))).toMatchObject({ scheme: 'sessionToken', actor: { displayName: 'demo@example.org' } });
  expect(JSON.parse(sh(logout, env))).toEqual({ success: true });
  expect(JSON.parse(sh(useToken, env))).toMatchObject({ code: '401.2' });
}
