#!/usr/bin/env node
// Runs jest and ends with the plain "N passed, N failed" line that CI reads. Installs and
// builds first when needed (scripts/bootstrap.js), so `npm test` works on a fresh clone.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { bootstrap } = require('./bootstrap');

bootstrap();

const { findChromium, INSTALL_HINT } = require('./find-chromium');
const resultsFile = path.join(os.tmpdir(), `gatehouse-jest-${process.pid}.json`);
const jestBin = require.resolve('jest/bin/jest');
const run = spawnSync(process.execPath, [jestBin, `--testResultsProcessor=${path.join(__dirname, 'jest-results-file.js')}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, GATEHOUSE_JEST_RESULTS: resultsFile },
});

let passed = 0;
let failed = 0;
let ranBrowserTests = false;
try {
  const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  passed = results.numPassedTests;
  // A suite that fails to load has no failed tests of its own; count it so it cannot pass silently.
  failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
  ranBrowserTests = results.testFiles.some((file) => /\.browser\.test\.ts$/.test(file));
  fs.rmSync(resultsFile, { force: true });
} catch {
  failed = Math.max(failed, 1);
}

let chromium = null;
try {
  chromium = findChromium();
} catch {
  // a wrong CHROMIUM_PATH fails the browser tests themselves, with the reason
}
if (ranBrowserTests && !chromium && process.env.CI !== 'true') {
  console.log(
    [
      '',
      '!!! SKIPPED: the real-browser tests (test/*.browser.test.ts) did not run: no Chromium found.',
      `!!! Install it with: ${INSTALL_HINT}. Under CI=true a missing browser fails the run.`,
      '',
    ].join('\n'),
  );
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
