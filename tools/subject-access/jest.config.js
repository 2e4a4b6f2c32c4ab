const { preset } = require('../../jest.preset.js');

/** Unit tests of the subject-access report tool (`nx run tools:test`). */
module.exports = { ...preset(__dirname, 'unit'), testMatch: ['<rootDir>/**/*.spec.ts'] };
