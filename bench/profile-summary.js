#!/usr/bin/env node
// `node bench/profile-summary.js <file.cpuprofile> [--top N]`: where a server spent its CPU.
// Prints self time by function and by package (node_modules/<name>, gatehouse's dist/,
// node: internals), as shares of the samples taken while the process was not idle.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const IDLE = new Set(['(idle)', '(program)', '(garbage collector)']);

/** The package a script URL belongs to: `express`, `gatehouse`, `node:http`, … */
function ownerOf(url) {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return url.split('/')[0];
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.includes('/dist/')) return 'gatehouse';
  if (url.includes('/bench/')) return 'bench server';
  return url;
}

/** Self time per node id, from the sample list (robust to missing timeDeltas). */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const micros = new Map();
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas ? Math.max(0, profile.timeDeltas[i] ?? 0) : 1;
    micros.set(id, (micros.get(id) ?? 0) + delta);
  });
  return [...micros].map(([id, time]) => ({ node: byId.get(id), time }));
}

function summarise(profile, top) {
  const rows = selfTimes(profile);
  const gc = rows.filter((r) => r.node.callFrame.functionName === '(garbage collector)').reduce((s, r) => s + r.time, 0);
  const busy = rows.filter((r) => !IDLE.has(r.node.callFrame.functionName));
  const total = busy.reduce((sum, r) => sum + r.time, 0) + gc;
  const add = (map, key, time) => map.set(key, (map.get(key) ?? 0) + time);
  const byFunction = new Map();
  const byOwner = new Map();
  for (const { node, time } of busy) {
    const { functionName, url, lineNumber } = node.callFrame;
    add(byFunction, `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''} [${ownerOf(url)}]`, time);
    add(byOwner, ownerOf(url), time);
  }
  add(byOwner, '(garbage collector)', gc);
  const pct = (time) => `${((100 * time) / total).toFixed(1).padStart(5)}%`;
  const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]);
  return [
    'by package (self time):',
    ...sorted(byOwner).slice(0, top).map(([key, time]) => `  ${pct(time)}  ${key}`),
    '',
    `top ${top} functions (self time):`,
    ...sorted(byFunction).slice(0, top).map(([key, time]) => `  ${pct(time)}  ${key}`),
  ].join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt === -1 ? 25 : Number(args[topAt + 1]);
  const files = args.filter((_, i) => topAt === -1 || (i !== topAt && i !== topAt + 1));
  if (files.length === 0) {
    console.error('usage: node bench/profile-summary.js <file.cpuprofile> [--top N]');
    process.exit(2);
  }
  for (const file of files) console.log(`## ${file}\n${summarise(JSON.parse(fs.readFileSync(file, 'utf8')), top)}\n`);
}

module.exports = { summarise, ownerOf };
