// Ends the jest output with one plain line CI can read: "jest: <N> passed, <M> failed".
// Written at process exit, after jest's own summary (which is printed by a reporter that runs after this one).
const fs = require('fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `jest: ${results.numPassedTests} passed, ${failed} failed\n`;
    process.once('exit', () => fs.writeSync(1, line));
  }
}
module.exports = SummaryReporter;
