/** `npm run migrate -w @divit/consent-service -- [run|show|check]`: the migration step (never at boot). */
import { migrationCli } from '@divit/persistence';
import { loadConsentConfigOrExit } from '../config/consent.config';
import { consentDataSourceOptions } from './data-source';

migrationCli(consentDataSourceOptions(loadConsentConfigOrExit())).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
