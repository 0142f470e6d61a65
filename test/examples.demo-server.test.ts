import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ensureBuilt, ROOT } from './helpers/build';

/** Starts `npm start`'s server on a free port and collects the curl commands it prints. */
function startDemo(): Promise<{ child: ChildProcess; commands: string[]; output: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'examples', 'demo-server.js')], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    const timer = setTimeout(() => reject(new Error(`demo server did not start:\n${text}`)), 20_000);
    child.stdout!.on('data', (chunk) => {
      text += chunk;
      if (text.includes('#   curl -s -X DELETE')) {
        clearTimeout(timer);
        const output = text.split('\n');
        resolve({ child, output, commands: output.filter((line) => line.startsWith('curl ')) });
      }
    });
    child.stderr!.on('data', (chunk) => (text += chunk));
    child.on('exit', (code) => reject(new Error(`demo server exited with ${code}:\n${text}`)));
  });
}

function run(command: string, env: Record<string, string> = {}): string {
  return execFileSync('sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('npm start: the demo server and the curl commands it prints', () => {
  let demo: Awaited<ReturnType<typeof startDemo>>;

  beforeAll(async () => {
    ensureBuilt();
    execFileSync('sh', ['-c', 'command -v curl'], { stdio: 'pipe' }); // .ci/run installs curl when it is missing
    demo = await startDemo();
  }, 120_000);

  afterAll(() => {
    demo?.child.kill();
  });

  it('prints working commands for every scheme it demonstrates', () => {
    const [publicRoute, login, apiKeyHeader, apiKeyQuery, appUserUrl, anonymous] = demo.commands;
    expect(demo.commands).toHaveLength(6);
    expect(JSON.parse(run(publicRoute))).toEqual({ hello: 'anonymous' });

    const session = JSON.parse(run(login));
    expect(session.token).toMatch(/^gths_/);
    expect(session.previousAccessFailedCount).toBe(0);

    expect(JSON.parse(run(apiKeyHeader))).toMatchObject({ scheme: 'apiKey', actor: { kind: 'apiKey', roles: ['reader'] } });
    expect(JSON.parse(run(apiKeyQuery))).toMatchObject({ scheme: 'apiKey' });
    expect(JSON.parse(run(appUserUrl))).toMatchObject({ forms: ['household-survey'] });
    expect(JSON.parse(run(anonymous))).toMatchObject({ code: '401.1', status: 401 });

    const [useToken, logout] = demo.output.filter((line) => line.startsWith('#   curl')).map((line) => line.slice(4));
    const env = { TOKEN: session.token };
    expect(JSON.parse(run(useToken, env))).toMatchObject({ scheme: 'sessionToken', actor: { displayName: 'demo@example.org' } });
    expect(JSON.parse(run(logout, env))).toEqual({ success: true });
    expect(JSON.parse(run(useToken, env))).toMatchObject({ code: '401.2' });
  });
});
