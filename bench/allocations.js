#!/usr/bin/env node
// `node bench/allocations.js SERVER [OPTIONS] [--requests N] [--warmup N] [--top K]`: bytes allocated per
// request, in all and by the function that allocated them, under the load of a bench row.
// V8's sampling heap profiler (one sample per 1 KiB allocated) keeps the samples of objects
// the garbage collector has since freed, so this is what a request allocates, not what it
// leaves live. The server warms up with --warmup requests (default 30 000; 50 connections), then
// --requests are counted (default 20 000). Run the server with NODE_FLAGS=--no-turbo-inlining to see what an
// inlined callee allocates under its own name (the total hardly moves). Only 127.0.0.1.
//
// Example (bench/profiling.md, round 12):
//   NODE_FLAGS=--no-turbo-inlining node bench/allocations.js gatehouse '{"scheme":"apiKeyLimited-memory"}'
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');
const autocannon = require('autocannon');

const SAMPLER = `
const inspector = require('node:inspector');
const session = new inspector.Session();
session.connect();
process.on('message', (message) => {
  if (message?.type === 'allocations.start') {
    session.post('HeapProfiler.enable', () => session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }, (error) => process.send({ type: 'allocations.started', error: error ? String(error) : null })));
  }
  if (message?.type === 'allocations.stop') {
    session.post('HeapProfiler.stopSampling', (error, result) => process.send({ type: 'allocations.profile', error: error ? String(error) : null, profile: result && result.profile }));
  }
});
`;

function option(argv, name, fallback) {
  const at = argv.indexOf(name);
  if (at === -1) return fallback;
  const value = Number(argv[at + 1]);
  if (!(Number.isInteger(value) && value > 0 && value <= 1_000_000)) throw new Error(`${name} takes a whole number from 1 to 1000000`);
  return value;
}

function reply(child, type) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} from the server within 60 s`)), 60_000);
    const listen = (message) => {
      if (message?.type !== type) return;
      clearTimeout(timer);
      child.off('message', listen);
      if (message.error) reject(new Error(message.error));
      else resolve(message);
    };
    child.on('message', listen);
  });
}

/** Self bytes by `function file:line`, over the profile's tree. */
function bytesByFunction(profile) {
  const totals = new Map();
  const stack = [profile.head];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node.selfSize > 0) {
      const { functionName, url, lineNumber } = node.callFrame;
      const name = `${functionName || '(anonymous)'} ${url.replace(/^.*[\\/]/, '') || '(native)'}:${lineNumber + 1}`;
      totals.set(name, (totals.get(name) ?? 0) + node.selfSize);
    }
    stack.push(...node.children);
  }
  return totals;
}

async function main() {
  const argv = process.argv.slice(2);
  const [server, options = '{}'] = argv.filter((arg, i) => !arg.startsWith('--') && !(i > 0 && argv[i - 1].startsWith('--')));
  if (!server) throw new Error("usage: node bench/allocations.js SERVER ['{…options}'] [--requests N] [--warmup N] [--top K]");
  const requests = option(argv, '--requests', 20_000);
  const warmup = option(argv, '--warmup', 30_000);
  const top = option(argv, '--top', 30);
  const flags = process.env.NODE_FLAGS ? process.env.NODE_FLAGS.split(' ').filter(Boolean) : [];
  const child = spawn(process.execPath, [...flags, '--eval', SAMPLER.replace(/\n/g, ' ') + `process.argv.splice(1, 0, ''); require(${JSON.stringify(path.join(__dirname, 'server-child.js'))});`, '--', server, options], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await reply(child, 'ready');
    const load = { url: ready.base + ready.request.path, headers: ready.request.headers, connections: 50 };
    await autocannon({ ...load, amount: warmup });
    child.send({ type: 'allocations.start' });
    await reply(child, 'allocations.started');
    const result = await autocannon({ ...load, amount: requests });
    child.send({ type: 'allocations.stop' });
    const { profile } = await reply(child, 'allocations.profile');
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
    const counted = result.requests.total;
    const totals = bytesByFunction(profile);
    const all = [...totals.values()].reduce((sum, bytes) => sum + bytes, 0);
    console.log(`${server} ${options}: ${Math.round(all / counted)} bytes allocated a request (${counted} requests)`);
    for (const [name, bytes] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${String(Math.round(bytes / counted)).padStart(7)}  ${name}`);
  } finally {
    child.kill();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
