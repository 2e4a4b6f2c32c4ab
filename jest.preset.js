// Shared jest settings. Unit tests are `*.spec.ts` next to the code; integration tests are
// `test/integration/*.integration-spec.ts` and run against the real local stack (tools/stack).
const path = require('node:path');
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

const root = __dirname;

/** @param {'unit'|'integration'} tier */
function preset(projectDir, tier) {
  return {
    rootDir: projectDir,
    testEnvironment: 'node',
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.spec.json') }],
    },
    moduleFileExtensions: ['ts', 'js', 'json'],
    moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: root + '/' }),
    reporters: [
      'default',
      [
        path.join(root, 'tools/jest-summary-reporter.js'),
        { project: path.relative(root, projectDir).replace(/\//g, '-'), tier },
      ],
    ],
    testMatch:
      tier === 'unit'
        ? ['<rootDir>/src/**/*.spec.ts']
        : ['<rootDir>/test/integration/**/*.integration-spec.ts'],
    testTimeout: tier === 'unit' ? 10_000 : 120_000,
    // No forceExit: a client, pool, server or timer an integration test file leaves open fails that file, and the
    // run exits 1 instead of hanging CI or hiding it; see tools/jest-leak-environment.js and jest-leak-teardown.js.
    ...(tier === 'integration'
      ? {
          maxWorkers: 1,
          testEnvironment: path.join(root, 'tools/jest-leak-environment.js'),
          globalTeardown: path.join(root, 'tools/jest-leak-teardown.js'),
        }
      : {}),
  };
}

module.exports = { preset };
