import { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface PostgresConnection {
  host: string;
  port: number;
  database: string;
  username: string;
  password?: string;
}

export interface ServiceDataSourceInput extends PostgresConnection {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
  /** Longest wait for a pool connection, ms; then the query fails with "timeout exceeded when trying to connect". */
  acquireTimeoutMs?: number;
  /** PostgreSQL ends a session idle inside a transaction this long (ms, 0 = never). */
  idleInTransactionTimeoutMs?: number;
  /** PostgreSQL cancels a statement running longer than this (ms, 0 = no limit). */
  statementTimeoutMs?: number;
  applicationName?: string;
}

/** Defaults of the pool safety settings (the platform config has the same defaults). */
export const poolDefaults = {
  poolSize: 10,
  acquireTimeoutMs: 5000,
  idleInTransactionTimeoutMs: 60_000,
  statementTimeoutMs: 60_000,
} as const;

/** The message pg-pool gives a query that waited longer than `connectionTimeoutMillis` for a connection. */
export const POOL_ACQUIRE_TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect';

/**
 * The one definition of a service's TypeORM options, shared by the app, the migration CLI and tests.
 * `synchronize` and `migrationsRun` are always false: migrations run as their own step.
 *
 * Pool safety: a query waits at most `acquireTimeoutMs` for a connection (then fails, and the HTTP layer
 * answers 503 instead of hanging), and every connection is opened with `statement_timeout` and
 * `idle_in_transaction_session_timeout`, so a stuck transaction cannot hold a connection for good.
 */
export function postgresOptions(input: ServiceDataSourceInput): DataSourceOptions {
  return {
    type: 'postgres',
    host: input.host,
    port: input.port,
    database: input.database,
    username: input.username,
    ...(input.password ? { password: input.password } : {}),
    entities: input.entities,
    migrations: input.migrations,
    migrationsTableName: 'schema_migrations',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: input.poolSize ?? poolDefaults.poolSize,
      application_name: input.applicationName ?? 'divit',
      connectionTimeoutMillis: input.acquireTimeoutMs ?? poolDefaults.acquireTimeoutMs,
      // Sent as startup parameters of every pooled connection (pg's ClientConfig).
      statement_timeout: input.statementTimeoutMs ?? poolDefaults.statementTimeoutMs,
      idle_in_transaction_session_timeout:
        input.idleInTransactionTimeoutMs ?? poolDefaults.idleInTransactionTimeoutMs,
    },
  };
}

/**
 * The database keys of the platform config (platformConfigShape in @divit/config) that
 * {@link serviceDataSourceOptions} reads: connection, pool and timeouts.
 */
export interface DatabaseConfig {
  PGHOST: string;
  PGPORT: number;
  DB_NAME: string;
  DB_USER: string;
  DB_PASSWORD?: string | undefined;
  DB_POOL_SIZE: number;
  DB_POOL_ACQUIRE_TIMEOUT_MS: number;
  DB_IDLE_IN_TX_TIMEOUT_MS: number;
  DB_STATEMENT_TIMEOUT_MS: number;
}

/**
 * A service's TypeORM options from its config: connection settings, pool, statement and idle-in-transaction
 * timeouts, `application_name` = the service, the `schema_migrations` table and snake_case naming
 * ({@link postgresOptions}). A service's `database/data-source.ts` lists only its entities and migrations.
 */
export function serviceDataSourceOptions(
  service: string,
  config: DatabaseConfig,
  schema: Pick<ServiceDataSourceInput, 'entities' | 'migrations'>,
): DataSourceOptions {
  return postgresOptions({
    host: config.PGHOST,
    port: config.PGPORT,
    database: config.DB_NAME,
    username: config.DB_USER,
    ...(config.DB_PASSWORD ? { password: config.DB_PASSWORD } : {}),
    poolSize: config.DB_POOL_SIZE,
    acquireTimeoutMs: config.DB_POOL_ACQUIRE_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.DB_IDLE_IN_TX_TIMEOUT_MS,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    applicationName: service,
    entities: schema.entities,
    migrations: schema.migrations,
  });
}
