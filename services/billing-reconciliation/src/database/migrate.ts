/** `npm run migrate -w @divit/billing-reconciliation-service -- [run|show|check]`: the migration step (never at boot). */
import { migrationCli } from '@divit/persistence';
import { loadBillingConfigOrExit } from '../config/billing.config';
import { billingDataSourceOptions } from './data-source';

migrationCli(billingDataSourceOptions(loadBillingConfigOrExit())).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
