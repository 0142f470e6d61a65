#!/usr/bin/env node
// `npm run bench:instructions [-- --only jwt,apiKey] [-- --runs 3] [-- --jobs 2] [-- --no-bare] [-- --keep DIR]`:
// CPU instructions per request, counted by valgrind's callgrind, free of the machine's timing
// noise (issue 20). Needs valgrind with its headers (valgrind/callgrind.h) and a C compiler.
//
// Each row's server runs in one process with its client (sequential keep-alive requests over
// 127.0.0.1, node:http). The process answers 2 000 warm-up requests, runs `gc()`, and then
// 3 000 counted ones. Only those are counted, and the process itself says where they begin
// and end: bench/callgrind/toggle.c, built here with gcc into a tiny N-API addon, issues
// callgrind's client requests. callgrind starts with `--instr-atstart=no
// --collect-atstart=no` (nothing counted, and the warm-up runs uninstrumented, ~3× faster);
// `start()` switches instrumentation and collection on, `dump()` after request 1 000 and
// again after request 3 000 writes the counts so far and zeroes them. So
//   instructions per request = count of requests 1 001 … 3 000 / 2 000,
// the same quantity as the issue's "difference between 1 000 and 3 000 requests", but without
// start-up, module loading, the warm-up and exit in either term (round 4 subtracted two whole
// processes, whose start-up alone differed by up to 600 M instructions). Requests 1 … 1 000 are
// shown on stderr too; they cost more (V8 still optimising after the warm-up) and are not used.
// Client and server are both counted (as they would be by any in-process count), so
// "Gatehouse − bare" is the cost Gatehouse adds to one request, plus what a longer request
// (an Authorization header) costs the client and node:http.
//
// Clock-driven work is kept out of the counted requests, because under valgrind a request takes
// ~50× as long and how often a timer fires then depends on the machine's load: node:http's
// keep-alive, request and headers timeouts and its periodic connection check are off, and no
// Date header is sent (node formats it again once a second). V8's background threads
// (concurrent compilation, concurrent and parallel GC) would be counted with a share that
// varies with scheduling; `--single-threaded` keeps that work on the main thread, and
// `--predictable --predictable-gc-schedule` take time out of V8's GC scheduling.
//
// valgrind's --smc-check: V8 writes machine code into anonymous mappings and patches it in
// place (JIT code, inline caches, deoptimisation). callgrind must notice self-modifying
// code or it runs stale translations and crashes or miscounts; `all-non-file` (valgrind's
// default on x86) checks every anonymous mapping, which is where V8's code lives, and is
// passed explicitly so the count does not depend on a platform's default.
//
// Repeatability (bench/profiling.md, round 5): on an idle machine two runs of every row agree
// to within 0.24 % (round 4's method, two whole processes subtracted, differed by 1–21 %).
// While other work loads the machine, counts come out 1–1.5 % higher and spread up to 1.5 %:
// something still follows the wall clock (not found yet). Count on an idle machine, and
// compare rows counted in the same run.
//
// `--keep DIR` keeps each process's dumps, runs node with `--perf-basic-prof` and keeps V8's
// perf map beside them, so `node bench/callgrind-summary.js DIR/callgrind.<row>.<id>.2
// DIR/callgrind.<row>.<id>.perf.map` names JIT-compiled JavaScript in the profile
// (the perf map changes the count by ~0.4 %; compare kept runs with kept runs).
'use strict';
const { execFile, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

// The issue's definition: 2 000 warm-up requests, then the difference between 1 000 and 3 000.
// `--warmup N` and `--count N` (requests after the first 1 000) lengthen both, for a steadier
// figure (bench/profiling.md, round 7: V8 still compiles during the issue's window, and where
// it does moves a count by several per cent between runs of one build).
const WARMUP = Number(process.env.GATEHOUSE_INSTRUCTIONS_WARMUP ?? 2_000);
/** V8 flags of the counted process (see the top of this file). */
const V8_FLAGS = ['--single-threaded', '--predictable', '--predictable-gc-schedule', '--expose-gc'];
const SHORT = 1_000;
const LONG = SHORT + Number(process.env.GATEHOUSE_INSTRUCTIONS_COUNT ?? 2_000);

/** Rows counted: bare Express and the MemoryStore Gatehouse rows of the issue. */
const ROWS = [
  { id: 'bare', label: 'bare Express route', server: 'bare', options: {} },
  { id: 'bearer-memory', label: 'Gatehouse opaque bearer (MemoryStore)', server: 'gatehouse', options: { scheme: 'bearer-memory', frozenClock: true } },
  { id: 'apiKey', label: 'Gatehouse API key (config map)', server: 'gatehouse', options: { scheme: 'apiKey', frozenClock: true } },
  // Issue 29: a store-issued API key counted against a rate limit in MemoryStore.
  { id: 'apiKeyLimited-memory', label: 'Gatehouse API key with a rate limit (MemoryStore)', server: 'gatehouse', options: { scheme: 'apiKeyLimited-memory', frozenClock: true } },
  { id: 'jwt', label: 'Gatehouse JWT HS256', server: 'gatehouse', options: { scheme: 'jwt', frozenClock: true } },
  { id: 'basic-repeated', label: 'Gatehouse Basic, repeated (verification cache)', server: 'gatehouse', options: { scheme: 'basic-repeated', frozenClock: true } },
  // Not one of the issue's rows: the cookie read path, counted only when named (`--only cookie`).
  { id: 'cookie', label: 'Gatehouse cookie session (MemoryStore)', server: 'gatehouse', options: { scheme: 'cookie', frozenClock: true }, onlyWhenNamed: true },
];

/** In the counted process: start the server, warm up, count SHORT then LONG − SHORT requests, exit. */
async function child(server, optionsJson) {
  const toggle = require(process.env.GATEHOUSE_CALLGRIND_TOGGLE);
  const create = require(path.join(__dirname, 'servers', `${server}.js`));
  const { app, prepare, close } = await create(JSON.parse(optionsJson));
  // No timer of node:http's may fire by the clock: under valgrind a request takes ~50 times as
  // long, and how often a clock-driven timer fires during the counted requests then depends on
  // the machine's load. Off: the keep-alive timeout (a pause longer than it, e.g. while
  // callgrind instruments everything afresh, also closed the socket under the client:
  // ECONNRESET), the request and headers timeouts with their periodic connection check, and
  // the Date header (formatted again once a second).
  const httpServer = http.createServer({ keepAliveTimeout: 0, requestTimeout: 0, headersTimeout: 0, connectionsCheckingInterval: 2 ** 31 - 1 }, (req, res) => {
    res.sendDate = false;
    app(req, res);
  });
  const listener = await new Promise((resolve) => {
    httpServer.listen(0, '127.0.0.1', () => resolve(httpServer));
  });
  const base = `http://127.0.0.1:${listener.address().port}`;
  const request = await prepare(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const once = () =>
    new Promise((resolve, reject) => {
      const req = http.request(`${base}${request.path}`, { agent, headers: request.headers }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${server} ${optionsJson}: answered ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
  for (let i = 0; i < WARMUP; i += 1) await once();
  globalThis.gc();
  // Counted from here only: requests 1 … SHORT into the first dump, SHORT + 1 … LONG into the second.
  toggle.start();
  for (let i = 0; i < SHORT; i += 1) await once();
  toggle.dump();
  for (let i = SHORT; i < LONG; i += 1) await once();
  toggle.dump();
  toggle.stop();
  agent.destroy();
  await new Promise((resolve) => listener.close(resolve));
  await close?.();
  // Timers a server may hold (sweeps, caches) would keep the process alive.
  process.exit(0);
}

let toggleAddon;

/** LONG as the parent sees it after `--count` (the child reads it from its environment). */
function longOf() {
  return SHORT + Number(process.env.GATEHOUSE_INSTRUCTIONS_COUNT ?? 2_000);
}

/** The `totals:` line of one callgrind dump. */
function totalOf(file, row) {
  const totals = /^totals: (\d+)/m.exec(fs.readFileSync(file, 'utf8'));
  if (!totals) throw new Error(`${row.id}: no totals line in ${file}`);
  return Number(totals[1]);
}

/**
 * One counted process: instructions per request over requests SHORT + 1 … LONG after the
 * warm-up (`perRequest`, the figure reported) and over requests 1 … SHORT (`first`, shown
 * for comparison).
 */
function countProcess(row, dir, keep) {
  const out = path.join(keep ?? dir, `callgrind.${row.id}.${Math.random().toString(36).slice(2)}`);
  const args = [
    '--tool=callgrind',
    '--smc-check=all-non-file',
    '--instr-atstart=no',
    '--collect-atstart=no',
    `--callgrind-out-file=${out}`,
    process.execPath,
    ...V8_FLAGS,
    // Only to name JIT code in a kept profile (bench/callgrind-summary.js); it changes the count a little.
    ...(keep ? ['--perf-basic-prof', '--no-logfile-per-isolate', `--logfile=${out}.v8.log`] : []),
    __filename,
    '--child',
    row.server,
    JSON.stringify(row.options),
  ];
  return new Promise((resolve, reject) => {
    const counted = execFile('valgrind', args, { env: { ...process.env, GATEHOUSE_CALLGRIND_TOGGLE: toggleAddon }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60 * 1000 }, (error, _stdout, stderr) => {
      try {
        if (error) throw new Error(`${row.id} failed under valgrind: ${error.message}\n${String(stderr).slice(-3000)}`);
        resolve({ first: totalOf(`${out}.1`, row) / SHORT, perRequest: totalOf(`${out}.2`, row) / (longOf() - SHORT) });
      } catch (failure) {
        reject(failure);
      } finally {
        if (keep) {
          const map = `/tmp/perf-${counted.pid}.map`;
          if (fs.existsSync(map)) fs.renameSync(map, `${out}.perf.map`);
          console.error(`[instructions] kept ${out}.2 (requests ${SHORT + 1}–${longOf()}); summarise with node bench/callgrind-summary.js ${out}.2 ${out}.perf.map`);
        } else {
          for (const file of [out, `${out}.1`, `${out}.2`]) fs.rmSync(file, { force: true });
        }
      }
    });
  });
}

/** Runs the thunks, at most `jobs` at a time (callgrind is single-threaded; one per core). */
async function pool(thunks, jobs) {
  const results = new Array(thunks.length);
  let next = 0;
  const worker = async () => {
    while (next < thunks.length) {
      const index = next++;
      results[index] = await thunks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, thunks.length) }, worker));
  return results;
}

const k = (n) => `${(n / 1000).toFixed(1)} k`;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(argv[1], argv[2]);
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('bench:instructions needs valgrind (apt-get install valgrind)');
  }
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt === -1 ? null : new Set(argv[onlyAt + 1].split(','));
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt === -1 ? 1 : Number(argv[runsAt + 1]);
  if (!(Number.isInteger(runs) && runs >= 1 && runs <= 5)) throw new Error('--runs takes a whole number from 1 to 5');
  // `--only` names rows besides bare Express, which is always counted unless `--no-bare` (to
  // count one row of another build against a bare run made already).
  const withBare = !argv.includes('--no-bare');
  const rows = ROWS.filter((row) => (row.id === 'bare' ? withBare : only ? only.has(row.id) : !row.onlyWhenNamed));
  // `--keep DIR`: keep each process's dumps (and V8's perf map, to name JIT code) in DIR.
  const keepAt = argv.indexOf('--keep');
  const keep = keepAt === -1 ? undefined : path.resolve(argv[keepAt + 1]);
  if (keep) fs.mkdirSync(keep, { recursive: true });
  const jobsAt = argv.indexOf('--jobs');
  const jobs = jobsAt === -1 ? 1 : Number(argv[jobsAt + 1]);
  if (!(Number.isInteger(jobs) && jobs >= 1 && jobs <= os.cpus().length)) throw new Error('--jobs takes a whole number from 1 to the number of CPUs');
  for (const [flag, variable] of [['--warmup', 'GATEHOUSE_INSTRUCTIONS_WARMUP'], ['--count', 'GATEHOUSE_INSTRUCTIONS_COUNT']]) {
    const at = argv.indexOf(flag);
    if (at === -1) continue;
    const value = Number(argv[at + 1]);
    if (!(Number.isInteger(value) && value >= 1000 && value <= 100_000)) throw new Error(`${flag} takes a whole number of requests from 1000 to 100000`);
    process.env[variable] = String(value);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-callgrind-'));
  toggleAddon = path.join(dir, 'toggle.node');
  execFileSync('gcc', ['-O2', '-shared', '-fPIC', '-o', toggleAddon, path.join(__dirname, 'callgrind', 'toggle.c')], { stdio: 'inherit' });
  const counts = new Map(rows.map((row) => [row.id, []]));
  const started = Date.now();
  try {
    const tasks = [];
    for (let run = 0; run < runs; run += 1) {
      for (const row of rows) tasks.push({ run, row });
    }
    const totals = await pool(
      tasks.map((task) => async () => {
        const count = await countProcess(task.row, dir, keep);
        console.error(`[instructions] ${Math.round((Date.now() - started) / 1000)} s: run ${task.run + 1}, ${task.row.id}: ${count.perRequest.toFixed(0)} instructions a request (requests 1–${SHORT}: ${count.first.toFixed(0)})`);
        return count;
      }),
      jobs,
    );
    tasks.forEach((task, i) => counts.get(task.row.id).push(totals[i].perRequest));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const bare = counts.get('bare') ?? counts.get(rows[0].id).map(() => Number.NaN);
  const header = ['| row |', ...Array.from({ length: runs }, (_, i) => ` run ${i + 1} instr/req |`), ...Array.from({ length: runs }, (_, i) => ` − bare, run ${i + 1} |`), runs > 1 ? ' median − median bare, % of bare |' : ' − bare, % of bare |'].join('');
  const lines = [header, `|---|${'---:|'.repeat(runs * 2 + 1)}`];
  for (const row of rows) {
    const values = counts.get(row.id);
    const extra = values.map((value, i) => value - bare[i]);
    // With several runs, the median row over the median bare run.
    const percent = runs > 1 ? (100 * (median(values) - median(bare))) / median(bare) : (100 * extra[0]) / bare[0];
    lines.push(`| ${row.label} | ${values.map(k).join(' | ')} | ${row.id === 'bare' ? values.map(() => '').join(' | ') : extra.map((e) => `${e < 0 ? '−' : '+'}${k(Math.abs(e))}`).join(' | ')} | ${row.id === 'bare' ? '' : `${percent < 0 ? '−' : '+'}${Math.abs(percent).toFixed(1)} %`} |`);
  }
  console.log(lines.join('\n'));
  if (runs > 1) {
    for (const row of rows) {
      const values = counts.get(row.id);
      const spread = (Math.max(...values) - Math.min(...values)) / Math.min(...values);
      console.log(`${row.id}: runs differ by ${(100 * spread).toFixed(2)} %`);
    }
  }
  console.error(`[instructions] ${Math.round((Date.now() - started) / 1000)} s, node ${process.version} ${V8_FLAGS.join(' ')}, valgrind ${execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim()}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
