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
