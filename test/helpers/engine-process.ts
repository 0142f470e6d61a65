/**
 * Engines a test starts for itself (PgBouncer, a Redis primary, replica and sentinel, a Redis
 * Cluster): finding the program, running it in the foreground on loopback, waiting until it
 * answers, and stopping it. A missing program fails the test with how to install it (never a
 * skip). The Redis engines share how a redis-server is run and asked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

/** The path of `program` (the first of `candidates` that can be run, then `PATH`), or an error saying how to install it. */
export function requireProgram(program: string, candidates: readonly string[], install: string): string {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const candidate of [...candidates, ...dirs.map((dir) => path.join(dir, program))]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next place
    }
  }
  throw new Error(`${program} is not installed (looked in ${candidates.join(', ')} and PATH). Install it with: ${install}`);
}

/** A directory of its own for an engine's configuration, logs and sockets; removed by `removeDir`. */
export function engineDir(label: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `gatehouse-${label}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A running engine: its output so far (for error messages) and a stop that waits for the exit. */
export interface EngineProcess {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * The environment for an engine the tests start: the test process's own, less libfaketime's
 * preload and settings. Engines keep the real clock, as the shared Redis and PostgreSQL do,
 * when `npm run test:shifted-clock` shifts the tests' (and redis-server crashes under the preload).
 */
export function realClockEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name === 'LD_PRELOAD' || name.startsWith('FAKETIME')) delete env[name];
  }
  return env;
}

/**
 * Starts `command` in the foreground and resolves once `ready()` resolves to true (polled),
 * or rejects with the engine's output when it exits first or is not ready within `limitMs`.
 */
export async function startEngine(options: {
  name: string;
  command: string;
  args: readonly string[];
  ready: () => Promise<boolean>;
  limitMs?: number;
}): Promise<EngineProcess> {
  const { name, command, args, ready, limitMs = 20_000 } = options;
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: realClockEnv() });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.on('exit', () => {
      exited = true;
      resolve();
    });
    child.on('error', (error) => {
      output += `\n${error.message}`;
      exited = true;
      resolve();
    });
  });
  const engine: EngineProcess = {
    child,
    output: () => output,
    stop: async () => {
      if (!exited) child.kill('SIGTERM');
      await exit;
    },
  };
  const deadline = Date.now() + limitMs;
  while (!exited && Date.now() < deadline) {
    if (await ready().catch(() => false)) return engine;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await engine.stop();
  throw new Error(`${name} (${command} ${args.join(' ')}) ${exited ? 'exited' : `was not ready after ${limitMs} ms`}:\n${output}`);
}

/** Kills an engine (SIGKILL: no shutdown, no last save), as a crash would, and waits for its exit. */
export async function crashEngine(engine: EngineProcess): Promise<void> {
  engine.child.kill('SIGKILL');
  await engine.stop();
}

/** Resolves once `holds()` does (checked every 50 ms), or rejects after `limitMs` naming `what`. */
export async function waitFor(what: string, holds: () => Promise<boolean>, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await holds().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** redis-server's path, or an error saying how to install it. */
export function requireRedisServer(): string {
  return requireProgram('redis-server', ['/usr/bin/redis-server', '/usr/local/bin/redis-server'], 'apt-get install redis-server');
}

/**
 * redis-server's arguments for a server of the test's own on `port`: on loopback, in the
 * foreground, saving nothing, its files in `dir`; then `extra`.
 */
export function redisServerArgs(port: number, dir: string, extra: readonly string[] = []): string[] {
  return [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no',
    '--dir', dir, '--dbfilename', `dump-${port}.rdb`, ...extra,
  ];
}

/** What `ask` resolves to on a fresh connection to the Redis server (or sentinel) on `port`, closed afterwards. */
export async function redisAnswers<T>(port: number, ask: (client: Redis) => Promise<T>): Promise<T> {
  // A server not listening yet is found with a plain TCP connection: a failed ioredis
  // connection attempt leaves a timer behind that jest reports.
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, commandTimeout: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return await ask(client);
  } finally {
    client.disconnect();
  }
}

/** What an engine prints when the port it was given is taken. */
const PORT_TAKEN = /Address already in use|EADDRINUSE/;

/**
 * Starts again, on the new ports `start` chooses, when another test file's engine bound a port
 * between its choice as free and this engine's bind (the files run in parallel); three tries.
 */
async function startOnFreePorts<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= 3 || !PORT_TAKEN.test(String((error as Error).message))) throw error;
    }
  }
}

/**
 * An engine started in `beforeAll` (again on new ports if one was taken meanwhile) and stopped
 * in `afterAll`; the getter fails loudly if it did not start.
 */
export function useEngine<T extends { stop(): Promise<void> }>(name: string, start: () => Promise<T>): () => T {
  let engine: T | undefined;
  beforeAll(async () => {
    engine = await startOnFreePorts(start);
  }, 90_000);
  afterAll(async () => {
    await engine?.stop();
  });
  return () => {
    if (!engine) throw new Error(`${name} did not start; see the beforeAll error above.`);
    return engine;
  };
}
