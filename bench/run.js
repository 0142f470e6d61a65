#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only apiKey,jwt]`: measures every row in one run and
// writes bench/RESULTS.md. Only 127.0.0.1 is ever contacted.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runBench } = require('./harness');
const { ROWS, SCALING, EVENT_LOOP } = require('./rows');

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
  return { quick, only, write: !argv.includes('--no-write') };
}

const fmt = (n, digits = 0) => (n === null || n === undefined ? '—' : Number(n).toFixed(digits));
const verdict = (pass) => (pass === null || pass === undefined ? '' : pass ? 'pass' : 'MISS');

function table(results) {
  const lines = ['| row | req/s | p99 ms | ratio to bare | target | |', '|---|---:|---:|---:|---:|---|'];
  for (const r of [results.baseline, ...results.rows]) {
    lines.push(`| ${r.label} | ${fmt(r.requestsPerSecond)} | ${fmt(r.p99Ms)} | ${fmt(r.ratio, 2)} | ${r.target === null ? '' : `≥ ${r.target}`} | ${verdict(r.pass)}${r.non2xx ? ` (${r.non2xx} non-2xx!)` : ''} |`);
  }
  if (results.scaling.length) {
    lines.push('', '| scaling | req/s | p99 ms | ratio to bare |', '|---|---:|---:|---:|');
    for (const r of results.scaling) lines.push(`| ${r.label} | ${fmt(r.requestsPerSecond)} | ${fmt(r.p99Ms)} | ${fmt(r.ratio, 2)} |`);
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
  const { quick, only, write } = parseArgs(process.argv.slice(2));
  ensureBuilt();
  const settings = quick
    ? { connections: 50, warmupSeconds: 1, seconds: 3, repetitions: 1 }
    : { connections: 50, warmupSeconds: 3, seconds: 8, repetitions: 3 };
  const keep = (row) => !only || only.has(row.id) || row.id === 'bare';
  const started = Date.now();
  const results = await runBench({
    rows: ROWS.filter(keep),
    scaling: SCALING.filter(keep),
    eventLoop: EVENT_LOOP.filter(keep),
    settings,
    log: (line) => console.error(`[bench] ${line}`),
  });
  const output = table(results);
  console.log(output);
  if (!write) return;
  const cpus = os.cpus();
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const report = [
    '# Benchmark results',
    '',
    `Command: \`${command}\` — ${quick ? 'quick mode (1 window of 3 s after 1 s warm-up)' : `median of ${settings.repetitions} windows of ${settings.seconds} s after ${settings.warmupSeconds} s warm-up`}, ${settings.connections} connections, autocannon in the parent process, each server in its own process on 127.0.0.1.`,
    `Node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${new Date(started).toISOString()}, ${Math.round((Date.now() - started) / 1000)} s.`,
    'Ratios are req/s relative to the bare Express route measured in the same run (first and last, averaged). bcrypt cost 10 in every Basic row.',
    'On a 2-core machine the load generator shares the CPU with the server; ratios vary by about ±5% from run to run.',
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
