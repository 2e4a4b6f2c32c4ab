/** `npm run migrate -w @divit/identity-validation-service -- [run|show|check]`: the migration step (never at boot). */
import { migrationCli } from '@divit/persistence';
import { loadIdentityValidationDatabaseConfigOrExit } from '../config/identity-validation.config';
import { identityValidationDataSourceOptions } from './data-source';

migrationCli(identityValidationDataSourceOptions(loadIdentityValidationDatabaseConfigOrExit())).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
