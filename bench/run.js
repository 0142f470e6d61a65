#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only apiKey,jwt]`: measures every row in one run and
// writes bench/RESULTS.md. Only 127.0.0.1 is ever contacted.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runBench, pinLoadGenerator } = require('./harness');
const { ROWS, SCALING, EVENT_LOOP, BCRYPT_CONNECTIONS } = require('./rows');
const { startRedisCluster } = require('./redis-cluster');

const ROOT = path.resolve(__dirname, '..');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than src/, since the servers load the package by name. */
function ensureBuilt() {
  const built = path.join(ROOT, 'dist', 'index.js');
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestMtime(path.join(ROOT, 'src'))) return;
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'inherit' });
}

function parseArgs(argv) {
  const quick = argv.includes('--quick');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt === -1 ? null : new Set(argv[onlyAt + 1].split(','));
  const profileAt = argv.indexOf('--cpu-prof');
  const cpuProfileDir = profileAt === -1 ? null : path.resolve(argv[profileAt + 1] && !argv[profileAt + 1].startsWith('--') ? argv[profileAt + 1] : path.join(__dirname, '.runs', 'profiles'));
  const pairsAt = argv.indexOf('--pairs');
  const pairs = pairsAt === -1 ? null : Number(argv[pairsAt + 1]);
  if (pairs !== null && !(Number.isInteger(pairs) && pairs >= 1 && pairs <= 200)) throw new Error('--pairs takes a whole number from 1 to 200');
  return { quick, only, pairs, cpuProfileDir, write: !argv.includes('--no-write') && cpuProfileDir === null };
}

const fmt = (n, digits = 0) => (n === null || n === undefined ? '—' : Number(n).toFixed(digits));
const verdict = (pass) => (pass === null || pass === undefined ? '' : pass ? 'pass' : 'MISS');

/** A target row's verdict, flagged when the median's confidence interval holds the target on both sides. */
function targetVerdict(r) {
  const base = verdict(r.pass);
  const interval = r.ratioInterval;
  if (base === '') return base;
  const pairs = r.ratios ? r.ratios.length : 0;
  // Below 6 pairs there is no 95% interval: the verdict is a hint, not a measurement.
  if (!interval) return `${base} (indicative: ${pairs} pair${pairs === 1 ? '' : 's'})`;
  const straddles = interval[0] < r.target && r.target <= interval[1];
  return straddles ? `${base} (within noise)` : base;
}

const span = (pair, digits = 2) => (pair ? `${fmt(pair[0], digits)}–${fmt(pair[1], digits)}` : '');

function table(results) {
  const lines = [
    '| row | req/s | p99 ms | server CPU µs/req | ratio to bare | 95% CI | pair range | target | |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of [results.baseline, ...results.rows]) {
    const failures = r.non2xx ? ` (${r.non2xx} non-2xx!)` : '';
    lines.push(`| ${r.label} | ${fmt(r.requestsPerSecond)} | ${fmt(r.p99Ms)} | ${fmt(r.cpuMicrosPerRequest)} | ${fmt(r.ratio, r.target === null ? 2 : 3)} | ${span(r.ratioInterval)} | ${span(r.ratioRange)} | ${r.target === null ? '' : `≥ ${r.target}`} | ${targetVerdict(r)}${failures} |`);
  }
  if (results.scaling.length) {
    lines.push('', '| scaling | req/s | p99 ms | server CPU µs/req | ratio to bare | 95% CI | pairs |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const r of results.scaling) lines.push(`| ${r.label} | ${fmt(r.requestsPerSecond)} | ${fmt(r.p99Ms)} | ${fmt(r.cpuMicrosPerRequest)} | ${fmt(r.ratio, 2)} | ${span(r.ratioInterval)} | ${span(r.ratioRange)} |`);
  }
  if (results.eventLoop.length) {
    lines.push('', '| event loop | public p99 ms | public req/s | wrong-password req/s | target | |', '|---|---:|---:|---:|---:|---|');
    for (const e of results.eventLoop) {
      lines.push(`| ${e.label} | ${fmt(e.p99Ms)} | ${fmt(e.publicRequestsPerSecond)} | ${fmt(e.attackRequestsPerSecond)} | ${e.targetP99Ms === undefined ? '' : `< ${e.targetP99Ms} ms`} | ${verdict(e.pass)} |`);
    }
  }
  return lines.join('\n');
}

async function main() {
  const { quick, only, pairs, cpuProfileDir, write } = parseArgs(process.argv.slice(2));
  ensureBuilt();
  const keep = (row) => row.id === 'bare' || (only ? only.has(row.id) : !(quick && row.diagnostic));
  // The cluster rows' Redis Cluster, started before this process is pinned so its nodes are not.
  let cluster = null;
  if (!process.env.REDIS_CLUSTER_NODES && ROWS.some((row) => keep(row) && row.id.endsWith('-redis-cluster'))) {
    cluster = await startRedisCluster();
    process.env.REDIS_CLUSTER_NODES = cluster.nodes;
    process.on('exit', () => cluster.stop());
  }
  const plan = pinLoadGenerator();
  const settings = quick
    ? { connections: 50, warmupSeconds: 1.5, seconds: 1.5, repetitions: 1 }
    : { connections: 50, warmupSeconds: 3, seconds: 2, repetitions: 15 };
  if (pairs !== null) settings.repetitions = pairs;
  if (cpuProfileDir) {
    settings.cpuProfileDir = cpuProfileDir;
    console.error(`[bench] CPU profiles of each server go to ${cpuProfileDir} (summarise with node bench/profile-summary.js); RESULTS.md is not written`);
  }
  // Quick runs leave out the diagnostic rows (Express floors, the method's bias) unless named (keep, above).
  const started = Date.now();
  const results = await runBench({
    rows: ROWS.filter(keep),
    scaling: SCALING.filter(keep),
    eventLoop: EVENT_LOOP.filter(keep),
    settings,
    log: (line) => console.error(`[bench] ${Math.round((Date.now() - started) / 1000)} s: ${line}`),
  });
  const output = table(results);
  console.log(output);
  if (!write) return;
  const cpus = os.cpus();
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const report = [
    '# Benchmark results',
    '',
    `Command: \`${command}\``,
    '',
    `Node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${new Date(started).toISOString()}, ${Math.round((Date.now() - started) / 1000)} s.`,
    '',
    'How it measures:',
    `- Every server runs in its own process on 127.0.0.1; autocannon (${settings.connections} connections; the bcrypt-on-every-request rows ${BCRYPT_CONNECTIONS}) runs in the runner's process.`,
    plan
      ? `- CPUs: each throughput server is pinned to CPU ${plan.server} and the load generator to CPU ${plan.loadGenerator} (\`taskset\`), so they never share a core; the bcrypt rows and the event-loop rows are left to the scheduler.`
      : '- CPUs: not pinned (no `taskset`, a single core, or BENCH_NO_PIN set): the load generator and the server share the cores.',
    `- One bare Express server runs for the whole run. Each row gets a ${settings.warmupSeconds} s warm-up, then ${settings.repetitions} pair(s) of ${settings.seconds} s windows, the row's and bare Express's, in alternating order. Each pair gives a ratio; the table shows the median ratio, its 95% confidence interval (order statistics, no distribution assumed; from 6 pairs on) and the lowest and highest ratio ("pairs"). A verdict is "within noise" when that interval holds the target, and "indicative" below 6 pairs (no interval). req/s and p99 are medians of the row's windows; the bare row's are over all of its windows.`,
    '- Server CPU µs/req is the server process\'s user + system CPU time in a window divided by the requests it answered (median of the windows).',
    '- bcrypt cost 10 in every Basic row.',
    '',
    output,
    '',
  ].join('\n');
  const notes = path.join(__dirname, 'profiling.md');
  const withNotes = fs.existsSync(notes) ? `${report}\n${fs.readFileSync(notes, 'utf8')}` : report;
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), withNotes);
  console.error('[bench] wrote bench/RESULTS.md');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
