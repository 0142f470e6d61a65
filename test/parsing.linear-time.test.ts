/**
 * Every parser that reads request input runs in time linear in the input's length, on the
 * shapes that make a backtracking regular expression or a rescanning loop go quadratic:
 * runs of spaces and tabs, repeated separators, and prefixes that almost match
 * (`test/helpers/request-parsers.ts` lists the parsers and shapes).
 *
 * How the work is measured. V8 offers no count of regular-expression steps, and a count of
 * CPU instructions (valgrind, perf counters) is too slow or not available on every machine.
 * So each parser runs on inputs of n, 2n and 4n characters (12.5, 25 and 50 kB) and what is
 * compared is the RATIO of the costs, never a time against a limit: linear work grows 2× and
 * 4×, quadratic work 4× and 16×; the bounds (4× and 8×) sit a factor of 2 from linear at 4n.
 * Each cost is the smallest of 11 samples taken in turn (n, 2n, 4n, n, …), each running the
 * parser the same number of times, enough for the 4n input to last about 0.2 ms: a sample
 * that short mostly runs without the scheduler taking the CPU away, so a busy machine slows
 * some samples but not the smallest. A shape over a bound is sampled again (up to three
 * rounds, minimums over all of them): a linear parser comes under the bound, a quadratic one
 * cannot. The samples run in a child process with a fixed 64 MB young generation, so a
 * garbage collection (whose cost follows what is live, not the parser's work) falls in few
 * samples and not in the smallest.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { inputShapes, MAX_GROWTH } from './helpers/request-parsers';

interface Growth {
  parser: string;
  shape: string;
  twice: number;
  fourTimes: number;
}

function measure(): Map<string, Growth> {
  const output = execFileSync(
    process.execPath,
    ['--min-semi-space-size=64', '--max-semi-space-size=64', path.join(__dirname, 'helpers', 'work-growth-child.js')],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 20 * 60_000 },
  );
  const results = JSON.parse(output) as Growth[];
  return new Map(results.map((growth) => [`${growth.parser} | ${growth.shape}`, growth]));
}

const shapes = inputShapes().map(({ parser, shape }) => [parser, shape] as const);
let measured: Map<string, Growth>;

beforeAll(() => {
  measured = measure();
}, 20 * 60_000);

describe('request parsers run in linear time (12.5 kB → 25 kB → 50 kB)', () => {
  it('measures every parser and shape', () => {
    expect(measured.size).toBe(shapes.length);
  });

  it.each(shapes)('%s, on %s', (parser, shape) => {
    const growth = measured.get(`${parser} | ${shape}`);
    // Both ratios are in the failure message; each is bounded at a factor of 2 from linear.
    expect({ fourTimes: growth?.fourTimes, twice: growth?.twice, linear: growth !== undefined && growth.fourTimes < MAX_GROWTH.fourTimes && growth.twice < MAX_GROWTH.twice }).toEqual({
      fourTimes: growth?.fourTimes,
      twice: growth?.twice,
      linear: true,
    });
  });
});
