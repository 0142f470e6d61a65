/**
 * The live fuzz run (README, "Fuzzing"): random and malformed requests from fast-check
 * arbitraries against a server on 127.0.0.1 with every scheme on. A run fails on any 5xx,
 * an uncaught exception, an unhandled rejection, a request left without an answer, a
 * server that stops answering, or an issued secret in a response body or an access-log line.
 * Bounded by a request count and a time limit; `npm run fuzz` and a jest test share it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { FuzzClient } from './client';
import { fuzzRequests, type FuzzRequest } from './requests';
import { secretFinder } from './secrets';
import type { ServerMessage } from './server-process';

export interface FuzzOptions {
  requests: number;
  /** The run stops here even if `requests` were not all sent (and then fails). */
  timeLimitMs: number;
  /** Requests in flight at once (keep-alive connections per protocol). */
  concurrency: number;
  seed: number;
  /** Progress lines, e.g. console.error; none by default. */
  progress?: (line: string) => void;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  elapsedMs: number;
  byStatus: Record<string, number>;
  /** Requests sent byte for byte over a plain or TLS socket. */
  rawSocket: number;
  overHttps: number;
  /** Client-side errors (a reset connection); counted, not failures by themselves. */
  transportErrors: Record<string, number>;
  logLines: number;
  /** Why the run fails; empty when it passes. Secrets are never printed, only which one. */
  failures: string[];
}

const MAX_FAILURES_KEPT = 25;
const BATCH = 250;

type Ready = Extract<ServerMessage, { type: 'ready' }>;
type Finished = Extract<ServerMessage, { type: 'finished' }>;

/** Forks test/fuzz/server-process.ts (TypeScript, through scripts/ts-require.js). */
function startServerProcess(): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(path.join(__dirname, 'server-process.ts'), [], {
    execArgv: ['-r', path.join(__dirname, '..', '..', 'scripts', 'ts-require.js')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: ServerMessage) => (message.type === 'ready' ? resolve({ child, ready: message }) : reject(new Error('fuzz server: unexpected message'))));
    child.once('exit', (code) => reject(new Error(`fuzz server exited before it was ready (${code})`)));
  });
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { child, ready } = await startServerProcess();
  const { secrets } = ready;
  const finder = secretFinder(secrets);
  const failures: string[] = [];
  let failureCount = 0;
  const fail = (message: string) => {
    failureCount += 1;
    if (failures.length < MAX_FAILURES_KEPT) failures.push(message);
  };
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `the server process exited (${signal ?? code}) during the run`;
  });

  const ports = { http: ready.httpPort, https: ready.httpsPort };
  const arbitrary = fuzzRequests(ready.credentials, ports);
  const client = new FuzzClient(ports, options.concurrency);
  const byStatus: Record<string, number> = {};
  const transportErrors: Record<string, number> = {};
  let sent = 0;
  let rawSocket = 0;
  let overHttps = 0;
  const started = Date.now();
  const deadline = started + options.timeLimitMs;
  const summary = (request: FuzzRequest) =>
    finder.masked(`${request.secure ? 'https' : 'http'} ${request.method} ${request.target} ${JSON.stringify(request.headers.map(([name]) => name))}`);

  async function worker(index: number): Promise<void> {
    let batch: FuzzRequest[] = [];
    let batchNumber = 0;
    while (sent < options.requests && Date.now() < deadline && exited === null) {
      sent += 1;
      if (batch.length === 0) {
        batch = fc.sample(arbitrary, { numRuns: BATCH, seed: options.seed + index * 1_000_003 + batchNumber * 7919 });
        batchNumber += 1;
      }
      const request = batch.pop()!;
      const response = await client.send(request);
      if (response.transport === 'raw') rawSocket += 1;
      if (request.secure) overHttps += 1;
      const status = response.status === null ? 'none' : String(response.status);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if (response.error !== null) transportErrors[response.error] = (transportErrors[response.error] ?? 0) + 1;
      if (response.status !== null && response.status >= 500) fail(`${response.status} for ${summary(request)}: ${finder.masked(response.body)}`);
      if (response.error === 'timeout') fail(`no answer within the timeout for ${summary(request)}`);
      const leaked = finder.find(response.body);
      if (leaked !== -1) fail(`secret #${leaked} in the response body (${status}) for ${summary(request)}`);
      if (options.progress && sent % 10_000 === 0) options.progress(`${sent} requests, ${Math.round((Date.now() - started) / 1000)} s`);
    }
  }

  try {
    await Promise.all(Array.from({ length: options.concurrency }, (_unused, index) => worker(index)));
    const elapsedMs = Date.now() - started;
    if (exited !== null) fail(exited);
    if (sent < options.requests) fail(`stopped after ${sent} of ${options.requests} requests`);
    // The server must still answer, and still accept a credential that was valid all along.
    const health = await client.send({ secure: false, method: 'GET', target: '/v1/projects', headers: [['Authorization', `ApiKey ${ready.credentials.configApiKey}`]], body: null, raw: false, lineEnding: '\r\n', oddLine: null });
    if (health.status !== 200) fail(`the server no longer answers a valid request (${health.status ?? health.error})`);
    const finished = await new Promise<Finished | null>((resolve) => {
      if (exited !== null) return resolve(null);
      child.once('message', (message: ServerMessage) => resolve(message.type === 'finished' ? message : null));
      child.once('exit', () => resolve(null));
      child.send({ type: 'finish' });
    });
    if (finished) for (const failure of finished.failures) fail(failure);
    const total = failureCount + (finished ? finished.failureCount - finished.failures.length : 0);
    if (total > failures.length) failures.push(`… and ${total - failures.length} more failures`);
    return { seed: options.seed, requests: sent, elapsedMs, byStatus, rawSocket, overHttps, transportErrors, logLines: finished?.logLines ?? 0, failures };
  } finally {
    client.close();
    // It exits by itself once it has reported; a server that does not is ended.
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const timer = setTimeout(() => child.kill(), 5_000);
      await gone;
      clearTimeout(timer);
    }
  }
}

/** The report as the lines `npm run fuzz` prints. */
export function formatReport(report: FuzzReport): string {
  const statuses = Object.entries(report.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  const errors = Object.entries(report.transportErrors)
    .map(([error, count]) => `${error}: ${count}`)
    .join(', ');
  return [
    `requests: ${report.requests} in ${(report.elapsedMs / 1000).toFixed(1)} s (${Math.round(report.requests / (report.elapsedMs / 1000))}/s), seed ${report.seed}`,
    `by status: ${statuses}`,
    `over HTTPS: ${report.overHttps}; over a raw socket: ${report.rawSocket}; access-log lines: ${report.logLines}`,
    `client-side transport errors: ${errors || 'none'}`,
    `failures: ${report.failures.length === 0 ? 0 : `\n  ${report.failures.join('\n  ')}`}`,
  ].join('\n');
}
