import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { runMigrations } from './migrations';

export interface TestDatabase {
  readonly name: string;
  readonly dataSource: DataSource;
  readonly options: DataSourceOptions;
  /** Destroys the data source and drops the database. */
  drop(): Promise<void>;
}

export interface TestDatabaseInput {
  /** Options of the service's data source; database/credentials are replaced. */
  options: DataSourceOptions;
  prefix: string;
  host?: string;
  port?: number;
  adminUser?: string;
}

/**
 * Creates a fresh database for one test file, built by the service's real migrations (never synchronize).
 * Connects as the local superuser (trust auth on the dev/CI machine).
 */
export async function createTestDatabase(input: TestDatabaseInput): Promise<TestDatabase> {
  const host = input.host ?? process.env.PGHOST ?? '127.0.0.1';
  const port = input.port ?? Number(process.env.PGPORT ?? 5432);
  const user = input.adminUser ?? process.env.PGUSER ?? 'postgres';
  const name = `t_${input.prefix.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ host, port, user, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const options = {
    ...input.options,
    host,
    port,
    username: user,
    password: undefined,
    database: name,
  } as DataSourceOptions;
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  await runMigrations(dataSource);
  return {
    name,
    dataSource,
    options,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      const client = new Client({ host, port, user, database: 'postgres' });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
