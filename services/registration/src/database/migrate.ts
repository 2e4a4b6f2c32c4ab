/** `npm run migrate -w @divit/registration-service -- [run|show|check]`: the migration step (never at boot). */
import { migrationCli } from '@divit/persistence';
import { loadRegistrationConfigOrExit } from '../config/registration.config';
import { registrationDataSourceOptions } from './data-source';

migrationCli(registrationDataSourceOptions(loadRegistrationConfigOrExit())).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
