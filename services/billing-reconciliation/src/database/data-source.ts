import { DataSourceOptions } from 'typeorm';
import { accessLogEntities, accessLogMigrations } from '@divit/access-log';
import { messagingEntities, messagingMigrations } from '@divit/messaging';
import { postgresOptions } from '@divit/persistence';
import { erasureMigrations } from '@divit/service-kit';
import { BillingConfig } from '../config/billing.config';
import { CreateBillingSchema1764000000000 } from './migrations/1764000000000-create-billing-schema';
import { MoveAccessLogToSharedLibrary1765300000000 } from './migrations/1765300000000-move-access-log-to-shared-library';

/**
 * Explicit lists: the app, the migration command and the tests use exactly these. The billing tables are
 * reached through their repositories with plain SQL (set-based ledger writes, aggregates), so only the
 * messaging tables have entities.
 */
export const billingEntities = [...messagingEntities, ...accessLogEntities];
export const billingMigrations = [
  ...messagingMigrations,
  ...erasureMigrations,
  CreateBillingSchema1764000000000,
  ...accessLogMigrations,
  MoveAccessLogToSharedLibrary1765300000000,
];

export function billingDataSourceOptions(config: BillingConfig): DataSourceOptions {
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
    applicationName: 'billing-reconciliation',
    entities: billingEntities,
    migrations: billingMigrations,
  });
}
