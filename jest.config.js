/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type errors are caught by `npm run typecheck` (tsc); transpiling per file (isolatedModules in
  // tsconfig.json) keeps the suite fast.
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    // openid-client and what it imports ship as ES modules only; Node loads them from the built
    // CommonJS package (require of an ES module, Node ≥ 20.19), jest's CommonJS runtime cannot,
    // so they are transpiled for the tests alone.
    '^.+/node_modules/(openid-client|oauth4webapi|jose)/.+\\.js$': ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(openid-client|oauth4webapi|jose)/)'],
  // Sized for a shared, slow CI runner: at a load average of 20 on 2 cores, tests that run a
  // dozen bcrypt logins took over 30 s. A hung test still fails, two minutes in.
  testTimeout: 120000,
  // Test files build their own apps and servers; two workers fit the 2-core machines.
  maxWorkers: 2,
};
