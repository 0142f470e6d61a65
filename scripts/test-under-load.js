#!/usr/bin/env node
// Runs the tests (scripts/test.js, so it ends with "N passed, N failed") with two CPU-bound
// processes beside them, as on a shared CI runner: the suite must not depend on how fast the
// machine is. The busy processes are killed when the run ends, however it ends.
//
//   node scripts/test-under-load.js                          the whole suite
//   node scripts/test-under-load.js test/x.test.ts --maxWorkers=1
'use strict';
const { spawn } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

const BUSY_PROCESSES = 2;
const busy = Array.from({ length: BUSY_PROCESSES }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const stopBusy = () => {
  for (const child of busy) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};
process.on('exit', stopBusy);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopBusy();
    process.exit(130);
  });
}

const load = () => os.loadavg().map((value) => value.toFixed(1)).join(' ');
console.log(`[under load] ${BUSY_PROCESSES} CPU-bound processes beside the run (pids ${busy.map((child) => child.pid).join(', ')}); load average ${load()}, ${os.cpus().length} cores`);
const started = Date.now();
const run = spawn(process.execPath, [path.join(__dirname, 'test.js'), ...process.argv.slice(2)], { stdio: ['inherit', 'pipe', 'inherit'] });
// The closing "N passed, N failed" line is held back so that it stays the last line.
const SUMMARY = /^\d+ passed, \d+ failed$/;
let partial = '';
let summary = '0 passed, 1 failed';
const take = (line) => {
  if (SUMMARY.test(line)) summary = line;
  else process.stdout.write(`${line}\n`);
};
run.stdout.setEncoding('utf8');
run.stdout.on('data', (chunk) => {
  const lines = (partial + chunk).split('\n');
  partial = lines.pop();
  lines.forEach(take);
});
run.on('close', (code) => {
  stopBusy();
  if (partial) take(partial);
  console.log(`[under load] ${((Date.now() - started) / 60_000).toFixed(1)} min; load average at the end ${load()}`);
  console.log(summary);
  process.exit(code ?? 1);
});
