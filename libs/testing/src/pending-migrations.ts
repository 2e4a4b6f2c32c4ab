import { DataSource } from 'typeorm';
import { createTestDatabase, postgresOptions, runMigrations, TestDatabase } from '@divit/persistence';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for migration classes
type Migration = Function;

/** A migration's timestamp: the digits its class name ends with (TypeORM's own ordering key). */
function timestampOf(migration: Migration): number {
  const m = /(\d{13})$/.exec(migration.name);
  if (!m?.[1]) throw new Error(`migration ${migration.name} has no 13-digit timestamp`);
  return Number(m[1]);
}

/** The migrations older than the first pending one: later migrations may need what the pending ones create. */
function before(migrations: Migration[], pending: string[]): Migration[] {
  const first = Math.min(...migrations.filter((m) => pending.includes(m.name)).map(timestampOf));
  return migrations.filter((m) => timestampOf(m) < first);
}

/**
 * A data migration tested on a populated database: a fresh database migrated up to just before the `pending`
 * migrations (and without any later one), so a spec can write rows in the old shape (`old`), then `migrateRest`
 * runs the pending ones and every later one on a new connection and hands it, with the names of the migrations it
 * ran in order, to the spec's checks.
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
        migrations: before(migrations, pending),
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
