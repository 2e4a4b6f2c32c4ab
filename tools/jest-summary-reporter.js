// Writes each jest run's counts to reports/jest/<project>-<tier>.json so tools/test.sh can print one
// closing line for the whole repository ("N passed, N failed"), with the name of every failed test and
// suite, so the end of a long CI log says what failed.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig, options) {
    this.options = options;
  }
  onRunComplete(_contexts, results) {
    const dir = path.join(__dirname, '..', 'reports', 'jest');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${this.options.project}-${this.options.tier}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify({
        project: this.options.project,
        tier: this.options.tier,
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests + results.numTodoTests,
        failures: failuresOf(results),
      }),
    );
  }
}
function failuresOf(results) {
  const root = path.join(__dirname, '..') + path.sep;
  const out = [];
  for (const suite of results.testResults) {
    const file = suite.testFilePath.replace(root, '');
    if (suite.testExecError) out.push(`${file}: ${String(suite.testExecError.message).split('\n')[0]}`);
    for (const t of suite.testResults) {
      if (t.status === 'failed') out.push(`${file} › ${t.fullName}`);
    }
  }
  return out;
}
module.exports = SummaryReporter;
