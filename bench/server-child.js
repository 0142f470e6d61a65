// Runs one benchmark server in its own process: loads bench/servers/<name>.js, listens on
// 127.0.0.1 (a free port), and reports the port and the request to send back over IPC.
'use strict';
const path = require('node:path');

async function main() {
  const [name, ...rest] = process.argv.slice(2);
  const options = rest.length ? JSON.parse(rest[0]) : {};
  const create = require(path.join(__dirname, 'servers', `${name}.js`));
  const { app, prepare, close } = await create(options);
  const stop = async () => {
    try {
      await close?.();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', stop);
  const server = app.listen(0, '127.0.0.1', async () => {
    const base = `http://127.0.0.1:${server.address().port}`;
    try {
      const request = await prepare(base);
      process.send({ type: 'ready', base, request });
    } catch (error) {
      process.send({ type: 'failed', message: String(error && error.stack || error) });
    }
  });
  server.keepAliveTimeout = 60_000;
  process.on('disconnect', stop);
  // The harness asks before and after each window, to report CPU time (and page faults) per request.
  process.on('message', (message) => {
    if (message?.type === 'cpu') {
      const { minorPageFault, majorPageFault } = process.resourceUsage();
      process.send({ type: 'cpu', ...process.cpuUsage(), pageFaults: minorPageFault + majorPageFault });
    }
  });
}

main().catch((error) => {
  process.send?.({ type: 'failed', message: String(error && error.stack || error) });
  process.exit(1);
});
