#!/usr/bin/env node
// `node bench/variants.js 'label=ROOT:SERVER:OPTIONS;…' [rounds]`: the same load against
// several servers at once — builds of one row side by side (this checkout and an older one
// checked out elsewhere), or a row beside bare Express — in alternating 2 s windows after a 3 s
// warm-up each, and the median server CPU time per request of each (user + system, and the
// system part alone), with req/s and the page faults a request (minor and major, of the server
// process: on a VM each costs microseconds; bench/profiling.md, round 14). A difference between builds of one row is then read in
// the same minutes of the same machine. Only 127.0.0.1 is contacted.
//
//   ROOT     a checkout with dist/ built and node_modules (a symlink to this one's will do)
//   SERVER   a module of ROOT/bench/servers (bare, gatehouse, …)
//   OPTIONS  its options as JSON (for gatehouse: {"scheme":"apiKeyLimited-memory"}); default {}
//
// Example (bench/profiling.md, round 12):
//   git worktree add --detach /tmp/before 890cec5 && ln -s $PWD/node_modules /tmp/before/ && (cd /tmp/before && node scripts/build.js)
//   node bench/variants.js "bare=$PWD:bare;before=/tmp/before:gatehouse:{\"scheme\":\"apiKeyLimited-memory\"};after=$PWD:gatehouse:{\"scheme\":\"apiKeyLimited-memory\"}" 8
//
// Environment: CONNECTIONS (default 50); WARMUP_SECONDS (3) and WINDOW_SECONDS (2); NODE_FLAGS,
// extra node flags for every server (such as --max-semi-space-size=64). As in `npm run bench`, each server is pinned to the last core
// and this process to the others when `taskset` and two cores are there.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { median } = require('./median');

const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((file) => fs.existsSync(file)) ?? null;
const CORES = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
const PIN = TASKSET && CORES >= 2 ? { server: String(CORES - 1), client: `0-${CORES - 2}` } : null;
const CONNECTIONS = Number(process.env.CONNECTIONS || 50);
const WARMUP_SECONDS = Number(process.env.WARMUP_SECONDS || 3);
const WINDOW_SECONDS = Number(process.env.WINDOW_SECONDS || 2);
const NODE_FLAGS = process.env.NODE_FLAGS ? process.env.NODE_FLAGS.split(' ').filter(Boolean) : [];

function parseVariants(spec) {
  if (!spec) throw new Error("usage: node bench/variants.js 'label=ROOT:SERVER:OPTIONS;…' [rounds]");
  return spec.split(';').map((part) => {
    const at = part.indexOf('=');
    const [root, server, ...options] = part.slice(at + 1).split(':');
    if (at < 1 || !root || !server) throw new Error(`cannot read the variant "${part}": label=ROOT:SERVER:OPTIONS`);
    return { label: part.slice(0, at), root: path.resolve(root), server, options: options.length > 0 ? options.join(':') : '{}' };
  });
}

function start(variant) {
  return new Promise((resolve, reject) => {
    const node = [...NODE_FLAGS, path.join(variant.root, 'bench', 'server-child.js'), variant.server, variant.options];
    const [command, args] = PIN ? [TASKSET, ['-c', PIN.server, process.execPath, ...node]] : [process.execPath, node];
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => reject(new Error(`${variant.label}: no server within 120 s`)), 120_000);
    child.once('message', (message) => {
      clearTimeout(timer);
      if (message.type === 'ready') resolve({ variant, child, base: message.base, request: message.request });
      else reject(new Error(`${variant.label}: ${message.message}`));
    });
  });
}

function cpu(server) {
  return new Promise((resolve) => {
    server.child.once('message', (message) => resolve(message));
    server.child.send({ type: 'cpu' });
  });
}

async function window(server, seconds) {
  const before = await cpu(server);
  const result = await autocannon({ url: server.base + server.request.path, headers: server.request.headers, connections: CONNECTIONS, duration: seconds });
  const after = await cpu(server);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${server.variant.label}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  const requests = result.requests.total;
  return {
    requestsPerSecond: requests / result.duration,
    cpuMicros: (after.user + after.system - before.user - before.system) / requests,
    systemMicros: (after.system - before.system) / requests,
    // A checkout from before round 14 does not report page faults.
    pageFaults: typeof after.pageFaults === 'number' ? (after.pageFaults - before.pageFaults) / requests : null,
  };
}

function faultsColumn(faults) {
  if (faults.includes(null)) return '—';
  return `${median(faults).toFixed(2)} (${Math.min(...faults).toFixed(2)}–${Math.max(...faults).toFixed(2)})`;
}

async function main() {
  const variants = parseVariants(process.argv[2]);
  const rounds = Number(process.argv[3] || 8);
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 100)) throw new Error('rounds: a whole number from 1 to 100');
  if (PIN) execFileSync(TASKSET, ['-a', '-p', '-c', PIN.client, String(process.pid)], { stdio: 'ignore' });
  const servers = [];
  try {
    for (const variant of variants) {
      const server = await start(variant);
      servers.push(server);
      await window(server, WARMUP_SECONDS);
    }
    const windows = servers.map(() => []);
    for (let round = 0; round < rounds; round += 1) {
      // Alternate the order, so that a drift of the machine weighs on every variant alike.
      const order = round % 2 === 0 ? [...servers.keys()] : [...servers.keys()].reverse();
      for (const i of order) windows[i].push(await window(servers[i], WINDOW_SECONDS));
    }
    console.log('| variant | server CPU µs/req (median, range) | of which system | req/s | page faults/req (median, range) |');
    console.log('|---|---:|---:|---:|---:|');
    servers.forEach((server, i) => {
      const cpuMicros = windows[i].map((w) => w.cpuMicros);
      console.log(
        `| ${server.variant.label} | ${median(cpuMicros).toFixed(1)} (${Math.min(...cpuMicros).toFixed(1)}–${Math.max(...cpuMicros).toFixed(1)}) | ${median(windows[i].map((w) => w.systemMicros)).toFixed(1)} | ${Math.round(median(windows[i].map((w) => w.requestsPerSecond)))} | ${faultsColumn(windows[i].map((w) => w.pageFaults))} |`,
      );
    });
  } finally {
    for (const server of servers) server.child.kill();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
