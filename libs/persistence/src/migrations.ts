import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';

export interface MigrationReport {
  applied: string[];
  pending: string[];
}

/**
 * Key of the session advisory lock a migrate step holds on its database (PostgreSQL scopes advisory locks to
 * the current database). Two migrate steps at once (two pipelines, a Job and a replica's init container, two
 * local runs on one server) take turns: the second finds the first one's work done instead of racing it to
 * `CREATE TABLE schema_migrations` ("relation already exists") or to a migration's own DDL.
 */
export const MIGRATION_LOCK_KEY = 0x64697669; // "divi"

/**
 * Applies pending migrations in one transaction each, under {@link MIGRATION_LOCK_KEY}; returns what ran.
 * The lock, the `schema_migrations` bookkeeping and the migrations share one connection, so a pool of one
 * suffices. Waiting for another step's lock is bounded by the connection's `statement_timeout`.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      const ran = await executor.executePendingMigrations();
      return ran.map((m) => m.name);
    } finally {
      // A broken connection ends the session, and PostgreSQL frees its advisory locks with it.
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}

/** True when the entity metadata and the database built by the migrations agree (no pending DDL). */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}

/**
 * Entry point for a service's `migrate` command: `node dist/database/migrate.js [run|show|check]`.
 * - run: apply pending migrations
 * - show: list pending migrations (exit 1 if any)
 * - check: fail if the entities describe a schema the migrations do not build
 */
export async function migrationCli(
  options: DataSourceOptions,
  argv: string[] = process.argv.slice(2),
): Promise<number> {
  const command = argv[0] ?? 'run';
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  try {
    if (command === 'run') {
      const ran = await runMigrations(dataSource);
      process.stdout.write(ran.length ? `applied: ${ran.join(', ')}\n` : 'no pending migrations\n');
      return 0;
    }
    if (command === 'show') {
      const pending = await dataSource.showMigrations();
      process.stdout.write(pending ? 'pending migrations exist\n' : 'up to date\n');
      return pending ? 1 : 0;
    }
    if (command === 'check') {
      const diff = await pendingSchemaChanges(dataSource);
      if (diff.length) process.stdout.write(`entities and migrations disagree:\n${diff.join('\n')}\n`);
      return diff.length ? 1 : 0;
    }
    process.stderr.write(`unknown command ${command}; use run | show | check\n`);
    return 2;
  } finally {
    await dataSource.destroy();
  }
}

/**
 * The whole `database/migrate.ts` of a service: runs {@link migrationCli} with the service's options (built
 * lazily, so a config error exits through the service's own loader) and exits the process with its code;
 * a failure prints one line and exits 1.
 */
export function runMigrationCommand(
  options: () => DataSourceOptions,
  argv: string[] = process.argv.slice(2),
): void {
  Promise.resolve()
    .then(() => migrationCli(options(), argv))
    .then(
      (code) => process.exit(code),
      (error: unknown) => {
        process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
}
