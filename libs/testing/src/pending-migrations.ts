import { DataSource } from 'typeorm';
import { createTestDatabase, postgresOptions, runMigrations, TestDatabase } from '@divit/persistence';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for migration classes
type Migration = Function;

/**
 * A data migration tested on a populated database: a fresh database migrated up to just before the `pending`
 * migrations, so a spec can write rows in the old shape (`old`), then `migrateRest` runs the pending ones on a
 * new connection and hands it, with the names of the migrations it ran, to the spec's checks.
 */
export class PendingMigrationsDatabase {
  private constructor(
    private readonly db: TestDatabase,
    private readonly migrations: Migration[],
  ) {}

  static async create(
    prefix: string,
    migrations: Migration[],
    pending: string[],
  ): Promise<PendingMigrationsDatabase> {
    const db = await createTestDatabase({
      prefix,
      options: postgresOptions({
        host: '127.0.0.1',
        port: 5432,
        database: 'postgres',
        username: 'postgres',
        entities: [],
        migrations: migrations.filter((m) => !pending.includes(m.name)),
      }),
    });
    return new PendingMigrationsDatabase(db, migrations);
  }

  /** The database at the old schema. */
  get old(): DataSource {
    return this.db.dataSource;
  }

  /** Runs the pending migrations on a new connection, then `check(full, ran)`; the connection is closed after. */
  async migrateRest<T>(check: (full: DataSource, ran: string[]) => Promise<T>): Promise<T> {
    const full = new DataSource({ ...this.db.options, migrations: this.migrations });
    await full.initialize();
    try {
      return await check(full, await runMigrations(full));
    } finally {
      await full.destroy();
    }
  }

  drop(): Promise<void> {
    return this.db.drop();
  }
}
