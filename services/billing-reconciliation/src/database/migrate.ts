/** `npm run migrate -w @divit/billing-reconciliation-service -- [run|show|check]`: the migration step (never at boot). */
import { runMigrationCommand } from '@divit/persistence';
import { loadBillingConfigOrExit } from '../config/billing.config';
import { billingDataSourceOptions } from './data-source';

runMigrationCommand(() => billingDataSourceOptions(loadBillingConfigOrExit()));
