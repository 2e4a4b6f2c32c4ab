import { DataSource, DataSourceOptions } from 'typeorm';

export interface MigrationReport {
  applied: string[];
  pending: string[];
}

/** Applies pending migrations in one transaction each; returns what ran. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const ran = await dataSource.runMigrations({ transaction: 'each' });
  return ran.map((m) => m.name);
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
