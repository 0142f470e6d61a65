// Measures how the cost of each request parser grows with its input (see
// test/parsing.linear-time.test.ts, which starts this process with a fixed 64 MB young
// generation, so a scavenge falls in few samples and never in the smallest). Prints one JSON line: for every parser and
// input shape, cost at 2n and at 4n over cost at n.
'use strict';
const fs = require('node:fs');
const ts = require('typescript');

// The sources as they are now (not a possibly stale dist/), transpiled on load as ts-jest does.
require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  });
  module._compile(outputText, filename);
};

const { REQUEST_PARSERS, inputShapes, SIZES, MAX_GROWTH } = require('./request-parsers.ts');

const SAMPLES = 11;
/** A shape over the bounds is measured again, its minimums taken over all rounds: more samples, never a looser bound. */
const ROUNDS = 3;
/** Short enough that most samples run without the scheduler taking the CPU away. */
const SAMPLE_NS = 200_000n;

function timeCalls(run, calls) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i += 1) run();
  return process.hrtime.bigint() - start;
}

/** Calls per sample: enough for the largest input to take about SAMPLE_NS. */
function callsPerSample(run) {
  let calls = 1;
  while (calls < 4096 && timeCalls(run, calls) < SAMPLE_NS) calls *= 2;
  return calls;
}

const parsers = new Map(REQUEST_PARSERS.map((parser) => [parser.name, parser.parse]));
const only = process.argv[2];
const results = [];
for (const { parser, shape, make } of inputShapes()) {
  if (only && !parser.startsWith(only)) continue;
  const parse = parsers.get(parser);
  const runs = SIZES.map((size) => {
    const input = make(size);
    return () => void parse(input);
  });
  for (const run of runs) timeCalls(run, 3); // compiled before anything is measured
  const calls = callsPerSample(runs[runs.length - 1]);
  const best = runs.map(() => Number.POSITIVE_INFINITY);
  let growth;
  for (let round = 0; round < ROUNDS; round += 1) {
    for (let sample = 0; sample < SAMPLES; sample += 1) {
      runs.forEach((run, index) => {
        const cost = Number(timeCalls(run, calls));
        if (cost < best[index]) best[index] = cost;
      });
    }
    growth = { twice: best[1] / best[0], fourTimes: best[2] / best[0] };
    if (growth.twice < MAX_GROWTH.twice && growth.fourTimes < MAX_GROWTH.fourTimes) break;
  }
  results.push({ parser, shape, ...growth });
}
process.stdout.write(`${JSON.stringify(results)}\n`);
