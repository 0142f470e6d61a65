#!/usr/bin/env node
// Runs the test files where the test process's clock meets a real store's own clock, with the
// test process's clock shifted a year ahead and a year back by libfaketime, while Redis and
// PostgreSQL keep the real time. Where a time taken from Node's clock meets a store's own
// clock (an expiry sent as an absolute time and compared with Redis's or PostgreSQL's now, a
// test reading a TTL against Date.now()), the two disagree by a year and it fails, on any
// day. Ends with "N passed, N failed" over both runs.
//
// The files: the store conformance kit on every engine (each store method's handling of time),
// and the files that hand Gatehouse a clock of their own (test/helpers/clock.ts, `now:`) over
// a real store. Store-backed files about transport alone (failover, outages, round trips,
// migrations, the CLI, option checks) run in `npm test` only: they meet no clock the kit does
// not, and ran half of the shifted run's time.
//
//   npm run test:shifted-clock                 both shifts, the files above
//   npm run test:shifted-clock -- test/x.ts    both shifts, the files given
//   node scripts/test-shifted-clock.js --list  the files above, one a line
//
// Needs Debian's `faketime` (apt-get install faketime).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const SHIFTS = [
  { flag: '+365d', days: 365 },
  { flag: '-365d', days: -365 },
];
const DAY_MS = 24 * 60 * 60 * 1000;

/** Import specifiers (and env names) that mean a file talks to the real Redis or PostgreSQL. */
const REACHES_A_STORE = /^(ioredis\d*|pg|\.\.\/src\/store\/(redis|postgres)|\.\.\/\.\.\/src\/store\/(redis|postgres))$/;

/** A file hands Gatehouse a clock of its own: `now:` in an options object, or the test clock. */
const INJECTS_A_CLOCK = /\bnow:\s*(\(|clock|[a-zA-Z]+\.now\b)/;

function specifiers(file) {
  const source = fs.readFileSync(file, 'utf8');
  return [...source.matchAll(/\bfrom\s+'([^']+)'|require\('([^']+)'\)/g)].map((match) => match[1] ?? match[2]);
}

/**
 * The test files that reach a real store: directly (RedisStore, PostgresStore, ioredis, pg),
 * through a helper that does, or by handing REDIS_URL / DATABASE_URL to what they start.
 */
/** The helpers (as `./name`) that match `reaches`, directly or through another helper. */
function helpersThat(reaches) {
  const helpersDir = path.join(root, 'test', 'helpers');
  const found = new Set();
  // Helpers import each other: repeat until no helper joins.
  for (let grew = true; grew; ) {
    grew = false;
    for (const name of fs.readdirSync(helpersDir).filter((entry) => entry.endsWith('.ts'))) {
      const helper = `./${name.replace(/\.ts$/, '')}`;
      if (found.has(helper)) continue;
      if (specifiers(path.join(helpersDir, name)).some((spec) => reaches(spec) || found.has(spec))) {
        found.add(helper);
        grew = true;
      }
    }
  }
  return found;
}

function storeBackedFiles() {
  const storeHelpers = helpersThat((spec) => REACHES_A_STORE.test(spec));
  const testDir = path.join(root, 'test');
  return fs
    .readdirSync(testDir)
    .filter((name) => name.endsWith('.test.ts'))
    .filter((name) => {
      const file = path.join(testDir, name);
      const reaches = specifiers(file).some((spec) => REACHES_A_STORE.test(spec) || storeHelpers.has(spec.replace('./helpers/', './')));
      return reaches || /\b(REDIS_URL|DATABASE_URL)\b/.test(fs.readFileSync(file, 'utf8'));
    })
    .map((name) => `test/${name}`)
    .sort();
}

/** The store-backed files where the test clock meets a store's: the conformance kit, and files that inject a clock. */
function clockMeetsStoreFiles() {
  const clockHelpers = helpersThat((spec) => spec === './clock');
  clockHelpers.add('./clock');
  return storeBackedFiles().filter((file) => {
    if (/^test\/store\.conformance\./.test(file)) return true;
    const source = fs.readFileSync(path.join(root, file), 'utf8');
    return INJECTS_A_CLOCK.test(source) || specifiers(path.join(root, file)).some((spec) => clockHelpers.has(spec.replace('./helpers/', './')));
  });
}

// Shift the wall clock only: timers and durations keep running on the real monotonic clock.
// faketime sets LD_PRELOAD, so everything the test process starts (jest workers, servers, the
// CLI) inherits the shift; checkShift proves it for a child process.
const FAKETIME_ENV = { FAKETIME_DONT_FAKE_MONOTONIC: '1' };

/** Fails unless `faketime <flag> node` (and a process it starts) sees the clock shifted by `days`. */
function checkShift({ flag, days }) {
  const probe = "const{execFileSync}=require('node:child_process');process.stdout.write(execFileSync(process.execPath,['-e','process.stdout.write(String(Date.now()))']))";
  const before = Date.now();
  const run = spawnSync('faketime', ['-f', flag, process.execPath, '-e', probe], { encoding: 'utf8', env: { ...process.env, ...FAKETIME_ENV } });
  if (run.error || run.status !== 0) {
    throw new Error(`could not run faketime (${run.error?.message ?? run.stderr.trim()}); install it with: apt-get install faketime`);
  }
  const shiftedDays = (Number(run.stdout) - before) / DAY_MS;
  if (!(Math.abs(shiftedDays - days) < 1)) {
    throw new Error(`faketime -f ${flag} did not shift Node's clock by ${days} days (a child process saw ${shiftedDays.toFixed(2)} days)`);
  }
}

const args = process.argv.slice(2);
if (args.includes('--list')) {
  console.log(clockMeetsStoreFiles().join('\n'));
  process.exit(0);
}
const requested = args.filter((arg) => !arg.startsWith('-'));
const jestFlags = args.filter((arg) => arg.startsWith('-'));
const files = requested.length > 0 ? requested : clockMeetsStoreFiles();

let passed = 0;
let failed = 0;
const summaries = [];
for (const shift of SHIFTS) {
  try {
    checkShift(shift);
  } catch (error) {
    console.log(`[shifted clock ${shift.flag}] ${error.message}`);
    failed += 1;
    summaries.push(`${shift.flag}: not run`);
    continue;
  }
  console.log(`[shifted clock ${shift.flag}] ${files.length} files where the test clock meets a store's: ${files.join(' ')}`);
  const run = spawnSync('faketime', ['-f', shift.flag, process.execPath, path.join(__dirname, 'test.js'), ...files, ...jestFlags], {
    cwd: root,
    env: { ...process.env, ...FAKETIME_ENV },
    stdio: ['inherit', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  process.stdout.write(run.stdout ?? '');
  const counts = /^(\d+) passed, (\d+) failed$/m.exec((run.stdout ?? '').trim().split('\n').at(-1) ?? '');
  const runPassed = counts ? Number(counts[1]) : 0;
  const runFailed = counts ? Number(counts[2]) : 1;
  passed += runPassed;
  failed += run.status === 0 ? runFailed : Math.max(runFailed, 1);
  summaries.push(`${shift.flag}: ${runPassed} passed, ${runFailed} failed`);
}
console.log(`[shifted clock] ${summaries.join('; ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
