#!/usr/bin/env node
// `npm run bench:instructions [-- --only jwt,apiKey] [-- --runs 2] [-- --jobs 2] [-- --no-bare]`: CPU instructions per
// request, counted by valgrind's callgrind, free of the machine's timing noise (issue 20).
//
// Each row's server runs in one process with its client (sequential keep-alive requests over
// 127.0.0.1, node:http). A process answers 2 000 warm-up requests and then N measured ones;
// it runs under callgrind twice, with N = 1 000 and N = 3 000, and
//   instructions per request = (total(3 000) − total(1 000)) / 2 000,
// so start-up, module loading, the warm-up and exit cancel out. Client and server are both
// counted (as they would be by any in-process count), so "Gatehouse − bare" is the cost
// Gatehouse adds to one request.
//
// valgrind's --smc-check: V8 writes machine code into anonymous mappings and patches it in
// place (JIT code, inline caches, deoptimisation). callgrind must notice self-modifying
// code or it runs stale translations and crashes or miscounts; `all-non-file` (valgrind's
// default on x86) checks every anonymous mapping, which is where V8's code lives, and is
// passed explicitly so the count does not depend on a platform's default. `all` would also
// check file-backed code (node itself), which V8 never modifies, only slower.
//
// V8's background threads (concurrent compilation, concurrent and parallel GC) are counted
// too, and their share varies with scheduling; `--single-threaded` keeps that work on the
// main thread. V8 also schedules garbage collection partly by time (heap growing, idle
// time, the memory reducer), and under valgrind, ~50× slower, one major GC more or less in
// the measured requests moved a row by up to 20 % between runs (bench/profiling.md, round 4);
// `--predictable --predictable-gc-schedule` fix that schedule, and a `gc()` after the warm-up
// starts the measured requests of both runs from the same heap.
'use strict';
const { execFile, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const WARMUP = 2_000;
/** V8 flags of the counted process (see the top of this file). */
const V8_FLAGS = ['--single-threaded', '--predictable', '--predictable-gc-schedule', '--expose-gc'];
const SHORT = 1_000;
const LONG = 3_000;

/** Rows counted: bare Express and the MemoryStore Gatehouse rows of the issue. */
const ROWS = [
  { id: 'bare', label: 'bare Express route', server: 'bare', options: {} },
  { id: 'bearer-memory', label: 'Gatehouse opaque bearer (MemoryStore)', server: 'gatehouse', options: { scheme: 'bearer-memory' } },
  { id: 'apiKey', label: 'Gatehouse API key (config map)', server: 'gatehouse', options: { scheme: 'apiKey' } },
  { id: 'jwt', label: 'Gatehouse JWT HS256', server: 'gatehouse', options: { scheme: 'jwt' } },
  { id: 'basic-repeated', label: 'Gatehouse Basic, repeated (verification cache)', server: 'gatehouse', options: { scheme: 'basic-repeated' } },
];

/** In the counted process: start the server, warm up, send `count` requests, exit. */
async function child(server, optionsJson, count) {
  const create = require(path.join(__dirname, 'servers', `${server}.js`));
  const { app, prepare, close } = await create(JSON.parse(optionsJson));
  const listener = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
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
  globalThis.gc?.();
  for (let i = 0; i < count; i += 1) await once();
  agent.destroy();
  await new Promise((resolve) => listener.close(resolve));
  await close?.();
  // Timers a server may hold (sweeps, caches) would keep the process alive.
  process.exit(0);
}

/** Total instructions of one process under callgrind (the `summary:` line of its output). */
function countProcess(row, count, dir) {
  const out = path.join(dir, `callgrind.${row.id}.${count}.${Math.random().toString(36).slice(2)}`);
  const args = [
    '--tool=callgrind',
    '--smc-check=all-non-file',
    `--callgrind-out-file=${out}`,
    process.execPath,
    ...V8_FLAGS,
    __filename,
    '--child',
    row.server,
    JSON.stringify(row.options),
    String(count),
  ];
  return new Promise((resolve, reject) => {
    execFile('valgrind', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60 * 1000 }, (error, _stdout, stderr) => {
      if (error) return reject(new Error(`${row.id} (${count} requests) failed under valgrind: ${error.message}\n${String(stderr).slice(-3000)}`));
      const summary = /^summary: (\d+)/m.exec(fs.readFileSync(out, 'utf8'));
      fs.rmSync(out, { force: true });
      if (!summary) return reject(new Error(`${row.id}: no summary line in callgrind's output`));
      resolve(Number(summary[1]));
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

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(argv[1], argv[2], Number(argv[3]));
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
  const rows = ROWS.filter((row) => (row.id === 'bare' ? withBare : !only || only.has(row.id)));
  const jobsAt = argv.indexOf('--jobs');
  const jobs = jobsAt === -1 ? 1 : Number(argv[jobsAt + 1]);
  if (!(Number.isInteger(jobs) && jobs >= 1 && jobs <= os.cpus().length)) throw new Error('--jobs takes a whole number from 1 to the number of CPUs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-callgrind-'));
  const counts = new Map(rows.map((row) => [row.id, []]));
  const started = Date.now();
  try {
    const tasks = [];
    for (let run = 0; run < runs; run += 1) {
      for (const row of rows) {
        for (const count of [SHORT, LONG]) {
          tasks.push({ run, row, count });
        }
      }
    }
    const totals = await pool(
      tasks.map((task) => async () => {
        const total = await countProcess(task.row, task.count, dir);
        console.error(`[instructions] ${Math.round((Date.now() - started) / 1000)} s: run ${task.run + 1}, ${task.row.id}, ${task.count} requests: ${total} instructions`);
        return total;
      }),
      jobs,
    );
    for (let i = 0; i < tasks.length; i += 2) {
      counts.get(tasks[i].row.id).push((totals[i + 1] - totals[i]) / (LONG - SHORT));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const bare = counts.get('bare') ?? counts.get(rows[0].id).map(() => Number.NaN);
  const header = ['| row |', ...Array.from({ length: runs }, (_, i) => ` run ${i + 1} instr/req |`), ...Array.from({ length: runs }, (_, i) => ` − bare, run ${i + 1} |`), ' − bare, % of bare |'].join('');
  const lines = [header, `|---|${'---:|'.repeat(runs * 2 + 1)}`];
  for (const row of rows) {
    const values = counts.get(row.id);
    const extra = values.map((value, i) => value - bare[i]);
    const percent = (100 * extra[0]) / bare[0];
    lines.push(`| ${row.label} | ${values.map(k).join(' | ')} | ${row.id === 'bare' ? values.map(() => '').join(' | ') : extra.map((e) => `+${k(e)}`).join(' | ')} | ${row.id === 'bare' ? '' : `${percent.toFixed(1)} %`} |`);
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
