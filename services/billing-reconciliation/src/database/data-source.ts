import { DataSourceOptions } from 'typeorm';
import { accessLogEntities, accessLogMigrations } from '@divit/access-log';
import { messagingEntities, messagingMigrations } from '@divit/messaging';
import { serviceDataSourceOptions } from '@divit/persistence';
import { erasureMigrations } from '@divit/service-kit';
import { BillingConfig } from '../config/billing.config';
import { CreateBillingSchema1764000000000 } from './migrations/1764000000000-create-billing-schema';
import { MoveAccessLogToSharedLibrary1765300000000 } from './migrations/1765300000000-move-access-log-to-shared-library';
import { CreateGuaranteeFund1766900000000 } from './migrations/1766900000000-create-guarantee-fund';
import { CreateSupplierCosts1766900100000 } from './migrations/1766900100000-create-supplier-costs';

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
  CreateGuaranteeFund1766900000000,
  CreateSupplierCosts1766900100000,
];

export function billingDataSourceOptions(config: BillingConfig): DataSourceOptions {
  return serviceDataSourceOptions('billing-reconciliation', config, {
    entities: billingEntities,
    migrations: billingMigrations,
  });
}
