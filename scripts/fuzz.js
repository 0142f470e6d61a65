#!/usr/bin/env node
// `npm run fuzz`: the live fuzz run (test/fuzz/harness.ts) against the TypeScript sources.
//   node scripts/fuzz.js [--requests N] [--time-limit SECONDS] [--concurrency N] [--seed N]
// Exits 1 when the run fails (a 5xx, a crash, an unhandled rejection, a leaked secret, the
// time limit reached first); prints its counts either way.
'use strict';
require('./ts-require');

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number`);
  return value;
}

const { runFuzz, formatReport } = require('../test/fuzz/harness.ts');
const options = {
  requests: option('requests', 100_000),
  timeLimitMs: option('time-limit', 600) * 1000,
  concurrency: option('concurrency', 32),
  seed: option('seed', Date.now() % 1_000_000),
  progress: (line) => console.error(line),
};
console.error(`fuzzing 127.0.0.1 with ${options.requests} requests (time limit ${options.timeLimitMs / 1000} s, concurrency ${options.concurrency}, seed ${options.seed})`);
runFuzz(options).then(
  (report) => {
    console.log(formatReport(report));
    process.exit(report.failures.length === 0 ? 0 : 1);
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
