#!/usr/bin/env node
// `node bench/callgrind-summary.js <callgrind.out> [perf-<pid>.map] [--top 40]`: self and
// inclusive instructions per function of one callgrind dump, with V8's JIT code named from
// the perf map `node --perf-basic-prof` writes (callgrind itself only sees an address for it).
// Made for the dumps `npm run bench:instructions -- --profile <row>` keeps (bench/profiling.md).
'use strict';
const fs = require('node:fs');

const [file, mapFile] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--top' && all[i - 1] !== '--callers');
// `--callers TEXT`: also list who calls the functions whose name contains TEXT, with the cost of those calls.
const callersAt = process.argv.indexOf('--callers');
const callersOf = callersAt === -1 ? null : process.argv[callersAt + 1];
const callers = new Map();
const topAt = process.argv.indexOf('--top');
const top = topAt === -1 ? 40 : Number(process.argv[topAt + 1]);
if (!file) throw new Error('usage: node bench/callgrind-summary.js <callgrind.out> [perf-<pid>.map] [--top 40]');

/** Sorted [start, end, name] of the perf map, for JIT code callgrind shows as 0x… */
const ranges = [];
if (mapFile) {
  for (const line of fs.readFileSync(mapFile, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (m) ranges.push([parseInt(m[1], 16), parseInt(m[1], 16) + parseInt(m[2], 16), m[3]]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
}
function jitName(address) {
  let lo = 0;
  let hi = ranges.length - 1;
  let found = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid][0] <= address) {
      found = ranges[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found && address < found[1] ? found[2] : null;
}

const names = new Map(); // "(id)" → name
function nameOf(spec) {
  const m = /^\((\d+)\)(?: (.*))?$/.exec(spec);
  if (!m) return spec;
  if (m[2] !== undefined) names.set(m[1], m[2]);
  return names.get(m[1]);
}
function display(name) {
  if (/^0x[0-9a-f]+$/.test(name)) return jitName(parseInt(name, 16)) ?? `${name} (JIT, unnamed)`;
  return name;
}

const self = new Map();
const inclusive = new Map();
let current = null;
let pendingCall = null;
let inCall = false;
for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
  if (line.startsWith('fn=')) {
    current = display(nameOf(line.slice(3)));
    continue;
  }
  if (line.startsWith('cfn=')) {
    pendingCall = display(nameOf(line.slice(4)));
    continue;
  }
  if (line.startsWith('calls=')) {
    inCall = true;
    continue;
  }
  if (/^[+\-*0-9]/.test(line) && current) {
    const parts = line.trim().split(/\s+/);
    const cost = Number(parts[1] ?? 0);
    if (inCall) {
      if (pendingCall !== current) inclusive.set(current, (inclusive.get(current) ?? 0) + cost);
      if (callersOf !== null && pendingCall.includes(callersOf)) callers.set(`${current}  →  ${pendingCall}`, (callers.get(`${current}  →  ${pendingCall}`) ?? 0) + cost);
      inCall = false;
    } else {
      self.set(current, (self.get(current) ?? 0) + cost);
      inclusive.set(current, (inclusive.get(current) ?? 0) + cost);
    }
    continue;
  }
  // Other lines name files and objects, whose ids the fn/cfn lines do not use.
  const spec = /^(?:fl|fi|fe|cfi|cfl|ob|cob)=(.*)$/.exec(line);
  if (spec) void spec;
}
const totals = /^totals: (\d+)/m.exec(fs.readFileSync(file, 'utf8'));
const total = totals ? Number(totals[1]) : [...self.values()].reduce((a, b) => a + b, 0);
const pct = (n) => `${((100 * n) / total).toFixed(2)} %`;
console.log(`total ${total}`);
console.log('\nself');
for (const [name, cost] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${String(cost).padStart(12)} ${pct(cost).padStart(8)}  ${name}`);
console.log('\ninclusive');
for (const [name, cost] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${String(cost).padStart(12)} ${pct(cost).padStart(8)}  ${name}`);
if (callersOf !== null) {
  console.log(`\ncallers of *${callersOf}*`);
  for (const [name, cost] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${String(cost).padStart(12)} ${pct(cost).padStart(8)}  ${name}`);
}
