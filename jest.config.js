/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type errors are caught by `npm run typecheck` (tsc); transpiling per file (isolatedModules in
  // tsconfig.json) keeps the suite fast.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // Sized for a shared, slow CI runner: at a load average of 20 on 2 cores, tests that run a
  // dozen bcrypt logins took over 30 s. A hung test still fails, two minutes in.
  testTimeout: 120000,
  // Test files build their own apps and servers; two workers fit the 2-core machines.
  maxWorkers: 2,
};
