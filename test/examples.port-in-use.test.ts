import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { ensureBuilt, ROOT } from './helpers/build';

/** Runs an example script to its exit and collects what it printed. */
function runToExit(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, script)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${script} was still running after 20 s (it should have exited):\n${stdout}${stderr}`));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('an example whose port is taken says so and exits non-zero', () => {
  let occupier: net.Server;
  let port: number;

  beforeAll(async () => {
    ensureBuilt();
    occupier = net.createServer();
    await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
    port = (occupier.address() as net.AddressInfo).port;
  });

  afterAll(() => new Promise((resolve) => occupier.close(resolve)));

  it.each(['examples/demo-server.js', 'examples/cookie-app/server.js'])('%s', async (script) => {
    const { code, stdout, stderr } = await runToExit(script, { PORT: String(port) });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stdout).toBe('');
    expect(stderr).toContain(`127.0.0.1:${port} is already in use`);
    expect(stderr).toContain(`PORT=${port + 1}`);
    expect(stderr).not.toMatch(/TypeError|at .*\(node:/);
  });
});
