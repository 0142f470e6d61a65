/**
 * The fuzz server in a process of its own (forked by the harness), so that the load
 * generator and the server each get a core, and a crash shows as the process exiting.
 * It checks its own access log for secrets and reports, when asked, what it saw:
 * log lines, leaks, uncaught exceptions and unhandled rejections.
 */
import { secretFinder } from './secrets';
import { startFuzzServer } from './server';

/** Messages between the harness and this process. */
export type ServerMessage =
  | { type: 'ready'; httpPort: number; httpsPort: number; credentials: import('./server').IssuedCredentials; secrets: string[] }
  | { type: 'finished'; logLines: number; failures: string[]; failureCount: number };

const MAX_FAILURES_KEPT = 25;
const failures: string[] = [];
let failureCount = 0;
let masked = (text: string) => text.slice(0, 300);
const fail = (message: string) => {
  failureCount += 1;
  if (failures.length < MAX_FAILURES_KEPT) failures.push(message);
};
process.on('unhandledRejection', (reason: unknown) => fail(`server: unhandled rejection: ${masked(String((reason as Error)?.stack ?? reason))}`));
process.on('uncaughtException', (error: Error) => fail(`server: uncaught exception: ${masked(String(error?.stack ?? error))}`));

async function main(): Promise<void> {
  const server = await startFuzzServer();
  const finder = secretFinder(server.secrets);
  masked = finder.masked;
  let logLines = 0;
  server.onLogLine((line) => {
    logLines += 1;
    const index = finder.find(line);
    if (index !== -1) fail(`secret #${index} in the access log: ${finder.masked(line)}`);
  });
  process.on('message', (message: { type?: string }) => {
    if (message?.type !== 'finish') return;
    const finished: ServerMessage = { type: 'finished', logLines, failures, failureCount };
    process.send!(finished, () => {
      server.close().finally(() => process.exit(0));
    });
  });
  const ready: ServerMessage = { type: 'ready', httpPort: server.httpPort, httpsPort: server.httpsPort, credentials: server.credentials, secrets: server.secrets };
  process.send!(ready);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
