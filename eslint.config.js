// ESLint flat config: type-checked rules, real Nx module boundaries, no console, process.env only in config.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const nx = require('@nx/eslint-plugin');

// Which project may import which (Nx tags in each package.json / tools/project.json).
const depConstraints = [
  // A service may use platform, contracts and util libraries, never another service.
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:util'] },
  { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:util'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  {
    sourceTag: 'type:testing',
    onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:util', 'type:client'],
  },
  // The typed HTTP clients (libs/api-clients) are for callers outside the services: tools, demo and tests. A
  // service never calls another service over HTTP (services talk through Kafka only).
  { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:util'] },
  // The repository's tools (codegen, demo, benchmarks, fault tier, deploy checks) may use every library and,
  // through the allow-list in their override below, the services' sources.
  {
    sourceTag: 'type:tool',
    onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:util', 'type:testing', 'type:client'],
  },
];
const boundaries = ({ constraints = depConstraints, allow = [] } = {}) => [
  'error',
  { enforceBuildableLibDependency: false, allow, depConstraints: constraints },
];

module.exports = tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      'libs/contracts/src/generated/**',
      '**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(),
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through src/config (libs/config), not process.env.',
        },
      ],
    },
  },
  {
    // Config loaders and command-line entry points are the only places that read the environment.
    files: [
      '**/config/**/*.ts',
      'libs/config/src/**/*.ts',
      'libs/persistence/src/test-database.ts',
      'tools/**/*.ts',
      '**/*.spec.ts',
      '**/test/**/*.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Command-line tools print to the terminal.
    files: ['tools/**/*.ts', '**/cli/**/*.ts', '**/*.cli.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // Tests (never production code) may also use the integration-test harness in libs/testing.
    files: ['services/*/test/**/*.ts', 'services/*/src/**/*.spec.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries({
        constraints: [
          {
            sourceTag: 'type:service',
            onlyDependOnLibsWithTags: [
              'type:platform',
              'type:contracts',
              'type:util',
              'type:testing',
              'type:client',
            ],
          },
        ],
      }),
    },
  },
  {
    // Benchmarks drive a service in-process and the deploy check validates each service's config schema: the
    // tools read service sources by package path (a service is an app, which Nx otherwise refuses to import).
    files: ['tools/**/*.ts'],
    plugins: { '@nx': nx },
    rules: { '@nx/enforce-module-boundaries': boundaries({ allow: ['^@divit/[a-z-]+-service/src/'] }) },
  },
);
