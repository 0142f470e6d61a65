// A jest testResultsProcessor for scripts/test.js: writes the counts the closing
// "N passed, N failed" line needs to the file named by GATEHOUSE_JEST_RESULTS, and hands the
// results on unchanged. jest's own --json --outputFile would do the same but prints a
// "Test results written to: <relative path>" line naming a file scripts/test.js then deletes.
'use strict';
const fs = require('node:fs');

module.exports = function writeResultsFile(results) {
  const file = process.env.GATEHOUSE_JEST_RESULTS;
  if (file) {
    const summary = {
      numPassedTests: results.numPassedTests,
      numFailedTests: results.numFailedTests,
      numRuntimeErrorTestSuites: results.numRuntimeErrorTestSuites,
      testFiles: results.testResults.map((suite) => suite.testFilePath),
    };
    fs.writeFileSync(file, `${JSON.stringify(summary)}\n`);
  }
  return results;
};
