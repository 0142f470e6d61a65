// A load generator in its own process, so the probe measuring latency does not share an
// event loop with the flood it is measuring under. Prints autocannon's result as JSON.
'use strict';
const autocannon = require('autocannon');

const { url, headers, connections, seconds } = JSON.parse(process.argv[2]);
autocannon({ url, headers, connections, duration: seconds }).then((result) => {
  process.stdout.write(JSON.stringify({ requestsPerSecond: result.duration > 0 ? result.requests.total / result.duration : 0, non2xx: result.non2xx }));
});
