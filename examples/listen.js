// Starts an example's server, or explains why it cannot: a port in use is the common
// case (another copy still running), so say which and how to pick another.
'use strict';

/**
 * Listens on host:port and calls onListening(url-less address) once up. On failure prints
 * the reason and `rerun` with another PORT to stderr, and exits with code 1.
 */
function listenOrExplain(server, { port, host, rerun }, onListening) {
  server.once('error', (error) => {
    if (error.code === 'EADDRINUSE') {
      const next = port === 0 ? 8081 : port + 1;
      console.error(`${host}:${port} is already in use (is another copy running?). Pick another port: PORT=${next} ${rerun}`);
    } else if (error.code === 'EACCES') {
      console.error(`Not allowed to listen on ${host}:${port} (ports below 1024 need privileges). Pick another port: PORT=8080 ${rerun}`);
    } else {
      console.error(`Could not listen on ${host}:${port}: ${error.message}`);
    }
    process.exit(1);
  });
  server.listen(port, host, () => onListening(server.address()));
}

module.exports = { listenOrExplain };
