/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type errors are caught by `npm run typecheck` (tsc); transpiling per file (isolatedModules in
  // tsconfig.json) keeps the suite fast.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 30000,
  // Test files build their own apps and servers; two workers fit the 2-core machines.
  maxWorkers: 2,
};
