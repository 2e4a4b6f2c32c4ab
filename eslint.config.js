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

// ADR 0025: a feature's *.repository.ts is the only place that queries the database (TypeORM Repository,
// EntityManager, QueryBuilder or raw SQL); migrations are the other place raw SQL may live. Services, use cases,
// controllers and consumers call repositories and may only open a transaction and pass its EntityManager on.
const REPOSITORY_ONLY =
  'Data access belongs in a *.repository.ts (ADR 0025): move this query into the feature repository.';
const repositoryOnly = [
  'error',
  {
    // Raw SQL, query builders and TypeORM repositories, on any object.
    selector:
      'CallExpression[callee.property.name=/^(query|createQueryBuilder|getRepository|withRepository)$/]',
    message: REPOSITORY_ONLY,
  },
  {
    // `dataSource.manager.find(...)`, `this.dataSource.manager.insert(...)`: the manager may be passed, not used.
    selector: 'MemberExpression[object.type="MemberExpression"][object.property.name="manager"]',
    message: REPOSITORY_ONLY,
  },
  {
    // EntityManager methods called with an entity class: `em.findOne(ConsentEntity, ...)`, `tx.insert(XEntity, ...)`.
    selector:
      'CallExpression[callee.property.name=/^(find|findBy|findOne|findOneBy|findOneOrFail|findAndCount|count|countBy|exists|existsBy|insert|save|upsert|update|delete|remove|softDelete|increment|decrement|lock)$/][arguments.0.name=/Entity$/]',
    message: REPOSITORY_ONLY,
  },
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
  {
    // ADR 0025: data access only in repositories (and migrations); specs and tests are outside the rule.
    files: ['services/*/src/**/*.ts'],
    ignores: [
      '**/*.repository.ts',
      '**/migrations/**',
      '**/*.spec.ts',
      // Allow-list (keep it short; each entry says why):
      // - erasure categories are SQL handed to the erasure library, which runs them in its own transaction (ADR 0019);
      'services/*/src/erasure/owned-categories.ts',
      // - simulators of the government services keep their own state and never run in production (ADR 0015).
      'services/*/src/**/*.simulator.ts',
    ],
    rules: { 'no-restricted-syntax': repositoryOnly },
  },
);
