import { formatReport, runFuzz } from './fuzz/harness';
import { secretFinder } from './fuzz/secrets';

// The short form of `npm run fuzz` (README, "Fuzzing"): the same harness, server and
// generators, 3 000 requests. A fixed seed makes a failure here reproducible with
// `npm run fuzz -- --requests 3000 --seed 15`.
describe('the live fuzz run', () => {
  it('3 000 random and malformed requests: no 5xx, no crash, no unhandled rejection, no secret in a body or the access log', async () => {
    const report = await runFuzz({ requests: 3_000, timeLimitMs: 150_000, concurrency: 16, seed: 15 });
    expect(report.failures).toEqual([]);
    expect(report.requests).toBe(3_000);
    // Every outcome the run is meant to reach was reached: accepted credentials, refused ones,
    // malformed requests, unknown routes, requests over TLS and over raw sockets.
    for (const status of ['200', '400', '401', '404']) expect(report.byStatus[status] ?? 0).toBeGreaterThan(0);
    expect(report.overHttps).toBeGreaterThan(500);
    expect(report.rawSocket).toBeGreaterThan(50);
    expect(report.logLines).toBeGreaterThan(2_000);
    expect(formatReport(report)).toMatch(/^requests: 3000 in /);
  }, 240_000);
});

describe('what the fuzz checks count as a leak', () => {
  const finder = secretFinder(['gths_Secret-Token_0123456789', 'correct horse battery staple']);

  it('a secret as written, percent-escaped once or twice', () => {
    expect(finder.find('GET /v1/key/gths_Secret-Token_0123456789/forms 404')).toBe(0);
    expect(finder.find('GET /v1/key/%67ths_Secret-Token_0123456789/forms 404')).toBe(0);
    expect(finder.find('GET /v1/key/%2567ths_Secret-Token_0123456789/forms 404')).toBe(0);
    expect(finder.find('{"password":"correct%20horse battery staple"}')).toBe(1);
  });

  it('nothing else, and masking never prints a secret', () => {
    expect(finder.find('GET /v1/key/REDACTED/forms 404')).toBe(-1);
    expect(finder.find('')).toBe(-1);
    expect(finder.masked('Bearer gths_Secret-Token_0123456789')).toBe('Bearer <secret#0>');
  });
});
