import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import bcrypt from 'bcrypt';
import { migrate } from '../src/store/postgres';
import { ensureBuilt, ROOT } from './helpers/build';
import { connectPostgres, connectRedis, DATABASE_URL, deleteRedisKeys, REDIS_URL, runId } from './helpers/services';

const LOGIN = 'alice@example.org';
const PASSWORD = 'correct horse battery';

interface Instance {
  child: ChildProcess;
  base: string;
}

function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'instance-server.js')], {
      cwd: ROOT,
      env: { ...process.env, ...env, INSTANCE: name },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`instance ${name} did not start:\n${output}`)), 20_000);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = /listening (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, base: `http://127.0.0.1:${match[1]}/v1` });
      }
    });
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => reject(new Error(`instance ${name} exited with ${code}:\n${output}`)));
  });
}

async function call(base: string, method: string, route: string, options: { token?: string; body?: unknown } = {}) {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: {
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      ...(options.body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const login = (base: string, password: string, who = LOGIN) => call(base, 'POST', '/sessions', { body: { login: who, password } });

describe.each(['redis', 'postgres'] as const)('two instances sharing one %s', (kind) => {
  let a: Instance;
  let b: Instance;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ensureBuilt();
    const id = runId();
    const env: Record<string, string> = {
      STORE: kind,
      USER_ID: randomUUID(),
      USER_LOGIN: LOGIN,
      USER_HASH: await bcrypt.hash(PASSWORD, 10),
      REDIS_URL,
      DATABASE_URL,
    };
    if (kind === 'redis') {
      const client = await connectRedis();
      env.KEY_PREFIX = `gh2i:${id}:`;
      cleanup = async () => {
        await deleteRedisKeys(client, env.KEY_PREFIX);
        client.disconnect();
      };
    } else {
      const pool = await connectPostgres();
      env.SCHEMA = `gh2i_${id}`;
      await migrate(pool, { schema: env.SCHEMA });
      cleanup = async () => {
        await pool.query(`DROP SCHEMA IF EXISTS "${env.SCHEMA}" CASCADE`);
        await pool.end();
      };
    }
    [a, b] = await Promise.all([startInstance('A', env), startInstance('B', env)]);
  }, 60_000);

  afterAll(async () => {
    for (const instance of [a, b]) instance?.child.kill('SIGTERM');
    await cleanup?.();
  });

  it('log in on A, use the token on B, log out on B: A refuses it on the next request', async () => {
    const session = await login(a.base, PASSWORD);
    expect(session.status).toBe(200);
    const onB = await call(b.base, 'GET', '/projects', { token: session.body.token });
    expect(onB).toMatchObject({ status: 200, body: { instance: 'B' } });
    expect((await call(b.base, 'DELETE', '/sessions/current', { token: session.body.token })).status).toBe(200);
    const onA = await call(a.base, 'GET', '/projects', { token: session.body.token });
    expect(onA.status).toBe(401);
    expect(onA.body.code).toBe('401.2');
  });

  it('5 failed logins spread across A and B lock the login on both', async () => {
    for (let i = 0; i < 5; i += 1) expect((await login(i % 2 ? b.base : a.base, 'wrong')).body.code).toBe('401.2');
    for (const instance of [a, b]) {
      const res = await login(instance.base, PASSWORD);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('403.2');
      expect(res.body.lockoutTimeRemaining).toBeGreaterThan(0);
    }
  });

  it('200 concurrent failed logins across both never run more password checks than the limit allows', async () => {
    const victim = `victim-${runId()}@example.org`;
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => login(i % 2 ? b.base : a.base, `guess-${i}`, victim)));
    const codes = results.map((r) => r.body.code);
    // Each 401.2 is one bcrypt check; every other attempt was refused before hashing.
    expect(codes.filter((c) => c === '401.2')).toHaveLength(5);
    expect(codes.filter((c) => c === '403.2')).toHaveLength(195);
  });
});
