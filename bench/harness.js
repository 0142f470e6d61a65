// Starts each server in its own process on 127.0.0.1 and drives it with autocannon from
// this one: warm-up, then measured windows, reporting the median. Everything is bounded.
'use strict';
const { execFile, execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { median, medianInterval } = require('./median');

const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((file) => fs.existsSync(file)) ?? null;

/**
 * Where processes run. With two or more cores and `taskset`, a throughput server gets the
 * last core to itself and the load generator (this process) the others, so the two never
 * take turns on one core and a row's req/s measures the server's CPU cost per request.
 * Rows that run bcrypt on libuv threads (`pin: false`) are left to the scheduler.
 */
function planCpus() {
  // Read once, before this process is pinned: the count follows this process's affinity.
  const cores = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  if (!TASKSET || cores < 2 || process.env.BENCH_NO_PIN) return null;
  return { server: String(cores - 1), loadGenerator: `0-${cores - 2}`, all: `0-${cores - 1}` };
}
const CPU_PLAN = planCpus();

/** Pins this process (the load generator) away from the server's core; returns the plan or null. */
function pinLoadGenerator() {
  if (CPU_PLAN) execFileSync(TASKSET, ['-a', '-p', '-c', CPU_PLAN.loadGenerator, String(process.pid)], { stdio: 'ignore' });
  return CPU_PLAN;
}

/** Starts bench/servers/<server>.js in a child process; resolves to { child, base, request }. */
function startServer(row, settings) {
  return new Promise((resolve, reject) => {
    const profile = settings?.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', settings.cpuProfileDir, '--cpu-prof-name', `${row.id}.cpuprofile`] : [];
    const node = [...profile, path.join(__dirname, 'server-child.js'), row.server, JSON.stringify(row.options || {})];
    // A server left to the scheduler must not inherit this process's pinned CPU either.
    const cpus = row.pin === false ? CPU_PLAN?.all : CPU_PLAN?.server;
    const [command, args] = cpus ? [TASKSET, ['-c', cpus, process.execPath, ...node]] : [process.execPath, node];
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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

/** The server's own CPU time in µs (user + system), asked over IPC. */
function serverCpu(server) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not report its CPU time within 10 s')), 10_000);
    server.child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message.user + message.system);
    });
    server.child.send({ type: 'cpu' });
  });
}

/** One measured window: autocannon's numbers plus the server's CPU time per answered request. */
async function window(server, settings) {
  const cpuBefore = await serverCpu(server);
  const result = await cannon(server.base, server.request, { connections: settings.connections, seconds: settings.seconds });
  const cpuUsed = (await serverCpu(server)) - cpuBefore;
  return {
    // Answered requests over the window's own length: autocannon's per-second average reads 0
    // when a loaded machine lets its one-second tick pass before the first answer.
    requestsPerSecond: result.duration > 0 ? result.requests.total / result.duration : 0,
    p99Ms: result.latency.p99,
    cpuMicrosPerRequest: result.requests.total > 0 ? cpuUsed / result.requests.total : null,
    failures: result.non2xx + result.errors,
  };
}

/** A row's result from its windows; `ratios` are the per-pair ratios to bare Express. */
function summarise(row, windows, ratios) {
  return {
    id: row.id,
    label: row.label,
    requestsPerSecond: median(windows.map((w) => w.requestsPerSecond)),
    p99Ms: median(windows.map((w) => w.p99Ms)),
    cpuMicrosPerRequest: windows.some((w) => w.cpuMicrosPerRequest === null) ? null : median(windows.map((w) => w.cpuMicrosPerRequest)),
    non2xx: windows.reduce((sum, w) => sum + w.failures, 0),
    ratio: ratios ? median(ratios) : null,
    ratioRange: ratios ? [Math.min(...ratios), Math.max(...ratios)] : null,
    // 95% confidence interval of the median ratio; null below 6 pairs.
    ratioInterval: ratios ? medianInterval(ratios) : null,
    ratios,
    target: row.target ?? null,
  };
}

/**
 * Measures one row against the running bare Express server: after a warm-up, windows of
 * the row and of bare Express alternate (bare first, then the row first, and so on), and
 * each pair gives one ratio. Noise that lasts longer than a pair (another process, the
 * host's load, CPU frequency) touches both sides of it; the median ratio is reported.
 */
async function measureAgainst(row, bare, baseSettings) {
  // A row may drive its server with fewer connections than the rest (the bcrypt rows).
  const settings = row.connections ? { ...baseSettings, connections: row.connections } : baseSettings;
  const server = await startServer(row, settings);
  try {
    await cannon(server.base, server.request, { connections: settings.connections, seconds: settings.warmupSeconds });
    const rowWindows = [];
    const bareWindows = [];
    const ratios = [];
    if (row.paired === false) {
      // bcrypt on every request: a few req/s, where a ratio per pair says nothing more.
      for (let i = 0; i < settings.repetitions; i += 1) rowWindows.push(await window(server, settings));
      return { result: summarise(row, rowWindows, null), bareWindows };
    }
    for (let i = 0; i < settings.repetitions; i += 1) {
      const [first, second] = i % 2 === 0 ? [bare, server] : [server, bare];
      const a = await window(first, settings);
      const b = await window(second, settings);
      const [ofBare, ofRow] = first === bare ? [a, b] : [b, a];
      bareWindows.push(ofBare);
      rowWindows.push(ofRow);
      ratios.push(ofRow.requestsPerSecond / ofBare.requestsPerSecond);
    }
    return { result: summarise(row, rowWindows, ratios), bareWindows };
  } finally {
    await stopServer(server);
  }
}

/** p99 of the public route while `attackers` wrong-password Basic requests are kept in flight. */
async function measureEventLoop(row, settings) {
  const server = await startServer(row, settings);
  try {
    const wrong = { path: '/v1/projects', headers: { 'X-Forwarded-Proto': 'https', Authorization: `Basic ${Buffer.from('alice@example.org:wrong password').toString('base64')}` } };
    const seconds = settings.seconds + settings.warmupSeconds + 1;
    const attack = new Promise((resolve, reject) => {
      const args = JSON.stringify({ url: server.base + wrong.path, headers: wrong.headers, connections: 200, seconds });
      // The attacker would inherit this process's pinned CPU; like the server here, it gets them all.
      const attacker = [process.execPath, path.join(__dirname, 'attacker.js'), args];
      const [command, ...rest] = CPU_PLAN ? [TASKSET, '-c', CPU_PLAN.all, ...attacker] : attacker;
      execFile(command, rest, { timeout: (seconds + 30) * 1000 }, (error, stdout) =>
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
 * Runs the rows and resolves to the results with ratios. One bare Express server runs for
 * the whole run, and every row is measured in pairs against it (see `measureAgainst`).
 */
async function runBench({ rows, scaling = [], eventLoop = [], settings, log = () => {} }) {
  const baselineRow = rows.find((row) => row.id === 'bare');
  if (!baselineRow) throw new Error('the bare Express row is required: every ratio is to it');
  const others = rows.filter((row) => row !== baselineRow);
  const bare = await startServer(baselineRow, settings);
  const results = [];
  const bareWindows = [];
  try {
    await cannon(bare.base, bare.request, { connections: settings.connections, seconds: settings.warmupSeconds });
    for (const row of [...others, ...scaling]) {
      const measured = await measureAgainst(row, bare, settings);
      results.push(measured.result);
      bareWindows.push(...measured.bareWindows);
      log(`measured ${row.id}${measured.result.ratio === null ? "" : `: ratio ${measured.result.ratio.toFixed(2)}`}`);
    }
    // Only unpaired rows (or none): bare Express still needs windows of its own for the ratios.
    if (bareWindows.length === 0) {
      for (let i = 0; i < settings.repetitions; i += 1) bareWindows.push(await window(bare, settings));
    }
  } finally {
    await stopServer(bare);
  }
  const baseline = { ...summarise(baselineRow, bareWindows, null), ratio: 1 };
  const withVerdict = (result) => {
    // Unpaired rows are compared with the median of every bare window.
    const ratio = result.ratio ?? result.requestsPerSecond / baseline.requestsPerSecond;
    return { ...result, ratio, pass: result.target === null ? null : ratio >= result.target };
  };
  const loops = [];
  for (const row of eventLoop) {
    loops.push(await measureEventLoop(row, settings));
    log(`measured ${row.id}`);
  }
  return {
    baseline: withVerdict(baseline),
    rows: results.filter((r) => !scaling.some((s) => s.id === r.id)).map(withVerdict),
    scaling: results.filter((r) => scaling.some((s) => s.id === r.id)).map(withVerdict),
    eventLoop: loops.map((loop) => ({ ...loop, pass: loop.targetP99Ms === undefined ? null : loop.p99Ms < loop.targetP99Ms })),
  };
}

module.exports = { runBench, startServer, pinLoadGenerator };
