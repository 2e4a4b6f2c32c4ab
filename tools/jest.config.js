// Unit tests of the tools' pure parts (e.g. the conformance report's points), next to the code as *.spec.ts.
const base = require('../jest.preset.js').preset(__dirname, 'unit');

module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/reports/**/*.spec.ts',
    '<rootDir>/subject-access/**/*.spec.ts',
    '<rootDir>/lib/**/*.spec.ts',
    '<rootDir>/faults/**/*.spec.ts',
  ],
};
