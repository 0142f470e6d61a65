/**
 * Where a test's injected clock starts: the real time when it is called, to the whole
 * second. Never an absolute date: Redis and PostgreSQL expire records by their own clocks,
 * so a Gatehouse clock pinned to a fixed day turns into a calendar bomb once real time
 * passes that day plus a lifetime. Tests move the injected clock forward from here.
 */
export function realNow(): number {
  return Math.floor(Date.now() / 1000) * 1000;
}
