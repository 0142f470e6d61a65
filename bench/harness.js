// Starts each server in its own process on 127.0.0.1 and drives it with autocannon from
// this one: warm-up, then measured windows, reporting the median. Everything is bounded.
'use strict';
const { execFile, fork } = require('node:child_process');
const path = require('node:path');
const autocannon = require('autocannon');

/** Starts bench/servers/<server>.js in a child process; resolves to { child, base, request }. */
function startServer(row) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'server-child.js'), [row.server, JSON.stringify(row.options || {})], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${row.id}: server did not start within 120 s`));
    }, 120_000);
    child.once('message', (message) => {
      clearTimeout(timer);
      if (message.type === 'ready') resolve({ child, base: message.base, request: message.request });
      else {
        child.kill();
        reject(new Error(`${row.id}: ${message.message}`));
      }
    });
    child.once('exit', (code) => reject(new Error(`${row.id}: server exited with ${code}`)));
  });
}

function stopServer(server) {
  return new Promise((resolve) => {
    server.child.once('exit', resolve);
    server.child.kill();
  });
}

function cannon(url, request, { connections, seconds }) {
  return autocannon({ url: url + request.path, method: request.method || 'GET', headers: request.headers, body: request.body, connections, duration: seconds });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Measures one row: req/s and p99 (medians of `repetitions` windows) and any non-2xx answers. */
async function measure(row, settings) {
  const server = await startServer(row);
  try {
    await cannon(server.base, server.request, { connections: settings.connections, seconds: settings.warmupSeconds });
    const windows = [];
    for (let i = 0; i < settings.repetitions; i += 1) {
      windows.push(await cannon(server.base, server.request, { connections: settings.connections, seconds: settings.seconds }));
    }
    return {
      id: row.id,
      label: row.label,
      requestsPerSecond: median(windows.map((w) => w.requests.average)),
      p99Ms: median(windows.map((w) => w.latency.p99)),
      non2xx: windows.reduce((sum, w) => sum + w.non2xx + w.errors, 0),
      target: row.target ?? null,
    };
  } finally {
    await stopServer(server);
  }
}

/** p99 of the public route while `attackers` wrong-password Basic requests are kept in flight. */
async function measureEventLoop(row, settings) {
  const server = await startServer(row);
  try {
    const wrong = { path: '/v1/projects', headers: { 'X-Forwarded-Proto': 'https', Authorization: `Basic ${Buffer.from('alice@example.org:wrong password').toString('base64')}` } };
    const seconds = settings.seconds + settings.warmupSeconds + 1;
    const attack = new Promise((resolve, reject) => {
      const args = JSON.stringify({ url: server.base + wrong.path, headers: wrong.headers, connections: 200, seconds });
      execFile(process.execPath, [path.join(__dirname, 'attacker.js'), args], { timeout: (seconds + 30) * 1000 }, (error, stdout) =>
        error ? reject(error) : resolve(JSON.parse(stdout)),
      );
    });
    await new Promise((resolve) => setTimeout(resolve, settings.warmupSeconds * 1000));
    const probe = await cannon(server.base, { path: '/v1/public', headers: {} }, { connections: 10, seconds: settings.seconds });
    const attackResult = await attack;
    return {
      id: row.id,
      label: row.label,
      p99Ms: probe.latency.p99,
      publicRequestsPerSecond: probe.requests.average,
      attackRequestsPerSecond: attackResult.requestsPerSecond,
      targetP99Ms: row.targetP99Ms,
    };
  } finally {
    await stopServer(server);
  }
}

/**
 * Runs the rows and resolves to the results with ratios. The baseline is measured first
 * and last and averaged, so drift during the run is shared fairly.
 */
async function runBench({ rows, scaling = [], eventLoop = [], settings, log = () => {} }) {
  const baselineRow = rows.find((row) => row.id === 'bare');
  if (!baselineRow) throw new Error('the bare Express row is required: every ratio is to it');
  const others = rows.filter((row) => row !== baselineRow);
  const firstBaseline = await measure(baselineRow, settings);
  log(`measured ${baselineRow.id}`);
  const results = [];
  for (const row of [...others, ...scaling]) {
    results.push(await measure(row, settings));
    log(`measured ${row.id}`);
  }
  const lastBaseline = await measure(baselineRow, settings);
  const baseline = {
    ...firstBaseline,
    requestsPerSecond: (firstBaseline.requestsPerSecond + lastBaseline.requestsPerSecond) / 2,
    p99Ms: Math.max(firstBaseline.p99Ms, lastBaseline.p99Ms),
    non2xx: firstBaseline.non2xx + lastBaseline.non2xx,
  };
  const withRatio = (result) => {
    const ratio = result.requestsPerSecond / baseline.requestsPerSecond;
    return { ...result, ratio, pass: result.target === null ? null : ratio >= result.target };
  };
  const loops = [];
  for (const row of eventLoop) {
    loops.push(await measureEventLoop(row, settings));
    log(`measured ${row.id}`);
  }
  return {
    baseline: withRatio(baseline),
    rows: results.filter((r) => !scaling.some((s) => s.id === r.id)).map(withRatio),
    scaling: results.filter((r) => scaling.some((s) => s.id === r.id)).map(withRatio),
    eventLoop: loops.map((loop) => ({ ...loop, pass: loop.targetP99Ms === undefined ? null : loop.p99Ms < loop.targetP99Ms })),
  };
}

module.exports = { runBench, measure, startServer };
